//! Catalog product ids.

use super::{Invalid, has_control, invalid, string_newtype};
use std::fmt;

/// A catalog product id such as `MAIL_P1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProductId(String);
string_newtype!(ProductId);

impl ProductId {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        if s.is_empty() || s.len() > 64 {
            return Err(Invalid::new("invalid-length", "must be 1 to 64 characters").arg("max", 64usize));
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.') {
            return invalid("invalid-product-characters", "may contain only letters, digits, '_', '-' and '.'");
        }
        Ok(Self(s.to_owned()))
    }
}

/// The longest service plan id the catalog may name.
pub const SERVICE_PLAN_ID_MAX: usize = 64;

/// Checks a service plan id, as the catalog names a product's plans and a
/// license disables them: 1 to 64 bytes, no control characters. Ids are kept as
/// written, since a plan is matched by its exact id.
pub fn check_service_plan_id(s: &str) -> Result<(), Invalid> {
    if s.trim().is_empty() || s.chars().count() > SERVICE_PLAN_ID_MAX {
        return Err(Invalid::new("invalid-length", format!("must be 1 to {SERVICE_PLAN_ID_MAX} characters"))
            .arg("max", SERVICE_PLAN_ID_MAX));
    }
    if has_control(s) {
        return invalid("invalid-control", "must not contain control characters");
    }
    Ok(())
}
