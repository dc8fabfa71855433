//! Domain types. Each is built only by `parse`, so holding one means it is valid.
//! Errors name the problem; the caller names the field.

mod countries;
mod language;
mod names;
mod products;
mod roles;

pub use countries::CountryCode;
pub use language::Language;
pub use names::*;
pub use products::{ProductId, SERVICE_PLAN_ID_MAX, check_service_plan_id};
pub use roles::{AgentRole, RoleSet, UserRole};

use std::fmt;

/// What a message names: text (a value quoted from the input, say), a number
/// (which a language may need for its plural forms), or other words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordArg {
    Text(String),
    Num(i64),
    /// Other words, said in the same language first (what was wrong with a part).
    Words(Box<Words>),
}

impl From<String> for WordArg {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<&str> for WordArg {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<usize> for WordArg {
    fn from(n: usize) -> Self {
        Self::Num(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<i64> for WordArg {
    fn from(n: i64) -> Self {
        Self::Num(n)
    }
}

/// A message any of the console's languages can say: the stable key of its
/// words in the console's bundles (`invalid-…`, `import-…`), and what it names.
/// The API keeps its English message; the console says these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub key: &'static str,
    pub args: Vec<(&'static str, WordArg)>,
}

impl Words {
    pub fn new(key: &'static str) -> Self {
        Self { key, args: Vec::new() }
    }

    /// The same words, naming `value` as `name`.
    pub fn arg(mut self, name: &'static str, value: impl Into<WordArg>) -> Self {
        self.args.push((name, value.into()));
        self
    }
}

/// Why an input was refused; the caller adds the field name. Displays as
/// English (the API's message); `words` says it in any language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    english: String,
    words: Words,
}

impl Invalid {
    pub fn new(key: &'static str, english: impl Into<String>) -> Self {
        Self { english: english.into(), words: Words::new(key) }
    }

    /// The same refusal, naming `value` as `name` in its words.
    pub fn arg(mut self, name: &'static str, value: impl Into<WordArg>) -> Self {
        self.words = self.words.arg(name, value);
        self
    }

    pub fn words(&self) -> &Words {
        &self.words
    }

    pub fn into_parts(self) -> (String, Words) {
        (self.english, self.words)
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english)
    }
}

impl std::error::Error for Invalid {}

/// A refusal with words of their own (`key`) and its English message.
pub(crate) fn invalid<T>(key: &'static str, english: impl Into<String>) -> Result<T, Invalid> {
    Err(Invalid::new(key, english))
}

/// "must be at most `max` characters".
pub(crate) fn too_long(max: usize) -> Invalid {
    Invalid::new("invalid-too-long", format!("must be at most {max} characters")).arg("max", max)
}

pub(crate) fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// At most this many characters of what was sent are quoted back in an error.
pub const EXCERPT_CHARS: usize = 100;

/// Text that was sent, as an error quotes it: in quotes, control characters
/// escaped, and cut after `EXCERPT_CHARS` characters with an ellipsis, so an
/// answer never grows with what was sent.
pub fn excerpt(s: &str) -> String {
    let mut quoted = String::from("\"");
    for c in s.chars() {
        // Counted as written: an escape (`\u{8640b}`) takes up to ten characters.
        if quoted.chars().count() > EXCERPT_CHARS {
            quoted.push('…');
            break;
        }
        quoted.extend(c.escape_debug());
    }
    quoted.push('"');
    quoted
}

/// `s` cut after `max` characters, with an ellipsis when anything was cut.
pub fn cut(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]).into(),
        None => s.into(),
    }
}

/// A message from a parser that may quote its input (serde's, say), cut to a
/// bounded length.
pub fn bounded_message(message: &str) -> String {
    cut(message, 2 * EXCERPT_CHARS).into_owned()
}

/// `AsRef<str>`, `Display` and `into_inner` for a newtype over `String`.
macro_rules! string_newtype {
    ($name:ident) => {
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl $name {
            pub fn into_inner(self) -> String {
                self.0
            }
        }
    };
}

pub(crate) use string_newtype;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_and_escaped() {
        assert_eq!(excerpt("FRA"), "\"FRA\"");
        assert_eq!(excerpt("a\u{0}b"), "\"a\\0b\"");
        let long = excerpt(&"é".repeat(5_000_000));
        assert_eq!(long.chars().count(), EXCERPT_CHARS + 3);
        assert!(excerpt(&"\u{8640b}".repeat(1000)).chars().count() < EXCERPT_CHARS + 15);
        assert!(long.ends_with("…\""));
        assert!(bounded_message(&"x".repeat(10_000)).chars().count() <= 2 * EXCERPT_CHARS + 1);
    }
}
