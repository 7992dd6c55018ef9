//! Time is injected: nothing in this crate reads the clock except through a
//! [`Clock`], so tests and the CLI's `--now` can pin it. The one exception is
//! [`SystemClock::unix_seconds`], the same system clock read the cheap way,
//! which builders use only when no time was given.

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
    /// Whole seconds since 1970-01-01T00:00:00Z, rounded down: what
    /// `self.now().unix_timestamp()` returns, without building the date.
    ///
    /// Ticket minting's default path (docs/performance.md): a ticket needs
    /// only the second, and `OffsetDateTime::now_utc` spends as long on
    /// calendar arithmetic as on reading the clock. The calendar work is
    /// then done once per second per thread (`timestamp::write_seed_format_secs`).
    pub(crate) fn unix_seconds() -> i64 {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            return rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse).tv_sec;
        }
        #[allow(unreachable_code)]
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
            // A clock set before 1970: round towards the past, as
            // `unix_timestamp` does.
            Err(before) => {
                let before = before.duration();
                let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
                -whole - i64::from(before.subsec_nanos() != 0)
            }
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
