//! Login rate limiting: failed sign-ins are counted per login and per client address in a
//! sliding window, and past a limit the sign-in form answers 429 with `Retry-After` without
//! checking the password (which also bounds the Argon2 work an attacker can cause).
//!
//! - **Per login** (default 5 failures in 15 minutes) stops guessing one account's password;
//!   a successful sign-in clears that login's failures.
//! - **Per client address** (default 20 failures in 15 minutes) stops one machine trying many
//!   logins. The address is the TCP peer's ([`ClientIp`]). **Behind a reverse proxy** every
//!   request comes from the proxy: the operator must name the header the proxy sets
//!   ([`WebConfig::client_ip_header`](crate::WebConfig), e.g. `x-forwarded-for`, of which the
//!   last entry — the one the proxy appended — is used) and make sure clients cannot reach the
//!   server except through that proxy. Without a known address only the per-login limit
//!   applies.
//! - Counters live **in this process's memory**: they start empty at restart, and a cluster of
//!   several servers needs a shared store (e.g. a database table or Redis) behind the same
//!   interface, otherwise each server allows the limit separately.
//! - Time comes from the service's [`Clock`](motcua_service::Clock), so tests move a fixed
//!   clock instead of sleeping. Logins are kept as typed (normalised), never logged.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// The limits of failed sign-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginLimits {
    /// Failures of one login allowed within the window (default 5).
    pub per_login: u32,
    /// Failures from one client address allowed within the window (default 20).
    pub per_ip: u32,
    /// The window, in seconds (default 900, 15 minutes).
    pub window_secs: i64,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_login: 5,
            per_ip: 20,
            window_secs: 15 * 60,
        }
    }
}

/// Beyond this many tracked keys, expired ones are swept before a new one is added.
const SWEEP_ABOVE: usize = 10_000;

/// The failure times of one key, oldest first, at most the limit long.
type Failures = HashMap<String, VecDeque<DateTime<Utc>>>;

/// Counts failed sign-ins (see the module documentation). Shared by all requests.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    limits: LoginLimits,
    by_login: Mutex<Failures>,
    by_ip: Mutex<Failures>,
}

/// A sign-in refused for too many failures: try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

impl LoginLimiter {
    /// A limiter with `limits`.
    pub fn new(limits: LoginLimits) -> LoginLimiter {
        LoginLimiter {
            limits,
            ..LoginLimiter::default()
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> LoginLimits {
        self.limits
    }

    fn window(&self) -> TimeDelta {
        TimeDelta::seconds(self.limits.window_secs.max(1))
    }

    /// Whether a sign-in for `login` from `ip` may be tried at `now`; `Err` says when to
    /// come back (when the oldest failure that counts leaves the window).
    ///
    /// # Errors
    /// [`RetryAfter`] when either limit is reached.
    pub fn check(
        &self,
        now: DateTime<Utc>,
        login: &str,
        ip: Option<IpAddr>,
    ) -> Result<(), RetryAfter> {
        let mut wait = None;
        let by_login = lock(&self.by_login);
        if let Some(w) = self.blocked(&by_login, login, self.limits.per_login, now) {
            wait = Some(w);
        }
        drop(by_login);
        if let Some(ip) = ip {
            let by_ip = lock(&self.by_ip);
            if let Some(w) = self.blocked(&by_ip, &ip.to_string(), self.limits.per_ip, now) {
                wait = Some(wait.map_or(w, |x: TimeDelta| x.max(w)));
            }
        }
        match wait {
            None => Ok(()),
            Some(w) => {
                // Round up: coming back a fraction of a second early would be refused again.
                let secs = (w.num_milliseconds().max(0) as u64).div_ceil(1000).max(1);
                Err(RetryAfter(secs))
            }
        }
    }

    fn blocked(
        &self,
        map: &Failures,
        key: &str,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Option<TimeDelta> {
        let times = map.get(key)?;
        let recent: Vec<_> = times.iter().filter(|t| now - **t < self.window()).collect();
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        if recent.len() < limit.max(1) {
            return None;
        }
        // The failure whose expiry brings the count back under the limit.
        let idx = recent.len() - limit.max(1);
        Some(*recent[idx] + self.window() - now)
    }

    /// Records a failed sign-in for `login` from `ip` at `now`.
    pub fn record_failure(&self, now: DateTime<Utc>, login: &str, ip: Option<IpAddr>) {
        self.push(&self.by_login, login, self.limits.per_login, now);
        if let Some(ip) = ip {
            self.push(&self.by_ip, &ip.to_string(), self.limits.per_ip, now);
        }
    }

    /// Clears the failures of `login` (after it signed in). The address keeps its count: one
    /// right password must not reset a machine that tries many logins.
    pub fn record_success(&self, login: &str) {
        lock(&self.by_login).remove(login);
    }

    fn push(&self, map: &Mutex<Failures>, key: &str, limit: u32, now: DateTime<Utc>) {
        let window = self.window();
        let mut map = lock(map);
        if map.len() > SWEEP_ABOVE && !map.contains_key(key) {
            map.retain(|_, times| times.back().is_some_and(|t| now - *t < window));
        }
        let times = map.entry(key.to_owned()).or_default();
        while times.front().is_some_and(|t| now - *t >= window) {
            times.pop_front();
        }
        times.push_back(now);
        let keep = usize::try_from(limit).unwrap_or(usize::MAX).max(1);
        while times.len() > keep {
            times.pop_front();
        }
    }
}

fn lock(map: &Mutex<Failures>) -> std::sync::MutexGuard<'_, Failures> {
    map.lock().unwrap_or_else(|p| p.into_inner())
}

/// The client's address: the last entry of the trusted header when the operator names one
/// (behind a proxy), otherwise the TCP peer's address when the server was started with
/// connect info ([`crate::serve`] is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// The address of a request: `trusted_header`'s last entry, or the socket's peer.
    pub fn of(parts: &Parts, trusted_header: Option<&str>) -> ClientIp {
        ClientIp::from_headers(
            &parts.headers,
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
            trusted_header,
        )
    }

    /// The address from `headers` (when `trusted_header` is set) or `peer`.
    pub fn from_headers(
        headers: &HeaderMap,
        peer: Option<IpAddr>,
        trusted_header: Option<&str>,
    ) -> ClientIp {
        let Some(name) = trusted_header.filter(|n| !n.is_empty()) else {
            return ClientIp(peer);
        };
        // Only the last hop is the proxy's own; anything before it the client could write.
        let forwarded = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        ClientIp(forwarded.or(peer))
    }
}

impl<S> axum::extract::FromRequestParts<S> for ClientIp
where
    S: Send + Sync,
    crate::AppState: axum::extract::FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = <crate::AppState as axum::extract::FromRef<S>>::from_ref(state);
        Ok(ClientIp::of(
            parts,
            state.config.client_ip_header.as_deref(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: u32, second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 2, minute, second)
            .unwrap()
    }

    #[test]
    fn five_failures_of_one_login_block_it_until_the_first_leaves_the_window() {
        let limiter = LoginLimiter::new(LoginLimits::default());
        let ip: Option<IpAddr> = Some("10.0.0.1".parse().unwrap());
        for minute in 0..5 {
            assert!(limiter.check(at(minute, 0), "a", ip).is_ok());
            limiter.record_failure(at(minute, 0), "a", ip);
        }
        assert_eq!(limiter.check(at(5, 0), "a", ip), Err(RetryAfter(600)));
        assert!(limiter.check(at(5, 0), "b", ip).is_ok(), "other logins");
        assert!(
            limiter.check(at(15, 0), "a", ip).is_ok(),
            "the first expired"
        );
        limiter.record_failure(at(15, 0), "a", ip);
        assert_eq!(limiter.check(at(15, 0), "a", ip), Err(RetryAfter(60)));
        limiter.record_success("a");
        assert!(limiter.check(at(15, 1), "a", ip).is_ok());
    }

    #[test]
    fn twenty_failures_from_one_address_block_every_login_from_it() {
        let limiter = LoginLimiter::new(LoginLimits::default());
        let ip: Option<IpAddr> = Some("10.0.0.2".parse().unwrap());
        for n in 0..20 {
            limiter.record_failure(at(0, n), &format!("login{n}"), ip);
        }
        assert!(limiter.check(at(1, 0), "fresh", ip).is_err());
        assert!(limiter.check(at(1, 0), "fresh", None).is_ok());
        let other: Option<IpAddr> = Some("10.0.0.3".parse().unwrap());
        assert!(limiter.check(at(1, 0), "fresh", other).is_ok());
        limiter.record_success("login0");
        assert!(
            limiter.check(at(1, 0), "fresh", ip).is_err(),
            "still blocked"
        );
    }

    #[test]
    fn the_trusted_header_gives_its_last_entry_and_is_ignored_unless_named() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 5.6.7.8".parse().unwrap());
        let peer: Option<IpAddr> = Some("127.0.0.1".parse().unwrap());
        assert_eq!(ClientIp::from_headers(&headers, peer, None), ClientIp(peer));
        assert_eq!(
            ClientIp::from_headers(&headers, peer, Some("x-forwarded-for")),
            ClientIp(Some("5.6.7.8".parse().unwrap()))
        );
        headers.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(
            ClientIp::from_headers(&headers, peer, Some("x-forwarded-for")),
            ClientIp(peer)
        );
    }
}
