//! The console's languages: Fluent strings, and numbers and dates in each
//! locale's own form.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use roster_core::domain::Language;
use std::borrow::Cow;
use std::collections::HashMap;
use time::OffsetDateTime;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Isolation marks would end up inside attributes and CSV cells.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// How the console writes in a language: Fluent messages, and numbers and dates
/// in the locale's own form. The language itself is the core's.
pub trait Localized: Copy {
    fn t(self, key: &str) -> String;
    /// A message with arguments. Numbers are passed as Fluent numbers, for plural
    /// rules, and also formatted for display as `$<name>Text`.
    fn ta(self, key: &str, args: &[(&'static str, Arg)]) -> String;
    /// Digits grouped by thousands in the locale's way.
    fn number(self, n: i64) -> String;
    /// A date in the locale's short form (UTC).
    fn date(self, at: OffsetDateTime) -> String;
    /// A date and time in the locale's form (UTC).
    fn date_time(self, at: OffsetDateTime) -> String;
}

static EN: LanguageIdentifier = langid!("en");
static FR: LanguageIdentifier = langid!("fr");
static RU: LanguageIdentifier = langid!("ru");
static ZH_CN: LanguageIdentifier = langid!("zh-CN");
static IT: LanguageIdentifier = langid!("it");

fn locale(language: Language) -> &'static LanguageIdentifier {
    match language {
        Language::En => &EN,
        Language::Fr => &FR,
        Language::Ru => &RU,
        Language::ZhCn => &ZH_CN,
        Language::It => &IT,
    }
}

impl Localized for Language {
    fn t(self, key: &str) -> String {
        LOCALES.lookup(locale(self), key)
    }

    /// A message with arguments. Numbers are passed as Fluent numbers, for plural
    /// rules, and also formatted for display as `$<name>Text`.
    fn ta(self, key: &str, args: &[(&'static str, Arg)]) -> String {
        let mut map: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        for (name, value) in args {
            match value {
                Arg::Num(n) => {
                    map.insert(Cow::Borrowed(name), FluentValue::from(*n));
                    map.insert(Cow::Owned(format!("{name}Text")), FluentValue::from(self.number(*n)));
                }
                Arg::Text(s) => {
                    map.insert(Cow::Borrowed(name), FluentValue::from(s.clone()));
                }
            }
        }
        LOCALES.lookup_with_args(locale(self), key, &map)
    }

    /// Digits grouped by thousands in the locale's way.
    fn number(self, n: i64) -> String {
        let sep = match self {
            Language::En | Language::ZhCn => ",",
            Language::Fr => "\u{202f}",
            Language::Ru => "\u{a0}",
            Language::It => ".",
        };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    }

    /// A date in the locale's short form (UTC).
    fn date(self, at: OffsetDateTime) -> String {
        let at = at.to_offset(time::UtcOffset::UTC);
        let (y, m, d) = (at.year(), u8::from(at.month()), at.day());
        match self {
            Language::En => {
                const MONTHS: [&str; 12] =
                    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
                format!("{} {d}, {y}", MONTHS[usize::from(m) - 1])
            }
            Language::Fr | Language::It => format!("{d:02}/{m:02}/{y}"),
            Language::Ru => format!("{d:02}.{m:02}.{y}"),
            Language::ZhCn => format!("{y}/{m:02}/{d:02}"),
        }
    }

    /// A date and time in the locale's form (UTC).
    fn date_time(self, at: OffsetDateTime) -> String {
        let at = at.to_offset(time::UtcOffset::UTC);
        format!("{} {:02}:{:02} UTC", self.date(at), at.hour(), at.minute())
    }
}

/// The words of a core message (a refused value, an import problem), in `lang`.
pub fn say(lang: Language, words: &roster_core::domain::Words) -> String {
    use roster_core::domain::WordArg;
    let args: Vec<(&'static str, Arg)> = words
        .args
        .iter()
        .map(|(name, value)| {
            let arg = match value {
                WordArg::Text(s) => Arg::Text(s.clone()),
                WordArg::Num(n) => Arg::Num(*n),
                WordArg::Words(inner) => Arg::Text(say(lang, inner)),
            };
            (*name, arg)
        })
        .collect();
    lang.ta(words.key, &args)
}

/// Every role's name in every language of the console: an import file may name
/// roles as the console shows them, in whichever language it was made.
pub fn role_names() -> &'static [(String, roster_core::domain::UserRole)] {
    static NAMES: std::sync::LazyLock<Vec<(String, roster_core::domain::UserRole)>> = std::sync::LazyLock::new(|| {
        Language::ALL
            .iter()
            .flat_map(|lang| {
                roster_core::domain::UserRole::ALL.iter().map(|r| (lang.t(&format!("role-{}", r.as_str())), *r))
            })
            .collect()
    });
    &NAMES
}

#[derive(Debug, Clone)]
pub enum Arg {
    Num(i64),
    Text(String),
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Num(n)
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::Num(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<&i64> for Arg {
    fn from(n: &i64) -> Self {
        Arg::Num(*n)
    }
}

impl From<&usize> for Arg {
    fn from(n: &usize) -> Self {
        Arg::from(*n)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn numbers_and_dates_take_the_locale_form() {
        assert_eq!(Language::En.number(1234567), "1,234,567");
        assert_eq!(Language::Fr.number(1234), "1\u{202f}234");
        assert_eq!(Language::Ru.number(999), "999");
        assert_eq!(Language::It.number(-12000), "-12.000");
        let at = datetime!(2026-11-03 09:05 UTC);
        assert_eq!(Language::En.date(at), "Nov 3, 2026");
        assert_eq!(Language::Fr.date(at), "03/11/2026");
        assert_eq!(Language::Ru.date(at), "03.11.2026");
        assert_eq!(Language::ZhCn.date(at), "2026/11/03");
        assert_eq!(Language::It.date_time(at), "03/11/2026 09:05 UTC");
    }

    /// Every key the core gives its refusals and import problems (`"invalid-…"`,
    /// `"import-…"` in its sources) is a message of the English bundle, so of
    /// every bundle (the test below); none falls back to showing its key.
    #[test]
    fn every_key_of_the_core_s_words_is_in_the_bundles() {
        fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(std::fs::read_to_string(&path).unwrap_or_default());
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        sources(&root.join("../roster-core/src"), &mut texts);
        let english = std::fs::read_to_string(root.join("locales/en/main.ftl")).unwrap_or_default();
        let mut keys = Vec::new();
        for text in &texts {
            for prefix in ["\"invalid-", "\"import-"] {
                for (at, _) in text.match_indices(prefix) {
                    let rest = &text[at + 1..];
                    let key: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
                    if rest[key.len()..].starts_with('"') {
                        keys.push(key);
                    }
                }
            }
        }
        assert!(keys.len() > 20, "found only {keys:?}");
        let missing: Vec<_> =
            keys.iter().filter(|k| !english.lines().any(|l| l.starts_with(&format!("{k} =")))).collect();
        assert!(missing.is_empty(), "the English bundle lacks {missing:?}");
        let words = roster_core::domain::Words::new("invalid-too-long").arg("max", 256usize);
        assert_eq!(say(Language::Fr, &words), "doit contenir au plus 256 caractères");
        assert_eq!(say(Language::Ru, &words), "должно содержать не более 256 символов");
    }

    #[test]
    fn every_language_has_every_message_of_english() {
        let keys = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| !l.starts_with([' ', '#', '\t', '*', '[']) && l.contains(" ="))
                .filter_map(|l| l.split(" =").next().map(|k| k.trim().to_owned()))
                .collect()
        };
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let english = keys(&std::fs::read_to_string(dir.join("en/main.ftl")).unwrap_or_default());
        assert!(english.len() > 50, "English has {} messages", english.len());
        for lang in &Language::ALL[1..] {
            let text = std::fs::read_to_string(dir.join(lang.tag()).join("main.ftl")).unwrap_or_default();
            let theirs = keys(&text);
            let missing: Vec<_> = english.iter().filter(|k| !theirs.contains(k)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.tag());
        }
        // Every message parses and renders in every language.
        for lang in Language::ALL {
            for key in &english {
                let text = lang.ta(key, &[("count", Arg::Num(3)), ("name", Arg::from("x"))]);
                assert!(!text.is_empty() && text != *key, "{} cannot render {key}", lang.tag());
            }
        }
        assert_eq!(Language::Ru.ta("users-count", &[("count", Arg::Num(21))]), "21 пользователь");
        assert_eq!(Language::Ru.ta("users-count", &[("count", Arg::Num(3))]), "3 пользователя");
        assert_eq!(Language::Ru.ta("users-count", &[("count", Arg::Num(1200))]), "1\u{a0}200 пользователей");
        assert_eq!(Language::Fr.t("users-title"), "Utilisateurs et licences");
    }
}
