//! The catalog and fixtures the licensing tests share.

use super::*;
use crate::catalog::{Catalog, parse_catalog_file};
use crate::domain::{CountryCode, ProductId};
use std::collections::BTreeSet;

pub(super) fn id(s: &str) -> ProductId {
    ProductId::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn country(s: &str) -> Option<CountryCode> {
    CountryCode::parse(s).ok()
}

/// MAIL_P1 and MAIL_P2 exclude each other; ARCHIVE needs MAIL_P1; GEO is sold in
/// FR and DE only; CHAT is sold everywhere but KP.
pub(super) fn catalog() -> Catalog {
    let json = r#"{"products": [
        {"id": "MAIL_P1", "name": "Mail 1", "servicePlans": [{"id": "MAILBOX", "name": "Mailbox"}], "excludes": ["MAIL_P2"]},
        {"id": "MAIL_P2", "name": "Mail 2"},
        {"id": "ARCHIVE", "name": "Archive", "requires": ["MAIL_P1"]},
        {"id": "GEO", "name": "Geo", "availableIn": ["FR", "DE"]},
        {"id": "CHAT", "name": "Chat", "unavailableIn": ["KP"]},
        {"id": "UNSOLD", "name": "Unsold"}
    ]}"#;
    Catalog::new(parse_catalog_file(json.as_bytes(), &Catalog::default()).unwrap_or_default())
}

pub(super) fn owned() -> BTreeSet<ProductId> {
    ["MAIL_P1", "MAIL_P2", "ARCHIVE", "GEO", "CHAT"].into_iter().map(id).collect()
}

pub(super) fn change(assign: &[&str], remove: &[&str]) -> LicenseChange {
    LicenseChange {
        assign: assign.iter().map(|p| (id(p), PlanChange::replace(BTreeSet::new()))).collect(),
        remove: remove.iter().map(|p| id(p)).collect(),
    }
}

pub(super) fn holding(products: &[&str]) -> Holdings {
    products.iter().map(|p| (id(p), BTreeSet::new())).collect()
}

pub(super) fn codes(e: &Evaluation) -> Vec<(String, &'static str)> {
    e.errors.iter().map(|x| (x.product_id.as_ref().to_owned(), x.code.as_str())).collect()
}

pub(super) fn eval(held: &[&str], loc: &str, assign: &[&str], remove: &[&str]) -> Evaluation {
    evaluate(&catalog(), &owned(), &holding(held), country(loc), &change(assign, remove))
}

pub(super) fn seats(list: &[(&str, i64, i64)]) -> Vec<Seats> {
    list.iter().map(|(p, q, a)| Seats { product_id: id(p), quantity: *q, assigned: *a }).collect()
}

pub(super) fn user(held: &[&str], loc: &str) -> UserLicenses {
    UserLicenses { deleted: false, usage_location: country(loc), held: holding(held) }
}
