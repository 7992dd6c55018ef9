//! The timestamp texts the formats use, written and read by hand: the seed's
//! `DateTime::format('c')` shape, the millisecond `x-timestamp`, and the
//! lenient ISO 8601 subset that public ticket generators emit.

use std::fmt::Write as _;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::error::{Error, ErrorKind, excerpt};

/// Appends `2026-11-28T08:00:00+00:00` (UTC, whole seconds) to `out`,
/// exactly as PHP's `DateTime::format('c')` does for a UTC time.
pub(crate) fn write_seed_format(out: &mut String, t: OffsetDateTime) {
    let t = t.to_offset(UtcOffset::UTC);
    write_date_time(out, t);
    out.push_str("+00:00");
}

/// [`write_seed_format`] of the instant `secs` seconds after 1970-01-01
/// UTC, which must be within years 0000–9999 (minting refuses other times
/// with an error before it gets here).
pub(crate) fn write_seed_format_secs(out: &mut Vec<u8>, secs: i64) {
    let t = OffsetDateTime::from_unix_timestamp(secs).expect("callers check the range");
    let mut text = String::with_capacity(25);
    write_seed_format(&mut text, t);
    out.extend_from_slice(text.as_bytes());
}

/// `2014-06-04T13:41:58.123Z`, the form Sinch's clients send as `x-timestamp`.
pub(crate) fn millis_format(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let mut out = String::with_capacity(24);
    write_date_time(&mut out, t);
    let _ = write!(out, ".{:03}Z", t.millisecond());
    out
}

/// `2026-11-28T08:00:00Z`: RFC 3339 in UTC, whole seconds, for humans.
pub fn rfc3339_seconds(t: OffsetDateTime) -> String {
    let mut out = String::with_capacity(20);
    write_date_time(&mut out, t.to_offset(UtcOffset::UTC));
    out.push('Z');
    out
}

/// `YYYY-MM-DDTHH:MM:SS`, digit by digit: this is on the ticket-minting hot
/// path, where `write!` would cost more than the rest of the JSON.
/// Years outside 0–9999 keep only their last four digits; callers check the
/// range first.
fn write_date_time(out: &mut String, t: OffsetDateTime) {
    let (year, month, day) = t.to_calendar_date();
    let (hour, minute, second) = t.to_hms();
    let mut text = *b"0000-00-00T00:00:00";
    put_digits(&mut text[0..4], year.unsigned_abs());
    put_digits(&mut text[5..7], u8::from(month).into());
    put_digits(&mut text[8..10], day.into());
    put_digits(&mut text[11..13], hour.into());
    put_digits(&mut text[14..16], minute.into());
    put_digits(&mut text[17..19], second.into());
    out.push_str(std::str::from_utf8(&text).expect("digits and punctuation are ASCII"));
}

/// Writes the last `dst.len()` decimal digits of `n` into `dst`, zero-padded.
fn put_digits(dst: &mut [u8], mut n: u32) {
    for digit in dst.iter_mut().rev() {
        *digit = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// Reads `YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z|±HH:MM]`. A missing offset means
/// UTC (the Python ticket sample writes none).
///
/// ```
/// use sinch_auth::parse_timestamp;
/// let a = parse_timestamp("2018-01-02T03:04:05.000Z").unwrap();
/// let b = parse_timestamp("2018-01-02T04:04:05+01:00").unwrap();
/// let c = parse_timestamp("2018-01-02T03:04:05").unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a, c);
/// assert!(parse_timestamp("2018-02-30T00:00:00Z").is_err());
/// ```
pub fn parse_timestamp(text: &str) -> Result<OffsetDateTime, Error> {
    let invalid = |reason: &'static str| -> Error {
        ErrorKind::InvalidTimestamp {
            value: excerpt(text),
            reason,
        }
        .into()
    };
    let b = text.as_bytes();
    if b.len() < 19 {
        return Err(invalid("expected YYYY-MM-DDTHH:MM:SS"));
    }
    let digits = |range: std::ops::Range<usize>| -> Result<u32, Error> {
        let part = &b[range];
        if part.iter().all(u8::is_ascii_digit) {
            Ok(part
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
        } else {
            Err(invalid("expected YYYY-MM-DDTHH:MM:SS"))
        }
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(invalid("expected YYYY-MM-DDTHH:MM:SS"));
    }
    let year = digits(0..4)? as i32;
    let month = Month::try_from(digits(5..7)? as u8).map_err(|_| invalid("no such month"))?;
    let date = Date::from_calendar_date(year, month, digits(8..10)? as u8)
        .map_err(|_| invalid("no such date"))?;
    let (h, m, s) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);

    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if let Some((b'.', after)) = rest.split_first() {
        let n = after.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return Err(invalid("fraction must have 1 to 9 digits"));
        }
        nanos = after[..n]
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
            * 10u32.pow(9 - n as u32);
        rest = &after[n..];
    }
    let time = Time::from_hms_nano(h as u8, m as u8, s as u8, nanos)
        .map_err(|_| invalid("no such time of day"))?;
    let offset = match rest {
        [] | [b'Z'] | [b'z'] => UtcOffset::UTC,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let num = |x: &u8, y: &u8| -> Result<i8, Error> {
                if x.is_ascii_digit() && y.is_ascii_digit() {
                    Ok(((x - b'0') * 10 + (y - b'0')) as i8)
                } else {
                    Err(invalid("offset must be Z or ±HH:MM"))
                }
            };
            let (oh, om) = (num(h1, h2)?, num(m1, m2)?);
            let (oh, om) = if *sign == b'-' { (-oh, -om) } else { (oh, om) };
            UtcOffset::from_hms(oh, om, 0).map_err(|_| invalid("offset out of range"))?
        }
        _ => return Err(invalid("offset must be Z or ±HH:MM")),
    };
    // 9999-12-31T23:59:59-01:00 is a year-10000 instant in UTC, which
    // `to_offset` would panic on.
    PrimitiveDateTime::new(date, time)
        .assume_offset(offset)
        .checked_to_offset(UtcOffset::UTC)
        .ok_or_else(|| invalid("out of range once converted to UTC"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn seed_format() {
        let mut s = String::new();
        write_seed_format(&mut s, datetime!(2026-11-28 09:00 +01:00));
        assert_eq!(s, "2026-11-28T08:00:00+00:00");
    }

    #[test]
    fn seed_format_of_unix_seconds() {
        // Both sides of the epoch, a leap day, the edges of the range.
        for (secs, want) in [
            (1_795_852_800, "2026-11-28T08:00:00+00:00"),
            (0, "1970-01-01T00:00:00+00:00"),
            (-1, "1969-12-31T23:59:59+00:00"),
            (951_825_600, "2000-02-29T12:00:00+00:00"),
            (-62_167_219_200, "0000-01-01T00:00:00+00:00"),
            (253_402_300_799, "9999-12-31T23:59:59+00:00"),
        ] {
            let mut out = b"x".to_vec();
            write_seed_format_secs(&mut out, secs);
            assert_eq!(out, format!("x{want}").as_bytes(), "{secs}");
        }
    }

    #[test]
    fn date_time_digits_match_the_time_crate() {
        let format =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
        for t in [
            datetime!(2026-11-28 08:00:00 UTC),
            datetime!(0000-01-01 00:00:00 UTC),
            datetime!(0987-03-09 01:02:03 UTC),
            datetime!(9999-12-31 23:59:59 UTC),
            datetime!(2024-02-29 12:34:56 UTC),
        ] {
            let mut ours = String::new();
            write_date_time(&mut ours, t);
            assert_eq!(ours, t.format(format).unwrap());
        }
    }

    #[test]
    fn millis() {
        assert_eq!(
            millis_format(datetime!(2014-06-04 13:41:58.123456 UTC)),
            "2014-06-04T13:41:58.123Z"
        );
    }

    #[test]
    fn parse_accepts_the_public_shapes() {
        let want = datetime!(2018-01-02 03:04:05 UTC);
        for s in [
            "2018-01-02T03:04:05Z",
            "2018-01-02T03:04:05+00:00",
            "2018-01-02T03:04:05",
            "2018-01-02T03:04:05.000Z",
            "2018-01-02T03:04:05.000000000Z",
            "2018-01-01T22:04:05-05:00",
        ] {
            assert_eq!(parse_timestamp(s).unwrap(), want, "{s}");
        }
        assert_eq!(
            parse_timestamp("2014-06-04T13:41:58.1234567Z").unwrap(),
            datetime!(2014-06-04 13:41:58.1234567 UTC)
        );
    }

    #[test]
    fn parse_rejects_garbage() {
        for s in [
            "",
            "2018-01-02",
            "2018-01-02 03:04:05Z",
            "2018-13-02T03:04:05Z",
            "2018-01-02T24:04:05Z",
            "2018-01-02T03:04:05.Z",
            "2018-01-02T03:04:05.0123456789Z",
            "2018-01-02T03:04:05+0000",
            "2018-01-02T03:04:05Zjunk",
            "２018-01-02T03:04:05Z",
            "9999-12-31T23:59:59-01:00",
        ] {
            assert!(parse_timestamp(s).is_err(), "{s}");
        }
    }
}
