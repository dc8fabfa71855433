//! The catalog, subscriptions, and license updates.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServicePlan {
    pub id: String,
    pub name: String,
}

/// A product as the catalog file and the API spell it.
// The serde attributes are the catalog file's, kept so the schema says what it
// always said.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Product {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub service_plans: Vec<ServicePlan>,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub excludes: Vec<String>,
    /// `None`: available everywhere not listed in `unavailable_in`.
    #[serde(default)]
    pub available_in: Option<Vec<String>>,
    #[serde(default)]
    pub unavailable_in: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductList {
    pub products: Vec<Product>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionDto {
    pub id: Uuid,
    pub product_id: String,
    pub product_name: String,
    pub quantity: i64,
    pub assigned: i64,
    pub available: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuyRequest {
    pub product_id: String,
    #[serde(deserialize_with = "whole_number")]
    pub quantity: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuantityRequest {
    #[serde(deserialize_with = "whole_number")]
    pub quantity: i64,
}

/// A whole number, written `3` or `3.0`: JSON does not tell them apart, and JSON
/// Schema's `integer` takes both.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    struct WholeNumber;

    impl serde::de::Visitor<'_> for WholeNumber {
        type Value = i64;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number")
        }

        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }

        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
        }

        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i64, E> {
            // Past 2^53 a float holds only even numbers; such a count is out of range anyway.
            const EXACT: f64 = 9_007_199_254_740_992.0;
            if v.fract() == 0.0 && v.abs() <= EXACT {
                Ok(v as i64)
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
            }
        }
    }

    d.deserialize_i64(WholeNumber)
}

/// Seats to buy on top of the quantity, in one atomic increment: purchases made
/// at the same time all count.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeatsRequest {
    /// At least 1.
    #[serde(deserialize_with = "whole_number")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub add: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = LicenseRequest))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LicenseInput {
    pub product_id: String,
    /// The service plans to turn off. Left out, a user who already holds the
    /// product keeps the plans it has (the result is `unchanged` for it), and a
    /// new holder gets every plan; given, the list replaces the user's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_service_plans: Option<Vec<String>>,
}

/// A license update of API.md, as it arrived.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = LicenseUpdate))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LicenseUpdateInput {
    pub user_ids: Vec<Uuid>,
    #[serde(default)]
    pub assign: Vec<LicenseInput>,
    #[serde(default)]
    pub remove: Vec<String>,
    /// `partial` (the default) or `atomic`.
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LicenseErrorDto {
    /// `null` when the error is about the user, such as `user_not_found`.
    pub product_id: Option<String>,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserLicenseResultDto {
    pub user_id: Uuid,
    /// `succeeded`, `failed` or `unchanged`
    pub status: String,
    pub assigned: Vec<String>,
    pub removed: Vec<String>,
    /// For a failed user, each product that failed, with why.
    pub errors: Vec<LicenseErrorDto>,
    /// For a failed user, the products asked for that broke no rule themselves but
    /// were not applied either: a user's update is all or nothing.
    #[serde(default)]
    pub not_applied: Vec<String>,
    /// The products asked for that this user already had as asked (a product held
    /// and assigned again, or removed and not held).
    #[serde(default)]
    pub unchanged: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenseSummary {
    pub succeeded: usize,
    pub failed: usize,
    pub unchanged: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LicenseUpdateResponse {
    pub dry_run: bool,
    /// False when nothing was changed: a dry run, or an atomic update with a failure.
    /// Then each result says what the update would have done for that user.
    pub applied: bool,
    pub results: Vec<UserLicenseResultDto>,
    pub summary: LicenseSummary,
}
