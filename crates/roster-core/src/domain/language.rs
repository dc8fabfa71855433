//! The languages Roster speaks: the console's, the import templates', and the
//! header names an import file may use. How each is written (messages, numbers,
//! dates) is the console's business; which languages exist, and how a request
//! names one, is decided here once.

/// The console's languages, in which templates are offered and headers recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    En,
    Fr,
    Ru,
    ZhCn,
    It,
}

impl Language {
    pub const ALL: [Language; 5] = [Language::En, Language::Fr, Language::Ru, Language::ZhCn, Language::It];

    /// A supported BCP 47 tag, matched without regard to case; `zh` alone means
    /// zh-CN.
    pub fn parse(tag: &str) -> Option<Self> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        match tag.as_str() {
            "en" => Some(Self::En),
            "fr" => Some(Self::Fr),
            "ru" => Some(Self::Ru),
            "zh-cn" | "zh" | "zh-hans" | "zh-hans-cn" | "zh-sg" => Some(Self::ZhCn),
            "it" => Some(Self::It),
            _ => None,
        }
    }

    /// The first supported language of an Accept-Language header, by weight;
    /// `en-GB` counts as `en`.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut offers: Vec<(f32, usize, Self)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let weight =
                    pieces.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
                let language = Self::parse(tag).or_else(|| Self::parse(tag.split('-').next()?))?;
                (weight > 0.0).then_some((weight, i, language))
            })
            .collect();
        offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        offers.first().map(|o| o.2)
    }

    /// The tag Roster writes: `en`, `fr`, `ru`, `zh-CN`, `it`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
            Self::Ru => "ru",
            Self::ZhCn => "zh-CN",
            Self::It => "it",
        }
    }

    /// The language's name in itself, for a language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Fr => "Français",
            Self::Ru => "Русский",
            Self::ZhCn => "中文(简体)",
            Self::It => "Italiano",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_without_regard_to_case_and_zh_means_simplified_chinese() {
        for language in Language::ALL {
            assert_eq!(Language::parse(language.tag()), Some(language));
            assert_eq!(Language::parse(&language.tag().to_uppercase()), Some(language));
        }
        assert_eq!(Language::parse("zh"), Some(Language::ZhCn));
        assert_eq!(Language::parse("zh_CN"), Some(Language::ZhCn));
        assert_eq!(Language::parse("de"), None);
    }

    #[test]
    fn accept_language_takes_the_heaviest_supported_tag() {
        assert_eq!(Language::from_accept_language("de-DE,fr;q=0.8,en;q=0.5"), Some(Language::Fr));
        assert_eq!(Language::from_accept_language("en-GB,en;q=0.9"), Some(Language::En));
        assert_eq!(Language::from_accept_language("zh-CN,zh;q=0.9"), Some(Language::ZhCn));
        assert_eq!(Language::from_accept_language("it;q=0.2, ru;q=0.7"), Some(Language::Ru));
        assert_eq!(Language::from_accept_language("de, ja"), None);
        assert_eq!(Language::from_accept_language(""), None);
    }
}
