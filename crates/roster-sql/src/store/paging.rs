//! Keyset paging: one page of any list in any of its sort orders, as a range read
//! on the sort's index, never an `OFFSET`.

use super::{DbRow, Pool};
use crate::{D, Db};
use roster_core::paging::{Key, Page, PageRequest, Position, Slice, SortValue};
use roster_sql::Dialect;
use sqlx::QueryBuilder;

/// Where a keyset page starts and which way it reads.
pub(super) struct Keyset<'a> {
    pub column: &'a str,
    pub descending: bool,
}

impl Keyset<'_> {
    /// `(col, id) > key` in display order (`<` when descending, flipped for `before`).
    fn push_condition(&self, qb: &mut QueryBuilder<Db>, key: &Key, after: bool) {
        let greater = after != self.descending;
        qb.push(format!(" AND ({}, id) {} (", self.column, if greater { ">" } else { "<" }));
        match &key.value {
            SortValue::Text(t) => qb.push_bind(t.clone()),
            SortValue::Time(t) => qb.push_bind(D::to_db(*t)),
        };
        qb.push(", ");
        qb.push_bind(key.id);
        qb.push(")");
    }

    fn push_order(&self, qb: &mut QueryBuilder<Db>, forward: bool) {
        let dir = if forward != self.descending { "ASC" } else { "DESC" };
        qb.push(format!(" ORDER BY {} {dir}, id {dir}", self.column));
    }
}

/// One page, in display order, and whether rows lie before and after it.
pub(super) struct PageRows<T> {
    pub items: Vec<T>,
    pub has_before: bool,
    pub has_after: bool,
}

impl<T> PageRows<T> {
    /// The page with its list's `totalCount` and cursors in `sort`'s order.
    pub fn into_page(self, total_count: i64, sort: &str, key_of: impl Fn(&T) -> Key) -> Page<T> {
        Slice { items: self.items, has_before: self.has_before, has_after: self.has_after, total_count }
            .into_page(sort, key_of)
    }
}

/// Reads one page. `base` pushes `SELECT … WHERE <scope and filters>`;
/// `exists_base` pushes `SELECT 1 … WHERE <same>`.
pub(super) async fn read_page<T>(
    pool: &Pool,
    keyset: Keyset<'_>,
    page: &PageRequest,
    base: impl Fn(&mut QueryBuilder<Db>),
    exists_base: impl Fn(&mut QueryBuilder<Db>),
    map: impl Fn(&DbRow) -> Result<T, sqlx::Error>,
    key_of: impl Fn(&T) -> Key,
) -> Result<PageRows<T>, sqlx::Error> {
    let limit = i64::from(page.limit);
    let mut qb = QueryBuilder::<Db>::new("");
    base(&mut qb);
    let forward = matches!(page.position, Position::First | Position::After(_));
    match &page.position {
        Position::First | Position::Last => {}
        Position::After(k) => keyset.push_condition(&mut qb, k, true),
        Position::Before(k) => keyset.push_condition(&mut qb, k, false),
    }
    keyset.push_order(&mut qb, forward);
    qb.push(" LIMIT ");
    qb.push_bind(limit + 1);
    let rows = qb.build().fetch_all(pool).await?;
    let mut items = rows.iter().map(&map).collect::<Result<Vec<T>, _>>()?;
    let more = items.len() as i64 > limit;
    items.truncate(page.limit as usize);
    if !forward {
        items.reverse();
    }
    // The far side of a page: probe one row beyond the opposite edge.
    let probe = |edge: &T, after: bool| {
        let mut qb = QueryBuilder::<Db>::new("");
        exists_base(&mut qb);
        keyset.push_condition(&mut qb, &key_of(edge), after);
        // Ordered, so the probe walks the sort index from the edge. Without an
        // order PostgreSQL's generic plan took LIMIT 1 as a cheap sequential scan,
        // which read 280,000 rows before the last page's neighbours.
        keyset.push_order(&mut qb, after);
        qb.push(" LIMIT 1");
        qb
    };
    let (has_before, has_after) = match &page.position {
        Position::First => (false, more),
        Position::Last => (more, false),
        Position::After(_) => match items.first() {
            Some(first) => (probe(first, false).build().fetch_optional(pool).await?.is_some(), more),
            None => (false, false),
        },
        Position::Before(_) => match items.last() {
            Some(last) => (more, probe(last, true).build().fetch_optional(pool).await?.is_some()),
            None => (false, false),
        },
    };
    Ok(PageRows { items, has_before, has_after })
}
