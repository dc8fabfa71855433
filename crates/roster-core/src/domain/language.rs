//! The languages Roster speaks: the console's, the import templates', and the
//! header names an import file may use.

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

    /// A BCP 47 tag (`en`, `fr`, `ru`, `zh-CN`, `it`), case-insensitively.
    pub fn parse(tag: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(tag.trim()))
    }

    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
            Language::Ru => "ru",
            Language::ZhCn => "zh-CN",
            Language::It => "it",
        }
    }
}
