//! Domain types. Each is built only by `parse`, so holding one means it is valid.
//! Errors name the problem; the caller names the field.

use serde::Serialize;
use std::fmt;

/// Why an input was refused; the caller adds the field name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

fn invalid<T>(msg: impl Into<String>) -> Result<T, Invalid> {
    Err(Invalid(msg.into()))
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

macro_rules! string_newtype {
    ($name:ident) => {
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl $name {
            pub fn into_inner(self) -> String {
                self.0
            }
        }
    };
}

/// The local part of a user principal name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserName(String);
string_newtype!(UserName);

pub const USER_NAME_MAX: usize = 64;

impl UserName {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        if s.is_empty() {
            return invalid("must not be empty");
        }
        if s.chars().count() > USER_NAME_MAX {
            return invalid(format!("must be at most {USER_NAME_MAX} characters"));
        }
        if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || "'.-_!#^~".contains(*c))) {
            return invalid(format!("contains {c:?}; use letters A-Z, digits and ' . - _ ! # ^ ~"));
        }
        if s.starts_with('.') || s.ends_with('.') || s.contains("..") {
            return invalid("must not start or end with a dot or contain two dots in a row");
        }
        Ok(Self(s.to_owned()))
    }
}

/// A DNS domain name, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct DomainName(String);
string_newtype!(DomainName);

impl DomainName {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim().trim_end_matches('.').to_ascii_lowercase();
        if s.is_empty() {
            return invalid("must not be empty");
        }
        if s.len() > 253 {
            return invalid("must be at most 253 characters");
        }
        let labels: Vec<&str> = s.split('.').collect();
        if labels.len() < 2 {
            return invalid("must have at least two labels, like contoso.example");
        }
        for label in &labels {
            if label.is_empty() || label.len() > 63 {
                return invalid("each label must be 1 to 63 characters");
            }
            if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return invalid("may contain only letters, digits, hyphens and dots");
            }
            if label.starts_with('-') || label.ends_with('-') {
                return invalid("a label must not start or end with a hyphen");
            }
        }
        if labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit())) {
            return invalid("the last label must not be numeric");
        }
        Ok(Self(s))
    }
}

/// `name@domain`, the identity of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPrincipalName {
    name: UserName,
    domain: DomainName,
}

impl UserPrincipalName {
    pub fn new(name: UserName, domain: DomainName) -> Self {
        Self { name, domain }
    }

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let Some((name, domain)) = s.trim().rsplit_once('@') else {
            return invalid("must have the form name@domain");
        };
        Ok(Self { name: UserName::parse(name)?, domain: DomainName::parse(domain)? })
    }

    pub fn name(&self) -> &UserName {
        &self.name
    }

    pub fn domain(&self) -> &DomainName {
        &self.domain
    }

    /// The case-insensitive key that uniqueness is enforced on.
    pub fn key(&self) -> String {
        self.to_string().to_lowercase()
    }
}

impl fmt::Display for UserPrincipalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.name, self.domain)
    }
}

/// ISO 3166-1 alpha-2 country code, upper-cased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// `ISO_3166_ALPHA2` as a table indexed by the two letters: parsing runs for every
/// row read back from the database, so it must not search a list.
const ASSIGNED_COUNTRIES: [bool; 26 * 26] = {
    let list = ISO_3166_ALPHA2.as_bytes();
    let mut table = [false; 26 * 26];
    let mut i = 0;
    while i + 1 < list.len() {
        table[(list[i] - b'A') as usize * 26 + (list[i + 1] - b'A') as usize] = true;
        i += 3;
    }
    table
};

impl CountryCode {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s.trim().as_bytes() {
            &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                let (a, b) = (a.to_ascii_uppercase(), b.to_ascii_uppercase());
                if ASSIGNED_COUNTRIES[(a - b'A') as usize * 26 + (b - b'A') as usize] {
                    return Ok(Self([a, b]));
                }
            }
            _ => {}
        }
        invalid(format!("{s:?} is not an ISO 3166-1 alpha-2 country code"))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn bounded_text(s: &str, max: usize, required: bool) -> Result<Option<String>, Invalid> {
    let s = s.trim();
    if s.is_empty() {
        return if required { invalid("must not be empty") } else { Ok(None) };
    }
    if s.chars().count() > max {
        return invalid(format!("must be at most {max} characters"));
    }
    if has_control(s) {
        return invalid("must not contain control characters");
    }
    Ok(Some(s.to_owned()))
}

/// A display name: required, at most 256 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);
string_newtype!(DisplayName);
pub const DISPLAY_NAME_MAX: usize = 256;

impl DisplayName {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        bounded_text(s, DISPLAY_NAME_MAX, true).map(|v| Self(v.unwrap_or_default()))
    }
}

/// A first or last name; empty means absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);
string_newtype!(PersonName);
pub const PERSON_NAME_MAX: usize = 64;

impl PersonName {
    pub fn parse_optional(s: &str) -> Result<Option<Self>, Invalid> {
        bounded_text(s, PERSON_NAME_MAX, false).map(|v| v.map(Self))
    }
}

/// A customer's or partner's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationName(String);
string_newtype!(OrganisationName);

impl OrganisationName {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        bounded_text(s, 256, true).map(|v| Self(v.unwrap_or_default()))
    }
}

/// An agent's sign-in email, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentEmail(String);
string_newtype!(AgentEmail);

impl AgentEmail {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let Some((local, domain)) = s.trim().rsplit_once('@') else {
            return invalid("must be an email address");
        };
        if local.is_empty()
            || local.len() > 64
            || local.chars().any(|c| c.is_whitespace() || c.is_control() || c == '@')
        {
            return invalid("must be an email address");
        }
        let domain = DomainName::parse(domain)?;
        Ok(Self(format!("{}@{}", local.to_lowercase(), domain)))
    }
}

/// Administrative roles a customer's user can hold. No role means an ordinary user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UserRole {
    GlobalAdmin,
    BillingAdmin,
    UserAdmin,
    HelpdeskAdmin,
    ServiceAdmin,
    LicenseAdmin,
}

impl UserRole {
    pub const ALL: [UserRole; 6] = [
        Self::GlobalAdmin,
        Self::BillingAdmin,
        Self::UserAdmin,
        Self::HelpdeskAdmin,
        Self::ServiceAdmin,
        Self::LicenseAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::GlobalAdmin => "global-admin",
            Self::BillingAdmin => "billing-admin",
            Self::UserAdmin => "user-admin",
            Self::HelpdeskAdmin => "helpdesk-admin",
            Self::ServiceAdmin => "service-admin",
            Self::LicenseAdmin => "license-admin",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        Self::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(s)).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|r| r.as_str()).collect();
            Invalid(format!("unknown role {s:?}; known roles: {}", known.join(", ")))
        })
    }

    /// The bit this role occupies in the stored role mask.
    pub fn bit(self) -> i64 {
        1 << (self as i64)
    }
}

/// A set of user roles, stored as a bit mask so filters are cheap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoleSet(i64);

impl RoleSet {
    pub fn from_roles(roles: impl IntoIterator<Item = UserRole>) -> Self {
        Self(roles.into_iter().fold(0, |mask, r| mask | r.bit()))
    }

    pub fn parse_list<S: AsRef<str>>(items: &[S]) -> Result<Self, Invalid> {
        let roles = items.iter().map(|s| UserRole::parse(s.as_ref())).collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_roles(roles))
    }

    /// From the stored mask; unknown bits are dropped.
    pub fn from_mask(mask: i64) -> Self {
        Self::from_roles(UserRole::ALL.into_iter().filter(|r| mask & r.bit() != 0))
    }

    pub fn mask(self) -> i64 {
        self.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn roles(self) -> Vec<UserRole> {
        UserRole::ALL.into_iter().filter(|r| self.0 & r.bit() != 0).collect()
    }

    pub fn names(self) -> Vec<String> {
        self.roles().into_iter().map(|r| r.as_str().to_owned()).collect()
    }
}

/// What an agent of the partner may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentRole {
    Admin,
    Sales,
    Helpdesk,
}

impl AgentRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Sales => "sales",
            Self::Helpdesk => "helpdesk",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Self::Admin),
            "sales" => Ok(Self::Sales),
            "helpdesk" => Ok(Self::Helpdesk),
            other => invalid(format!("unknown agent role {other:?}; use admin, sales or helpdesk")),
        }
    }
}

/// A catalog product id such as `MAIL_P1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProductId(String);
string_newtype!(ProductId);

impl ProductId {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        if s.is_empty() || s.len() > 64 {
            return invalid("must be 1 to 64 characters");
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.') {
            return invalid("may contain only letters, digits, '_', '-' and '.'");
        }
        Ok(Self(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_accept_the_portal_alphabet() {
        for ok in ["alex", "a.b", "o'neil", "x_y-z", "A1", "a!b#c^d~e"] {
            assert!(UserName::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn user_names_refuse_bad_shapes() {
        let too_long = "a".repeat(65);
        for bad in ["", " ", ".a", "a.", "a..b", "a b", "a@b", "é", "a/b", too_long.as_str()] {
            assert!(UserName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn domains_are_lower_cased_and_checked() {
        assert_eq!(DomainName::parse("Contoso.Example").map(|d| d.into_inner()), Ok("contoso.example".into()));
        for bad in ["contoso", "-a.com", "a-.com", "a..com", "a_b.com", "a.123", ""] {
            assert!(DomainName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn country_codes_must_be_assigned() {
        assert_eq!(CountryCode::parse("fr").map(|c| c.to_string()), Ok("FR".into()));
        for bad in ["XX", "FRA", "F", "", "1A", "ZZ", "é", "Fé"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad:?}");
        }
        let listed: Vec<&str> = ISO_3166_ALPHA2.split(' ').collect();
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let code = String::from_utf8(vec![a, b]).unwrap_or_default();
                assert_eq!(CountryCode::parse(&code).is_ok(), listed.contains(&code.as_str()), "{code}");
            }
        }
    }

    #[test]
    fn upn_key_is_case_insensitive() {
        let a = UserPrincipalName::parse("Alex@Contoso.example").map(|u| u.key());
        let b = UserPrincipalName::parse("alex@contoso.EXAMPLE").map(|u| u.key());
        assert_eq!(a, b);
    }

    #[test]
    fn role_sets_round_trip_through_the_mask() {
        let set = RoleSet::parse_list(&["user-admin", "GLOBAL-ADMIN"]).unwrap_or_default();
        assert_eq!(RoleSet::from_mask(set.mask()), set);
        assert_eq!(set.names(), vec!["global-admin".to_owned(), "user-admin".to_owned()]);
        assert!(RoleSet::parse_list(&["root"]).is_err());
    }

    #[test]
    fn display_names_are_bounded() {
        assert!(DisplayName::parse("  ").is_err());
        assert!(DisplayName::parse(&"x".repeat(257)).is_err());
        assert!(DisplayName::parse("Zoë Müller").is_ok());
        assert!(DisplayName::parse("a\u{0}b").is_err());
    }
}
