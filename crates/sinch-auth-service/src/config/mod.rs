//! Configuration: a TOML file, `SINCH_AUTH_*` variables over it, command
//! line flags over both; validated at start-up into [`Settings`], with
//! errors that name the setting and its variable.

mod accounts;
mod effective;
mod env;
mod file;
mod validate;
mod values;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

pub use crate::telemetry::LogFormat;
pub use accounts::{AccountsSettings, Environment};
pub use effective::Source;
pub use env::{
    API_KEYS_FILE_VAR, API_KEYS_VAR, CONFIG_VAR, DATABASE_URL_FILE_VAR, ENV_SETTINGS, EnvSetting,
    SIGNUP_ADMIN_KEYS_FILE_VAR, SIGNUP_ADMIN_KEYS_VAR,
};
pub use sinch_auth_store::DatabaseUrl;

use crate::caller::{ApiKeyDigest, JwtSettings};
use crate::service::{Applications, ServiceOptions};

/// Address of the API listener when none is configured.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);
/// Address of the admin listener when none is configured.
pub const DEFAULT_ADMIN_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 9090);
/// Log filter when none is configured.
pub const DEFAULT_LOG_LEVEL: &str = "info";
/// How long in-flight requests may run after a shutdown signal, when not
/// configured.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(25);

/// How callers authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum CallerAuthMode {
    /// Server-to-server: `Authorization: Bearer <API key>`, user named in the body.
    ApiKey,
    /// The app's identity provider: `Authorization: Bearer <JWT>` checked against a JWKS.
    Jwt,
    /// Built-in accounts and sessions (the default).
    #[default]
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

/// A setting that is missing or wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid setting {setting}: {message}")]
pub struct ConfigError {
    setting: String,
    message: String,
}

impl ConfigError {
    /// An error about `setting` (a file key, a variable, or both).
    pub fn new(setting: impl Into<String>, message: impl std::fmt::Display) -> Self {
        ConfigError {
            setting: setting.into(),
            message: message.to_string(),
        }
    }

    /// An error about the file key `setting`, also naming its variable.
    pub(crate) fn setting(setting: &str, message: impl std::fmt::Display) -> Self {
        ConfigError::new(named(setting), message)
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

/// The file key `setting` with its variable, as errors and warnings name
/// it: `accounts.signup (SINCH_AUTH_SIGNUP)`.
pub(crate) fn named(setting: &str) -> String {
    match env::var_for(setting) {
        Some(var) => format!("{setting} ({var})"),
        None => setting.to_owned(),
    }
}

/// Values from the command line, which win over the file and variables.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
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

impl Overrides {
    /// With `--listen`.
    pub fn with_listen(mut self, addr: SocketAddr) -> Self {
        self.listen = Some(addr);
        self
    }

    /// With `--admin-listen`.
    pub fn with_admin_listen(mut self, addr: SocketAddr) -> Self {
        self.admin_listen = Some(addr);
        self
    }

    /// With `--caller-auth`.
    pub fn with_caller_auth(mut self, mode: CallerAuthMode) -> Self {
        self.caller_auth = Some(mode);
        self
    }

    /// With `--log-format`.
    pub fn with_log_format(mut self, format: LogFormat) -> Self {
        self.log_format = Some(format);
        self
    }

    /// With `--database-url`.
    pub fn with_database_url(mut self, url: impl Into<String>) -> Self {
        self.database_url = Some(url.into());
        self
    }
}

/// The validated configuration of `serve`. `Debug` shows no secret (the
/// applications and keys redact themselves).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// API listener. Default [`DEFAULT_LISTEN`].
    pub listen: SocketAddr,
    /// Admin listener. Default [`DEFAULT_ADMIN_LISTEN`].
    pub admin_listen: SocketAddr,
    /// Caller authentication mode. Default `accounts`.
    pub caller_auth: CallerAuthMode,
    /// `development` (the default) or `production`.
    pub environment: Environment,
    /// Log format. Default text.
    pub log_format: LogFormat,
    /// Log filter (`info`, `warn,sinch_auth=debug`…). Default
    /// [`DEFAULT_LOG_LEVEL`].
    pub log_level: String,
    /// How long in-flight requests may run after a shutdown signal. Default
    /// [`DEFAULT_SHUTDOWN_GRACE`].
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
    /// The environment host of applications that set none (and of the
    /// generated development application). Default
    /// [`DEFAULT_ENVIRONMENT_HOST`](crate::DEFAULT_ENVIRONMENT_HOST).
    pub environment_host: String,
    /// Where each table setting came from, for `--print-config`.
    sources: Vec<(&'static str, Source)>,
}

/// What `sinch-auth accounts` needs of `serve`'s configuration: the
/// database, found exactly as `serve` finds it, and the log settings (the
/// audit lines go to the log).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AdminSettings {
    /// `--database-url`, `SINCH_AUTH_DATABASE_URL`, its `_FILE` variable,
    /// the file's `database_url`, or the default SQLite file.
    pub database_url: DatabaseUrl,
    /// Log format. Default text.
    pub log_format: LogFormat,
    /// Log filter. Default [`DEFAULT_LOG_LEVEL`].
    pub log_level: String,
}

impl AdminSettings {
    /// Reads the optional file and the variables from `lookup`; only the
    /// database and logging settings are validated.
    pub fn load(
        file: Option<&Path>,
        lookup: &dyn Fn(&str) -> Option<String>,
        overrides: &Overrides,
    ) -> Result<AdminSettings, ConfigError> {
        let mut raw = Settings::raw_file(file)?;
        env::apply_env(&mut raw, lookup)?;
        let log_format = match overrides.log_format {
            Some(format) => format,
            None => values::enum_value("log_format", raw.log_format.as_deref(), LogFormat::Text)?,
        };
        let log_level = raw
            .log_level
            .clone()
            .unwrap_or_else(|| DEFAULT_LOG_LEVEL.to_owned());
        crate::telemetry::parse_filter(&log_level)
            .map_err(|e| ConfigError::setting("log_level", e.to_string()))?;
        Ok(AdminSettings {
            database_url: accounts::database_url(&raw, lookup, overrides)?,
            log_format,
            log_level,
        })
    }

    /// Reads everything from the process environment.
    pub fn from_env(file: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        Self::load(file, &|name| std::env::var(name).ok(), overrides)
    }
}

/// The admin listener's address, found exactly as `serve` finds it: `flag`
/// (`--admin-listen`), `SINCH_AUTH_ADMIN_LISTEN` from `lookup`, the file's
/// `admin_listen`, [`DEFAULT_ADMIN_LISTEN`]. For `sinch-auth healthcheck`,
/// which must knock where the service listens; nothing else is validated.
pub fn admin_listen(
    file: Option<&Path>,
    lookup: &dyn Fn(&str) -> Option<String>,
    flag: Option<SocketAddr>,
) -> Result<SocketAddr, ConfigError> {
    if let Some(addr) = flag {
        return Ok(addr);
    }
    let mut raw = Settings::raw_file(file)?;
    env::apply_env(&mut raw, lookup)?;
    validate::socket_addr(
        "admin_listen",
        raw.admin_listen.as_deref(),
        DEFAULT_ADMIN_LISTEN,
    )
}

impl Settings {
    /// Reads the optional file, applies variables from `lookup` and then
    /// `overrides`, and validates everything, secrets included.
    pub fn load(
        file: Option<&Path>,
        lookup: &dyn Fn(&str) -> Option<String>,
        overrides: &Overrides,
    ) -> Result<Settings, ConfigError> {
        let mut raw = Self::raw_file(file)?;
        let sources = effective::sources(&mut raw, lookup, overrides);
        env::apply_env(&mut raw, lookup)?;
        let mut settings = validate::validate(raw, lookup, overrides)?;
        settings.sources = sources;
        Ok(settings)
    }

    /// The file as written (empty without one), not yet validated.
    fn raw_file(file: Option<&Path>) -> Result<file::RawConfig, ConfigError> {
        let raw = match file {
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
        Ok(raw)
    }

    fn parse_file(text: &str) -> Result<file::RawConfig, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::new("config file", e.to_string()))
    }

    /// Reads everything from the process environment.
    pub fn from_env(file: Option<&Path>, overrides: &Overrides) -> Result<Settings, ConfigError> {
        Self::load(file, &|name| std::env::var(name).ok(), overrides)
    }
}

/// For the fuzz targets ([`crate::fuzzing`]): `text` as the configuration
/// file, as every variable's value, and through each value parser; nothing
/// that reads files or the network.
pub(crate) fn fuzz_values(text: &str) {
    let _ = Settings::parse_file(text);
    let mut raw = file::RawConfig::default();
    let _ = env::apply_env(&mut raw, &|_| Some(text.to_owned()));
    let _ = values::parse_net(text);
    let _ = values::check_origin(text);
    let _ = values::looks_like_secret(text);
    let _ = values::enum_value("x", Some(text), CallerAuthMode::default());
    let _ = values::enum_value("x", Some(text), LogFormat::default());
    let _ = values::enum_value("x", Some(text), Environment::default());
    let _ = values::enum_value("x", Some(text), crate::ForwardedHeader::default());
    let _ = crate::caller::jwt::parse_algorithm(text);
    let _ = crate::caller::jwt::validate_jwks_url(text);
    let _ = DatabaseUrl::parse(text);
    let _ = crate::telemetry::parse_filter(text);
}
