//! Per-IP and per-user request rate limits (GCRA, via `governor`), and
//! failure budgets, which count only the attempts that fail.
//!
//! The per-IP limit runs before authentication, so it also slows down key
//! and token guessing; the per-user limit runs once the user is known.
//! "Per IP" means per client network: an IPv4 address, or an IPv6 prefix
//! (a /64 by default), since one IPv6 client can rotate through a whole
//! /64 at will.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

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

    /// Time between two units at the sustained rate.
    fn interval(self) -> Duration {
        Duration::from_secs(60) / self.per_minute.get()
    }
}

/// Both limits; `None` turns one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitSettings {
    /// Per client network, on every API request. Default 600/min, burst 100.
    pub per_ip: Option<Rate>,
    /// Per Sinch user id, on every credential issued. Default 60/min,
    /// burst 20.
    pub per_user: Option<Rate>,
    /// IPv6 clients are one client network per prefix of this length, for
    /// every per-IP limit (IPv4 clients per address). Default 64.
    pub ipv6_prefix: u8,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            per_ip: Rate::new(600, 100),
            per_user: Rate::new(60, 20),
            ipv6_prefix: 64,
        }
    }
}

impl RateLimitSettings {
    /// No limits at all (benchmarks, or a proxy that limits already).
    pub fn unlimited() -> Self {
        RateLimitSettings {
            per_ip: None,
            per_user: None,
            ..RateLimitSettings::default()
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

    /// With the IPv6 prefix length that makes one client network (at most
    /// 128).
    pub fn with_ipv6_prefix(mut self, prefix: u8) -> Self {
        self.ipv6_prefix = prefix.min(128);
        self
    }
}

/// Request extension set by the API middleware: the client's network, the
/// key of every per-IP limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ClientNetwork(pub(crate) IpAddr);

impl ClientNetwork {
    /// The network of `ip`: the address itself for IPv4, its first
    /// `ipv6_prefix` bits for IPv6 (IPv4-mapped addresses count as IPv4).
    pub(crate) fn of(ip: IpAddr, ipv6_prefix: u8) -> Self {
        match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let bits = u128::from(v6);
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(ipv6_prefix.min(128)))
                    .unwrap_or(0);
                ClientNetwork(IpAddr::V6(Ipv6Addr::from(bits & mask)))
            }
            v4 => ClientNetwork(v4),
        }
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
        self.wait_time(key)
            .map_err(|wait| refuse(metrics, self.scope, self.refusal, wait))
    }
}

/// The one way a limit says no: `429 rate_limited` with `Retry-After`,
/// counted under `scope`.
fn refuse(
    metrics: &Metrics,
    scope: &'static str,
    refusal: &'static str,
    wait: Duration,
) -> Problem {
    metrics.rate_limited(scope);
    Problem::rate_limited(retry_after_secs(wait), refusal)
}

/// A budget of failures per key (GCRA with give-back): each attempt takes a
/// unit up front and a success gives it back, so only failures count, and
/// attempts running at the same time cannot overrun the budget between
/// them. `governor` has no give-back, hence this small keyed table.
pub(crate) struct FailureBudget<K: Hash + Eq + Clone> {
    interval: Duration,
    capacity: Duration,
    /// Per key, when its budget is whole again (GCRA's theoretical arrival
    /// time); keys whose budget is whole are dropped.
    full_at: Mutex<HashMap<K, Instant>>,
    checks: AtomicU64,
    scope: &'static str,
    refusal: &'static str,
}

impl<K: Hash + Eq + Clone> FailureBudget<K> {
    /// `rate.burst` failures at once, then `rate.per_minute` a minute.
    pub(crate) fn new(rate: Rate, scope: &'static str, refusal: &'static str) -> Self {
        FailureBudget {
            interval: rate.interval(),
            capacity: rate.interval() * rate.burst.get(),
            full_at: Mutex::new(HashMap::new()),
            checks: AtomicU64::new(0),
            scope,
            refusal,
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<K, Instant>> {
        self.full_at.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes one unit for an attempt by `key`, or refuses like a rate limit.
    pub(crate) fn take(&self, key: &K, metrics: &Metrics) -> Result<(), Problem> {
        let now = Instant::now();
        let mut table = self.table();
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            table.retain(|_, full_at| *full_at > now);
        }
        let full_at = table.get(key).map_or(now, |at| (*at).max(now)) + self.interval;
        let used = full_at - now;
        if used > self.capacity {
            return Err(refuse(
                metrics,
                self.scope,
                self.refusal,
                used - self.capacity,
            ));
        }
        table.insert(key.clone(), full_at);
        Ok(())
    }

    /// Gives back the unit of an attempt that did not fail.
    pub(crate) fn give_back(&self, key: &K) {
        let now = Instant::now();
        let mut table = self.table();
        if let Some(full_at) = table.get_mut(key) {
            match full_at.checked_sub(self.interval) {
                Some(earlier) if earlier > now => *full_at = earlier,
                _ => {
                    table.remove(key);
                }
            }
        }
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
    pub(crate) per_ip: Option<Limiter<ClientNetwork>>,
    pub(crate) per_user: Option<Limiter<String>>,
    pub(crate) ipv6_prefix: u8,
}

impl RateLimiters {
    pub(crate) fn new(settings: RateLimitSettings) -> Self {
        RateLimiters {
            ipv6_prefix: settings.ipv6_prefix,
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
    fn failure_budgets_count_only_what_is_not_given_back() {
        let budget = FailureBudget::new(Rate::new(1, 3).unwrap(), "login_failures", "slow down");
        let metrics = Metrics::new();
        let key = "alice".to_string();
        for _ in 0..10 {
            budget.take(&key, &metrics).unwrap();
            budget.give_back(&key);
        }
        assert!(budget.table().is_empty(), "successes leave nothing behind");
        for _ in 0..3 {
            budget.take(&key, &metrics).unwrap();
        }
        let refusal = budget.take(&key, &metrics).unwrap_err();
        assert_eq!(refusal.code(), crate::ProblemCode::RateLimited);
        assert!(
            metrics
                .render()
                .contains("sinch_auth_rate_limited_total{scope=\"login_failures\"} 1")
        );
        assert!(budget.take(&"bob".to_string(), &metrics).is_ok());
    }

    #[test]
    fn ipv6_clients_are_keyed_by_prefix() {
        let net = |ip: &str, prefix| ClientNetwork::of(ip.parse().unwrap(), prefix).0;
        assert_eq!(
            net("2001:db8:1:2:aaaa::1", 64),
            net("2001:db8:1:2:bbbb::9", 64)
        );
        assert_ne!(net("2001:db8:1:2::1", 64), net("2001:db8:1:3::1", 64));
        assert_eq!(
            net("2001:db8:1:2::1", 128),
            "2001:db8:1:2::1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(net("2001:db8::1", 0), "::".parse::<IpAddr>().unwrap());
        assert_eq!(
            net("198.51.100.7", 64),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            net("::ffff:198.51.100.7", 64),
            "198.51.100.7".parse::<IpAddr>().unwrap()
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
