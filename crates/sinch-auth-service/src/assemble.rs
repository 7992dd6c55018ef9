//! From [`Settings`] to a running [`TokenService`] (above the routers and
//! the accounts, so the configuration below knows none of them): the caller
//! authenticator for the chosen mode, with its start-up I/O (the JWKS in
//! jwt mode, the database in accounts mode).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use sinch_auth_store::{Store, StoreError, StoreOptions};

use crate::accounts::DevelopmentError;
use crate::accounts::{Accounts, SignupPolicy};
use crate::caller::jwt::JwksSource;
use crate::caller::{ApiKeyAuthenticator, Authenticator, JwtAuthenticator};
use crate::config::{CallerAuthMode, ConfigError, Settings, named};
use crate::reload::Reload;
use crate::server::ServeError;
use crate::service::{Applications, DEFAULT_APPLICATION, TokenService};

/// How long a database operation waits for a connection or a lock before
/// the request gets `503`: well inside the request timeout.
const DATABASE_WAIT: Duration = Duration::from_secs(3);
/// How long start-up waits for the database when the development
/// credentials are kept there (nothing can be signed without them).
const DEVELOPMENT_CONNECT_PATIENCE: Duration = Duration::from_secs(30);

/// What `serve` runs.
#[derive(Debug)]
pub struct Built {
    /// The service (the admin router comes from it).
    pub service: TokenService,
    /// The public API: [`TokenService::router`], plus the accounts routes
    /// and page in accounts mode.
    pub api_router: Router,
    /// The accounts, in accounts mode (to close the database at shutdown).
    pub accounts: Option<Accounts>,
    /// What a SIGHUP may replace.
    pub(crate) reload: Reload,
}

impl Settings {
    /// Builds the service and its API router. In jwt mode the JWKS is
    /// loaded now: a file must load; a URL that does not answer yet only
    /// leaves `/readyz` at 503 until it does. In accounts mode the database
    /// is opened (created and migrated); if it is unavailable the service
    /// starts anyway, not ready, and keeps connecting in the background,
    /// except in development without Sinch credentials, where start-up
    /// waits up to 30 s for it (the generated credentials are kept there).
    pub async fn build(&self) -> Result<Built, ServeError> {
        if self.caller_auth == CallerAuthMode::Accounts {
            return self.build_accounts().await;
        }
        let (authenticator, reload) = self.build_authenticator().await?;
        let applications = self.applications.clone().ok_or_else(|| {
            ConfigError::setting("caller_auth", "no Sinch application is configured")
        })?;
        let service = TokenService::with_shared_authenticator(
            applications,
            authenticator,
            self.options.clone(),
        );
        Ok(Built {
            api_router: service.router(),
            service,
            accounts: None,
            reload,
        })
    }

    /// [`build`](Self::build), keeping only the service.
    pub async fn build_service(&self) -> Result<TokenService, ServeError> {
        Ok(self.build().await?.service)
    }

    async fn build_authenticator(&self) -> Result<(Arc<dyn Authenticator>, Reload), ConfigError> {
        match self.caller_auth {
            CallerAuthMode::ApiKey => {
                let auth = ApiKeyAuthenticator::new(self.api_keys.clone())
                    .map_err(|e| ConfigError::setting("api_key.keys", e.to_string()))?;
                Ok((Arc::new(auth.clone()), Reload::api_keys(auth)))
            }
            CallerAuthMode::Jwt => {
                let settings = self
                    .jwt
                    .clone()
                    .ok_or_else(|| ConfigError::setting("jwt.issuer", "jwt settings missing"))?;
                let from_file = matches!(settings.jwks, JwksSource::File(_));
                let auth = JwtAuthenticator::new(settings)
                    .map_err(|e| ConfigError::setting("jwt", e.to_string()))?;
                if let Err(reason) = auth.load_keys().await {
                    if from_file {
                        return Err(ConfigError::setting("jwt.jwks_file", reason.to_string()));
                    }
                    tracing::warn!(%reason, "JWKS not loaded at start-up; /readyz stays 503 until it is");
                }
                let auth = Arc::new(auth);
                Ok((auth.clone(), Reload::jwt(auth)))
            }
            CallerAuthMode::Accounts => Err(ConfigError::setting(
                "caller_auth",
                "accounts mode is built by Settings::build",
            )),
        }
    }

    async fn build_accounts(&self) -> Result<Built, ServeError> {
        let settings = self
            .accounts
            .as_ref()
            .ok_or_else(|| ConfigError::setting("caller_auth", "accounts settings missing"))?;
        let url = settings.database_url.expose();
        // A database that does not answer is the environment's fault (exit
        // 1 from the CLI); a URL or schema it cannot use is configuration.
        let database_error = |e: StoreError| match e {
            StoreError::Unavailable(_) => ServeError::Database(e),
            other => ServeError::Config(ConfigError::setting("database_url", other)),
        };
        let store_options = StoreOptions::default()
            .with_acquire_timeout(DATABASE_WAIT)
            .with_busy_timeout(DATABASE_WAIT);
        let options = settings.options.clone();
        let (accounts, applications) = match &self.applications {
            Some(applications) => {
                let accounts = Accounts::connect(url, store_options, options)
                    .await
                    .map_err(database_error)?;
                (accounts, applications.clone())
            }
            None => {
                let store = connect_patiently(url, store_options)
                    .await
                    .map_err(database_error)?;
                let accounts = Accounts::new(store, options);
                let app = accounts
                    .development_application()
                    .await
                    .map_err(|e| match e {
                        DevelopmentError::Store(e) => database_error(e),
                        other => ServeError::Config(ConfigError::setting("database_url", other)),
                    })?;
                let applications = Applications::single(app)
                    .with_environment_host(DEFAULT_APPLICATION, &self.environment_host);
                (accounts, applications)
            }
        };
        let service =
            TokenService::new(applications, accounts.authenticator(), self.options.clone());
        let signup = accounts.options().signup.name();
        tracing::info!(
            environment = self.environment.as_str(),
            database = %settings.database_url.redacted(),
            signup,
            secure_cookies = accounts.options().secure_cookies,
            "accounts mode"
        );
        // Open sign-up with the operator's real Sinch application lets
        // anyone mint credentials for it: only ever by explicit choice.
        if self.applications.is_some() && matches!(accounts.options().signup, SignupPolicy::Open) {
            tracing::warn!(
                setting = %named("accounts.signup"),
                "sign-up is open with real Sinch credentials: anyone who reaches the API can create an account and get credentials for your Sinch application"
            );
        }
        if !accounts.options().secure_cookies {
            tracing::warn!(
                "session cookies are not Secure (accounts.secure_cookies = false): for plain-HTTP development only"
            );
        }
        let reload = match &accounts.options().signup {
            SignupPolicy::AdminKey(keys) => Reload::admin_keys(keys.clone()),
            _ => Reload::default(),
        };
        Ok(Built {
            api_router: accounts.router(&service),
            service,
            accounts: Some(accounts),
            reload,
        })
    }
}

/// Connects, retrying while the database is unavailable, for up to
/// [`DEVELOPMENT_CONNECT_PATIENCE`].
async fn connect_patiently(url: &str, options: StoreOptions) -> Result<Store, StoreError> {
    let started = Instant::now();
    loop {
        match Store::connect_with(url, options.clone()).await {
            Err(StoreError::Unavailable(why))
                if started.elapsed() < DEVELOPMENT_CONNECT_PATIENCE =>
            {
                tracing::warn!(error = %why, "waiting for the accounts database (it keeps the development credentials)");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            other => return other,
        }
    }
}
