//! One struct per page and per fragment; the templates are under
//! `templates/console/`.

use super::i18n::{Arg, Localized};
use crate::routes::{CustomerRoute, Route};
use askama::Template;
use roster_core::domain::Language;
use time::OffsetDateTime;
use uuid::Uuid;

/// What every signed-in page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Language,
    pub csrf: String,
    pub agent_email: String,
    pub path: String,
    pub nav: Option<Nav>,
    pub notice: Option<String>,
}

/// The customer a page belongs to, and which of its sections is open.
#[derive(Debug, Clone)]
pub struct Nav {
    pub customer_id: Uuid,
    pub customer_name: String,
    pub section: &'static str,
}

impl Chrome {
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// The message `prefix` + `suffix`, for names built from codes.
    pub fn tk(&self, prefix: &str, suffix: &str) -> String {
        self.lang.t(&format!("{prefix}{suffix}"))
    }

    pub fn tn(&self, key: &str, name: &'static str, n: impl Into<Arg>) -> String {
        self.lang.ta(key, &[(name, n.into())])
    }

    pub fn t2(&self, key: &str, a: &'static str, av: impl Into<Arg>, b: &'static str, bv: impl Into<Arg>) -> String {
        self.lang.ta(key, &[(a, av.into()), (b, bv.into())])
    }

    pub fn num(&self, n: &i64) -> String {
        self.lang.number(*n)
    }

    pub fn date(&self, at: &OffsetDateTime) -> String {
        self.lang.date(*at)
    }

    pub fn date_time(&self, at: &OffsetDateTime) -> String {
        self.lang.date_time(*at)
    }

    pub fn languages(&self) -> [Language; 5] {
        Language::ALL
    }

    /// This page in another language.
    pub fn lang_href(&self, tag: &str) -> String {
        let sep = if self.path.contains('?') { '&' } else { '?' };
        format!("{}{sep}lang={tag}", self.path)
    }

    pub fn is_lang(&self, tag: &str) -> bool {
        self.lang.tag() == tag
    }

    pub fn with_nav(mut self, customer_id: Uuid, customer_name: &str, section: &'static str) -> Self {
        self.nav = Some(Nav { customer_id, customer_name: customer_name.to_owned(), section });
        self
    }

    pub fn with_notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }
}

/// What went wrong, in words: the fragment both error pages show.
#[derive(Debug, Clone)]
pub struct ErrorView {
    pub lang: Language,
    pub title: String,
    pub message: String,
    /// Where the agent was, for a Back link.
    pub back: Option<String>,
    /// The request's `X-Request-Id`, for the agent to quote to support.
    pub request_id: Option<String>,
}

impl ErrorView {
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }
}

/// An error page inside the console's frame.
#[derive(Template)]
#[template(path = "console/error.html")]
pub struct ErrorPage {
    pub c: Chrome,
    pub e: ErrorView,
}

/// An error page before sign-in, without the console's frame.
#[derive(Template)]
#[template(path = "console/error_bare.html")]
pub struct BareErrorPage {
    pub e: ErrorView,
}

#[derive(Template)]
#[template(path = "console/login.html")]
pub struct LoginPage {
    pub lang: Language,
    pub csrf: String,
    pub email: String,
    pub next: String,
    pub error: Option<String>,
}

impl LoginPage {
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    pub fn languages(&self) -> [Language; 5] {
        Language::ALL
    }

    pub fn is_lang(&self, tag: &str) -> bool {
        self.lang.tag() == tag
    }
}

/// First, Previous, Next and Last links for a keyset-paged list, with "page x of y".
#[derive(Debug, Clone)]
pub struct Pager {
    pub first: Option<String>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub last: Option<String>,
    pub page: i64,
    pub pages: i64,
    pub total: i64,
}

impl Pager {
    /// `base` holds the list's other query pairs (filters, sort, size); the
    /// links add the cursor and the page number it leads to.
    pub fn new<T>(
        path: &str,
        base: &[(String, String)],
        page: &roster_core::paging::Page<T>,
        number: Option<i64>,
        limit: u32,
    ) -> Self {
        let pages = ((page.total_count + i64::from(limit) - 1) / i64::from(limit.max(1))).max(1);
        let number = number.unwrap_or(1).clamp(1, pages);
        let href = |cursor: &str, n: i64| {
            let mut pairs = base.to_vec();
            pairs.push(("cursor".into(), cursor.to_owned()));
            pairs.push(("page".into(), n.to_string()));
            super::customers::list_href(path, &pairs)
        };
        let not_first = page.cursors.prev.is_some();
        let not_last = page.cursors.next.is_some();
        Self {
            first: not_first.then(|| super::customers::list_href(path, base)),
            prev: page.cursors.prev.as_deref().map(|c| href(c, number - 1)),
            next: page.cursors.next.as_deref().map(|c| href(c, number + 1)),
            last: not_last.then(|| href(&page.cursors.last, pages)),
            page: number,
            pages,
            total: page.total_count,
        }
    }
}
