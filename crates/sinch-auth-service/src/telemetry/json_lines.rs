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
        let mut line = String::with_capacity(256);
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
        write_json_string(&mut line, event.metadata().target());
        line.push_str("}\n");
        writer.write_str(&line)
    }
}

fn write_timestamp(out: &mut String, t: OffsetDateTime) {
    let (year, month, day) = t.to_calendar_date();
    let _ = write!(
        out,
        "{year:04}-{:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        month as u8,
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    );
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
        write_json_string(self.line, field.name());
        self.line.push(':');
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.key(field);
        write_json_string(self.line, value);
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
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        write_json_string(self.line, &text);
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
    }
}
