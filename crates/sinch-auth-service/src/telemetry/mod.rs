//! Logging: `tracing` to stderr, as text or JSON lines. Nothing in this
//! crate logs a credential; the audit target `sinch_auth::audit` carries
//! one line per credential issued.
//!
//! Lines go to a duplicate of file descriptor 2 through a group commit
//! ([`group_commit`]): the lines of concurrent requests share one
//! `write(2)`, and a request's response leaves only after its lines are
//! written. No lock is held while formatting, no writer thread is woken
//! (a non-blocking writer thread, `tracing-appender`, was measured to cost
//! more CPU per request than the write it saved, and loses its buffer on a
//! crash), and no line waits on a timer.
//! JSON lines use this crate's [`JsonLines`] format.

#[cfg(unix)]
use std::fs::File;
use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

mod group_commit;
mod json_lines;

use group_commit::GroupCommit;
pub(crate) use group_commit::{LineCounts, lines_written_first};
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

/// Standard error as a plain file descriptor (no process-wide lock), or
/// locked stderr where it cannot be duplicated.
fn stderr_sink() -> Box<dyn Write + Send> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stderr().as_fd().try_clone_to_owned() {
            return Box::new(File::from(fd));
        }
    }
    Box::new(std::io::stderr())
}

/// The process's log: standard error, with group commit.
fn stderr_log() -> &'static GroupCommit {
    static LOG: OnceLock<GroupCommit> = OnceLock::new();
    LOG.get_or_init(|| GroupCommit::new(stderr_sink()))
}

/// How many lines this process logged through [`init_logging`]'s writer,
/// and in how many `write(2)` calls (zero if it was not installed).
pub(crate) fn line_counts() -> LineCounts {
    stderr_log().counts()
}

/// The `tracing` writer: one whole line per `write_all`.
#[derive(Clone, Copy)]
struct LineWriter(&'static GroupCommit);

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.log(buf);
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.0.log(buf);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LineWriter {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> LineWriter {
        *self
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
                    .with_writer(LineWriter(stderr_log()))
                    .with_ansi(std::io::stderr().is_terminal()),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .event_format(JsonLines)
                    .with_writer(LineWriter(stderr_log())),
            )
            .try_init(),
    };
    Ok(installed.is_ok())
}
