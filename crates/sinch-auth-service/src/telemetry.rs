//! Logging: `tracing` to stderr, as text or JSON lines. Nothing in this
//! crate logs a credential; the audit target `sinch_auth::audit` carries
//! one line per credential issued.
//!
//! Each line is one `write` to stderr, from the thread that logged it: no
//! buffer to lose on a crash, no writer thread to wake (measured: a
//! non-blocking writer thread cost more CPU per request than the write).
//! JSON lines use this crate's [`JsonLines`] format.

use std::io::IsTerminal;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogFormat;
use crate::json_log::JsonLines;

/// Parses a filter such as `info` or `warn,sinch_auth=debug`.
pub fn parse_filter(filter: &str) -> Result<Targets, String> {
    filter.parse::<Targets>().map_err(|e| {
        format!("{filter:?} is not a log filter ({e}); try info or warn,sinch_auth::audit=info")
    })
}

/// Installs the global subscriber. Returns false if one was already
/// installed (a host application's, or a test's), which is left in place.
pub fn init_logging(format: LogFormat, filter: &str) -> Result<bool, String> {
    let targets = parse_filter(filter)?;
    let registry = tracing_subscriber::registry().with(targets);
    let installed = match format {
        LogFormat::Text => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_ansi(std::io::stderr().is_terminal()),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .event_format(JsonLines)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
    Ok(installed.is_ok())
}
