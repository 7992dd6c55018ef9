//! The shutdown trigger of `serve`: SIGTERM (what container runtimes send)
//! or SIGINT (Ctrl-C).

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
