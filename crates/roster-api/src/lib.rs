//! The request and response types of Roster's JSON API (API.md), shared by the
//! server and the CLI client, as atuin shares `atuin-common/src/api.rs`.
//!
//! Plain serde types spelt as the JSON is; the `openapi` feature adds the utoipa
//! schemas of the server's OpenAPI document. No domain rules live here: the server
//! parses these into its own types.
//!
//! Two things outside the JSON are part of the contract too. The Rust names: serde
//! names a request struct in some error messages ("expected struct NewUserInput")
//! and utoipa names schemas after them. And the doc comments: utoipa turns them
//! into the document's descriptions, so explanations for Rust readers go in `//`
//! comments.

mod customers;
mod imports;
mod licenses;
mod users;

pub use customers::*;
pub use imports::*;
pub use licenses::*;
pub use users::*;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
    /// The request's id (`X-Request-Id`), in every error a response answers with;
    /// absent from the per-item errors inside a successful answer.
    #[serde(rename = "requestId", default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CursorsDto {
    pub first: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub last: String,
}

/// One page of a list, whatever it lists: what a client needs to follow the
/// cursors to the end.
pub trait Paged {
    type Item;
    fn total_count(&self) -> i64;
    fn next_cursor(&self) -> Option<&str>;
    fn into_items(self) -> Vec<Self::Item>;
}

macro_rules! page {
    ($name:ident, $item:ty) => {
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            pub items: Vec<$item>,
            pub total_count: i64,
            pub cursors: CursorsDto,
        }

        impl Paged for $name {
            type Item = $item;

            fn total_count(&self) -> i64 {
                self.total_count
            }

            fn next_cursor(&self) -> Option<&str> {
                self.cursors.next.as_deref()
            }

            fn into_items(self) -> Vec<$item> {
                self.items
            }
        }
    };
}

page!(CustomerPage, CustomerDto);
page!(UserPage, UserDto);
page!(AuditEventPage, AuditEventDto);

#[cfg(test)]
mod tests;
