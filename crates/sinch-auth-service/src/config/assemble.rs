//! From [`Settings`] to a running [`TokenService`]: the caller
//! authenticator for the chosen mode, with its start-up I/O.

use std::sync::Arc;

use super::{CallerAuthMode, ConfigError, Settings};
use crate::caller::jwt::JwksSource;
use crate::caller::{ApiKeyAuthenticator, Authenticator, JwtAuthenticator};
use crate::service::TokenService;

impl Settings {
    /// Builds the service. In jwt mode the JWKS is loaded now: a file must
    /// load; a URL that does not answer yet only leaves `/readyz` at 503
    /// until it does.
    pub async fn build_service(&self) -> Result<TokenService, ConfigError> {
        let authenticator = self.build_authenticator().await?;
        Ok(TokenService::with_shared_authenticator(
            self.applications.clone(),
            authenticator,
            self.options.clone(),
        ))
    }

    async fn build_authenticator(&self) -> Result<Arc<dyn Authenticator>, ConfigError> {
        match self.caller_auth {
            CallerAuthMode::ApiKey => {
                let auth = ApiKeyAuthenticator::new(self.api_keys.clone())
                    .map_err(|m| ConfigError::setting("api_key.keys", m))?;
                Ok(Arc::new(auth))
            }
            CallerAuthMode::Jwt => {
                let settings = self
                    .jwt
                    .clone()
                    .ok_or_else(|| ConfigError::setting("jwt.issuer", "jwt settings missing"))?;
                let from_file = matches!(settings.jwks, JwksSource::File(_));
                let auth =
                    JwtAuthenticator::new(settings).map_err(|m| ConfigError::setting("jwt", m))?;
                if let Err(reason) = auth.load_keys().await {
                    if from_file {
                        return Err(ConfigError::setting("jwt.jwks_file", reason));
                    }
                    tracing::warn!(%reason, "JWKS not loaded at start-up; /readyz stays 503 until it is");
                }
                Ok(Arc::new(auth))
            }
            CallerAuthMode::Accounts => Err(ConfigError::setting(
                "caller_auth",
                "accounts mode not built yet; use --caller-auth api-key or jwt",
            )),
        }
    }
}
