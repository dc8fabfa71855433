//! Domain types. Each is built only by `parse`, so holding one means it is valid.
//! Errors name the problem; the caller names the field.

mod countries;
mod language;
mod names;
mod products;
mod roles;

pub use countries::CountryCode;
pub use language::Language;
pub use names::*;
pub use products::ProductId;
pub use roles::{AgentRole, RoleSet, UserRole};

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

pub(crate) fn invalid<T>(msg: impl Into<String>) -> Result<T, Invalid> {
    Err(Invalid(msg.into()))
}

pub(crate) fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// `AsRef<str>`, `Display` and `into_inner` for a newtype over `String`.
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

pub(crate) use string_newtype;
