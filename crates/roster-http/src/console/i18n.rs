//! The console's languages: Fluent strings, and numbers and dates in each
//! locale's own form.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
    Ru,
    ZhCn,
    It,
}

static EN: LanguageIdentifier = langid!("en");
static FR: LanguageIdentifier = langid!("fr");
static RU: LanguageIdentifier = langid!("ru");
static ZH_CN: LanguageIdentifier = langid!("zh-CN");
static IT: LanguageIdentifier = langid!("it");

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Fr, Lang::Ru, Lang::ZhCn, Lang::It];

    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Ru => "ru",
            Lang::ZhCn => "zh-CN",
            Lang::It => "it",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Ru => "Русский",
            Lang::ZhCn => "中文(简体)",
            Lang::It => "Italiano",
        }
    }

    /// A supported tag, matched without regard to case; `zh` alone means zh-CN.
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        match tag.as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            "ru" => Some(Lang::Ru),
            "zh-cn" | "zh" | "zh-hans" | "zh-hans-cn" | "zh-sg" => Some(Lang::ZhCn),
            "it" => Some(Lang::It),
            _ => None,
        }
    }

    /// The first supported language of an Accept-Language header, by weight;
    /// `en-GB` counts as `en`.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut offers: Vec<(f32, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let weight =
                    pieces.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
                let lang = Lang::parse(tag).or_else(|| Lang::parse(tag.split('-').next()?))?;
                (weight > 0.0).then_some((weight, i, lang))
            })
            .collect();
        offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        offers.first().map(|o| o.2)
    }

    /// The language used for an import template of this UI language.
    pub fn file_language(self) -> roster_core::domain::Language {
        roster_core::domain::Language::parse(self.tag()).unwrap_or(roster_core::domain::Language::En)
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &EN,
            Lang::Fr => &FR,
            Lang::Ru => &RU,
            Lang::ZhCn => &ZH_CN,
            Lang::It => &IT,
        }
    }

    pub fn t(self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    /// A message with arguments. Numbers are passed as Fluent numbers, for plural
    /// rules, and also formatted for display as `$<name>Text`.
    pub fn ta(self, key: &str, args: &[(&'static str, Arg)]) -> String {
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
        LOCALES.lookup_with_args(self.id(), key, &map)
    }

    /// Digits grouped by thousands in the locale's way.
    pub fn number(self, n: i64) -> String {
        let sep = match self {
            Lang::En | Lang::ZhCn => ",",
            Lang::Fr => "\u{202f}",
            Lang::Ru => "\u{a0}",
            Lang::It => ".",
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
    pub fn date(self, at: OffsetDateTime) -> String {
        let at = at.to_offset(time::UtcOffset::UTC);
        let (y, m, d) = (at.year(), u8::from(at.month()), at.day());
        match self {
            Lang::En => {
                const MONTHS: [&str; 12] =
                    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
                format!("{} {d}, {y}", MONTHS[usize::from(m) - 1])
            }
            Lang::Fr | Lang::It => format!("{d:02}/{m:02}/{y}"),
            Lang::Ru => format!("{d:02}.{m:02}.{y}"),
            Lang::ZhCn => format!("{y}/{m:02}/{d:02}"),
        }
    }

    /// A date and time in the locale's form (UTC).
    pub fn date_time(self, at: OffsetDateTime) -> String {
        let at = at.to_offset(time::UtcOffset::UTC);
        format!("{} {:02}:{:02} UTC", self.date(at), at.hour(), at.minute())
    }
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
    fn accept_language_takes_the_heaviest_supported_tag() {
        assert_eq!(Lang::from_accept_language("de-DE,fr;q=0.8,en;q=0.5"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("zh-CN,zh;q=0.9"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_accept_language("it;q=0.2, ru;q=0.7"), Some(Lang::Ru));
        assert_eq!(Lang::from_accept_language("de, ja"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn numbers_and_dates_take_the_locale_form() {
        assert_eq!(Lang::En.number(1234567), "1,234,567");
        assert_eq!(Lang::Fr.number(1234), "1\u{202f}234");
        assert_eq!(Lang::Ru.number(999), "999");
        assert_eq!(Lang::It.number(-12000), "-12.000");
        let at = datetime!(2026-11-03 09:05 UTC);
        assert_eq!(Lang::En.date(at), "Nov 3, 2026");
        assert_eq!(Lang::Fr.date(at), "03/11/2026");
        assert_eq!(Lang::Ru.date(at), "03.11.2026");
        assert_eq!(Lang::ZhCn.date(at), "2026/11/03");
        assert_eq!(Lang::It.date_time(at), "03/11/2026 09:05 UTC");
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
        for lang in &Lang::ALL[1..] {
            let text = std::fs::read_to_string(dir.join(lang.tag()).join("main.ftl")).unwrap_or_default();
            let theirs = keys(&text);
            let missing: Vec<_> = english.iter().filter(|k| !theirs.contains(k)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.tag());
        }
        // Every message parses and renders in every language.
        for lang in Lang::ALL {
            for key in &english {
                let text = lang.ta(key, &[("count", Arg::Num(3)), ("name", Arg::from("x"))]);
                assert!(!text.is_empty() && text != *key, "{} cannot render {key}", lang.tag());
            }
        }
        assert_eq!(Lang::Ru.ta("users-count", &[("count", Arg::Num(21))]), "21 пользователь");
        assert_eq!(Lang::Ru.ta("users-count", &[("count", Arg::Num(3))]), "3 пользователя");
        assert_eq!(Lang::Ru.ta("users-count", &[("count", Arg::Num(1200))]), "1\u{a0}200 пользователей");
        assert_eq!(Lang::Fr.t("users-title"), "Utilisateurs et licences");
    }
}
