//! [`TokenService`]: the shared state behind both routers, and how a Rust
//! backend builds one in code.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use http::{Extensions, HeaderMap};
use ipnet::IpNet;
use sinch_auth::{Application, TtlBounds};

use crate::caller::Authenticator;
use crate::client_ip::{ClientIpResolver, ForwardedHeader};
use crate::metrics::Metrics;
use crate::rate_limit::{ClientNetwork, RateLimitSettings, RateLimiters};

/// Name of the application used when a request names none.
pub const DEFAULT_APPLICATION: &str = "default";

/// The Sinch environment a client SDK connects to unless configured
/// otherwise (`environmentHost` of `SinchClient`).
pub const DEFAULT_ENVIRONMENT_HOST: &str = "ocra.api.sinch.com";

#[derive(Debug, Clone)]
struct Entry {
    app: Arc<Application>,
    environment_host: String,
}

/// The Sinch applications of a deployment: one default, optionally more,
/// chosen per request with the body's `application` field. Each has the
/// environment host its clients connect to (default
/// [`DEFAULT_ENVIRONMENT_HOST`]), returned with every credential.
#[derive(Debug, Clone)]
pub struct Applications {
    by_name: BTreeMap<String, Entry>,
}

impl Applications {
    /// A deployment with one application, named `default`.
    pub fn single(app: Application) -> Self {
        Applications {
            by_name: BTreeMap::new(),
        }
        .with(DEFAULT_APPLICATION, app)
    }

    /// Adds (or replaces) a named application, on the default environment
    /// host.
    pub fn with(mut self, name: impl Into<String>, app: Application) -> Self {
        self.by_name.insert(
            name.into(),
            Entry {
                app: Arc::new(app),
                environment_host: DEFAULT_ENVIRONMENT_HOST.to_owned(),
            },
        );
        self
    }

    /// Sets the environment host of the application called `name` (no
    /// effect if there is none).
    pub fn with_environment_host(mut self, name: &str, host: impl Into<String>) -> Self {
        if let Some(entry) = self.by_name.get_mut(name) {
            entry.environment_host = host.into();
        }
        self
    }

    /// The application called `name`, or the default one.
    pub fn get(&self, name: Option<&str>) -> Option<(&str, &Application)> {
        self.by_name
            .get_key_value(name.unwrap_or(DEFAULT_APPLICATION))
            .map(|(k, v)| (k.as_str(), v.app.as_ref()))
    }

    /// The environment host of the application called `name`, or of the
    /// default one.
    pub fn environment_host(&self, name: Option<&str>) -> Option<&str> {
        self.by_name
            .get(name.unwrap_or(DEFAULT_APPLICATION))
            .map(|e| e.environment_host.as_str())
    }

    /// Names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// Every application with its name and environment host, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Application, &str)> {
        self.by_name
            .iter()
            .map(|(name, e)| (name.as_str(), e.app.as_ref(), e.environment_host.as_str()))
    }
}

/// Lifetimes of user tickets: a default and the range a request may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TicketPolicy {
    /// Used when the request has no `ttl`. Default 3600 s.
    pub default_ttl: Duration,
    /// Shortest `ttl` a request may ask for. Default 60 s.
    pub min_ttl: Duration,
    /// Longest `ttl` a request may ask for. Default 86400 s.
    pub max_ttl: Duration,
}

impl Default for TicketPolicy {
    fn default() -> Self {
        TicketPolicy {
            default_ttl: Duration::from_secs(3600),
            min_ttl: Duration::from_secs(60),
            max_ttl: Duration::from_secs(86_400),
        }
    }
}

/// Lifetimes of registration tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenPolicy {
    /// Used when the request has no `ttl`. Default 600 s.
    pub default_ttl: Duration,
    /// What a request may ask for. Default 60 s … 24 h.
    pub bounds: TtlBounds,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        TokenPolicy {
            default_ttl: Duration::from_secs(600),
            bounds: TtlBounds::default(),
        }
    }
}

/// Everything configurable about the API apart from who may call it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServiceOptions {
    /// Ticket lifetimes.
    pub tickets: TicketPolicy,
    /// Registration token lifetimes.
    pub tokens: TokenPolicy,
    /// Rate limits.
    pub rate_limits: RateLimitSettings,
    /// Proxies whose forwarding header is believed. Default none.
    pub trusted_proxies: Vec<IpNet>,
    /// The header those proxies write. Default `X-Forwarded-For`.
    pub forwarded_header: ForwardedHeader,
    /// Origins allowed by CORS; empty (the default) turns CORS off.
    pub cors_origins: Vec<String>,
    /// Whether CORS responses allow credentials (cookies). Default false.
    pub cors_allow_credentials: bool,
    /// Longest time a request may take, body included. Default 10 s.
    pub request_timeout: Duration,
    /// Connections the API listener holds open at once; more wait in the
    /// kernel's queue until one closes. Default 1024.
    pub max_connections: usize,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        ServiceOptions {
            tickets: TicketPolicy::default(),
            tokens: TokenPolicy::default(),
            rate_limits: RateLimitSettings::default(),
            trusted_proxies: Vec::new(),
            forwarded_header: ForwardedHeader::default(),
            cors_origins: Vec::new(),
            cors_allow_credentials: false,
            request_timeout: Duration::from_secs(10),
            max_connections: 1024,
        }
    }
}

impl TicketPolicy {
    /// With the lifetime used when a request names none.
    pub fn with_default_ttl(mut self, ttl: Duration) -> Self {
        self.default_ttl = ttl;
        self
    }

    /// With the range a request may ask for.
    pub fn with_bounds(mut self, min: Duration, max: Duration) -> Self {
        self.min_ttl = min;
        self.max_ttl = max;
        self
    }
}

impl TokenPolicy {
    /// With the lifetime used when a request names none.
    pub fn with_default_ttl(mut self, ttl: Duration) -> Self {
        self.default_ttl = ttl;
        self
    }

    /// With the range a request may ask for.
    pub fn with_bounds(mut self, bounds: TtlBounds) -> Self {
        self.bounds = bounds;
        self
    }
}

impl ServiceOptions {
    /// With ticket lifetimes.
    pub fn with_tickets(mut self, tickets: TicketPolicy) -> Self {
        self.tickets = tickets;
        self
    }

    /// With registration token lifetimes.
    pub fn with_tokens(mut self, tokens: TokenPolicy) -> Self {
        self.tokens = tokens;
        self
    }

    /// With rate limits.
    pub fn with_rate_limits(mut self, rate_limits: RateLimitSettings) -> Self {
        self.rate_limits = rate_limits;
        self
    }

    /// With proxies whose forwarding header is believed.
    pub fn with_trusted_proxies(mut self, proxies: Vec<IpNet>) -> Self {
        self.trusted_proxies = proxies;
        self
    }

    /// With the forwarding header the trusted proxies write.
    pub fn with_forwarded_header(mut self, header: ForwardedHeader) -> Self {
        self.forwarded_header = header;
        self
    }

    /// With the most connections the API listener holds open at once (at
    /// least 1).
    pub fn with_max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// With CORS origins, and whether CORS responses allow credentials.
    pub fn with_cors(mut self, origins: Vec<String>, allow_credentials: bool) -> Self {
        self.cors_origins = origins;
        self.cors_allow_credentials = allow_credentials;
        self
    }

    /// With the longest time a request may take.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }
}

struct Inner {
    applications: Applications,
    authenticator: Arc<dyn Authenticator>,
    options: ServiceOptions,
    limits: RateLimiters,
    client_ip: ClientIpResolver,
    metrics: Metrics,
    shutting_down: AtomicBool,
    /// The admin listener's address once a server has bound it, for
    /// `/openapi.json` (kept here rather than put into every request).
    admin_address: OnceLock<SocketAddr>,
}

/// Who sent a request ([`TokenService::client_of`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Client {
    /// `None` when unknown (no peer address, or a trusted proxy reported
    /// something that is not an address).
    pub(crate) ip: Option<IpAddr>,
    /// The key of per-IP limits: the address, or its IPv6 prefix.
    pub(crate) network: Option<ClientNetwork>,
}

/// The token service: applications, caller authentication, policies,
/// limits and metrics. Cheap to clone (one `Arc`).
///
/// ```
/// use sinch_auth::Application;
/// use sinch_auth_service::caller::{ApiKey, ApiKeyAuthenticator, ApiKeyDigest};
/// use sinch_auth_service::{Applications, ServiceOptions, TokenService};
///
/// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
/// let key = ApiKey::new("a-long-random-api-key-0123").unwrap();
/// let auth = ApiKeyAuthenticator::new(vec![ApiKeyDigest::of_key("php", &key)]).unwrap();
/// let service = TokenService::new(Applications::single(app), auth, ServiceOptions::default());
/// let api: axum::Router = service.router();          // POST /v1/tickets, …
/// let admin: axum::Router = service.admin_router();  // /livez, /readyz, /metrics
/// # let _ = (api, admin);
/// ```
#[derive(Clone)]
pub struct TokenService {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService")
            .field(
                "applications",
                &self.inner.applications.names().collect::<Vec<_>>(),
            )
            .field("caller_auth", &self.inner.authenticator.mode())
            .finish_non_exhaustive()
    }
}

impl TokenService {
    /// A service for `applications`, with callers checked by `authenticator`.
    pub fn new(
        applications: Applications,
        authenticator: impl Authenticator,
        options: ServiceOptions,
    ) -> Self {
        Self::with_shared_authenticator(applications, Arc::new(authenticator), options)
    }

    /// [`new`](Self::new) with an authenticator already behind an `Arc`.
    pub fn with_shared_authenticator(
        applications: Applications,
        authenticator: Arc<dyn Authenticator>,
        options: ServiceOptions,
    ) -> Self {
        TokenService {
            inner: Arc::new(Inner {
                applications,
                authenticator,
                limits: RateLimiters::new(options.rate_limits),
                client_ip: ClientIpResolver::new(options.trusted_proxies.clone())
                    .with_header(options.forwarded_header),
                options,
                metrics: Metrics::new(),
                shutting_down: AtomicBool::new(false),
                admin_address: OnceLock::new(),
            }),
        }
    }

    /// The caller authenticator.
    pub fn authenticator(&self) -> &dyn Authenticator {
        self.inner.authenticator.as_ref()
    }

    /// The applications.
    pub fn applications(&self) -> &Applications {
        &self.inner.applications
    }

    /// The options the service was built with.
    pub fn options(&self) -> &ServiceOptions {
        &self.inner.options
    }

    /// The metrics registry.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Who sent a request: its client IP (the peer, or what the trusted
    /// proxies report) and the network per-IP limits count it under.
    /// Worked out where needed rather than stored in the request's
    /// extensions, which would cost allocations on every request.
    pub(crate) fn client_of(&self, extensions: &Extensions, headers: &HeaderMap) -> Client {
        let ip = self
            .inner
            .client_ip
            .resolve(ClientIpResolver::peer(extensions), headers);
        Client {
            ip,
            network: ip.map(|ip| ClientNetwork::of(ip, self.limits().ipv6_prefix)),
        }
    }

    /// Records the address the admin listener bound (the first one, if a
    /// service is served twice).
    pub(crate) fn set_admin_address(&self, address: SocketAddr) {
        let _ = self.inner.admin_address.set(address);
    }

    /// The admin listener's address, once a [`Server`](crate::Server) has
    /// bound it.
    pub(crate) fn admin_address(&self) -> Option<SocketAddr> {
        self.inner.admin_address.get().copied()
    }

    /// The per-IP and per-user limits.
    pub(crate) fn limits(&self) -> &RateLimiters {
        &self.inner.limits
    }

    /// Marks the service as draining: `/readyz` answers 503 from now on.
    pub fn begin_shutdown(&self) {
        self.inner.shutting_down.store(true, Ordering::SeqCst);
    }

    /// Whether [`begin_shutdown`](Self::begin_shutdown) was called.
    pub fn is_shutting_down(&self) -> bool {
        self.inner.shutting_down.load(Ordering::SeqCst)
    }
}
