//! Time is injected: nothing in this crate reads the clock except through a
//! [`Clock`], so tests and the CLI's `--now` can pin it, or through
//! `SystemClock::unix_seconds`, the system clock read the cheap way, which
//! ticket and token minting use only when no time was given.

use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;

/// A source of the current time.
///
/// ```
/// use sinch_auth::{Clock, FixedClock};
/// use time::macros::datetime;
/// let clock = FixedClock(datetime!(2026-11-28 08:00 UTC));
/// assert_eq!(clock.now(), datetime!(2026-11-28 08:00 UTC));
/// ```
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> OffsetDateTime;
}

/// The operating system's clock, in UTC. The default everywhere.
///
/// ```
/// use sinch_auth::{Clock, SystemClock};
/// assert!(SystemClock.now().year() >= 2024);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl SystemClock {
    /// Whole seconds since 1970-01-01T00:00:00Z: the default `created` of a
    /// user ticket and `iat` of a registration token, which keep whole
    /// seconds only. The hot path of minting (docs/performance.md), so it
    /// takes the cheapest reading:
    ///
    /// - no date is built (`OffsetDateTime::now_utc` spends as long on
    ///   calendar arithmetic as on reading the clock); the minting code
    ///   formats a second once per thread, as hyper does for the HTTP
    ///   `Date` header, and reuses the text until the second changes;
    /// - on Linux, the kernel's coarse wall clock (`CLOCK_REALTIME_COARSE`,
    ///   a vDSO read of the time at the last timer tick, about 8 ns here
    ///   against 30 ns for `SystemTime::now`), which can lag the precise
    ///   clock by one tick (1-10 ms; 4 ms on the benchmark machine).
    ///   A credential created in the first milliseconds of a second may
    ///   therefore say the second before. That is on the safe side of
    ///   every check (a credential never claims to be made in the future)
    ///   and smaller than the fraction of a second the format drops anyway.
    ///
    /// Other systems read `SystemTime::now`.
    pub(crate) fn unix_seconds() -> i64 {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse).tv_sec
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        {
            std_unix_seconds()
        }
    }
}

/// Whole seconds since 1970-01-01T00:00:00Z from `SystemTime`, rounded
/// down like `OffsetDateTime::unix_timestamp`.
#[cfg_attr(any(target_os = "linux", target_os = "android"), allow(dead_code))]
fn std_unix_seconds() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        // A clock set before 1970.
        Err(before) => {
            let before = before.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            -whole - i64::from(before.subsec_nanos() != 0)
        }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock stopped at one instant.
///
/// ```
/// use sinch_auth::{Clock, FixedClock};
/// let t = time::OffsetDateTime::from_unix_timestamp(1_514_862_245).unwrap();
/// assert_eq!(FixedClock(t).now().unix_timestamp(), 1_514_862_245);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds_agree_with_the_precise_clock() {
        // The coarse clock lags by at most a timer tick: allow one second
        // of rounding on either side, nothing more.
        let before = OffsetDateTime::now_utc().unix_timestamp();
        let ours = SystemClock::unix_seconds();
        let after = OffsetDateTime::now_utc().unix_timestamp();
        assert!(
            (before - 1..=after).contains(&ours),
            "{before} {ours} {after}"
        );
        let std = std_unix_seconds();
        assert!(
            (before..=after + 1).contains(&std),
            "{before} {std} {after}"
        );
    }
}
