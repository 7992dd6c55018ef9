//! `SIGHUP`: rotate secrets without a restart. The API keys, the sign-up
//! admin keys and a JWKS file are read again, from the same file and
//! variables as at start-up, and checked whole before anything changes: a
//! bad new configuration is refused with a log line and the running one
//! keeps serving. Other settings need a restart.

use std::sync::Arc;

use crate::accounts::SignupPolicy;
use crate::caller::{ApiKeyAuthenticator, JwksError, JwksSource, JwtAuthenticator};
use crate::config::{ConfigError, Settings};

/// The live parts a reload may replace.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reload {
    api_keys: Option<ApiKeyAuthenticator>,
    admin_keys: Option<ApiKeyAuthenticator>,
    jwt: Option<Arc<JwtAuthenticator>>,
}

/// Why a reload was refused (nothing was changed).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReloadError {
    /// The new configuration does not validate.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The JWKS file does not load.
    #[error("jwt.jwks_file: {0}")]
    Jwks(#[from] JwksError),
    /// A setting that only a restart can change was changed.
    #[error("{0} changed: restart to apply it (nothing was reloaded)")]
    NeedsRestart(&'static str),
}

/// What a reload changed, for the log line.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Reloaded {
    pub(crate) api_keys: Option<usize>,
    pub(crate) admin_keys: Option<usize>,
    pub(crate) jwks: bool,
}

impl Reload {
    pub(crate) fn api_keys(keys: ApiKeyAuthenticator) -> Self {
        Reload {
            api_keys: Some(keys),
            ..Reload::default()
        }
    }

    pub(crate) fn admin_keys(keys: ApiKeyAuthenticator) -> Self {
        Reload {
            admin_keys: Some(keys),
            ..Reload::default()
        }
    }

    pub(crate) fn jwt(jwt: Arc<JwtAuthenticator>) -> Self {
        Reload {
            jwt: Some(jwt),
            ..Reload::default()
        }
    }

    /// Checks `fresh` (the configuration read again), then, only if all of
    /// it is usable, puts its keys in place.
    pub(crate) async fn apply(&self, fresh: &Settings) -> Result<Reloaded, ReloadError> {
        let api_keys = match &self.api_keys {
            Some(_) if fresh.api_keys.is_empty() => {
                return Err(ReloadError::NeedsRestart("caller_auth"));
            }
            Some(_) => Some(fresh.api_keys.clone()),
            None => None,
        };
        let signup = fresh.accounts.as_ref().map(|a| &a.options.signup);
        let admin_keys = match (&self.admin_keys, signup) {
            (Some(_), Some(SignupPolicy::AdminKey(keys))) => Some(keys.keys()),
            (Some(_), _) => return Err(ReloadError::NeedsRestart("accounts.signup")),
            (None, _) => None,
        };
        let jwks = match &self.jwt {
            Some(jwt) if matches!(jwt.jwks_source(), JwksSource::File(_)) => {
                let configured = fresh.jwt.as_ref().map(|j| &j.jwks);
                if configured != Some(jwt.jwks_source()) {
                    return Err(ReloadError::NeedsRestart("jwt.jwks_file"));
                }
                Some((jwt, jwt.read_keys().await?))
            }
            _ => None,
        };

        let mut reloaded = Reloaded::default();
        if let (Some(live), Some(keys)) = (&self.api_keys, api_keys) {
            reloaded.api_keys = Some(keys.len());
            live.replace_keys(keys)
                .map_err(|e| ConfigError::new("api_key.keys", e))?;
        }
        if let (Some(live), Some(keys)) = (&self.admin_keys, admin_keys) {
            reloaded.admin_keys = Some(keys.len());
            live.replace_keys(keys)
                .map_err(|e| ConfigError::new("accounts.admin_keys", e))?;
        }
        if let Some((jwt, keys)) = jwks {
            jwt.install_keys(keys);
            reloaded.jwks = true;
        }
        Ok(reloaded)
    }
}
