//! Configuration: a TOML file, `SINCH_AUTH_*` variables over it, command
//! line flags over both; validated at start-up into [`Settings`], with
//! errors that name the setting and its variable.

mod accounts;
mod assemble;
mod env;
mod file;
mod validate;

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

pub use accounts::{AccountsSettings, DatabaseUrl, Environment};
pub use assemble::Built;
pub use env::{
    API_KEYS_FILE_VAR, API_KEYS_VAR, CONFIG_VAR, DATABASE_URL_FILE_VAR, ENV_SETTINGS, EnvSetting,
    SIGNUP_ADMIN_KEYS_FILE_VAR, SIGNUP_ADMIN_KEYS_VAR,
};

use crate::caller::{ApiKeyDigest, JwtSettings};
use crate::service::{Applications, ServiceOptions};

/// How callers authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum CallerAuthMode {
    /// Server-to-server: `Authorization: Bearer <API key>`, user named in the body.
    ApiKey,
    /// The app's identity provider: `Authorization: Bearer <JWT>` checked against a JWKS.
    Jwt,
    /// Built-in accounts and sessions.
    Accounts,
}

impl CallerAuthMode {
    /// The name used in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            CallerAuthMode::ApiKey => "api-key",
            CallerAuthMode::Jwt => "jwt",
            CallerAuthMode::Accounts => "accounts",
        }
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// A setting that is missing or wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    setting: String,
    message: String,
}

impl ConfigError {
    /// An error about `setting` (a file key, a variable, or both).
    pub fn new(setting: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError {
            setting: setting.into(),
            message: message.into(),
        }
    }

    /// An error about the file key `setting`, also naming its variable.
    pub(crate) fn setting(setting: &str, message: impl Into<String>) -> Self {
        let name = match env::var_for(setting) {
            Some(var) => format!("{setting} ({var})"),
            None => setting.to_owned(),
        };
        ConfigError::new(name, message)
    }

    /// The setting's name.
    pub fn setting_name(&self) -> &str {
        &self.setting
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid setting {}: {}", self.setting, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Values from the command line, which win over the file and variables.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--admin-listen`.
    pub admin_listen: Option<SocketAddr>,
    /// `--caller-auth`.
    pub caller_auth: Option<CallerAuthMode>,
    /// `--log-format`.
    pub log_format: Option<LogFormat>,
    /// `--database-url`.
    pub database_url: Option<String>,
}

/// The validated configuration of `serve`. `Debug` shows no secret (the
/// applications and keys redact themselves).
#[derive(Debug, Clone)]
pub struct Settings {
    /// API listener. Default 127.0.0.1:8080.
    pub listen: SocketAddr,
    /// Admin listener. Default 127.0.0.1:9090.
    pub admin_listen: SocketAddr,
    /// Caller authentication mode. Default `accounts`.
    pub caller_auth: CallerAuthMode,
    /// `development` (the default) or `production`.
    pub environment: Environment,
    /// Log format. Default text.
    pub log_format: LogFormat,
    /// Log filter (`info`, `warn,sinch_auth=debug`…). Default `info`.
    pub log_level: String,
    /// How long in-flight requests may run after a shutdown signal. Default 25 s.
    pub shutdown_grace: Duration,
    /// The API options.
    pub options: ServiceOptions,
    /// The Sinch applications, secrets decoded. `None` in development
    /// accounts mode without configured credentials: a throw-away
    /// application is then generated and kept in the database at start-up.
    pub applications: Option<Applications>,
    /// API key digests (api-key mode).
    pub api_keys: Vec<ApiKeyDigest>,
    /// JWT settings (jwt mode).
    pub jwt: Option<JwtSettings>,
    /// Database, sign-up, sessions (accounts mode).
    pub accounts: Option<AccountsSettings>,
}

impl Settings {
    /// Reads the optional file, applies variables from `lookup` and then
    /// `overrides`, and validates everything, secrets included.
    pub fn load(
        file: Option<&Path>,
        lookup: &dyn Fn(&str) -> Option<String>,
        overrides: &Overrides,
    ) -> Result<Settings, ConfigError> {
        let mut raw = match file {
            None => file::RawConfig::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    ConfigError::new(
                        format!("--config ({CONFIG_VAR})"),
                        format!("cannot read {}: {}", path.display(), e.kind()),
                    )
                })?;
                Self::parse_file(&text).map_err(|e| {
                    ConfigError::new(path.display().to_string(), e.message().to_owned())
                })?
            }
        };
        env::apply_env(&mut raw, lookup)?;
        validate::validate(raw, lookup, overrides)
    }

    fn parse_file(text: &str) -> Result<file::RawConfig, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::new("config file", e.to_string()))
    }

    /// Reads everything from the process environment.
    pub fn from_env(file: Option<&Path>, overrides: &Overrides) -> Result<Settings, ConfigError> {
        Self::load(file, &|name| std::env::var(name).ok(), overrides)
    }
}
