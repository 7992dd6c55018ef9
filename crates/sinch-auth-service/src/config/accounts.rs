//! Accounts-mode settings, and the rules that tell development from
//! production: development opens sign-up and generates throw-away Sinch
//! credentials when none are configured; production requires real
//! credentials and secure cookies, and keeps sign-up closed unless it is
//! configured otherwise.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use zeroize::Zeroizing;

use super::env::{DATABASE_URL_FILE_VAR, SIGNUP_ADMIN_KEYS_FILE_VAR, SIGNUP_ADMIN_KEYS_VAR};
use super::file::RawConfig;
use super::validate::{Lookup, enum_value, err, key_digests, rate, secs};
use super::{ConfigError, Overrides};
use crate::accounts::{AccountsOptions, LoginLimits, SignupPolicy};
use crate::caller::ApiKeyAuthenticator;

/// `SINCH_AUTH_ENV`: which defaults and rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Environment {
    /// The default: open sign-up, throw-away Sinch credentials when none
    /// are configured.
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

/// A database URL. `Debug` hides a PostgreSQL password; the URL itself is
/// wiped from memory on drop.
#[derive(Clone)]
pub struct DatabaseUrl(Zeroizing<String>);

impl DatabaseUrl {
    /// The URL, to connect with.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL without any password, for logs.
    pub fn redacted(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(mut parsed) if parsed.password().is_some() => {
                let _ = parsed.set_password(Some("***"));
                parsed.to_string()
            }
            Ok(_) => self.0.to_string(),
            Err(_) => "(unparsable URL)".to_owned(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// The validated accounts-mode settings.
#[derive(Debug, Clone)]
pub struct AccountsSettings {
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: DatabaseUrl,
    /// Sign-up, sessions, cookies, login limits.
    pub options: AccountsOptions,
    /// Whether sign-up was set explicitly (production warns when it is
    /// open).
    pub signup_explicit: bool,
}

pub(super) fn environment(raw: &RawConfig) -> Result<Environment, ConfigError> {
    enum_value(
        "environment",
        raw.environment.as_deref(),
        Environment::Development,
    )
}

fn database_url(
    raw: &RawConfig,
    lookup: Lookup<'_>,
    overrides: &Overrides,
) -> Result<DatabaseUrl, ConfigError> {
    let from_file_var = lookup(DATABASE_URL_FILE_VAR).filter(|v| !v.trim().is_empty());
    let url = match (&overrides.database_url, &raw.database_url, from_file_var) {
        (Some(url), _, _) => url.clone(),
        (None, Some(_), Some(_)) => {
            return Err(ConfigError::new(
                format!("database_url / {DATABASE_URL_FILE_VAR}"),
                "set only one of them",
            ));
        }
        (None, Some(url), None) => url.clone(),
        (None, None, Some(path)) => {
            let text = Zeroizing::new(std::fs::read_to_string(path.trim()).map_err(|e| {
                ConfigError::new(
                    DATABASE_URL_FILE_VAR,
                    format!("cannot read {}: {}", path.trim(), e.kind()),
                )
            })?);
            text.trim().to_owned()
        }
        (None, None, None) => sinch_auth_store::default_database_url(),
    };
    let url = DatabaseUrl(Zeroizing::new(url.trim().to_owned()));
    let known = ["sqlite:", "postgres://", "postgresql://"];
    if !known.iter().any(|p| url.expose().starts_with(p)) {
        // Not echoed: a mistyped URL may still hold a password.
        return Err(err(
            "database_url",
            "must be sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE",
        ));
    }
    Ok(url)
}

fn signup_policy(
    raw: &RawConfig,
    lookup: Lookup<'_>,
    environment: Environment,
) -> Result<SignupPolicy, ConfigError> {
    let default = match environment {
        Environment::Development => "open",
        Environment::Production => "closed",
    };
    match raw.accounts.signup.as_deref().unwrap_or(default) {
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
    cors_origins: &[String],
) -> Result<AccountsSettings, ConfigError> {
    let database_url = database_url(raw, lookup, overrides)?;
    let signup = signup_policy(raw, lookup, environment)?;
    let session_ttl = secs(
        "accounts.session_ttl_secs",
        raw.accounts.session_ttl_secs,
        12 * 3600,
        60..=30 * 86_400,
    )?;
    let session_cache_ms = raw.accounts.session_cache_ms.unwrap_or(1000);
    if session_cache_ms > 60_000 {
        return Err(err(
            "accounts.session_cache_ms",
            format!("{session_cache_ms} is outside 0..=60000 milliseconds"),
        ));
    }
    let secure_cookies = raw.accounts.secure_cookies.unwrap_or(true);
    if environment == Environment::Production && !secure_cookies {
        return Err(err(
            "accounts.secure_cookies",
            "production requires secure cookies: serve over HTTPS (directly or behind a proxy) and leave this true",
        ));
    }
    let limits = &raw.rate_limit;
    let login_limits = LoginLimits {
        per_ip: rate(
            "rate_limit.login_per_ip_per_minute",
            limits.login_per_ip_per_minute,
            30,
            "rate_limit.login_per_ip_burst",
            limits.login_per_ip_burst,
            10,
        )?,
        per_username: rate(
            "rate_limit.login_per_username_per_minute",
            limits.login_per_username_per_minute,
            10,
            "rate_limit.login_per_username_burst",
            limits.login_per_username_burst,
            5,
        )?,
    };
    let defaults = AccountsOptions::default();
    Ok(AccountsSettings {
        database_url,
        options: AccountsOptions {
            signup,
            session_ttl,
            secure_cookies,
            login_limits,
            allowed_origins: cors_origins.to_vec(),
            hashing_concurrency: defaults.hashing_concurrency,
            purge_interval: defaults
                .purge_interval
                .min(session_ttl)
                .max(Duration::from_secs(60)),
            session_cache: Duration::from_millis(session_cache_ms),
        },
        signup_explicit: raw.accounts.signup.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_hide_passwords() {
        let url = DatabaseUrl(Zeroizing::new(
            "postgres://app:hunter2hunter2@db:5432/accounts".to_owned(),
        ));
        let shown = format!("{url:?} {}", url.redacted());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db:5432/accounts"), "{shown}");
        let sqlite = DatabaseUrl(Zeroizing::new("sqlite:///var/lib/a.db".to_owned()));
        assert_eq!(sqlite.redacted(), "sqlite:///var/lib/a.db");
    }
}
