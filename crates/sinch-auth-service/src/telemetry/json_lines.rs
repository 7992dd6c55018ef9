//! A lean JSON line format for `tracing`, in the shape of
//! tracing-subscriber's (`{"timestamp","level","fields":{…},"target"}`),
//! written straight into the line buffer. tracing-subscriber's own JSON
//! formatter goes through serde with many small UTF-8-checked writes and
//! cost more than minting the credential that an audit line records.

use std::fmt::{self, Write as _};

use sinch_auth::write_json_string;
use time::OffsetDateTime;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// One JSON object per event: timestamp (UTC, microseconds), level,
/// fields (the message as `message`), target. Spans are not included.
#[derive(Debug, Default, Clone, Copy)]
pub struct JsonLines;

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        // Room for an audit line (about 250 bytes) without growing.
        let mut line = String::with_capacity(512);
        line.push_str("{\"timestamp\":\"");
        write_timestamp(&mut line, OffsetDateTime::now_utc());
        line.push_str("\",\"level\":\"");
        line.push_str(event.metadata().level().as_str());
        line.push_str("\",\"fields\":{");
        let mut visitor = Fields {
            line: &mut line,
            first: true,
        };
        event.record(&mut visitor);
        line.push_str("},\"target\":");
        write_str_value(&mut line, event.metadata().target());
        line.push_str("}\n");
        writer.write_str(&line)
    }
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, digit by digit: `write!` with padded
/// integers cost several times more, on every line.
fn write_timestamp(out: &mut String, t: OffsetDateTime) {
    let (year, month, day) = t.to_calendar_date();
    // Years outside 0..=9999 do not occur in a clock reading we log.
    push_digits(out, year.clamp(0, 9999) as u32, 4);
    out.push('-');
    push_digits(out, month as u32, 2);
    out.push('-');
    push_digits(out, day.into(), 2);
    out.push('T');
    push_digits(out, t.hour().into(), 2);
    out.push(':');
    push_digits(out, t.minute().into(), 2);
    out.push(':');
    push_digits(out, t.second().into(), 2);
    out.push('.');
    push_digits(out, t.microsecond(), 6);
    out.push('Z');
}

/// `value`'s last `width` decimal digits, zero-padded.
fn push_digits(out: &mut String, mut value: u32, width: usize) {
    let mut digits = [b'0'; 10];
    for slot in digits[..width].iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out.extend(digits[..width].iter().map(|&d| char::from(d)));
}

/// Whether a byte must be escaped in a JSON string.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// A JSON string: copied whole when nothing needs escaping (nearly always),
/// else through the core's escaper.
fn write_str_value(out: &mut String, value: &str) {
    if value.bytes().any(needs_escape) {
        write_json_string(out, value);
    } else {
        out.push('"');
        out.push_str(value);
        out.push('"');
    }
}

struct Fields<'a> {
    line: &'a mut String,
    first: bool,
}

impl Fields<'_> {
    fn key(&mut self, field: &Field) {
        if !self.first {
            self.line.push(',');
        }
        self.first = false;
        write_str_value(self.line, field.name());
        self.line.push(':');
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.key(field);
        write_str_value(self.line, value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.key(field);
        let _ = write!(self.line, "{value}");
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.key(field);
        let _ = write!(self.line, "{value}");
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.key(field);
        self.line.push_str(if value { "true" } else { "false" });
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.key(field);
        if value.is_finite() {
            let _ = write!(self.line, "{value}");
        } else {
            self.line.push_str("null");
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.key(field);
        // Formatted in place (no string of its own), then escaped only if
        // it has to be.
        let start = self.line.len();
        self.line.push('"');
        let _ = write!(self.line, "{value:?}");
        if self.line[start + 1..].bytes().any(needs_escape) {
            let text = self.line.split_off(start + 1);
            self.line.truncate(start);
            write_json_string(self.line, &text);
        } else {
            self.line.push('"');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let mut out = String::new();
        write_timestamp(
            &mut out,
            time::macros::datetime!(2026-01-02 03:04:05.123456 UTC),
        );
        assert_eq!(out, "2026-01-02T03:04:05.123456Z");
        out.clear();
        write_timestamp(
            &mut out,
            time::macros::datetime!(1999-12-31 23:59:59.000007 UTC),
        );
        assert_eq!(out, "1999-12-31T23:59:59.000007Z");
    }

    #[test]
    fn strings_are_escaped_only_when_needed() {
        for value in [
            "plain",
            "",
            "quote\"",
            "back\\slash",
            "tab\tnew\nline\u{1}",
            "é ✓",
        ] {
            let mut ours = String::new();
            write_str_value(&mut ours, value);
            let back: String = serde_json::from_str(&ours).unwrap();
            assert_eq!(back, value);
        }
    }

    #[test]
    fn display_and_debug_values_are_json_strings() {
        use tracing_subscriber::layer::SubscriberExt;

        let out = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        let sink = out.clone();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .event_format(JsonLines)
                .with_writer(move || Sink(sink.clone())),
        );
        tracing::subscriber::with_default(subscriber, || {
            let shown = "say \"hi\"\n";
            tracing::info!(plain = %"alice", quoted = %shown, debug = ?("a", 1), n = 7u64, "msg");
        });
        let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
        let line: serde_json::Value = serde_json::from_str(&text).unwrap();
        let fields = &line["fields"];
        assert_eq!(fields["plain"], "alice");
        assert_eq!(fields["quoted"], "say \"hi\"\n");
        assert_eq!(fields["debug"], "(\"a\", 1)");
        assert_eq!(fields["n"], 7);
        assert_eq!(fields["message"], "msg");
    }

    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
