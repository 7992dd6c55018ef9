//! Accounts mode: built-in sign-up, login and sessions, stored by
//! `sinch-auth-store` (SQLite by default, PostgreSQL to scale out).
//!
//! [`Accounts`] holds the database, the password hasher, the session cookie
//! settings and the login limits. It provides the caller authenticator for
//! the credential routes ([`SessionAuthenticator`]) and the extra routes
//! (`POST /v1/accounts`, `/v1/login`, `/v1/logout`, `GET /v1/accounts/me`,
//! `POST /v1/accounts/me/password`, and the web page at `GET /`).
//!
//! ```no_run
//! # async fn demo(app: sinch_auth::Application) -> Result<(), sinch_auth_store::StoreError> {
//! use sinch_auth_service::accounts::{Accounts, AccountsOptions, SignupPolicy};
//! use sinch_auth_service::{Applications, ServiceOptions, TokenService};
//! use sinch_auth_store::StoreOptions;
//!
//! let options = AccountsOptions::default().with_signup(SignupPolicy::Open);
//! let accounts = Accounts::connect("sqlite:///var/lib/sinch-auth/accounts.db", StoreOptions::default(), options).await?;
//! let service = TokenService::new(Applications::single(app), accounts.authenticator(), ServiceOptions::default());
//! let router: axum::Router = accounts.router(&service); // the API, the accounts routes and the page
//! # let _ = router; Ok(()) }
//! ```
//!
//! [`SessionAuthenticator`]: crate::accounts::SessionAuthenticator

mod admin;
mod audit;
mod authenticator;
mod bearer_session;
mod database;
mod development;
mod errors;
mod handlers;
mod openapi;
mod origin;
mod password;
mod session_cache;
mod session_cookie;
mod sessions;
mod web;

use std::sync::{Arc, Weak};
use std::time::Duration;

use sinch_auth::Application;
use sinch_auth_store::{Store, StoreError, StoreOptions};
use zeroize::Zeroizing;

pub use admin::{AccountAdmin, AdminError, Revoked};
pub use authenticator::SessionAuthenticator;
pub use development::{DEVELOPMENT_KEY_PREFIX, DevelopmentError};
pub use handlers::{LoginResponse, SignUpResponse};
pub use password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
pub use session_cookie::{PLAIN_COOKIE_NAME, SECURE_COOKIE_NAME};

pub(crate) use database::Database;
pub(crate) use errors::store_problem;
pub(crate) use openapi::session_security;
pub(crate) use origin::{OriginPolicy, Strictness};
pub(crate) use session_cookie::{CookieSettings, SessionToken};

use crate::api_extension::{ApiExtension, RouteInfo};
use crate::caller::{ApiKeyAuthenticator, NotReady};
use crate::rate_limit::{ClientNetwork, FailureBudget, Limiter, Rate};
use crate::service::TokenService;
use audit::AuditKey;
use handlers::AccountsState;
use password::PasswordHasher;
use session_cache::SessionCache;

/// Who may create accounts with `POST /v1/accounts`.
#[derive(Debug, Clone)]
pub enum SignupPolicy {
    /// Anyone who can reach the API. `serve`'s default only while it signs
    /// with a throw-away development application.
    Open,
    /// Nobody: accounts come from elsewhere (an operator with the admin
    /// key, a migration). The default.
    Closed,
    /// Callers with an admin API key (`Authorization: Bearer <key>`), for
    /// example the operator's own back office.
    AdminKey(ApiKeyAuthenticator),
}

impl SignupPolicy {
    /// `open`, `closed` or `admin-key`.
    pub fn name(&self) -> &'static str {
        match self {
            SignupPolicy::Open => "open",
            SignupPolicy::Closed => "closed",
            SignupPolicy::AdminKey(_) => "admin-key",
        }
    }
}

/// Limits on password attempts, on top of the service's general per-IP
/// limit. Failures are what count against a username, keyed by the client
/// network they come from: an attacker's failures slow down the attacker,
/// not the account's owner signing in from elsewhere. A higher ceiling of
/// failures from all networks together bounds a distributed attack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoginLimits {
    /// Attempts (logins and sign-ups, failed or not) per client network.
    /// Default 30/min, burst 10.
    pub per_ip: Option<Rate>,
    /// Failed logins and wrong current passwords per username, from all
    /// networks together. Default 10/min, burst 20.
    pub per_username: Option<Rate>,
    /// Failed logins and wrong current passwords per username and client
    /// network. Default 1/min, burst 5.
    pub failures_per_network: Option<Rate>,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_ip: Rate::new(30, 10),
            per_username: Rate::new(10, 20),
            failures_per_network: Rate::new(1, 5),
        }
    }
}

impl LoginLimits {
    /// No login limits (tests, benchmarks).
    pub fn unlimited() -> Self {
        LoginLimits {
            per_ip: None,
            per_username: None,
            failures_per_network: None,
        }
    }

    /// With the per-IP attempt limit (`None`: off).
    pub fn with_per_ip(mut self, rate: Option<Rate>) -> Self {
        self.per_ip = rate;
        self
    }

    /// With the per-username failure ceiling (`None`: off).
    pub fn with_per_username(mut self, rate: Option<Rate>) -> Self {
        self.per_username = rate;
        self
    }

    /// With the per-username-and-network failure limit (`None`: off).
    pub fn with_failures_per_network(mut self, rate: Option<Rate>) -> Self {
        self.failures_per_network = rate;
        self
    }
}

/// Everything configurable about accounts mode.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AccountsOptions {
    /// Who may sign up. Default [`SignupPolicy::Closed`]; `serve` opens it
    /// when it signs with a throw-away development application.
    pub signup: SignupPolicy,
    /// How long a session lasts after login. Default 12 h.
    pub session_ttl: Duration,
    /// `Secure` session cookies with the `__Host-` prefix. Default true;
    /// false only for plain-HTTP development on a host other than
    /// localhost (browsers accept secure cookies from `http://localhost`
    /// and `http://127.0.0.1`).
    pub secure_cookies: bool,
    /// Password attempt limits.
    pub login_limits: LoginLimits,
    /// Origins, besides the service's own, whose pages may use the session
    /// (the CORS origins). Default none.
    pub allowed_origins: Vec<String>,
    /// The service's own origin as browsers see it (`https://host[:port]`).
    /// When set, the cross-site check compares `Origin` with it instead of
    /// with the request's `Host`, which a proxy may rewrite and a DNS
    /// rebinding attack controls. Default none.
    pub public_origin: Option<String>,
    /// Password hashes computed at once. Default: the number of CPUs.
    pub hashing_concurrency: usize,
    /// Password hashes that may wait for one of those; beyond, requests
    /// that need a hash get `503 overloaded` at once. Default 64.
    pub max_waiting_hashes: usize,
    /// How often expired sessions are deleted. Default 15 min.
    pub purge_interval: Duration,
    /// How long a session found in the database is remembered, so that a
    /// burst of credential requests costs one lookup. Default 1 s; zero
    /// checks the database on every request. Logout and password changes
    /// take effect at once on the instance that makes them; another
    /// instance on the same database may accept a revoked session for at
    /// most this long.
    pub session_cache: Duration,
}

impl Default for AccountsOptions {
    fn default() -> Self {
        AccountsOptions {
            signup: SignupPolicy::Closed,
            session_ttl: Duration::from_secs(12 * 3600),
            secure_cookies: true,
            login_limits: LoginLimits::default(),
            allowed_origins: Vec::new(),
            public_origin: None,
            hashing_concurrency: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            max_waiting_hashes: 64,
            purge_interval: Duration::from_secs(15 * 60),
            session_cache: Duration::from_secs(1),
        }
    }
}

impl AccountsOptions {
    /// With the sign-up policy.
    pub fn with_signup(mut self, signup: SignupPolicy) -> Self {
        self.signup = signup;
        self
    }

    /// With the session lifetime.
    pub fn with_session_ttl(mut self, ttl: Duration) -> Self {
        self.session_ttl = ttl;
        self
    }

    /// With or without `Secure` cookies.
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }

    /// With password attempt limits.
    pub fn with_login_limits(mut self, limits: LoginLimits) -> Self {
        self.login_limits = limits;
        self
    }

    /// With origins, besides the service's own, whose pages may use the
    /// session.
    pub fn with_allowed_origins(mut self, origins: Vec<String>) -> Self {
        self.allowed_origins = origins;
        self
    }

    /// With the service's own origin, for the cross-site check.
    pub fn with_public_origin(mut self, origin: Option<String>) -> Self {
        self.public_origin = origin;
        self
    }

    /// With the number of password hashes computed at once.
    pub fn with_hashing_concurrency(mut self, concurrency: usize) -> Self {
        self.hashing_concurrency = concurrency;
        self
    }

    /// With the number of password hashes that may wait for a turn.
    pub fn with_max_waiting_hashes(mut self, waiting: usize) -> Self {
        self.max_waiting_hashes = waiting;
        self
    }

    /// With the interval between purges of expired sessions.
    pub fn with_purge_interval(mut self, interval: Duration) -> Self {
        self.purge_interval = interval;
        self
    }

    /// With the time a session found in the database is remembered.
    pub fn with_session_cache(mut self, cache: Duration) -> Self {
        self.session_cache = cache;
        self
    }
}

pub(crate) struct Inner {
    pub(crate) database: Database,
    pub(crate) options: AccountsOptions,
    pub(crate) hasher: PasswordHasher,
    pub(crate) cookie: CookieSettings,
    pub(crate) sessions: SessionCache,
    pub(crate) origins: OriginPolicy,
    pub(crate) login_per_ip: Option<Limiter<ClientNetwork>>,
    pub(crate) failures_per_username: Option<FailureBudget<String>>,
    pub(crate) failures_per_network: Option<FailureBudget<(String, Option<ClientNetwork>)>>,
    /// Keys the hashes of usernames in failed-login audit lines.
    pub(crate) audit_key: AuditKey,
}

/// Accounts mode's state. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct Accounts {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("database", &self.inner.database.get().map(Store::location))
            .field("signup", &self.inner.options.signup.name())
            .finish_non_exhaustive()
    }
}

/// First and longest pause between two connection attempts.
const RECONNECT_PAUSES: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(30));

impl Accounts {
    fn with_database(database: Database, options: AccountsOptions) -> Self {
        let limits = options.login_limits;
        Accounts {
            inner: Arc::new(Inner {
                database,
                hasher: PasswordHasher::new(
                    options.hashing_concurrency,
                    options.max_waiting_hashes,
                ),
                cookie: CookieSettings::new(options.secure_cookies, options.session_ttl),
                sessions: SessionCache::new(options.session_cache),
                origins: OriginPolicy::new(
                    options.allowed_origins.clone(),
                    options.public_origin.clone(),
                ),
                login_per_ip: limits.per_ip.map(|rate| {
                    Limiter::new(
                        rate,
                        "login_ip",
                        "too many sign-in attempts from this address; retry later",
                    )
                }),
                failures_per_username: limits.per_username.map(|rate| {
                    FailureBudget::new(
                        rate,
                        "login_username",
                        "too many failed sign-ins for this username; retry later",
                    )
                }),
                failures_per_network: limits.failures_per_network.map(|rate| {
                    FailureBudget::new(
                        rate,
                        "login_failures",
                        "too many failed sign-ins for this username from this address; retry later",
                    )
                }),
                audit_key: AuditKey::random(),
                options,
            }),
        }
    }

    /// Accounts on an open store. Starts the task that deletes expired
    /// sessions, so it must be called within a Tokio runtime.
    pub fn new(store: Store, options: AccountsOptions) -> Self {
        let accounts = Self::with_database(Database::connected(store), options);
        tokio::spawn(maintain(Arc::downgrade(&accounts.inner), None));
        accounts
    }

    /// Opens the database at `url`, creating and migrating it as needed.
    ///
    /// If the database is unavailable, this still returns: the store keeps
    /// connecting in the background (backing off up to 30 s), requests that
    /// need it get `503 unavailable` and readiness fails until it is up.
    /// Any other error (a bad URL, a schema newer than this version, a file
    /// that cannot be created) is returned. Call within a Tokio runtime.
    pub async fn connect(
        url: &str,
        store_options: StoreOptions,
        options: AccountsOptions,
    ) -> Result<Self, StoreError> {
        match Store::connect_with(url, store_options.clone()).await {
            Ok(store) => Ok(Self::new(store, options)),
            Err(StoreError::Unavailable(why)) => {
                tracing::warn!(error = %why, "the accounts database is unavailable; connecting in the background (not ready until then)");
                let accounts = Self::with_database(Database::connecting(why), options);
                let url = Zeroizing::new(url.to_owned());
                tokio::spawn(maintain(
                    Arc::downgrade(&accounts.inner),
                    Some((url, store_options)),
                ));
                Ok(accounts)
            }
            Err(other) => Err(other),
        }
    }

    /// The store, once connected.
    pub fn store(&self) -> Option<&Store> {
        self.inner.database.get()
    }

    /// The options.
    pub fn options(&self) -> &AccountsOptions {
        &self.inner.options
    }

    /// The session cookie's name.
    pub fn cookie_name(&self) -> &'static str {
        self.inner.cookie.name()
    }

    /// The caller authenticator for the credential routes: the session
    /// cookie.
    pub fn authenticator(&self) -> SessionAuthenticator {
        SessionAuthenticator::new(self.clone())
    }

    /// Whether the database is usable, for `/readyz`.
    pub async fn readiness(&self) -> Result<(), NotReady> {
        self.inner.database.readiness().await
    }

    /// The accounts routes and the web page, for
    /// [`TokenService::router_with`]. `service` must authenticate callers
    /// with [`authenticator`](Self::authenticator).
    pub fn extension(&self, service: &TokenService) -> ApiExtension {
        let state = AccountsState {
            service: service.clone(),
            accounts: self.clone(),
        };
        ApiExtension::new()
            .with_routes(handlers::routes(), state)
            .with_routes(web::routes(), ())
            .with_openapi(openapi::fragment(self.cookie_name()))
    }

    /// The development application kept in the database (created and
    /// announced on stderr the first time). Waits for the database.
    pub(crate) async fn development_application(
        &self,
    ) -> Result<Application, development::DevelopmentError> {
        development::development_application(self.inner.database.store()?).await
    }

    /// Closes the database connections (at shutdown).
    pub async fn close(&self) {
        if let Some(store) = self.inner.database.get() {
            store.close().await;
        }
    }
}

/// Routes of accounts mode (on the API listener), for the route list and
/// `/openapi.json`.
pub fn accounts_routes() -> Vec<RouteInfo> {
    let mut routes = handlers::routes().list().to_vec();
    routes.extend_from_slice(web::routes().list());
    routes
}

/// The background work: connecting (if the database was down at start),
/// then deleting expired sessions periodically. Holds the state weakly, so
/// it ends once the service is dropped.
async fn maintain(state: Weak<Inner>, connect: Option<(Zeroizing<String>, StoreOptions)>) {
    if let Some((url, store_options)) = connect {
        let mut pause = RECONNECT_PAUSES.0;
        loop {
            tokio::time::sleep(pause).await;
            if state.strong_count() == 0 {
                return;
            }
            match Store::connect_with(&url, store_options.clone()).await {
                Ok(store) => {
                    let Some(inner) = state.upgrade() else { return };
                    tracing::info!(
                        database = store.location(),
                        "connected to the accounts database"
                    );
                    inner.database.set(store);
                    break;
                }
                Err(e) => {
                    let Some(inner) = state.upgrade() else { return };
                    tracing::warn!(error = %e, retry_in_secs = pause.as_secs(), "the accounts database is still unavailable");
                    inner.database.still_connecting(e.to_string());
                }
            }
            pause = (pause * 2).min(RECONNECT_PAUSES.1);
        }
    }
    loop {
        let interval = {
            let Some(inner) = state.upgrade() else { return };
            if let Ok(store) = inner.database.store() {
                let now = time::OffsetDateTime::now_utc();
                match store.purge_expired_sessions(now).await {
                    Ok(0) => {}
                    Ok(purged) => tracing::info!(purged, "expired sessions deleted"),
                    Err(e) => tracing::warn!(error = %e, "expired sessions could not be deleted"),
                }
            }
            inner.sessions.sweep();
            inner.options.purge_interval.max(Duration::from_secs(1))
        };
        tokio::time::sleep(interval).await;
    }
}
