//! The product catalog, as the operator imports it (`roster catalog import FILE`).
//!
//! A file is parsed whole and checked before anything is written: duplicate ids,
//! references to unknown products, bad country codes and duplicate service plans
//! are refused with a message naming the product and the problem.

use crate::domain::{CountryCode, ProductId, bounded_message, check_service_plan_id, excerpt};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServicePlan {
    pub id: String,
    pub name: String,
}

/// A product as the catalog file and the API spell it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductDefinition {
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    products: Vec<ProductDefinition>,
}

/// A validated product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: ProductId,
    pub name: String,
    pub service_plans: Vec<ServicePlan>,
    pub requires: BTreeSet<ProductId>,
    pub excludes: BTreeSet<ProductId>,
    pub available_in: Option<BTreeSet<CountryCode>>,
    pub unavailable_in: BTreeSet<CountryCode>,
}

impl Product {
    pub fn definition(&self) -> ProductDefinition {
        let countries = |s: &BTreeSet<CountryCode>| s.iter().map(|c| c.as_str().to_owned()).collect::<Vec<_>>();
        ProductDefinition {
            id: self.id.as_ref().to_owned(),
            name: self.name.clone(),
            service_plans: self.service_plans.clone(),
            requires: self.requires.iter().map(|p| p.as_ref().to_owned()).collect(),
            excludes: self.excludes.iter().map(|p| p.as_ref().to_owned()).collect(),
            available_in: self.available_in.as_ref().map(countries),
            unavailable_in: countries(&self.unavailable_in),
        }
    }

    pub fn is_available_in(&self, country: CountryCode) -> bool {
        !self.unavailable_in.contains(&country) && self.available_in.as_ref().is_none_or(|a| a.contains(&country))
    }

    pub fn has_plan(&self, plan_id: &str) -> bool {
        self.service_plans.iter().any(|p| p.id == plan_id)
    }
}

/// Every product, by id. Exclusion is symmetric: `excludes` is read both ways.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    products: BTreeMap<ProductId, Product>,
}

impl Catalog {
    pub fn new(products: impl IntoIterator<Item = Product>) -> Self {
        Self { products: products.into_iter().map(|p| (p.id.clone(), p)).collect() }
    }

    pub fn get(&self, id: &ProductId) -> Option<&Product> {
        self.products.get(id)
    }

    pub fn products(&self) -> impl Iterator<Item = &Product> {
        self.products.values()
    }

    /// Whether `a` and `b` cannot be held together, whichever of them says so.
    pub fn excludes(&self, a: &ProductId, b: &ProductId) -> bool {
        let says = |x: &ProductId, y: &ProductId| self.products.get(x).is_some_and(|p| p.excludes.contains(y));
        says(a, b) || says(b, a)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CatalogError(pub String);

fn fail<T>(msg: String) -> Result<T, CatalogError> {
    Err(CatalogError(msg))
}

/// Parses a catalog file. References may point into the file or at `existing`
/// products, since an import upserts by id.
pub fn parse_catalog_file(json: &[u8], existing: &Catalog) -> Result<Vec<Product>, CatalogError> {
    let de = &mut serde_json::Deserializer::from_slice(json);
    let file: CatalogFile = deserialize_file(de)?;
    check_text(&file.products)?;
    validate_definitions(file.products, existing)
}

/// What a file may not hold, though stored definitions are read back without
/// this check: control characters in names and plan ids (PostgreSQL cannot even
/// store a NUL), and plan names longer than a product's.
fn check_text(definitions: &[ProductDefinition]) -> Result<(), CatalogError> {
    let control = |s: &str| s.chars().any(char::is_control);
    for d in definitions {
        let at = |what: String| CatalogError(format!("product {}: {what}", excerpt(&d.id)));
        if control(&d.name) {
            return Err(at("the name must not contain control characters".into()));
        }
        for plan in &d.service_plans {
            check_service_plan_id(&plan.id)
                .map_err(|e| at(format!("service plan {}: the id {e}", excerpt(&plan.id))))?;
            if control(&plan.name) || plan.name.chars().count() > 256 {
                return Err(at(format!(
                    "service plan {}: the name must be at most 256 characters, without control characters",
                    excerpt(&plan.id)
                )));
            }
        }
    }
    Ok(())
}

/// Rebuilds the catalog from stored definitions.
pub fn catalog_from_definitions(definitions: Vec<ProductDefinition>) -> Result<Catalog, CatalogError> {
    validate_definitions(definitions, &Catalog::default()).map(Catalog::new)
}

fn validate_definitions(definitions: Vec<ProductDefinition>, existing: &Catalog) -> Result<Vec<Product>, CatalogError> {
    let mut seen = BTreeSet::new();
    for d in &definitions {
        if !seen.insert(d.id.trim().to_owned()) {
            return fail(format!("product {} appears twice", excerpt(&d.id)));
        }
    }
    let known = |id: &ProductId| seen.contains(id.as_ref()) || existing.get(id).is_some();
    let mut products = Vec::with_capacity(definitions.len());
    for d in definitions {
        let at = |what: String| CatalogError(format!("product {}: {what}", excerpt(&d.id)));
        let id = ProductId::parse(&d.id).map_err(|e| at(format!("id {e}")))?;
        let name = d.name.trim();
        if name.is_empty() || name.chars().count() > 256 {
            return Err(at("name must be 1 to 256 characters".into()));
        }
        let mut plan_ids = BTreeSet::new();
        for plan in &d.service_plans {
            if plan.id.trim().is_empty() || plan.id.len() > 64 || plan.name.trim().is_empty() {
                return Err(at(format!(
                    "service plan {} needs an id (at most 64 characters) and a name",
                    excerpt(&plan.id)
                )));
            }
            if !plan_ids.insert(plan.id.clone()) {
                return Err(at(format!("service plan {} appears twice", excerpt(&plan.id))));
            }
        }
        let refs = |list: &[String], field: &str| -> Result<BTreeSet<ProductId>, CatalogError> {
            list.iter()
                .map(|r| {
                    let r = ProductId::parse(r).map_err(|e| at(format!("{field}: {} {e}", excerpt(r))))?;
                    if r == id {
                        return Err(at(format!("{field} names the product itself")));
                    }
                    if !known(&r) {
                        return Err(at(format!("{field} names unknown product {:?}", r.as_ref())));
                    }
                    Ok(r)
                })
                .collect()
        };
        let requires = refs(&d.requires, "requires")?;
        let excludes = refs(&d.excludes, "excludes")?;
        if let Some(both) = requires.intersection(&excludes).next() {
            return Err(at(format!("both requires and excludes {:?}", both.as_ref())));
        }
        let countries = |list: &[String], field: &str| -> Result<BTreeSet<CountryCode>, CatalogError> {
            list.iter().map(|c| CountryCode::parse(c).map_err(|e| at(format!("{field}: {e}")))).collect()
        };
        let available_in = d.available_in.as_deref().map(|l| countries(l, "availableIn")).transpose()?;
        let unavailable_in = countries(&d.unavailable_in, "unavailableIn")?;
        products.push(Product {
            id,
            name: name.to_owned(),
            service_plans: d.service_plans,
            requires,
            excludes,
            available_in,
            unavailable_in,
        });
    }
    Ok(products)
}

fn deserialize_file<'de, T: Deserialize<'de>>(
    de: &mut serde_json::Deserializer<serde_json::de::SliceRead<'de>>,
) -> Result<T, CatalogError> {
    T::deserialize(de)
        .map_err(|e| CatalogError(format!("the catalog file is not valid: {}", bounded_message(&e.to_string()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Vec<Product>, CatalogError> {
        parse_catalog_file(json.as_bytes(), &Catalog::default())
    }

    const GOOD: &str = r#"{"products": [
        {"id": "MAIL_P1", "name": "Mail Plan 1",
         "servicePlans": [{"id": "MAILBOX", "name": "Mailbox"}, {"id": "ARCHIVE", "name": "Archive"}],
         "requires": [], "excludes": ["MAIL_P2"], "availableIn": null, "unavailableIn": ["KP"]},
        {"id": "MAIL_P2", "name": "Mail Plan 2", "availableIn": ["FR", "de"]},
        {"id": "ARCHIVE_ADDON", "name": "Archive add-on", "requires": ["MAIL_P1"]}
    ]}"#;

    #[test]
    fn the_api_md_example_parses() {
        let products = parse(GOOD).unwrap_or_default();
        assert_eq!(products.len(), 3);
        let catalog = Catalog::new(products);
        let p1 = ProductId::parse("MAIL_P1").unwrap_or_else(|e| panic!("{e}"));
        let p2 = ProductId::parse("MAIL_P2").unwrap_or_else(|e| panic!("{e}"));
        assert!(catalog.excludes(&p2, &p1), "exclusion is symmetric");
        let fr = CountryCode::parse("FR").unwrap_or_else(|e| panic!("{e}"));
        let kp = CountryCode::parse("KP").unwrap_or_else(|e| panic!("{e}"));
        let us = CountryCode::parse("US").unwrap_or_else(|e| panic!("{e}"));
        assert!(catalog.get(&p1).is_some_and(|p| p.is_available_in(us) && !p.is_available_in(kp)));
        assert!(catalog.get(&p2).is_some_and(|p| p.is_available_in(fr) && !p.is_available_in(us)));
    }

    #[test]
    fn invalid_files_name_the_problem() {
        let cases = [
            (r#"{"products": [{"id": "A", "name": "A"}, {"id": "A", "name": "B"}]}"#, "appears twice"),
            (r#"{"products": [{"id": "A", "name": "A", "requires": ["NOPE"]}]}"#, "unknown product \"NOPE\""),
            (r#"{"products": [{"id": "A", "name": "A", "unavailableIn": ["XX"]}]}"#, "unavailableIn"),
            (r#"{"products": [{"id": "A", "name": "A", "availableIn": ["FRA"]}]}"#, "availableIn"),
            (r#"{"products": [{"id": "A", "name": "A", "excludes": ["A"]}]}"#, "itself"),
            (r#"{"products": [{"id": "A b", "name": "A"}]}"#, "id"),
            (r#"{"products": [{"id": "A", "name": " "}]}"#, "name"),
            (
                r#"{"products": [{"id": "A", "name": "A", "servicePlans": [{"id": "X", "name": "X"}, {"id": "X", "name": "Y"}]}]}"#,
                "service plan",
            ),
            (r#"{"products": [{"id": "A", "name": "A", "colour": "red"}]}"#, "colour"),
            (r#"{"products": "#, "not valid"),
            (r#"{"products": [{"id": "A", "name": "A\u0000"}]}"#, "control characters"),
            (
                r#"{"products": [{"id": "A", "name": "A", "servicePlans": [{"id": "X\u0000", "name": "X"}]}]}"#,
                "control characters",
            ),
            (
                r#"{"products": [{"id": "A", "name": "A", "servicePlans": [{"id": "X", "name": "\tX"}]}]}"#,
                "control characters",
            ),
        ];
        for (json, needle) in cases {
            let err = parse(json).err().map(|e| e.0).unwrap_or_default();
            assert!(err.contains(needle), "{json}: {err}");
        }
    }

    #[test]
    fn errors_quote_only_an_excerpt_of_the_file() {
        let long = "A".repeat(1_000_000);
        for json in [
            format!(r#"{{"products": [{{"id": "{long}", "name": "A"}}]}}"#),
            format!(r#"{{"products": [{{"id": "A", "name": "A", "{long}": 1}}]}}"#),
            format!(r#"{{"products": [{{"id": "A", "name": "A", "requires": ["{long}"]}}]}}"#),
            format!(r#"{{"products": [{{"id": "A", "name": "A", "availableIn": ["{long}"]}}]}}"#),
            format!(r#"{{"products": [{{"id": "A", "name": {{"x": "{long}"}}}}]}}"#),
        ] {
            let err = parse(&json).err().map(|e| e.0).unwrap_or_default();
            assert!(!err.is_empty() && err.len() < 1000, "{} bytes: {}", err.len(), &err[..err.len().min(300)]);
        }
    }

    #[test]
    fn references_may_point_at_products_already_imported() {
        let existing = Catalog::new(parse(GOOD).unwrap_or_default());
        let more = r#"{"products": [{"id": "ADDON2", "name": "Add-on", "requires": ["MAIL_P2"]}]}"#;
        assert!(parse_catalog_file(more.as_bytes(), &existing).is_ok());
    }
}
