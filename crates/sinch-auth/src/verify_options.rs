//! What verification checks beyond the MAC, and against which time.

use std::time::Duration;

use time::OffsetDateTime;

use crate::clock::{Clock, SystemClock};
use crate::error::{CredentialKind, Error, ErrorKind};

/// Options for verifying tickets and registration tokens.
///
/// ```
/// use std::time::Duration;
/// use sinch_auth::VerifyOptions;
/// use time::macros::datetime;
/// let opts = VerifyOptions::default()
///     .with_leeway(Duration::from_secs(30))
///     .with_now(datetime!(2026-11-28 08:00 UTC));
/// assert_eq!(opts.leeway(), Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    leeway: Duration,
    now: Option<OffsetDateTime>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            leeway: Self::DEFAULT_LEEWAY,
            now: None,
        }
    }
}

impl VerifyOptions {
    /// Default clock-skew allowance: 60 seconds.
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

    /// Clock-skew allowance on both ends of the validity window.
    /// Default: [`DEFAULT_LEEWAY`](Self::DEFAULT_LEEWAY).
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The time to verify at. Default: the system clock at verification.
    pub fn with_now(mut self, now: OffsetDateTime) -> Self {
        self.now = Some(now);
        self
    }

    /// Reads the time to verify at from `clock`, now.
    pub fn with_clock(self, clock: &dyn Clock) -> Self {
        self.with_now(clock.now())
    }

    /// The configured leeway.
    pub fn leeway(&self) -> Duration {
        self.leeway
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        self.now.unwrap_or_else(|| SystemClock.now())
    }

    /// Leeway in whole seconds, saturated.
    pub(crate) fn leeway_secs(&self) -> i64 {
        i64::try_from(self.leeway.as_secs()).unwrap_or(i64::MAX)
    }
}

/// `issued_at - leeway <= now < expires_at + leeway`, in whole seconds and
/// without overflow whatever the leeway.
pub(crate) fn check_window(
    credential: CredentialKind,
    issued_at: time::OffsetDateTime,
    expires_at: time::OffsetDateTime,
    options: &VerifyOptions,
) -> Result<(), Error> {
    let now = options.now();
    let leeway = i128::from(options.leeway_secs());
    let now_s = i128::from(now.unix_timestamp());
    if i128::from(issued_at.unix_timestamp()) - leeway > now_s {
        return Err(ErrorKind::NotYetValid {
            credential,
            issued_at,
            now,
        }
        .into());
    }
    if now_s >= i128::from(expires_at.unix_timestamp()) + leeway {
        return Err(ErrorKind::Expired {
            credential,
            expired_at: expires_at,
            now,
        }
        .into());
    }
    Ok(())
}
