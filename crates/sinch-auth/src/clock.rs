//! Time is injected: nothing in this crate reads the clock except through a
//! [`Clock`], so tests and the CLI's `--now` can pin it.

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
