//! The API's rate limits: requests per minute per token and per source address,
//! shared by every instance through the database.
//!
//! Windows are fixed minutes of the clock. The database keeps one count per key
//! and window, moved only by increments. An instance does not write a row per
//! request: it takes a *share* of a key's allowance at a time (1/100 of the limit,
//! at least one) by adding the share to the count in one statement, and serves
//! requests from that share in memory. The increment gives it the range of counts
//! `[count - share, count)`, and only the part of that range below the limit is
//! its to serve, so the instances together never serve more than the limit in a
//! window. A share one instance took and did not use is lost to the others, so
//! near the limit a key may be refused up to a share per other instance early.
//! A key whose count has reached the limit is refused in memory until the window
//! ends, without asking the database again.

use super::Services;
use crate::error::{Error, Result};
use crate::secrets::sha256_hex;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use time::OffsetDateTime;

/// Requests per minute; 0 turns a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub per_token: u32,
    pub per_address: u32,
}

impl RateLimits {
    pub const OFF: RateLimits = RateLimits { per_token: 0, per_address: 0 };
}

impl Default for RateLimits {
    /// Generous: a client has to mean it to meet these.
    fn default() -> Self {
        Self { per_token: 6000, per_address: 30000 }
    }
}

/// What the limits say to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateVerdict {
    Allowed,
    /// Over a limit; the window ends in this many seconds (at least 1).
    Limited {
        retry_after: u64,
    },
}

const WINDOW_SECONDS: i64 = 60;

/// One instance's side of the limits: the shares it holds in the current window.
#[derive(Debug)]
pub struct RateLimiter {
    limits: RateLimits,
    local: Mutex<Shares>,
    /// Held by the request taking new shares from the database.
    /// Held by the one request taking new shares; holds when the database last
    /// could not be reached while taking them.
    refill: tokio::sync::Mutex<Option<std::time::Instant>>,
}

#[derive(Debug, Default)]
struct Shares {
    window: i64,
    keys: HashMap<String, Share>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Share {
    /// Requests this instance may still serve from what it took.
    left: i64,
    /// The count reached the limit: take no more this window.
    spent: bool,
}

/// A key to count under, with its limit.
struct Key {
    name: String,
    limit: i64,
}

impl Key {
    fn share(&self) -> i64 {
        (self.limit / 100).max(1)
    }

    /// Of the share an increment took, which brought the count to `count`: the
    /// part of `[count - share, count)` below the limit.
    fn granted(&self, count: i64) -> i64 {
        (self.limit - (count - self.share())).clamp(0, self.share())
    }
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        Self { limits, local: Mutex::new(Shares::default()), refill: tokio::sync::Mutex::new(None) }
    }

    pub fn limits(&self) -> RateLimits {
        self.limits
    }

    /// Counts a request with `token` (as the client sent it, any string) from
    /// `source` against the limits that are on.
    pub async fn check(&self, services: &Services, token: Option<&str>, source: Option<IpAddr>) -> Result<RateVerdict> {
        let mut keys = Vec::with_capacity(2);
        if let (Some(source), n @ 1..) = (source, self.limits.per_address) {
            keys.push(Key { name: format!("a:{source}"), limit: i64::from(n) });
        }
        if let (Some(token), n @ 1..) = (token, self.limits.per_token) {
            // Only a digest is kept: the counts must not hold a secret.
            keys.push(Key { name: format!("t:{}", &sha256_hex(token)[..32]), limit: i64::from(n) });
        }
        if keys.is_empty() {
            return Ok(RateVerdict::Allowed);
        }
        let now = services.now();
        let seconds = now.unix_timestamp();
        let window = seconds.div_euclid(WINDOW_SECONDS);
        let limited = RateVerdict::Limited {
            retry_after: u64::try_from((window + 1) * WINDOW_SECONDS - seconds).unwrap_or(1).max(1),
        };
        let start = OffsetDateTime::from_unix_timestamp(window * WINDOW_SECONDS).unwrap_or(now);
        if let Ok(verdict) = self.lock(window).serve(&keys) {
            return Ok(verdict.unwrap_or(limited));
        }
        // One request at a time takes new shares; the others wait and are served
        // from what it took, so a burst does not take a share per request and
        // leave most of each unused.
        let asked = std::time::Instant::now();
        let mut unreachable_since = self.refill.lock().await;
        // The database could not be reached by the request this one waited
        // behind: answer as it was answered, rather than wait as long again.
        if unreachable_since.is_some_and(|at| at >= asked) {
            return Err(Error::Unavailable);
        }
        // Each pass adds to a count in the database, so a key's count reaches
        // its limit (and the key is spent) after finitely many: the loop ends.
        loop {
            let wanted = match self.lock(window).serve(&keys) {
                Ok(verdict) => return Ok(verdict.unwrap_or(limited)),
                Err(wanted) => wanted,
            };
            let takes: Vec<(String, i64)> = wanted.iter().map(|k| (k.name.clone(), k.share())).collect();
            let counts = match services.store.add_rate_limit_hits(&takes, start).await {
                Ok(counts) => counts,
                Err(e) => {
                    if matches!(e, Error::Unavailable) {
                        *unreachable_since = Some(std::time::Instant::now());
                    }
                    return Err(e);
                }
            };
            let mut shares = self.local.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if shares.window != window {
                // Another window began meanwhile (or the clock went back): what
                // this request took counts in its own window, so it is served if
                // it took one of each, and the rest of the shares is dropped.
                let took = wanted.iter().zip(&counts).all(|(k, count)| k.granted(*count) > 0);
                return Ok(if took { RateVerdict::Allowed } else { limited });
            }
            shares.add(&wanted, &counts);
        }
    }

    /// The shares, cleared when the window is not theirs.
    fn lock(&self, window: i64) -> std::sync::MutexGuard<'_, Shares> {
        let mut shares = self.local.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if shares.window != window {
            shares.window = window;
            shares.keys.clear();
        }
        shares
    }
}

impl Shares {
    /// Serves the request from the shares held: `Ok(Some(Allowed))` when every key
    /// has one left (and takes it), `Ok(None)` when a key is spent, or the keys
    /// that need a new share.
    fn serve<'k>(&mut self, keys: &'k [Key]) -> std::result::Result<Option<RateVerdict>, Vec<&'k Key>> {
        let held: Vec<Share> = keys.iter().map(|k| self.keys.get(&k.name).copied().unwrap_or_default()).collect();
        if held.iter().any(|s| s.left == 0 && s.spent) {
            return Ok(None);
        }
        let wanted: Vec<&Key> = keys.iter().zip(&held).filter(|(_, s)| s.left == 0).map(|(k, _)| k).collect();
        if !wanted.is_empty() {
            return Err(wanted);
        }
        for k in keys {
            if let Some(share) = self.keys.get_mut(&k.name) {
                share.left -= 1;
            }
        }
        Ok(Some(RateVerdict::Allowed))
    }

    /// Adds what the increments gave.
    fn add(&mut self, keys: &[&Key], counts: &[i64]) {
        for (key, count) in keys.iter().zip(counts) {
            let (taken, granted) = (key.share(), key.granted(*count));
            let share = self.keys.entry(key.name.clone()).or_default();
            share.left += granted;
            share.spent |= granted < taken;
        }
    }
}
