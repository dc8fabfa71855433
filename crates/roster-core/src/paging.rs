//! Keyset paging. A cursor names a position (first, last, after a row, before a
//! row) in one sort order; the store turns it into a range query, never an OFFSET.

use crate::clock::{from_unix_micros, to_unix_micros};
use crate::domain::{CountryCode, ProductId, UserRole};
use crate::error::Error;
use crate::model::UserState;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// The value of the sort column at a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    Text(String),
    Time(OffsetDateTime),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub value: SortValue,
    pub id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    First,
    Last,
    After(Key),
    Before(Key),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub position: Position,
}

impl PageRequest {
    /// From the `limit` and `cursor` query parameters, for a list in `sort` order.
    pub fn parse(limit: Option<u32>, cursor: Option<&str>, sort: &str) -> Result<Self, Error> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Error::validation("limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        let position = match cursor.filter(|c| !c.is_empty()) {
            None => Position::First,
            Some(c) => decode_cursor(c, sort)?,
        };
        Ok(Self { limit, position })
    }
}

#[derive(Serialize, Deserialize)]
struct CursorRepr {
    /// f(irst), l(ast), a(fter), b(efore)
    p: char,
    /// the sort the cursor belongs to
    s: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    t: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    m: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    i: Option<Uuid>,
}

pub fn encode_cursor(position: &Position, sort: &str) -> String {
    let (p, key) = match position {
        Position::First => ('f', None),
        Position::Last => ('l', None),
        Position::After(k) => ('a', Some(k)),
        Position::Before(k) => ('b', Some(k)),
    };
    let repr = CursorRepr {
        p,
        s: sort.to_owned(),
        t: key.and_then(|k| match &k.value {
            SortValue::Text(t) => Some(t.clone()),
            SortValue::Time(_) => None,
        }),
        m: key.and_then(|k| match k.value {
            SortValue::Time(t) => Some(to_unix_micros(t)),
            SortValue::Text(_) => None,
        }),
        i: key.map(|k| k.id),
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&repr).unwrap_or_default())
}

/// The longest sort text a cursor may hold: names are at most 256 characters,
/// user principal names 318; lower-casing can lengthen a few letters.
const MAX_CURSOR_TEXT: usize = 1024;

fn decode_cursor(cursor: &str, sort: &str) -> Result<Position, Error> {
    let bad = || Error::validation("cursor", "is not a cursor this list gave out");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let repr: CursorRepr = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    // The text of a key goes to the store as a bound value: a cursor this list
    // gave out holds a lower-cased name, never a control character (a NUL would
    // not even reach PostgreSQL) nor more than a name's length.
    if repr.t.as_deref().is_some_and(|t| t.chars().count() > MAX_CURSOR_TEXT || t.chars().any(char::is_control)) {
        return Err(bad());
    }
    if repr.s != sort {
        return Err(Error::validation("cursor", "belongs to another sort order; start again from the first page"));
    }
    let key = || -> Result<Key, Error> {
        let id = repr.i.ok_or_else(bad)?;
        let value = match (&repr.t, repr.m) {
            (Some(t), None) => SortValue::Text(t.clone()),
            (None, Some(m)) => SortValue::Time(from_unix_micros(m)),
            _ => return Err(bad()),
        };
        Ok(Key { value, id })
    };
    match repr.p {
        'f' => Ok(Position::First),
        'l' => Ok(Position::Last),
        'a' => Ok(Position::After(key()?)),
        'b' => Ok(Position::Before(key()?)),
        _ => Err(bad()),
    }
}

/// One page as the store read it: items in display order, and whether rows exist
/// on either side.
#[derive(Debug, Clone)]
pub struct Slice<T> {
    pub items: Vec<T>,
    pub has_before: bool,
    pub has_after: bool,
    pub total_count: i64,
}

#[derive(Debug, Clone)]
pub struct Cursors {
    pub first: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub last: String,
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total_count: i64,
    pub cursors: Cursors,
}

impl<T> Slice<T> {
    /// Builds the cursors from the rows at the page's edges.
    pub fn into_page(self, sort: &str, key_of: impl Fn(&T) -> Key) -> Page<T> {
        let prev = match (self.has_before, self.items.first()) {
            (true, Some(first)) => Some(encode_cursor(&Position::Before(key_of(first)), sort)),
            _ => None,
        };
        let next = match (self.has_after, self.items.last()) {
            (true, Some(last)) => Some(encode_cursor(&Position::After(key_of(last)), sort)),
            _ => None,
        };
        Page {
            items: self.items,
            total_count: self.total_count,
            cursors: Cursors {
                first: encode_cursor(&Position::First, sort),
                prev,
                next,
                last: encode_cursor(&Position::Last, sort),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSortField {
    DisplayName,
    UserPrincipalName,
    CreatedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserSort {
    pub field: UserSortField,
    pub descending: bool,
}

impl Default for UserSort {
    fn default() -> Self {
        Self { field: UserSortField::DisplayName, descending: false }
    }
}

impl UserSort {
    pub fn parse(s: &str) -> Result<Self, Error> {
        let (descending, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let field = match name {
            "displayName" => UserSortField::DisplayName,
            "userPrincipalName" => UserSortField::UserPrincipalName,
            "createdAt" => UserSortField::CreatedAt,
            _ => {
                return Err(Error::validation(
                    "sort",
                    "use displayName, userPrincipalName or createdAt, optionally prefixed with -",
                ));
            }
        };
        Ok(Self { field, descending })
    }

    pub fn as_str(self) -> String {
        let name = match self.field {
            UserSortField::DisplayName => "displayName",
            UserSortField::UserPrincipalName => "userPrincipalName",
            UserSortField::CreatedAt => "createdAt",
        };
        if self.descending { format!("-{name}") } else { name.to_owned() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LicenseFilter {
    None,
    Any,
    Product(ProductId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleFilter {
    Any,
    Role(UserRole),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFilter {
    pub state: UserState,
    /// Lower-cased; matched anywhere in the display name or user principal name.
    pub search: Option<String>,
    pub license: Option<LicenseFilter>,
    pub role: Option<RoleFilter>,
    pub usage_location: Option<CountryCode>,
    pub sign_in_blocked: Option<bool>,
}

impl Default for UserFilter {
    fn default() -> Self {
        Self {
            state: UserState::Active,
            search: None,
            license: None,
            role: None,
            usage_location: None,
            sign_in_blocked: None,
        }
    }
}

impl UserFilter {
    /// How many filters besides the state are set.
    fn filters_set(&self) -> usize {
        [
            self.search.is_some(),
            self.license.is_some(),
            self.role.is_some(),
            self.usage_location.is_some(),
            self.sign_in_blocked.is_some(),
        ]
        .into_iter()
        .filter(|set| *set)
        .count()
    }

    /// Whether one filter alone is set, on active users: such a count can come
    /// from the counters.
    fn alone_on_active(&self) -> bool {
        self.state == UserState::Active && self.filters_set() == 1
    }

    /// The license filter, when it is the only filter on active users.
    pub fn license_only(&self) -> Option<&LicenseFilter> {
        self.license.as_ref().filter(|_| self.alone_on_active())
    }

    /// The location, when it is the only filter on active users.
    pub fn location_only(&self) -> Option<CountryCode> {
        self.usage_location.filter(|_| self.alone_on_active())
    }

    /// True when only the state is set, so the count can come from the counters.
    pub fn is_state_only(&self) -> bool {
        self.filters_set() == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserQuery {
    pub filter: UserFilter,
    pub sort: UserSort,
    pub page: PageRequest,
}

/// The key a user row sorts by, in `sort` order.
pub fn user_key(user: &crate::model::User, sort: UserSort) -> Key {
    let value = match sort.field {
        UserSortField::DisplayName => SortValue::Text(display_name_key(&user.display_name)),
        UserSortField::UserPrincipalName => SortValue::Text(user.user_principal_name.to_lowercase()),
        UserSortField::CreatedAt => SortValue::Time(user.created_at),
    };
    Key { value, id: user.id }
}

/// The key display names sort by, as a person reads them: case and accents do not
/// count, so "Élodie" sorts with the E's and not after "Zoë". Letters are taken
/// apart (NFKD) and their marks dropped; the few Latin letters that do not come
/// apart (ß, æ, ø, œ, ł, đ, þ, ı) are spelled out. Scripts without such marks keep
/// their letters, lower-cased. Both backends store this key and compare it
/// bytewise, so the order is the same on either.
pub fn display_name_key(display_name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let mut key = String::with_capacity(display_name.len());
    for c in display_name.nfkd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ß' | 'ẞ' => key.push_str("ss"),
            'æ' | 'Æ' => key.push_str("ae"),
            'œ' | 'Œ' => key.push_str("oe"),
            'ø' | 'Ø' => key.push('o'),
            'ł' | 'Ł' => key.push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => key.push('d'),
            'þ' | 'Þ' => key.push_str("th"),
            'ı' => key.push('i'),
            c => key.extend(c.to_lowercase()),
        }
    }
    key
}

/// What `search=` matches: the display name and the user principal name, lower-cased
/// (accents kept: a search term is matched as typed), joined by a newline that no
/// search term may contain.
pub fn search_key(display_name: &str, upn_key: &str) -> String {
    format!("{}\n{upn_key}", display_name.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_sort_as_a_person_reads_them() {
        let mut names =
            ["Zoë Adams", "Élodie Martin", "eve", "Ørjan", "Œdipe", "straße", "Łukasz", "Иван", "王伟", "Ángel"];
        names.sort_by_key(|n| display_name_key(n));
        assert_eq!(
            names,
            ["Ángel", "Élodie Martin", "eve", "Łukasz", "Œdipe", "Ørjan", "straße", "Zoë Adams", "Иван", "王伟"]
        );
        assert_eq!(display_name_key("ÉLODIE"), display_name_key("elodie"));
        assert_eq!(display_name_key("ﬁnn"), "finn");
        // Search keeps accents: a term is matched as typed.
        assert_eq!(search_key("Élodie", "e@x"), "élodie\ne@x");
    }

    #[test]
    fn cursors_round_trip() {
        let id = Uuid::now_v7();
        for position in [
            Position::First,
            Position::Last,
            Position::After(Key { value: SortValue::Text("zoë".into()), id }),
            Position::Before(Key { value: SortValue::Time(from_unix_micros(1_700_000_000_123_456)), id }),
        ] {
            let c = encode_cursor(&position, "displayName");
            let back = PageRequest::parse(Some(10), Some(&c), "displayName").map(|p| p.position);
            assert_eq!(back.ok(), Some(position));
        }
    }

    #[test]
    fn cursors_are_tied_to_their_sort_and_garbage_is_refused() {
        let c = encode_cursor(&Position::Last, "displayName");
        assert!(PageRequest::parse(None, Some(&c), "-createdAt").is_err());
        assert!(PageRequest::parse(None, Some("not-a-cursor"), "displayName").is_err());
        assert!(PageRequest::parse(Some(0), None, "displayName").is_err());
        assert!(PageRequest::parse(Some(501), None, "displayName").is_err());
    }

    #[test]
    fn cursors_holding_control_characters_are_refused() {
        let id = Uuid::now_v7();
        for text in ["a\u{0}b", "\u{0}", "tab\there", "x\u{7f}"] {
            let c = encode_cursor(&Position::After(Key { value: SortValue::Text(text.into()), id }), "displayName");
            let refused = PageRequest::parse(None, Some(&c), "displayName");
            assert!(matches!(refused, Err(Error::Validation { ref field, .. }) if field == "cursor"), "{text:?}");
        }
        let hand_made = URL_SAFE_NO_PAD
            .encode(br#"{"p":"a","s":"displayName","t":"\u0000","i":"0190b3f0-0000-7000-8000-000000000000"}"#);
        assert!(PageRequest::parse(None, Some(&hand_made), "displayName").is_err());
        let long = encode_cursor(&Position::After(Key { value: SortValue::Text("x".repeat(2000)), id }), "displayName");
        assert!(PageRequest::parse(None, Some(&long), "displayName").is_err());
    }

    #[test]
    fn sorts_parse_with_direction() {
        assert_eq!(UserSort::parse("-createdAt").map(|s| s.as_str()).ok(), Some("-createdAt".into()));
        assert!(UserSort::parse("password").is_err());
    }
}
