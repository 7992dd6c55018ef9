//! Per-IP and per-user request rate limits (GCRA, via `governor`).
//!
//! The per-IP limit runs before authentication, so it also slows down key
//! and token guessing; the per-user limit runs once the user is known.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::metrics::Metrics;
use crate::problem::Problem;

/// A sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rate {
    /// Requests per minute, sustained.
    pub per_minute: NonZeroU32,
    /// Requests allowed at once after a quiet period.
    pub burst: NonZeroU32,
}

impl Rate {
    /// `per_minute` sustained with `burst`; `None` (no limit) when
    /// `per_minute` is 0. A burst of 0 means "same as per minute".
    pub fn new(per_minute: u32, burst: u32) -> Option<Rate> {
        let per_minute = NonZeroU32::new(per_minute)?;
        Some(Rate {
            per_minute,
            burst: NonZeroU32::new(burst).unwrap_or(per_minute),
        })
    }

    fn quota(self) -> Quota {
        Quota::per_minute(self.per_minute).allow_burst(self.burst)
    }
}

/// Both limits; `None` turns one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitSettings {
    /// Per client IP, on every API request. Default 600/min, burst 100.
    pub per_ip: Option<Rate>,
    /// Per Sinch user id, on every credential issued. Default 60/min,
    /// burst 20.
    pub per_user: Option<Rate>,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            per_ip: Rate::new(600, 100),
            per_user: Rate::new(60, 20),
        }
    }
}

impl RateLimitSettings {
    /// No limits at all (benchmarks, or a proxy that limits already).
    pub fn unlimited() -> Self {
        RateLimitSettings {
            per_ip: None,
            per_user: None,
        }
    }

    /// With the per-IP limit (`None`: off).
    pub fn with_per_ip(mut self, rate: Option<Rate>) -> Self {
        self.per_ip = rate;
        self
    }

    /// With the per-user limit (`None`: off).
    pub fn with_per_user(mut self, rate: Option<Rate>) -> Self {
        self.per_user = rate;
        self
    }
}

/// How often idle keys are dropped, in checks.
const SWEEP_EVERY: u64 = 4096;

/// One keyed limit, with what a refusal says: the metric's scope label and
/// the problem's detail. The one place a limit becomes a `429`.
pub(crate) struct Limiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    checks: AtomicU64,
    scope: &'static str,
    refusal: &'static str,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    /// A limit at `rate`, counted as `scope` in the rate-limited metric
    /// and refused with `refusal` as the problem's detail.
    pub(crate) fn new(rate: Rate, scope: &'static str, refusal: &'static str) -> Self {
        Limiter {
            limiter: RateLimiter::keyed(rate.quota()),
            checks: AtomicU64::new(0),
            scope,
            refusal,
        }
    }

    /// `Err(retry_after)` when `key` is over its limit.
    fn wait_time(&self, key: &K) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            // Keys whose bucket is full again carry no state worth keeping;
            // dropping them bounds memory under many distinct clients.
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()))
    }

    /// Takes one unit for `key`, or refuses with `429 rate_limited` and
    /// `Retry-After`, counted in `metrics`.
    pub(crate) fn admit(&self, key: &K, metrics: &Metrics) -> Result<(), Problem> {
        self.wait_time(key).map_err(|wait| {
            metrics.rate_limited(self.scope);
            Problem::rate_limited(retry_after_secs(wait), self.refusal)
        })
    }
}

/// Takes one unit from `limiter` if there is one (limits can be off).
pub(crate) fn admit<K: Hash + Eq + Clone>(
    limiter: Option<&Limiter<K>>,
    key: &K,
    metrics: &Metrics,
) -> Result<(), Problem> {
    limiter.map_or(Ok(()), |l| l.admit(key, metrics))
}

/// The service's own limits (accounts mode adds the login limits).
pub(crate) struct RateLimiters {
    pub(crate) per_ip: Option<Limiter<IpAddr>>,
    pub(crate) per_user: Option<Limiter<String>>,
}

impl RateLimiters {
    pub(crate) fn new(settings: RateLimitSettings) -> Self {
        RateLimiters {
            per_ip: settings.per_ip.map(|rate| {
                Limiter::new(
                    rate,
                    "ip",
                    "too many requests from this address; retry later",
                )
            }),
            per_user: settings.per_user.map(|rate| {
                Limiter::new(
                    rate,
                    "user",
                    "too many credentials for this user; retry later",
                )
            }),
        }
    }
}

/// Whole seconds to announce in `Retry-After`, rounded up.
fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refuses_with_a_wait() {
        let limiter = Limiter::new(Rate::new(60, 3).unwrap(), "user", "slow down");
        let metrics = Metrics::new();
        let key = "alice".to_string();
        for _ in 0..3 {
            assert!(limiter.admit(&key, &metrics).is_ok());
        }
        let wait = limiter.wait_time(&key).unwrap_err();
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        let refusal = limiter.admit(&key, &metrics).unwrap_err();
        assert_eq!(refusal.code(), crate::ProblemCode::RateLimited);
        assert_eq!(refusal.detail(), "slow down");
        assert!(
            metrics
                .render()
                .contains("sinch_auth_rate_limited_total{scope=\"user\"} 1")
        );
        assert!(
            limiter.admit(&"bob".to_string(), &metrics).is_ok(),
            "keys are independent"
        );
    }

    #[test]
    fn zero_disables_and_rounding_is_up() {
        assert_eq!(Rate::new(0, 5), None);
        assert_eq!(Rate::new(10, 0).unwrap().burst.get(), 10);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
    }
}
