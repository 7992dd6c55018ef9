//! The timestamp texts each Sinch API writes, as observed in Sinch's own SDK
//! test fixtures (see docs/simulate.md for the sources).

use time::OffsetDateTime;

use crate::timestamp::rfc3339_seconds;

/// `2026-11-28T08:00:00.1234567Z`: whole seconds, `digits` fraction digits
/// (1–9), and `Z` unless `zone` is false (the Numbers API omits it).
pub(crate) fn with_fraction(t: OffsetDateTime, digits: u32, zone: bool) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let mut text = rfc3339_seconds(t);
    text.pop(); // the 'Z'
    let fraction = t.nanosecond() / 10u32.pow(9 - digits);
    text.push_str(&format!(".{fraction:0width$}", width = digits as usize));
    if zone {
        text.push('Z');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn fractions_truncate_and_zone_is_optional() {
        let t = datetime!(2024-01-19 09:19:28.937219612 UTC);
        assert_eq!(with_fraction(t, 7, true), "2024-01-19T09:19:28.9372196Z");
        assert_eq!(with_fraction(t, 9, false), "2024-01-19T09:19:28.937219612");
        assert_eq!(with_fraction(t, 3, true), "2024-01-19T09:19:28.937Z");
        let t = datetime!(2024-01-19 10:19:28.05 +01:00);
        assert_eq!(with_fraction(t, 3, true), "2024-01-19T09:19:28.050Z");
    }
}
