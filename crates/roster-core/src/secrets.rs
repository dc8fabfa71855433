//! Secrets: temporary passwords, API tokens and password hashing.
//!
//! Nothing here prints a secret: `Debug` is redacted, and the plaintext is reached
//! only through `expose`, which callers use to hand the value to its one reader.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use rand::rand_core::UnwrapErr;
use rand::rngs::SysRng;
use rand::{Rng, RngExt};
use sha2::{Digest, Sha256};
use std::fmt;

// No look-alikes: no 0/O/o, 1/l/I.
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"!#$%*+-=?@";
pub const TEMPORARY_PASSWORD_LEN: usize = 16;

/// Prefix of a stored digest of a temporary password (SHA-256, unsalted: the
/// password has ~96 bits of entropy, so a fast hash is safe and keeps imports fast).
const SHA256_PREFIX: &str = "sha256:";

/// A password generated for a user, shown once.
#[derive(Clone, PartialEq, Eq)]
pub struct TemporaryPassword(String);

impl fmt::Debug for TemporaryPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TemporaryPassword(<redacted>)")
    }
}

impl TemporaryPassword {
    /// 16 characters from the OS CSPRNG with every character class present.
    pub fn generate() -> Self {
        let alphabet: Vec<u8> = [UPPER, LOWER, DIGITS, SYMBOLS].concat();
        // Bytes below the largest multiple of the alphabet's size map onto it
        // without bias. They are read from the OS 64 at a time, one system call
        // per password rather than one per character: imports make 100,000.
        let limit = (256 / alphabet.len() * alphabet.len()) as u8;
        let mut pool = [0u8; 64];
        let mut next = pool.len();
        let mut draw = || loop {
            if next == pool.len() {
                UnwrapErr(SysRng).fill_bytes(&mut pool);
                next = 0;
            }
            let b = pool[next];
            next += 1;
            if b < limit {
                return alphabet[usize::from(b) % alphabet.len()];
            }
        };
        loop {
            let candidate: Vec<u8> = (0..TEMPORARY_PASSWORD_LEN).map(|_| draw()).collect();
            let has = |set: &[u8]| candidate.iter().any(|c| set.contains(c));
            // A leading `=`, `+`, `-` or `@` would make a spreadsheet read the
            // password as a formula when the credentials CSV is opened.
            if has(UPPER) && has(LOWER) && has(DIGITS) && has(SYMBOLS) && candidate[0].is_ascii_alphanumeric() {
                return Self(String::from_utf8_lossy(&candidate).into_owned());
            }
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The form stored in the database.
    pub fn digest(&self) -> String {
        format!("{SHA256_PREFIX}{}", sha256_hex(&self.0))
    }
}

/// The key that seals temporary passwords an import job keeps until they are
/// delivered (XChaCha20-Poly1305). It comes from the configuration, so that any
/// instance, or the same one after a restart, can open what another sealed.
#[derive(Clone)]
pub struct CredentialsKey([u8; 32]);

impl fmt::Debug for CredentialsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialsKey(<redacted>)")
    }
}

impl CredentialsKey {
    /// A key for this process only: what it seals cannot be opened after a restart.
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        UnwrapErr(SysRng).fill_bytes(&mut key);
        Self(key)
    }

    /// 32 bytes in standard base64, as `roster init` prints them.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| format!("the credentials key is not base64: {e}"))?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| "the credentials key must be 32 bytes".to_owned())?;
        Ok(Self(key))
    }

    pub fn to_base64(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }

    /// Nonce and ciphertext; `context` (for example the job and row) is
    /// authenticated, so a sealed password cannot be moved to another row.
    pub fn seal(&self, password: &TemporaryPassword, context: &[u8]) -> Vec<u8> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let cipher = chacha20poly1305::XChaCha20Poly1305::new((&self.0).into());
        let mut nonce = [0u8; 24];
        UnwrapErr(SysRng).fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt((&nonce).into(), Payload { msg: password.expose().as_bytes(), aad: context })
            .unwrap_or_default();
        [nonce.as_slice(), &sealed].concat()
    }

    /// `None` when the bytes were sealed with another key or for another context.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Option<TemporaryPassword> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        if sealed.len() < 24 {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(24);
        let cipher = chacha20poly1305::XChaCha20Poly1305::new((&self.0).into());
        let plain = cipher.decrypt(nonce.into(), Payload { msg: ciphertext, aad: context }).ok()?;
        String::from_utf8(plain).ok().map(TemporaryPassword)
    }

    /// As `seal`, for any bytes that hold secrets, such as a kept API answer
    /// with temporary passwords in it.
    pub fn seal_bytes(&self, plain: &[u8], context: &[u8]) -> Vec<u8> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let cipher = chacha20poly1305::XChaCha20Poly1305::new((&self.0).into());
        let mut nonce = [0u8; 24];
        UnwrapErr(SysRng).fill_bytes(&mut nonce);
        let sealed = cipher.encrypt((&nonce).into(), Payload { msg: plain, aad: context }).unwrap_or_default();
        [nonce.as_slice(), &sealed].concat()
    }

    /// As `open`, for what `seal_bytes` sealed.
    pub fn open_bytes(&self, sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        if sealed.len() < 24 {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(24);
        let cipher = chacha20poly1305::XChaCha20Poly1305::new((&self.0).into());
        cipher.decrypt(nonce.into(), Payload { msg: ciphertext, aad: context }).ok()
    }
}

/// Whether a stored password is a temporary one (a SHA-256 digest).
pub fn is_temporary_digest(stored: &str) -> bool {
    stored.starts_with(SHA256_PREFIX)
}

pub fn sha256_hex(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

const TOKEN_PREFIX: &str = "rst_";
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TOKEN_RANDOM_LEN: usize = 32;

/// An API token: `rst_` and 32 base62 characters. Only its SHA-256 is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(rst_<redacted>)")
    }
}

impl ApiToken {
    pub fn generate() -> Self {
        Self(format!("{TOKEN_PREFIX}{}", random_base62(TOKEN_RANDOM_LEN)))
    }

    /// Parses a presented token; `None` when it cannot be one of ours.
    pub fn parse(s: &str) -> Option<Self> {
        let rest = s.strip_prefix(TOKEN_PREFIX)?;
        (rest.len() == TOKEN_RANDOM_LEN && rest.bytes().all(|b| b.is_ascii_alphanumeric())).then(|| Self(s.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        sha256_hex(&self.0)
    }
}

/// A random base62 string from the OS CSPRNG, for session ids and one-time values.
pub fn random_base62(len: usize) -> String {
    let mut rng = UnwrapErr(SysRng);
    (0..len).map(|_| BASE62[rng.random_range(0..BASE62.len())] as char).collect()
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Argon2id, for passwords people choose and for agents' passwords.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| HashError(e.to_string()))
}

/// Checks a password against a stored Argon2id hash or temporary-password digest.
pub fn verify_password(password: &str, stored: &str) -> bool {
    if let Some(hex) = stored.strip_prefix(SHA256_PREFIX) {
        return constant_time_eq(sha256_hex(password).as_bytes(), hex.as_bytes());
    }
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// `verify_password`, doing the same work whatever `stored` is: exactly one
/// Argon2id verification, against the stored hash or, when there is none to check
/// (no such account, or a temporary password's SHA-256 digest), against a hash of
/// a random password. A wrong password for an account that exists then takes as
/// long as one for an account that does not, so timing tells nothing.
pub fn verify_password_uniformly(password: &str, stored: Option<&str>) -> bool {
    match stored {
        Some(stored) if !is_temporary_digest(stored) => verify_password(password, stored),
        other => {
            verify_password(password, dummy_hash());
            other.is_some_and(|digest| verify_password(password, digest))
        }
    }
}

/// An Argon2id hash of a random password nobody knows, made once per process.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_base62(32)).unwrap_or_default())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The rules for a password a user chooses.
pub fn check_chosen_password(password: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < 12 {
        return Err("must be at least 12 characters".into());
    }
    if len > 256 {
        return Err("must be at most 256 characters".into());
    }
    let classes = [
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|&&x| x).count() < 3 {
        return Err("must mix at least three of: upper case, lower case, digits, symbols".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_verification_gives_the_same_answers_as_plain_verification() {
        let chosen = hash_password("Correct horse 7").unwrap();
        let temporary = TemporaryPassword::generate();
        let digest = temporary.digest();
        assert!(verify_password_uniformly("Correct horse 7", Some(&chosen)));
        assert!(!verify_password_uniformly("wrong", Some(&chosen)));
        assert!(verify_password_uniformly(temporary.expose(), Some(&digest)));
        assert!(!verify_password_uniformly("wrong", Some(&digest)));
        assert!(!verify_password_uniformly("anything", None));
        assert!(!verify_password_uniformly("", None));
    }

    #[test]
    fn temporary_passwords_have_every_class_and_no_look_alikes() {
        for _ in 0..200 {
            let p = TemporaryPassword::generate();
            let s = p.expose();
            assert_eq!(s.chars().count(), TEMPORARY_PASSWORD_LEN);
            assert!(s.chars().any(|c| c.is_ascii_uppercase()));
            assert!(s.chars().any(|c| c.is_ascii_lowercase()));
            assert!(s.chars().any(|c| c.is_ascii_digit()));
            assert!(s.bytes().any(|c| SYMBOLS.contains(&c)));
            assert!(!s.chars().any(|c| "0Oo1lI".contains(c)), "{s}");
            assert!(s.starts_with(|c: char| c.is_ascii_alphanumeric()), "{s} would read as a formula");
        }
    }

    #[test]
    fn temporary_passwords_draw_on_the_whole_alphabet() {
        let seen: std::collections::BTreeSet<u8> =
            (0..2000).flat_map(|_| TemporaryPassword::generate().expose().bytes().collect::<Vec<_>>()).collect();
        let alphabet: std::collections::BTreeSet<u8> = [UPPER, LOWER, DIGITS, SYMBOLS].concat().into_iter().collect();
        assert_eq!(seen, alphabet);
    }

    #[test]
    fn temporary_passwords_carry_over_ninety_bits() {
        let alphabet = (UPPER.len() + LOWER.len() + DIGITS.len() + SYMBOLS.len()) as f64;
        // Requiring each class rejects well under half of all candidates, which
        // costs less than one bit; an alphanumeric first character costs the
        // symbols' share of one position. The bound below leaves both margins.
        let first = ((UPPER.len() + LOWER.len() + DIGITS.len()) as f64).log2();
        assert!(alphabet.log2() * (TEMPORARY_PASSWORD_LEN - 1) as f64 + first - 1.0 >= 90.0);
    }

    #[test]
    fn debug_never_shows_secrets() {
        let p = TemporaryPassword::generate();
        assert!(!format!("{p:?}").contains(p.expose()));
        let t = ApiToken::generate();
        assert!(!format!("{t:?}").contains(t.expose()));
    }

    #[test]
    fn tokens_have_the_documented_shape() {
        let t = ApiToken::generate();
        assert!(t.expose().starts_with("rst_"));
        assert_eq!(t.expose().len(), 36);
        assert!(ApiToken::parse(t.expose()).is_some());
        assert!(ApiToken::parse("rst_short").is_none());
        assert!(ApiToken::parse("xyz_0123456789012345678901234567890a").is_none());
    }

    #[test]
    fn passwords_verify_against_both_stored_forms() {
        let temp = TemporaryPassword::generate();
        assert!(verify_password(temp.expose(), &temp.digest()));
        assert!(!verify_password("nope", &temp.digest()));
        let hashed = hash_password("Correct-horse-42").unwrap_or_default();
        assert!(hashed.starts_with("$argon2id$"));
        assert!(verify_password("Correct-horse-42", &hashed));
        assert!(!verify_password("correct-horse-42", &hashed));
    }

    #[test]
    fn chosen_passwords_need_length_and_variety() {
        assert!(check_chosen_password("short1A!").is_err());
        assert!(check_chosen_password("alllowercaseletters").is_err());
        assert!(check_chosen_password("Longer-password-7").is_ok());
    }

    #[test]
    fn sealed_credentials_open_only_with_their_key_and_context() {
        let key = CredentialsKey::generate();
        let password = TemporaryPassword::generate();
        let sealed = key.seal(&password, b"job/2");
        assert!(!sealed.windows(16).any(|w| w == password.expose().as_bytes()));
        assert_eq!(key.open(&sealed, b"job/2"), Some(password.clone()));
        assert_eq!(key.open(&sealed, b"job/3"), None);
        assert_eq!(CredentialsKey::generate().open(&sealed, b"job/2"), None);
        let again = CredentialsKey::from_base64(&key.to_base64()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.open(&sealed, b"job/2"), Some(password));
        assert!(CredentialsKey::from_base64("c2hvcnQ=").is_err());
    }

    #[test]
    fn sealed_bytes_open_only_with_their_key_and_context() {
        let key = CredentialsKey::generate();
        let plain = br#"{"temporaryPassword":"Secret-Value-1"}"#;
        let sealed = key.seal_bytes(plain, b"partner/key");
        assert!(!sealed.windows(14).any(|w| w == b"Secret-Value-1"));
        assert_eq!(key.open_bytes(&sealed, b"partner/key").as_deref(), Some(plain.as_slice()));
        assert_eq!(key.open_bytes(&sealed, b"partner/other"), None);
        assert_eq!(CredentialsKey::generate().open_bytes(&sealed, b"partner/key"), None);
        assert_eq!(key.open_bytes(b"short", b"partner/key"), None);
    }
}
