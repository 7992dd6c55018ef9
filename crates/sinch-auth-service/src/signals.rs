//! The signals `serve` answers: SIGTERM (what container runtimes send) or
//! SIGINT (Ctrl-C) to shut down, SIGHUP to reload rotated secrets.

use std::future::Future;
use std::pin::Pin;

/// A future that completes with the signal's name.
pub type ShutdownFuture = Pin<Box<dyn Future<Output = &'static str> + Send>>;

/// Installs the signal handlers now (so a signal sent right after this
/// returns is not lost) and returns the future that waits for one.
/// Must be called inside a Tokio runtime.
pub fn shutdown_signal() -> std::io::Result<ShutdownFuture> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        Ok(Box::pin(async move {
            tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            }
        }))
    }
    #[cfg(not(unix))]
    {
        Ok(Box::pin(async {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }))
    }
}

/// SIGHUPs, one item each. Installing it also stops SIGHUP from ending the
/// process (its default action). `None` where there is no SIGHUP.
pub(crate) struct ReloadSignals {
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
}

impl ReloadSignals {
    /// Installs the handler now. Must be called inside a Tokio runtime.
    pub(crate) fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(ReloadSignals {
                hangup: signal(SignalKind::hangup())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(ReloadSignals {})
        }
    }

    /// Waits for the next SIGHUP; `false` once none can come.
    pub(crate) async fn next(&mut self) -> bool {
        #[cfg(unix)]
        {
            self.hangup.recv().await.is_some()
        }
        #[cfg(not(unix))]
        {
            false
        }
    }
}
