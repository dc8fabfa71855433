//! Checking an import file's rows against the customer, all of a row's problems at
//! once, before anything is written; and the payload a checked row is queued as.

use super::file::{Column, Sheet, SheetRow, split_list};
use crate::catalog::Catalog;
use crate::domain::*;
use crate::licensing::{Holdings, LicenseChange, LicenseErrorCode, PlanChange, Seats, evaluate};
use crate::model::{LicenseRequest, NewUser};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// What a row is checked against.
pub struct ImportContext<'a> {
    /// The customer's domains; a bare username takes the first.
    pub domains: &'a [String],
    /// For rows that give no usage location.
    pub default_location: Option<CountryCode>,
    pub catalog: &'a Catalog,
    /// The customer's subscriptions, with the seats free now.
    pub seats: &'a [Seats],
    /// User principal name keys (lower case) already held by active users.
    pub taken: &'a HashSet<String>,
    /// Role names as people write them (the console's, in each of its
    /// languages), besides the role ids; matched without regard to case.
    pub role_names: &'a [(String, UserRole)],
}

impl ImportContext<'_> {
    /// A role by id, or by one of its names.
    fn role(&self, name: &str) -> Result<UserRole, crate::domain::Invalid> {
        UserRole::parse(name).or_else(|e| {
            let wanted = name.trim().to_lowercase();
            self.role_names.iter().find(|(n, _)| n.to_lowercase() == wanted).map(|(_, r)| *r).ok_or(e)
        })
    }

    /// A product's name as the catalog gives it, or its id.
    fn product_name(&self, id: &ProductId) -> String {
        self.catalog.get(id).map_or_else(|| id.as_ref().to_owned(), |p| p.name.clone())
    }

    /// A product of the catalog by id, or by its name, without regard to case.
    fn product(&self, name: &str) -> Option<ProductId> {
        let by_id = ProductId::parse(name).ok().filter(|p| self.catalog.get(p).is_some());
        by_id.or_else(|| {
            let wanted = name.trim().to_lowercase();
            self.catalog.products().find(|p| p.name.to_lowercase() == wanted).map(|p| p.id.clone())
        })
    }
}

/// One problem with one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub column: Column,
    pub code: &'static str,
    /// The API's English.
    pub message: String,
    /// The same in the console's words; values from the file are quoted as excerpts.
    pub words: Words,
}

/// Everything wrong with one row, for a report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowReport {
    pub row: usize,
    pub errors: Vec<crate::model::ImportRowError>,
}

impl From<RowProblem> for crate::model::ImportRowError {
    fn from(p: RowProblem) -> Self {
        Self {
            column: Some(p.column.name().to_owned()),
            code: p.code.to_owned(),
            message: p.message,
            words: Some(p.words),
        }
    }
}

/// A checked row as an import job stores it: parsed again, by the domain types,
/// when the worker creates the user. Never holds a password.
///
/// Stored as a JSON array in field order, not an object: a job keeps up to
/// 100,000 of them, and the names would double their size. The derived
/// `Deserialize` reads both forms, so jobs queued as objects still run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RowPayload {
    pub user_principal_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: String,
    pub usage_location: Option<String>,
    pub roles: Vec<String>,
    pub licenses: Vec<String>,
}

impl serde::Serialize for RowPayload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Self { user_principal_name, first_name, last_name, display_name, usage_location, roles, licenses } = self;
        (user_principal_name, first_name, last_name, display_name, usage_location, roles, licenses)
            .serialize(serializer)
    }
}

impl RowPayload {
    pub fn of(user: &NewUser) -> Self {
        Self {
            user_principal_name: user.upn.to_string(),
            first_name: user.first_name.as_ref().map(|n| n.as_ref().to_owned()),
            last_name: user.last_name.as_ref().map(|n| n.as_ref().to_owned()),
            display_name: user.display_name.as_ref().to_owned(),
            usage_location: user.usage_location.map(|c| c.as_str().to_owned()),
            roles: user.roles.names(),
            licenses: user.licenses.iter().map(|l| l.product_id.as_ref().to_owned()).collect(),
        }
    }

    pub fn to_new_user(&self) -> Result<NewUser, Invalid> {
        Ok(NewUser {
            upn: UserPrincipalName::parse(&self.user_principal_name)?,
            first_name: PersonName::parse_optional(self.first_name.as_deref().unwrap_or(""))?,
            last_name: PersonName::parse_optional(self.last_name.as_deref().unwrap_or(""))?,
            display_name: DisplayName::parse(&self.display_name)?,
            usage_location: self.usage_location.as_deref().map(CountryCode::parse).transpose()?,
            roles: RoleSet::parse_list(&self.roles)?,
            licenses: self
                .licenses
                .iter()
                .map(|p| Ok(LicenseRequest { product_id: ProductId::parse(p)?, disabled_service_plans: Vec::new() }))
                .collect::<Result<_, Invalid>>()?,
        })
    }
}

/// A data row, ready to create or with everything wrong with it.
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub row: usize,
    pub outcome: Result<NewUser, Vec<RowProblem>>,
}

/// The user principal name key a row asks for, if it can be read at all; the
/// store is asked which of these are taken before the rows are checked.
pub fn username_key(row: &SheetRow, domains: &[String]) -> Option<String> {
    let (name, domain) = split_username(row.get(Column::Username), domains)?;
    // Only a name that could be created can be taken, and only such a name goes
    // to the store: a cell may hold anything, a NUL included.
    Some(UserPrincipalName::new(UserName::parse(name).ok()?, DomainName::parse(domain).ok()?).key())
}

fn split_username<'a>(cell: &'a str, domains: &'a [String]) -> Option<(&'a str, &'a str)> {
    let cell = cell.trim();
    if cell.is_empty() {
        return None;
    }
    match cell.rsplit_once('@') {
        Some((name, domain)) => Some((name, domain)),
        None => domains.first().map(|d| (cell, d.as_str())),
    }
}

/// Checks every row, all problems of a row at once. Seats are counted in row
/// order, as the import will take them; a row that fails for another reason takes none.
pub fn check_rows(sheet: &Sheet, ctx: &ImportContext<'_>) -> Vec<CheckedRow> {
    let mut checked = Vec::with_capacity(sheet.rows.len());
    check_rows_each(sheet, ctx, |row| checked.push(row));
    checked
}

/// `check_rows`, handing each row on as it is checked, so a large file's users
/// need not all be held at once.
pub fn check_rows_each(sheet: &Sheet, ctx: &ImportContext<'_>, mut each: impl FnMut(CheckedRow)) {
    let mut available: BTreeMap<&ProductId, i64> =
        ctx.seats.iter().map(|s| (&s.product_id, s.quantity - s.assigned)).collect();
    let owned: BTreeSet<ProductId> = ctx.seats.iter().map(|s| s.product_id.clone()).collect();
    let mut first_row_of: HashMap<String, usize> = HashMap::with_capacity(sheet.rows.len());
    for row in &sheet.rows {
        let mut problems = Vec::new();
        let user = check_row(row, ctx, &owned, &mut first_row_of, &mut problems);
        let outcome = match user {
            Some(user) if problems.is_empty() => {
                match user.licenses.iter().find(|l| available.get(&l.product_id).copied().unwrap_or(0) < 1) {
                    Some(short) => Err(vec![RowProblem {
                        column: Column::Licenses,
                        code: LicenseErrorCode::InsufficientLicenses.as_str(),
                        message: format!("no {} seats are left for this row; buy more", short.product_id.as_ref()),
                        words: Words::new("import-no-seats").arg("product", ctx.product_name(&short.product_id)),
                    }]),
                    None => {
                        for l in &user.licenses {
                            if let Some(n) = available.get_mut(&l.product_id) {
                                *n -= 1;
                            }
                        }
                        Ok(user)
                    }
                }
            }
            _ => Err(problems),
        };
        each(CheckedRow { row: row.row, outcome });
    }
}

fn check_row(
    row: &SheetRow,
    ctx: &ImportContext<'_>,
    owned: &BTreeSet<ProductId>,
    first_row_of: &mut HashMap<String, usize>,
    problems: &mut Vec<RowProblem>,
) -> Option<NewUser> {
    let mut problem = |column: Column, code: &'static str, message: String, words: Words| {
        problems.push(RowProblem { column, code, message, words });
    };
    // A domain type's refusal, in its English after `prefix` and in its own words.
    let refused = |prefix: &str, e: Invalid| {
        let message = format!("{prefix}{e}");
        (message, e.into_parts().1)
    };
    let mut text = |column: Column, max: usize, required: bool| -> Option<String> {
        let value = row.get(column).trim();
        if value.is_empty() {
            if required {
                problem(column, "required", format!("{column} is required"), Words::new("invalid-empty"));
            }
            return None;
        }
        if value.chars().count() > max {
            let words = too_long(max).into_parts().1;
            problem(column, "too_long", format!("{column} must be at most {max} characters"), words);
            return None;
        }
        Some(value.to_owned())
    };
    let first_name = text(Column::FirstName, PERSON_NAME_MAX, false);
    let last_name = text(Column::LastName, PERSON_NAME_MAX, false);
    let display_name = text(Column::DisplayName, DISPLAY_NAME_MAX, true);
    // What is left for the domain types to refuse is the shape (a line break, say).
    let first_name = first_name.and_then(|n| match PersonName::parse_optional(&n) {
        Ok(name) => name,
        Err(e) => {
            let (message, words) = refused("First name ", e);
            problem(Column::FirstName, "invalid_value", message, words);
            None
        }
    });
    let last_name = last_name.and_then(|n| match PersonName::parse_optional(&n) {
        Ok(name) => name,
        Err(e) => {
            let (message, words) = refused("Last name ", e);
            problem(Column::LastName, "invalid_value", message, words);
            None
        }
    });
    let display_name = display_name.and_then(|n| match DisplayName::parse(&n) {
        Ok(name) => Some(name),
        Err(e) => {
            let (message, words) = refused("Display name ", e);
            problem(Column::DisplayName, "invalid_value", message, words);
            None
        }
    });

    let upn = match split_username(row.get(Column::Username), ctx.domains) {
        None => {
            let (message, key) = if ctx.domains.is_empty() {
                ("the customer has no domain", "import-no-domain")
            } else {
                ("Username is required", "invalid-empty")
            };
            problem(Column::Username, "required", message.into(), Words::new(key));
            None
        }
        Some((name, domain)) => match (UserName::parse(name), DomainName::parse(domain)) {
            (Err(e), _) if name.chars().count() > USER_NAME_MAX => {
                let (message, words) = refused("the username ", e);
                problem(Column::Username, "too_long", message, words);
                None
            }
            (Err(e), _) => {
                let (message, words) = refused("the username ", e);
                problem(Column::Username, "invalid_username", message, words);
                None
            }
            (_, Err(e)) => {
                let (message, words) = refused("the domain ", e);
                let words = Words::new("import-domain-invalid")
                    .arg("value", excerpt(domain))
                    .arg("detail", WordArg::Words(Box::new(words)));
                problem(Column::Username, "invalid_username", message, words);
                None
            }
            (Ok(_), Ok(domain)) if !ctx.domains.iter().any(|d| d == domain.as_ref()) => {
                problem(
                    Column::Username,
                    "domain_not_owned",
                    format!("{} is not one of the customer's domains", domain.as_ref()),
                    Words::new("import-domain-not-owned").arg("value", domain.as_ref()),
                );
                None
            }
            (Ok(name), Ok(domain)) => Some(UserPrincipalName::new(name, domain)),
        },
    };
    if let Some(upn) = &upn {
        let key = upn.key();
        if let Some(first) = first_row_of.get(&key) {
            let words = Words::new("import-duplicate-username").arg("value", upn.to_string()).arg("row", *first);
            problem(Column::Username, "duplicate_username", format!("{upn} is also on row {first}"), words);
        } else if ctx.taken.contains(&key) {
            let words = Words::new("import-username-taken").arg("value", upn.to_string());
            problem(Column::Username, "username_taken", format!("the username {upn} is already taken"), words);
        }
        first_row_of.entry(key).or_insert(row.row);
    }

    let location_cell = row.get(Column::UsageLocation).trim();
    let usage_location = if location_cell.is_empty() {
        ctx.default_location
    } else {
        match CountryCode::parse(location_cell) {
            Ok(c) => Some(c),
            Err(e) => {
                let (message, words) = refused("", e);
                problem(Column::UsageLocation, "invalid_country", message, words);
                None
            }
        }
    };

    let mut roles = Vec::new();
    for name in split_list(row.get(Column::Roles)) {
        match ctx.role(&name) {
            Ok(role) => roles.push(role),
            Err(e) => {
                let (message, words) = refused("", e);
                problem(Column::Roles, "unknown_role", message, words);
            }
        }
    }

    let mut licenses: Vec<LicenseRequest> = Vec::new();
    for name in split_list(row.get(Column::Licenses)) {
        match ctx.product(&name) {
            None => problem(
                Column::Licenses,
                "unknown_product",
                format!("{} is not a product of the catalog", excerpt(&name)),
                Words::new("import-unknown-product").arg("value", excerpt(&name)),
            ),
            Some(p) if !owned.contains(&p) => problem(
                Column::Licenses,
                "product_not_owned",
                format!("the customer has no subscription for {}", p.as_ref()),
                Words::new("import-product-not-owned").arg("product", ctx.product_name(&p)),
            ),
            Some(p) if licenses.iter().any(|l| l.product_id == p) => problem(
                Column::Licenses,
                "validation_failed",
                format!("{} is listed twice", p.as_ref()),
                Words::new("invalid-listed-twice").arg("value", ctx.product_name(&p)),
            ),
            Some(p) => licenses.push(LicenseRequest { product_id: p, disabled_service_plans: Vec::new() }),
        }
    }
    if !licenses.is_empty() {
        let change = LicenseChange {
            assign: licenses.iter().map(|l| (l.product_id.clone(), PlanChange::default())).collect(),
            remove: BTreeSet::new(),
        };
        for e in evaluate(ctx.catalog, owned, &Holdings::new(), usage_location, &change).errors {
            let column = if e.code == LicenseErrorCode::UsageLocationRequired {
                Column::UsageLocation
            } else {
                Column::Licenses
            };
            let words = Words::new("import-license-product").arg("product", ctx.product_name(&e.product_id));
            problem(column, e.code.as_str(), e.message, words);
        }
    }

    Some(NewUser {
        upn: upn?,
        first_name,
        last_name,
        display_name: display_name?,
        usage_location,
        roles: RoleSet::from_roles(roles),
        licenses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::read;

    #[test]
    fn a_stored_row_is_an_array_and_rows_stored_as_objects_still_read() {
        let payload = RowPayload {
            user_principal_name: "zoe@contoso.example".into(),
            first_name: Some("Zoë".into()),
            last_name: None,
            display_name: "Zoë Müller".into(),
            usage_location: Some("FR".into()),
            roles: vec!["user-admin".into()],
            licenses: vec!["SUITE".into()],
        };
        let stored = serde_json::to_string(&payload).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored, r#"["zoe@contoso.example","Zoë",null,"Zoë Müller","FR",["user-admin"],["SUITE"]]"#);
        let read: RowPayload = serde_json::from_str(&stored).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read, payload);
        let queued_before = r#"{"userPrincipalName":"zoe@contoso.example","firstName":"Zoë","lastName":null,"displayName":"Zoë Müller","usageLocation":"FR","roles":["user-admin"],"licenses":["SUITE"]}"#;
        let read: RowPayload = serde_json::from_str(queued_before).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read, payload);
    }

    fn problems(sheet: &Sheet, ctx: &ImportContext<'_>) -> Vec<(usize, Column, &'static str)> {
        check_rows(sheet, ctx)
            .into_iter()
            .flat_map(|r| {
                let row = r.row;
                r.outcome.err().unwrap_or_default().into_iter().map(move |p| (row, p.column, p.code))
            })
            .collect()
    }

    #[test]
    fn each_kind_of_bad_row_is_reported_by_row_column_and_code() {
        let catalog = crate::catalog::Catalog::new(
            crate::catalog::parse_catalog_file(
                br#"{"products": [{"id": "MAIL_P1", "name": "Mail"}, {"id": "ARCHIVE", "name": "Archive", "requires": ["MAIL_P1"]}, {"id": "UNSOLD", "name": "Unsold"}]}"#,
                &crate::catalog::Catalog::default(),
            )
            .unwrap_or_default(),
        );
        let seats = [
            Seats {
                product_id: ProductId::parse("MAIL_P1").unwrap_or_else(|e| panic!("{e}")),
                quantity: 1,
                assigned: 0,
            },
            Seats {
                product_id: ProductId::parse("ARCHIVE").unwrap_or_else(|e| panic!("{e}")),
                quantity: 9,
                assigned: 0,
            },
        ];
        let taken: HashSet<String> = ["taken@contoso.example".to_owned()].into();
        let domains = ["contoso.example".to_owned()];
        let ctx = ImportContext {
            domains: &domains,
            default_location: CountryCode::parse("FR").ok(),
            catalog: &catalog,
            seats: &seats,
            taken: &taken,
            role_names: &[("Administrateur général".to_owned(), UserRole::GlobalAdmin)],
        };
        let long = "x".repeat(DISPLAY_NAME_MAX + 1);
        let file = format!(
            "Display name,Username,Usage location,Roles,Licenses\n\
             Good,good,,Administrateur GÉNÉRAL;user-admin,mail\n\
             ,nodisplay,,,\n\
             No user,,,,\n\
             Bad,bad name,,,\n\
             Elsewhere,a@elsewhere.example,,,\n\
             Twice,GOOD@contoso.example,,,\n\
             Taken,taken,,,\n\
             Role,role,,chief,\n\
             Product,product,,,NOPE;UNSOLD\n\
             Country,country,XX,,\n\
             {long},long,,,\n\
             Seat,seat,,,MAIL_P1\n\
             Alone,alone,,,ARCHIVE\n"
        );
        let sheet = read(file.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            problems(&sheet, &ctx),
            vec![
                (3, Column::DisplayName, "required"),
                (4, Column::Username, "required"),
                (5, Column::Username, "invalid_username"),
                (6, Column::Username, "domain_not_owned"),
                (7, Column::Username, "duplicate_username"),
                (8, Column::Username, "username_taken"),
                (9, Column::Roles, "unknown_role"),
                (10, Column::Licenses, "unknown_product"),
                (10, Column::Licenses, "product_not_owned"),
                (11, Column::UsageLocation, "invalid_country"),
                (12, Column::DisplayName, "too_long"),
                (13, Column::Licenses, "insufficient_licenses"),
                (14, Column::Licenses, "dependency_missing"),
            ]
        );
        let good = check_rows(&sheet, &ctx).remove(0).outcome.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(good.upn.to_string(), "good@contoso.example");
        assert_eq!(good.usage_location.map(|c| c.to_string()), Some("FR".into()));
        assert_eq!(good.licenses.len(), 1, "a product by its name, without regard to case");
        assert_eq!(good.roles.names(), ["global-admin", "user-admin"], "a role by a name of the console or its id");
    }
}
