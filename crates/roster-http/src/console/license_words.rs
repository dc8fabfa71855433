//! Licensing in the admin's words: products by name, never bare ids, and each
//! failure naming the other party (the product missing or in the way, the
//! user's usage location and where the product is sold).

use super::i18n::{Arg, Localized};
use super::reason;
use roster_core::catalog::Catalog;
use roster_core::domain::{Language, ProductId};
use roster_core::licensing::LicenseDetail;
use roster_core::model::LicenseFailure;

/// A product's name in the catalog; its id only if the catalog no longer has it.
pub(crate) fn product_name(catalog: &Catalog, id: &str) -> String {
    ProductId::parse(id).ok().and_then(|p| catalog.get(&p)).map_or_else(|| id.to_owned(), |p| p.name.clone())
}

/// The names of `ids`, in their order.
pub(crate) fn product_names(catalog: &Catalog, ids: &[String]) -> Vec<String> {
    ids.iter().map(|id| product_name(catalog, id)).collect()
}

/// One failure of a license update: the product it is about, by name (empty when
/// it is about the user), and what went wrong, in words.
pub(crate) fn failure_words(lang: Language, catalog: &Catalog, f: &LicenseFailure) -> (String, String) {
    let product = f.product_id.as_deref().map(|p| product_name(catalog, p)).unwrap_or_default();
    let words = detail_words(lang, catalog, &product, f.product_id.as_deref(), &f.code, &f.detail);
    (product, words)
}

/// What went wrong with `product` (named `product_name`), with the other party of
/// the rule when the detail has one, else the code's sentence.
pub(crate) fn detail_words(
    lang: Language,
    catalog: &Catalog,
    product_name_text: &str,
    product: Option<&str>,
    code: &str,
    detail: &LicenseDetail,
) -> String {
    let name = |p: &ProductId| product_name(catalog, p.as_ref());
    let this = || Arg::from(product_name_text);
    match detail {
        LicenseDetail::Requires(other) => {
            lang.ta("why-requires", &[("product", this()), ("other", name(other).into())])
        }
        LicenseDetail::RequiredBy(dependent) => {
            lang.ta("why-required-by", &[("product", this()), ("dependent", name(dependent).into())])
        }
        LicenseDetail::Excludes(other) => {
            lang.ta("why-excludes", &[("product", this()), ("other", name(other).into())])
        }
        LicenseDetail::NotSoldIn(location) => {
            let sold = product.and_then(|p| ProductId::parse(p).ok()).and_then(|p| catalog.get(&p).cloned());
            let list = |codes: Vec<&str>| Arg::from(codes.join(", "));
            match sold {
                Some(p) if p.available_in.is_some() => lang.ta(
                    "why-sold-only-in",
                    &[
                        ("product", this()),
                        ("location", location.as_str().into()),
                        ("where", list(p.available_in.iter().flatten().map(|c| c.as_str()).collect())),
                    ],
                ),
                Some(p) if !p.unavailable_in.is_empty() => lang.ta(
                    "why-sold-except-in",
                    &[
                        ("product", this()),
                        ("location", location.as_str().into()),
                        ("where", list(p.unavailable_in.iter().map(|c| c.as_str()).collect())),
                    ],
                ),
                _ => lang.ta("why-not-sold", &[("product", this()), ("location", location.as_str().into())]),
            }
        }
        LicenseDetail::None if code == "insufficient_licenses" && !product_name_text.is_empty() => {
            lang.ta("why-no-seats", &[("product", this())])
        }
        LicenseDetail::None => reason(lang, code),
    }
}
