//! Both listeners, bound and served until a shutdown trigger, then
//! drained: in-flight requests finish (up to a grace period), new
//! connections are refused.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::serve::ListenerExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::service::TokenService;

/// Why serving stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Configuration is missing or wrong.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// Something else failed at start-up or while serving.
    #[error("{0}")]
    Runtime(String),
}

/// The service bound to its two addresses, ready to run.
#[derive(Debug)]
pub struct Server {
    service: TokenService,
    api_router: Router,
    api: TcpListener,
    admin: TcpListener,
    grace: Duration,
}

impl Server {
    /// Binds the API and admin listeners (port 0 picks a free port).
    pub async fn bind(
        service: TokenService,
        listen: SocketAddr,
        admin_listen: SocketAddr,
        grace: Duration,
    ) -> Result<Server, ServeError> {
        let bind = |addr: SocketAddr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| ServeError::Bind { addr, source })
        };
        Ok(Server {
            api: bind(listen).await?,
            admin: bind(admin_listen).await?,
            api_router: service.router(),
            service,
            grace,
        })
    }

    /// Serves `router` on the API listener instead of
    /// [`TokenService::router`], typically
    /// [`TokenService::router_with`] an extension.
    pub fn with_api_router(mut self, router: Router) -> Self {
        self.api_router = router;
        self
    }

    /// The bound API address.
    pub fn api_addr(&self) -> SocketAddr {
        self.api
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The bound admin address.
    pub fn admin_addr(&self) -> SocketAddr {
        self.admin
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then lets in-flight requests
    /// finish for at most the grace period.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let (tx, rx) = watch::channel(false);
        let service = self.service.clone();
        tokio::spawn(async move {
            shutdown.await;
            service.begin_shutdown();
            tracing::info!("shutting down: no new connections, finishing in-flight requests");
            let _ = tx.send(true);
        });
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };

        // Responses are written whole: Nagle's algorithm would only add delay.
        let api = axum::serve(
            self.api.tap_io(no_delay),
            self.api_router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stopped(rx.clone()))
        .into_future();
        let admin = axum::serve(self.admin.tap_io(no_delay), self.service.admin_router())
            .with_graceful_shutdown(stopped(rx.clone()))
            .into_future();
        let deadline = async {
            stopped(rx).await;
            tokio::time::sleep(self.grace).await;
        };
        tokio::select! {
            result = async { tokio::try_join!(api, admin) } => {
                result.map_err(|e| ServeError::Runtime(format!("serving failed: {e}")))?;
                tracing::info!("all requests finished; stopped");
            }
            () = deadline => {
                tracing::warn!(grace_ms = self.grace.as_millis() as u64, "grace period over; dropping the remaining connections");
            }
        }
        Ok(())
    }
}

fn no_delay(stream: &mut TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "cannot set TCP_NODELAY");
    }
}
