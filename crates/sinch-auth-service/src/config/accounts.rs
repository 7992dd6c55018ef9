//! Accounts-mode settings, and the rules that tell development from
//! production: development generates throw-away Sinch credentials when
//! none are configured, and only then opens sign-up by default; production
//! requires real credentials and secure cookies. With real credentials,
//! sign-up is closed unless it is configured otherwise.

use std::time::Duration;

use serde::Deserialize;
use sinch_auth_store::DatabaseUrl;
use zeroize::Zeroizing;

use super::env::{DATABASE_URL_FILE_VAR, SIGNUP_ADMIN_KEYS_FILE_VAR, SIGNUP_ADMIN_KEYS_VAR};
use super::file::RawConfig;
use super::values::{Lookup, enum_value, err, key_digests, number, rate, secs, unreadable_file};
use super::{ConfigError, Overrides};
use crate::accounts::{AccountsOptions, SignupPolicy};
use crate::caller::ApiKeyAuthenticator;

/// `SINCH_AUTH_ENV`: which defaults and rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Environment {
    /// The default: throw-away Sinch credentials (and open sign-up) when
    /// none are configured.
    #[default]
    Development,
    /// Real Sinch credentials and secure cookies required; sign-up closed
    /// unless configured.
    Production,
}

impl Environment {
    /// `development` or `production`.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Production => "production",
        }
    }
}

/// The validated accounts-mode settings.
#[derive(Debug, Clone)]
pub struct AccountsSettings {
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: DatabaseUrl,
    /// Sign-up, sessions, cookies, login limits.
    pub options: AccountsOptions,
}

pub(super) fn environment(raw: &RawConfig) -> Result<Environment, ConfigError> {
    enum_value(
        "environment",
        raw.environment.as_deref(),
        Environment::Development,
    )
}

pub(super) fn database_url(
    raw: &RawConfig,
    lookup: Lookup<'_>,
    overrides: &Overrides,
) -> Result<DatabaseUrl, ConfigError> {
    let from_file_var = lookup(DATABASE_URL_FILE_VAR).filter(|v| !v.trim().is_empty());
    let url = Zeroizing::new(
        match (&overrides.database_url, &raw.database_url, from_file_var) {
            (Some(url), _, _) => url.clone(),
            (None, Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    format!("database_url / {DATABASE_URL_FILE_VAR}"),
                    "set only one of them",
                ));
            }
            (None, Some(url), None) => url.clone(),
            (None, None, Some(path)) => {
                let text =
                    Zeroizing::new(std::fs::read_to_string(path.trim()).map_err(|e| {
                        unreadable_file(DATABASE_URL_FILE_VAR, path.trim(), e.kind())
                    })?);
                text.trim().to_owned()
            }
            (None, None, None) => sinch_auth_store::default_database_url(),
        },
    );
    // The store's errors never echo the URL: it may hold a password.
    DatabaseUrl::parse(&url).map_err(|e| err("database_url", e.to_string()))
}

/// The sign-up policy: as configured, else open only while the throw-away
/// development application signs (nobody's real Sinch app is at stake),
/// else the default (closed).
fn signup_policy(
    raw: &RawConfig,
    lookup: Lookup<'_>,
    generated_application: bool,
) -> Result<SignupPolicy, ConfigError> {
    let Some(configured) = raw.accounts.signup.as_deref() else {
        return Ok(if generated_application {
            SignupPolicy::Open
        } else {
            AccountsOptions::default().signup
        });
    };
    match configured {
        "open" => Ok(SignupPolicy::Open),
        "closed" => Ok(SignupPolicy::Closed),
        "admin-key" => {
            let keys = key_digests(
                "accounts.signup = admin-key",
                "accounts.admin_keys",
                &raw.accounts.admin_keys,
                SIGNUP_ADMIN_KEYS_VAR,
                SIGNUP_ADMIN_KEYS_FILE_VAR,
                lookup,
            )?;
            let keys = ApiKeyAuthenticator::new(keys).map_err(|m| err("accounts.admin_keys", m))?;
            Ok(SignupPolicy::AdminKey(keys))
        }
        other => Err(err(
            "accounts.signup",
            format!("{other:?} is not open, closed or admin-key"),
        )),
    }
}

pub(super) fn accounts_settings(
    raw: &RawConfig,
    lookup: Lookup<'_>,
    overrides: &Overrides,
    environment: Environment,
    generated_application: bool,
    cors_origins: &[String],
    public_origin: Option<String>,
) -> Result<AccountsSettings, ConfigError> {
    let database_url = database_url(raw, lookup, overrides)?;
    let signup = signup_policy(raw, lookup, generated_application)?;
    let defaults = AccountsOptions::default();
    let session_ttl = secs(
        "accounts.session_ttl_secs",
        raw.accounts.session_ttl_secs,
        defaults.session_ttl,
        60..=30 * 86_400,
    )?;
    let session_cache = match raw.accounts.session_cache_ms {
        None => defaults.session_cache,
        Some(ms) if ms <= 60_000 => Duration::from_millis(ms),
        Some(ms) => {
            return Err(err(
                "accounts.session_cache_ms",
                format!("{ms} is outside 0..=60000 milliseconds"),
            ));
        }
    };
    let secure_cookies = raw
        .accounts
        .secure_cookies
        .unwrap_or(defaults.secure_cookies);
    if environment == Environment::Production && !secure_cookies {
        return Err(err(
            "accounts.secure_cookies",
            "production requires secure cookies: serve over HTTPS (directly or behind a proxy) and leave this true",
        ));
    }
    let raw_limits = &raw.rate_limit;
    let limits = defaults.login_limits;
    let login_limits = limits
        .with_per_ip(rate(
            "rate_limit.login_per_ip_per_minute",
            raw_limits.login_per_ip_per_minute,
            "rate_limit.login_per_ip_burst",
            raw_limits.login_per_ip_burst,
            limits.per_ip,
        )?)
        .with_per_username(rate(
            "rate_limit.login_per_username_per_minute",
            raw_limits.login_per_username_per_minute,
            "rate_limit.login_per_username_burst",
            raw_limits.login_per_username_burst,
            limits.per_username,
        )?)
        .with_failures_per_network(rate(
            "rate_limit.login_failures_per_minute",
            raw_limits.login_failures_per_minute,
            "rate_limit.login_failures_burst",
            raw_limits.login_failures_burst,
            limits.failures_per_network,
        )?);
    let max_waiting_hashes = number(
        "accounts.max_waiting_hashes",
        raw.accounts.max_waiting_hashes,
        defaults.max_waiting_hashes as u64,
        0..=100_000,
    )? as usize;
    // Expired sessions are purged at least as often as they expire.
    let purge_interval = defaults
        .purge_interval
        .min(session_ttl)
        .max(Duration::from_secs(60));
    Ok(AccountsSettings {
        database_url,
        options: defaults
            .with_signup(signup)
            .with_session_ttl(session_ttl)
            .with_secure_cookies(secure_cookies)
            .with_login_limits(login_limits)
            .with_allowed_origins(cors_origins.to_vec())
            .with_public_origin(public_origin)
            .with_purge_interval(purge_interval)
            .with_session_cache(session_cache)
            .with_max_waiting_hashes(max_waiting_hashes),
    })
}
