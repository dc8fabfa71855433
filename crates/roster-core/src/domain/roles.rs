//! Roles: a customer user's administrative roles, and an agent's role.

use super::{Invalid, excerpt};
use serde::Serialize;

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
            Invalid::new("invalid-role", format!("unknown role {}; known roles: {}", excerpt(s), known.join(", ")))
                .arg("value", excerpt(s))
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
            other => Err(Invalid::new(
                "invalid-agent-role",
                format!("unknown agent role {}; use admin, sales or helpdesk", excerpt(other)),
            )
            .arg("value", excerpt(other))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_sets_round_trip_through_the_mask() {
        let set = RoleSet::parse_list(&["user-admin", "GLOBAL-ADMIN"]).unwrap_or_default();
        assert_eq!(RoleSet::from_mask(set.mask()), set);
        assert_eq!(set.names(), vec!["global-admin".to_owned(), "user-admin".to_owned()]);
        assert!(RoleSet::parse_list(&["root"]).is_err());
    }
}
