//! Times are stored as whole Unix seconds (UTC), a type both backends share.

use time::OffsetDateTime;

use crate::StoreError;

/// Whole seconds, rounded down: a stored expiry is never later than asked.
pub(crate) fn to_unix(at: OffsetDateTime) -> i64 {
    at.unix_timestamp()
}

pub(crate) fn from_unix(seconds: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|_| StoreError::Database(format!("stored time {seconds} is out of range")))
}

pub(crate) fn now() -> i64 {
    to_unix(OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn round_trip_drops_subseconds_downwards() {
        let at = datetime!(2030-01-02 03:04:05.999 UTC);
        assert_eq!(
            from_unix(to_unix(at)).unwrap(),
            datetime!(2030-01-02 03:04:05 UTC)
        );
    }

    #[test]
    fn out_of_range_is_an_error_not_a_panic() {
        assert!(matches!(from_unix(i64::MAX), Err(StoreError::Database(_))));
    }
}
