//! Captures every log line of the test process, at TRACE, in both of the
//! service's formats (text and JSON lines), for "nothing secret is logged"
//! tests.

use std::io::Write;
use std::sync::{Arc, Mutex};

use sinch_auth_service::JsonLines;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

/// What was logged so far.
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    /// The process's global subscriber, installed by the first call; every
    /// call returns the same capture (tests of one binary share it).
    pub fn install() -> LogCapture {
        static INSTALLED: std::sync::OnceLock<LogCapture> = std::sync::OnceLock::new();
        INSTALLED.get_or_init(Self::install_now).clone()
    }

    fn install_now() -> LogCapture {
        let capture = LogCapture::default();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_subscriber::filter::LevelFilter::TRACE)
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(capture.clone())
                    .with_ansi(false),
            )
            .with(
                tracing_subscriber::fmt::layer()
                    .event_format(JsonLines)
                    .with_writer(capture.clone()),
            );
        tracing::subscriber::set_global_default(subscriber).unwrap();
        capture
    }

    /// Everything logged so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogCapture {
    type Writer = LogCapture;
    fn make_writer(&'a self) -> LogCapture {
        self.clone()
    }
}
