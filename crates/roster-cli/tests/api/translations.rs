//! Every page of the console speaks the agent's language: the main pages,
//! rendered in French, Russian, Chinese and Italian, hold none of the English
//! bundle's sentences. The bundles themselves are checked key by key in
//! roster-http's i18n tests.

use crate::console::{field, login, upload_import_form};
use crate::*;
use roster_testkit::Backend;
use std::collections::BTreeMap;

/// The simple messages of a bundle (one line, no placeables), by key.
fn messages(lang: &str) -> BTreeMap<String, String> {
    let path = format!("{}/../roster-http/locales/{lang}/main.ftl", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with([' ', '#', '\t', '*', '[', '-']))
        .filter_map(|l| l.split_once(" = "))
        .filter(|(_, v)| !v.contains('{') && !v.trim().is_empty())
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// What a reader sees of a page: the text between tags, and the attributes that
/// are read aloud or shown (title, placeholder, aria-label, alt, value of buttons).
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    // Scripts and styles are not read; they live in files (CSP), but be safe.
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        out.push('\n');
        let Some(end) = rest[start..].find('>') else { break };
        let tag = &rest[start..start + end];
        for attr in ["title=\"", "placeholder=\"", "aria-label=\"", "alt=\""] {
            if let Some(v) = tag.split(attr).nth(1).and_then(|v| v.split('"').next()) {
                out.push_str(v);
                out.push('\n');
            }
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// An English sentence found in `text` as a whole phrase.
fn contains_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The English sentences of the bundle that `lang` words otherwise: sentences
/// it words as English does (a product name, "Roster") are not English leaking through.
fn leaks(english: &BTreeMap<String, String>, lang: &str) -> Vec<String> {
    let theirs = messages(lang);
    english
        .iter()
        .filter(|(k, v)| v.chars().filter(|c| c.is_alphabetic()).count() >= 4 && theirs.get(*k) != Some(v))
        .filter(|(_, v)| !theirs.values().any(|t| t == *v))
        .map(|(_, v)| v.clone())
        .collect()
}

/// English found in a page's visible `text`: the bundle's sentences (`leaks`),
/// and words that come from no bundle, such as a library's or the API's own
/// messages ("must be at most 256 characters").
fn english_in(text: &str, leaks: &[String], at: &str) -> Vec<String> {
    let mut found = Vec::new();
    let words =
        ["the", "of", "and", "to", "Failed", "invalid", "must", "characters", "contains", "is not", "is listed"];
    for word in words {
        if contains_phrase(text, word) {
            found.push(format!("{at}: the word {word:?}"));
        }
    }
    for phrase in leaks {
        if contains_phrase(text, phrase) {
            found.push(format!("{at}: {phrase:?}"));
        }
    }
    found
}

#[tokio::test]
async fn the_main_pages_hold_no_english_in_other_languages() {
    let app = roster_testkit::spawn_app(Backend::Sqlite).await;
    app.with_catalog().await;
    let c = app.customer().await;
    let subs = format!("/customers/{}/subscriptions", c.id);
    let r = app.post(&app.admin_token, &subs, &json!({"productId": "MAIL_P1", "quantity": 5})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let kept = str_at(&app.user(&c, "kept", json!({"displayName": "Kept Person"})).await, "/user/id").to_owned();
    let gone = str_at(&app.user(&c, "gone", json!({"displayName": "Gone Person"})).await, "/user/id").to_owned();
    assert_eq!(
        app.delete(&app.admin_token, &format!("/customers/{}/users/{gone}", c.id)).await.status,
        StatusCode::NO_CONTENT
    );
    let session = login(&app, &app.admin_email, &app.admin_password).await;
    let csrf = field(&session.get("/customers").await.body, "csrf");
    let picked = session
        .post(
            &format!("/customers/{}/users/selection", c.id),
            &[("csrf", &csrf), ("on_page", &kept), ("ticked", &kept)],
        )
        .await;
    assert!(picked.status.is_redirection(), "{}", picked.body);

    let pages = [
        "/customers".to_owned(),
        format!("/customers/{}/users", c.id),
        format!("/customers/{}/users?state=deleted", c.id),
        format!("/customers/{}/users/new", c.id),
        format!("/customers/{}/licenses", c.id),
        format!("/customers/{}/subscriptions", c.id),
        format!("/customers/{}/activity", c.id),
        format!("/customers/{}/import", c.id),
        format!("/customers/{}/users?limit=abc", c.id),
        format!("/customers/{}/users?limit=-1", c.id),
        format!("/customers/{}/users", uuid::Uuid::nil()),
    ];
    let english = messages("en");
    let mut found = Vec::new();
    for lang in ["fr", "ru", "zh-CN", "it"] {
        let leaks = leaks(&english, lang);
        for path in &pages {
            let sep = if path.contains('?') { '&' } else { '?' };
            let page = session.get(&format!("{path}{sep}lang={lang}")).await;
            let expected = if path.contains("limit=abc") || path.contains("limit=-1") {
                StatusCode::BAD_REQUEST
            } else if path.contains(&uuid::Uuid::nil().to_string()) {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::OK
            };
            assert_eq!(page.status, expected, "{lang} {path}");
            found.extend(english_in(&visible_text(&page.body), &leaks, &format!("{lang} {path}")));
        }
    }
    assert!(found.is_empty(), "English on translated pages:\n{}", found.join("\n"));
}

#[tokio::test]
async fn the_console_s_password_file_speaks_the_agent_s_language() {
    let app = roster_testkit::spawn_app(Backend::Sqlite).await;
    let c = app.customer().await;
    let session = login(&app, &app.admin_email, &app.admin_password).await;
    let csrf = field(&session.get("/customers").await.body, "csrf");
    let add = format!("/customers/{}/users/new", c.id);
    let saved = session
        .post(
            &add,
            &[
                ("csrf", &csrf),
                ("count", "1"),
                ("display_0", "Bo"),
                ("user_0", "bo"),
                ("domain_0", &c.domain),
                ("save", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let result = field(&session.get(&saved.location).await.body, "result");
    for lang in ["fr", "ru", "zh-CN", "it", "en"] {
        let theirs = messages(lang);
        let form = [("csrf", csrf.as_str()), ("result", result.as_str()), ("op", "csv")];
        let file = session.post(&format!("/customers/{}/credentials?lang={lang}", c.id), &form).await;
        assert_eq!(file.status, StatusCode::OK, "{lang}: {}", file.body);
        let header = format!(
            "\u{feff}{},{},{}\r\n",
            theirs["col-username"], theirs["col-display-name"], theirs["col-temporary-password"]
        );
        assert!(file.body.starts_with(&header), "{lang}: {:?}", file.body);
    }
}

#[tokio::test]
async fn refused_values_and_import_problems_are_told_in_the_agent_s_language() {
    let app = roster_testkit::spawn_app(Backend::Sqlite).await;
    app.with_catalog().await;
    let c = app.customer().await;
    let subs = format!("/customers/{}/subscriptions", c.id);
    for (product, quantity) in [("MAIL_P1", 5), ("ARCHIVE", 5), ("GEO", 5)] {
        let r = app.post(&app.admin_token, &subs, &json!({"productId": product, "quantity": quantity})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    app.user(&c, "taken", json!({"displayName": "Taken Person"})).await;
    let session = login(&app, &app.admin_email, &app.admin_password).await;
    let csrf = field(&session.get("/customers").await.body, "csrf");
    let long = "x".repeat(300);
    let add = format!("/customers/{}/users/new", c.id);
    let form = [
        ("csrf", csrf.as_str()),
        ("count", "4"),
        ("display_0", "Bad Name"),
        ("user_0", "bad name"),
        ("domain_0", &c.domain),
        ("display_1", &long),
        ("user_1", "long"),
        ("domain_1", &c.domain),
        ("display_2", "Nowhere"),
        ("user_2", "nowhere"),
        ("domain_2", &c.domain),
        ("location_2", "XX"),
        ("display_3", "Dots"),
        ("user_3", "a..b"),
        ("domain_3", "contoso"),
        ("save", ""),
    ];
    let import = format!("/customers/{}/import", c.id);
    let file = format!(
        "Display name,Username,Usage location,Roles,Licenses\n\
         ,nodisplay,,,\n\
         Bad,bad name,,,\n\
         Elsewhere,a@elsewhere.example,,,\n\
         Twice,twice,,,\n\
         Twice,twice,,,\n\
         Taken,taken,,,\n\
         Country,country,XX,,\n\
         Role,role,,chief,\n\
         Product,product,,,NOPE;MAIL_P2\n\
         Double,double,,,MAIL_P1;MAIL_P1\n\
         {long},long,,,\n\
         Alone,alone,,,ARCHIVE\n\
         Geo,geo,US,,GEO\n\
         Line,line,,,\n"
    );
    let english = messages("en");
    let mut found = Vec::new();
    for lang in ["fr", "ru", "zh-CN", "it"] {
        let leaks = leaks(&english, lang);
        let page = session.post(&format!("{add}?lang={lang}"), &form).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{lang}: {}", page.body);
        let text = visible_text(&page.body);
        // Each user's problem is there, with the values quoted as they were sent.
        assert!(text.contains("\"XX\""), "{lang}: {text}");
        assert!(text.contains("\" \""), "{lang}: {text}");
        assert!(text.contains(&messages(lang)["field-display-name"]), "{lang}: {text}");
        found.extend(english_in(&text, &leaks, &format!("{lang} add user")));

        let fields = [("csrf", csrf.as_str()), ("check_only", "1")];
        let page = upload_import_form(&session, &format!("{import}?lang={lang}"), &fields, file.as_bytes()).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{lang}: {}", page.body);
        let text = visible_text(&page.body);
        for value in ["\"XX\"", "\"chief\"", "\"NOPE\"", "elsewhere.example", "Mail Plan 2", "Archive add-on"] {
            assert!(text.contains(value), "{lang}: {value} is not quoted in {text}");
        }
        found.extend(english_in(&text, &leaks, &format!("{lang} import check")));
    }
    assert!(found.is_empty(), "English on translated pages:\n{}", found.join("\n"));
}
