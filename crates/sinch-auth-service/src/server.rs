//! Both listeners, bound and served until a shutdown trigger, then
//! drained: in-flight requests finish (up to a grace period), new
//! connections are refused.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::http_server::serve_http;
use crate::service::TokenService;

/// Connections the admin listener holds open at once.
const ADMIN_MAX_CONNECTIONS: usize = 64;

/// Why serving stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    /// The signal handlers could not be installed.
    #[error("cannot install signal handlers: {0}")]
    Signals(#[source] std::io::Error),
    /// The async runtime could not be started.
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The log filter does not parse.
    #[error(transparent)]
    Logging(#[from] crate::telemetry::LogFilterError),
    /// The accounts database could not be reached when start-up needed it.
    #[error("the accounts database is unavailable: {0}")]
    Database(#[source] sinch_auth_store::StoreError),
}

impl ServeError {
    /// Whether the invocation or the configuration is at fault (fix and
    /// retry), rather than the environment at run time (a port in use, a
    /// database down): command lines exit 2 for the first, 1 for the other.
    pub fn is_usage(&self) -> bool {
        matches!(self, ServeError::Config(_) | ServeError::Logging(_))
    }
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

        // One bound for slow request heads and idle keep-alive connections.
        let options = self.service.options();
        let head_timeout = options.request_timeout;
        // `/openapi.json` names the admin address really bound.
        self.service.set_admin_address(self.admin_addr());
        let api = serve_http(
            self.api,
            self.api_router,
            head_timeout,
            options.max_connections,
            rx.clone(),
        );
        // Its own bound, so a saturated API port leaves health checks and
        // metrics reachable.
        let admin = serve_http(
            self.admin,
            self.service.admin_router(),
            head_timeout,
            ADMIN_MAX_CONNECTIONS,
            rx.clone(),
        );
        let deadline = async {
            stopped(rx).await;
            tokio::time::sleep(self.grace).await;
        };
        tokio::select! {
            _ = async { tokio::join!(api, admin) } => {
                tracing::info!("all requests finished; stopped");
            }
            () = deadline => {
                tracing::warn!(grace_ms = self.grace.as_millis() as u64, "grace period over; dropping the remaining connections");
            }
        }
        Ok(())
    }
}
