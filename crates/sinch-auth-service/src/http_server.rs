//! The HTTP/1.1 accept loop of one listener: hyper with a timer, so that a
//! client that is slow to send a request head (or an idle keep-alive
//! connection) is cut off after the request timeout; the client address
//! handed to the router as axum's `ConnectInfo`; at most a fixed number of
//! connections open at once (more wait in the kernel's accept queue, so
//! idle or slow sockets cannot use up the process's file descriptors);
//! connections drained gracefully on shutdown.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// Serves `router` on `listener`, with at most `max_connections` open at
/// once, until `stop` turns true, then waits for the open connections to
/// finish their in-flight requests. A request's extensions get the connect
/// info and nothing else here: each extension costs allocations on every
/// request.
pub(crate) async fn serve_http(
    listener: TcpListener,
    router: Router,
    head_timeout: Duration,
    max_connections: usize,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(head_timeout)
        .keep_alive(true);
    let slots = Arc::new(Semaphore::new(max_connections.max(1)));
    loop {
        // A slot first: while all are taken, new connections wait unaccepted.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break, // never closed
            },
            () = async { let _ = stop.wait_for(|stop| *stop).await; } => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            // (The guard `wait_for` returns must not live across the select.)
            () = async { let _ = stop.wait_for(|stop| *stop).await; } => break,
        };
        // Responses are written whole: Nagle's algorithm would only delay them.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let response: tower::util::Oneshot<Router, _> = router.clone().oneshot(request);
            async move { Ok::<_, Infallible>(response.await.unwrap_or_else(|e| match e {})) }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection closed with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Resets and aborts are the client's business; anything else (out of
/// file descriptors, mostly) gets a pause so the loop does not spin.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::warn!(error = %e, "accepting a connection failed; pausing for 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
