//! The timestamp window shared by application callbacks and Conversation
//! webhooks: a replayed request is only good for a few minutes.

use std::time::Duration;

use time::OffsetDateTime;

use crate::error::{Error, ErrorKind};

/// Default allowed distance between a request's timestamp and now, either
/// way: 10 minutes (FORMATS §3).
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(600);

/// `|timestamp - now| <= max_skew`, to the nanosecond and without overflow
/// whatever the inputs.
pub(crate) fn check_window(
    timestamp: OffsetDateTime,
    now: OffsetDateTime,
    max_skew: Duration,
) -> Result<(), Error> {
    let distance = (timestamp.unix_timestamp_nanos() - now.unix_timestamp_nanos()).unsigned_abs();
    if distance > max_skew.as_nanos() {
        return Err(ErrorKind::TimestampOutsideWindow {
            timestamp,
            now,
            max_skew_secs: max_skew.as_secs(),
        }
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn window_is_inclusive_and_symmetric() {
        let now = datetime!(2014-06-04 13:41:58 UTC);
        let ten = time::Duration::minutes(10);
        assert!(check_window(now + ten, now, DEFAULT_MAX_SKEW).is_ok());
        assert!(check_window(now - ten, now, DEFAULT_MAX_SKEW).is_ok());
        let nano = time::Duration::nanoseconds(1);
        assert!(check_window(now + ten + nano, now, DEFAULT_MAX_SKEW).is_err());
        assert!(check_window(now - ten - nano, now, DEFAULT_MAX_SKEW).is_err());
    }

    #[test]
    fn huge_skews_do_not_overflow() {
        let early = time::PrimitiveDateTime::MIN.assume_utc();
        let late = time::PrimitiveDateTime::MAX.assume_utc();
        assert!(check_window(early, late, Duration::MAX).is_ok());
        assert!(check_window(early, late, Duration::ZERO).is_err());
    }
}
