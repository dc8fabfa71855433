//! Catalog product ids.

use super::{Invalid, invalid, string_newtype};
use std::fmt;

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
