//! Logging: `tracing` to stderr, as text or JSON lines. Nothing in this
//! crate logs a credential; the audit target `sinch_auth::audit` carries
//! one line per credential issued.
//!
//! Each line is one `write(2)` to stderr, from the thread that logged it:
//! no buffer to lose on a crash, no writer thread to wake (measured: a
//! non-blocking writer thread cost more CPU per request than the write),
//! and no process-wide lock either: the line goes to a duplicate of file
//! descriptor 2, so worker threads do not queue behind each other (the
//! kernel keeps each line whole for lines up to `PIPE_BUF`, 4 KiB, on a
//! pipe; always on a file). Measured with two threads writing to a file:
//! half the cost of `std::io::stderr`'s locked writes.
//! JSON lines use this crate's [`JsonLines`] format.

use std::fs::File;
use std::io::{IsTerminal, Write};

use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

mod json_lines;

pub use json_lines::JsonLines;

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// A log filter that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("{filter:?} is not a log filter ({source}); try info or warn,sinch_auth::audit=info")]
pub struct LogFilterError {
    filter: String,
    source: tracing_subscriber::filter::ParseError,
}

/// Standard error as a plain file descriptor, writable without a lock.
struct StderrFd(Option<File>);

impl StderrFd {
    #[cfg(unix)]
    fn new() -> Self {
        use std::os::fd::AsFd;
        StderrFd(
            std::io::stderr()
                .as_fd()
                .try_clone_to_owned()
                .ok()
                .map(File::from),
        )
    }

    #[cfg(not(unix))]
    fn new() -> Self {
        StderrFd(None)
    }
}

/// A line writer: the duplicate descriptor, or locked stderr if it could
/// not be duplicated.
enum LineWriter<'a> {
    Fd(&'a File),
    Std(std::io::Stderr),
}

impl Write for LineWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            LineWriter::Fd(f) => f.write(buf),
            LineWriter::Std(s) => s.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            LineWriter::Fd(f) => f.write_all(buf),
            LineWriter::Std(s) => s.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for StderrFd {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> LineWriter<'a> {
        match &self.0 {
            Some(file) => LineWriter::Fd(file),
            None => LineWriter::Std(std::io::stderr()),
        }
    }
}

/// Parses a filter such as `info` or `warn,sinch_auth=debug`.
pub fn parse_filter(filter: &str) -> Result<Targets, LogFilterError> {
    filter.parse::<Targets>().map_err(|source| LogFilterError {
        filter: filter.to_owned(),
        source,
    })
}

/// Installs the global subscriber. Returns false if one was already
/// installed (a host application's, or a test's), which is left in place.
pub fn init_logging(format: LogFormat, filter: &str) -> Result<bool, LogFilterError> {
    let targets = parse_filter(filter)?;
    let registry = tracing_subscriber::registry().with(targets);
    let installed = match format {
        LogFormat::Text => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(StderrFd::new())
                    .with_ansi(std::io::stderr().is_terminal()),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .event_format(JsonLines)
                    .with_writer(StderrFd::new()),
            )
            .try_init(),
    };
    Ok(installed.is_ok())
}
