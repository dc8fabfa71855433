//! Every path of the pages: the console's and the customer users' sign-in. The
//! router takes its patterns from here and handlers and templates take their
//! links, so a link cannot name a route that is not served.
//!
//! Routes come in three kinds by the ids they need, so a link cannot leave a
//! hole unfilled: [`Route`] needs none, [`CustomerRoute`] a customer's id, and
//! [`ItemRoute`] a customer's id and the id of one of its subscriptions, import
//! jobs, users or form results. A pattern's holes are filled in order, so produced paths are exactly
//! the patterns with the ids written in.

use std::borrow::Borrow;
use std::fmt;
use uuid::Uuid;

/// A path without ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Home,
    Customers,
    Login,
    Logout,
    ConsoleCss,
    ConsoleJs,
    /// The style of the customer users' sign-in pages.
    SigninCss,
    /// Customer users' sign-in.
    Signin,
    ChangePassword,
    Me,
    Signout,
}

impl Route {
    pub const fn path(self) -> &'static str {
        match self {
            Self::Home => "/",
            Self::Customers => "/customers",
            Self::Login => "/login",
            Self::Logout => "/logout",
            Self::ConsoleCss => "/static/console.css",
            Self::ConsoleJs => "/static/console.js",
            Self::SigninCss => "/static/signin.css",
            Self::Signin => "/signin",
            Self::ChangePassword => "/signin/change-password",
            Self::Me => "/me",
            Self::Signout => "/signout",
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path())
    }
}

/// A page of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerRoute {
    Overview,
    Subscriptions,
    Activity,
    ActivityCsv,
    Users,
    Selection,
    AddUsers,
    /// Download or email the passwords of the confirmation page.
    Credentials,
    Reset,
    Delete,
    Export,
    Licenses,
    BuyLicenses,
    Import,
    ImportTemplate,
}

impl CustomerRoute {
    pub const fn pattern(self) -> &'static str {
        match self {
            Self::Overview => "/customers/{cid}",
            Self::Subscriptions => "/customers/{cid}/subscriptions",
            Self::Activity => "/customers/{cid}/activity",
            Self::ActivityCsv => "/customers/{cid}/activity.csv",
            Self::Users => "/customers/{cid}/users",
            Self::Selection => "/customers/{cid}/users/selection",
            Self::AddUsers => "/customers/{cid}/users/new",
            Self::Credentials => "/customers/{cid}/credentials",
            Self::Reset => "/customers/{cid}/users/reset",
            Self::Delete => "/customers/{cid}/users/delete",
            Self::Export => "/customers/{cid}/users/export",
            Self::Licenses => "/customers/{cid}/licenses",
            Self::BuyLicenses => "/customers/{cid}/licenses/buy",
            Self::Import => "/customers/{cid}/import",
            Self::ImportTemplate => "/customers/{cid}/import/template",
        }
    }

    /// The path for customer `cid`.
    pub fn at(self, cid: impl Borrow<Uuid>) -> String {
        fill(self.pattern(), &[cid.borrow()])
    }
}

/// A page of one subscription or import job of a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRoute {
    Subscription,
    ImportJob,
    ImportStatus,
    ImportCredentials,
    /// What a console form did, shown by GET after its POST.
    Result,
    /// One user's page.
    User,
}

impl ItemRoute {
    pub const fn pattern(self) -> &'static str {
        match self {
            Self::Subscription => "/customers/{cid}/subscriptions/{sid}",
            Self::ImportJob => "/customers/{cid}/imports/{jid}",
            Self::ImportStatus => "/customers/{cid}/imports/{jid}/status",
            Self::ImportCredentials => "/customers/{cid}/imports/{jid}/credentials",
            Self::Result => "/customers/{cid}/results/{rid}",
            Self::User => "/customers/{cid}/users/{uid}",
        }
    }

    /// The path for item `id` of customer `cid`.
    pub fn at(self, cid: impl Borrow<Uuid>, id: impl Borrow<Uuid>) -> String {
        fill(self.pattern(), &[cid.borrow(), id.borrow()])
    }
}

/// The pattern with its `{…}` holes replaced by `ids`, in order.
fn fill(pattern: &str, ids: &[&Uuid]) -> String {
    let mut path = String::with_capacity(pattern.len() + ids.len() * 36);
    let mut ids = ids.iter();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        path.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |i| open + i + 1);
        if let Some(id) = ids.next() {
            path.push_str(&id.to_string());
        }
        rest = &rest[close..];
    }
    path.push_str(rest);
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    const CUSTOMER: [CustomerRoute; 15] = [
        CustomerRoute::Overview,
        CustomerRoute::Subscriptions,
        CustomerRoute::Activity,
        CustomerRoute::ActivityCsv,
        CustomerRoute::Users,
        CustomerRoute::Selection,
        CustomerRoute::AddUsers,
        CustomerRoute::Credentials,
        CustomerRoute::Reset,
        CustomerRoute::Delete,
        CustomerRoute::Export,
        CustomerRoute::Licenses,
        CustomerRoute::BuyLicenses,
        CustomerRoute::Import,
        CustomerRoute::ImportTemplate,
    ];
    const ITEM: [ItemRoute; 6] = [
        ItemRoute::Subscription,
        ItemRoute::ImportJob,
        ItemRoute::ImportStatus,
        ItemRoute::ImportCredentials,
        ItemRoute::Result,
        ItemRoute::User,
    ];

    fn holes(pattern: &str) -> usize {
        pattern.matches('{').count()
    }

    #[test]
    fn every_route_has_as_many_holes_as_ids_it_takes() {
        assert!(CUSTOMER.iter().all(|r| holes(r.pattern()) == 1 && r.pattern().starts_with("/customers/{cid}")));
        assert!(ITEM.iter().all(|r| holes(r.pattern()) == 2 && r.pattern().starts_with("/customers/{cid}/")));
        assert_eq!(holes(Route::Customers.path()), 0);
    }

    #[test]
    fn paths_are_the_patterns_with_the_ids_written_in() {
        let cid = Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_00c1);
        let jid = Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_00a1);
        assert_eq!(CustomerRoute::Users.at(cid), format!("/customers/{cid}/users"));
        assert_eq!(CustomerRoute::Overview.at(cid), format!("/customers/{cid}"));
        assert_eq!(CustomerRoute::ActivityCsv.at(cid), format!("/customers/{cid}/activity.csv"));
        assert_eq!(ItemRoute::ImportStatus.at(cid, jid), format!("/customers/{cid}/imports/{jid}/status"));
        for r in CUSTOMER {
            assert_eq!(r.at(cid), r.pattern().replace("{cid}", &cid.to_string()));
        }
        for r in ITEM {
            let path = r.at(cid, jid);
            assert!(!path.contains('{') && path.ends_with(&r.pattern()[r.pattern().rfind('}').map_or(0, |i| i + 1)..]));
            assert_eq!(path.matches(&jid.to_string()).count(), 1, "{path}");
        }
        assert_eq!(Route::Login.to_string(), "/login");
    }
}
