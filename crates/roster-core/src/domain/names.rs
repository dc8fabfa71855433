//! Names: of users, domains, people, organisations and agents.

use super::{Invalid, excerpt, has_control, invalid, string_newtype, too_long};
use serde::Serialize;
use std::fmt;

/// The local part of a user principal name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserName(String);
string_newtype!(UserName);

pub const USER_NAME_MAX: usize = 64;

impl UserName {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        if s.is_empty() {
            return invalid("invalid-empty", "must not be empty");
        }
        if s.chars().count() > USER_NAME_MAX {
            return Err(too_long(USER_NAME_MAX));
        }
        if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || "'.-_!#^~".contains(*c))) {
            return Err(Invalid::new(
                "invalid-username-character",
                format!("contains {c:?}; use letters A-Z, digits and ' . - _ ! # ^ ~"),
            )
            .arg("value", excerpt(&c.to_string())));
        }
        if s.starts_with('.') || s.ends_with('.') || s.contains("..") {
            return invalid("invalid-username-dots", "must not start or end with a dot or contain two dots in a row");
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
            return invalid("invalid-empty", "must not be empty");
        }
        if s.len() > 253 {
            return Err(too_long(253));
        }
        let labels: Vec<&str> = s.split('.').collect();
        if labels.len() < 2 {
            return invalid("invalid-domain-labels", "must have at least two labels, like contoso.example");
        }
        for label in &labels {
            if label.is_empty() || label.len() > 63 {
                return invalid("invalid-domain-label-length", "each label must be 1 to 63 characters");
            }
            if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return invalid("invalid-domain-characters", "may contain only letters, digits, hyphens and dots");
            }
            if label.starts_with('-') || label.ends_with('-') {
                return invalid("invalid-domain-hyphen", "a label must not start or end with a hyphen");
            }
        }
        if labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit())) {
            return invalid("invalid-domain-numeric", "the last label must not be numeric");
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
            return invalid("invalid-upn", "must have the form name@domain");
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

fn bounded_text(s: &str, max: usize, required: bool) -> Result<Option<String>, Invalid> {
    let s = s.trim();
    if s.is_empty() {
        return if required { invalid("invalid-empty", "must not be empty") } else { Ok(None) };
    }
    if s.chars().count() > max {
        return Err(too_long(max));
    }
    if has_control(s) {
        return invalid("invalid-control", "must not contain control characters");
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
            return invalid("invalid-email", "must be an email address");
        };
        if local.is_empty()
            || local.len() > 64
            || local.chars().any(|c| c.is_whitespace() || c.is_control() || c == '@')
        {
            return invalid("invalid-email", "must be an email address");
        }
        let domain = DomainName::parse(domain)?;
        Ok(Self(format!("{}@{}", local.to_lowercase(), domain)))
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
    fn upn_key_is_case_insensitive() {
        let a = UserPrincipalName::parse("Alex@Contoso.example").map(|u| u.key());
        let b = UserPrincipalName::parse("alex@contoso.EXAMPLE").map(|u| u.key());
        assert_eq!(a, b);
    }

    #[test]
    fn display_names_are_bounded() {
        assert!(DisplayName::parse("  ").is_err());
        assert!(DisplayName::parse(&"x".repeat(257)).is_err());
        assert!(DisplayName::parse("Zoë Müller").is_ok());
        assert!(DisplayName::parse("a\u{0}b").is_err());
    }
}
