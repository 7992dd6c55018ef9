//! From the raw file-plus-variables values to [`Settings`]: every check,
//! every default, every error naming its setting.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;
use sinch_auth::{Application, KEY_VAR, SECRET_FILE_VAR, SECRET_VAR, TtlBounds};

use super::accounts::{Environment, accounts_settings, environment};
use super::env::{API_KEYS_FILE_VAR, API_KEYS_VAR};
use super::file::{RawApplication, RawConfig, RawJwt, RawKeyDigest, RawTtl};
use super::{CallerAuthMode, ConfigError, LogFormat, Overrides, Settings};
use crate::caller::jwt::{JwksSource, parse_algorithm, validate_jwks_url};
use crate::caller::{ApiKey, ApiKeyDigest, JwtSettings, UserIdEncoding};
use crate::rate_limit::{Rate, RateLimitSettings};
use crate::service::{
    Applications, DEFAULT_APPLICATION, ServiceOptions, TicketPolicy, TokenPolicy,
};

pub(super) type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

pub(super) fn err(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::setting(setting, message)
}

pub(crate) fn validate(
    raw: RawConfig,
    lookup: Lookup<'_>,
    overrides: &Overrides,
) -> Result<Settings, ConfigError> {
    let listen = match overrides.listen {
        Some(addr) => addr,
        None => socket_addr("listen", raw.listen.as_deref(), "127.0.0.1:8080")?,
    };
    let admin_listen = match overrides.admin_listen {
        Some(addr) => addr,
        None => socket_addr(
            "admin_listen",
            raw.admin_listen.as_deref(),
            "127.0.0.1:9090",
        )?,
    };
    if listen == admin_listen && listen.port() != 0 {
        return Err(err("admin_listen", "must differ from listen"));
    }
    let caller_auth = match overrides.caller_auth {
        Some(mode) => mode,
        None => enum_value(
            "caller_auth",
            raw.caller_auth.as_deref(),
            CallerAuthMode::Accounts,
        )?,
    };
    let environment = environment(&raw)?;
    let accounts = match caller_auth {
        CallerAuthMode::Accounts => Some(accounts_settings(
            &raw,
            lookup,
            overrides,
            environment,
            raw.cors_origins.as_deref().unwrap_or_default(),
        )?),
        _ => None,
    };
    let log_format = match overrides.log_format {
        Some(format) => format,
        None => enum_value("log_format", raw.log_format.as_deref(), LogFormat::Text)?,
    };
    let log_level = raw.log_level.unwrap_or_else(|| "info".to_owned());
    crate::telemetry::parse_filter(&log_level).map_err(|m| err("log_level", m))?;

    let request_timeout = secs(
        "request_timeout_secs",
        raw.request_timeout_secs,
        10,
        1..=3600,
    )?;
    let shutdown_grace = secs("shutdown_grace_secs", raw.shutdown_grace_secs, 25, 0..=3600)?;
    let trusted_proxies = raw
        .trusted_proxies
        .unwrap_or_default()
        .iter()
        .map(|p| parse_net(p).map_err(|m| err("trusted_proxies", m)))
        .collect::<Result<Vec<_>, _>>()?;
    let cors_origins = raw.cors_origins.unwrap_or_default();
    for origin in &cors_origins {
        check_origin(origin).map_err(|m| err("cors_origins", m))?;
    }

    let options = ServiceOptions {
        tickets: ticket_policy(&raw.tickets)?,
        tokens: token_policy(&raw.registration_tokens)?,
        rate_limits: RateLimitSettings {
            per_ip: rate(
                "rate_limit.per_ip_per_minute",
                raw.rate_limit.per_ip_per_minute,
                600,
                "rate_limit.per_ip_burst",
                raw.rate_limit.per_ip_burst,
                100,
            )?,
            per_user: rate(
                "rate_limit.per_user_per_minute",
                raw.rate_limit.per_user_per_minute,
                60,
                "rate_limit.per_user_burst",
                raw.rate_limit.per_user_burst,
                20,
            )?,
        },
        trusted_proxies,
        cors_origins,
        cors_allow_credentials: raw.cors_allow_credentials.unwrap_or(false),
        request_timeout,
    };

    let applications = if caller_auth == CallerAuthMode::Accounts
        && !credentials_configured(&raw.applications, lookup)
    {
        development_only(environment, &raw.applications)?;
        None
    } else {
        Some(applications(&raw.applications, lookup)?)
    };
    let api_keys = match caller_auth {
        CallerAuthMode::ApiKey => key_digests(
            "api-key mode",
            "api_key.keys",
            &raw.api_key.keys,
            API_KEYS_VAR,
            API_KEYS_FILE_VAR,
            lookup,
        )?,
        _ => Vec::new(),
    };

    let jwt = match caller_auth {
        CallerAuthMode::Jwt => Some(jwt_settings(&raw.jwt)?),
        _ => None,
    };
    Ok(Settings {
        listen,
        admin_listen,
        caller_auth,
        environment,
        log_format,
        log_level,
        shutdown_grace,
        options,
        applications,
        api_keys,
        jwt,
        accounts,
    })
}

/// Whether any Sinch credential is configured for the default application
/// (a half-configured one is an error later, never a reason to generate).
fn credentials_configured(
    raw: &std::collections::BTreeMap<String, RawApplication>,
    lookup: Lookup<'_>,
) -> bool {
    raw.contains_key(DEFAULT_APPLICATION)
        || [KEY_VAR, SECRET_VAR, SECRET_FILE_VAR]
            .iter()
            .any(|var| lookup(var).is_some_and(|v| !v.is_empty()))
}

/// Generated credentials are for development only, and only for the
/// default application.
fn development_only(
    environment: Environment,
    raw: &std::collections::BTreeMap<String, RawApplication>,
) -> Result<(), ConfigError> {
    let setting = format!("Sinch credentials ({KEY_VAR}, {SECRET_VAR} or {SECRET_FILE_VAR})");
    if environment == Environment::Production {
        return Err(ConfigError::new(
            setting,
            "production (SINCH_AUTH_ENV=production) needs the real Sinch application: set \
             SINCH_APPLICATION_KEY and SINCH_APPLICATION_SECRET or SINCH_APPLICATION_SECRET_FILE \
             (throw-away credentials are generated in development only)",
        ));
    }
    if let Some(name) = raw.keys().next() {
        return Err(ConfigError::new(
            setting,
            format!(
                "[applications.{name}] is configured but the default application is not; \
                 configure the default too (throw-away credentials replace only a missing default \
                 when no application is configured at all)"
            ),
        ));
    }
    Ok(())
}

fn socket_addr(
    setting: &str,
    value: Option<&str>,
    default: &str,
) -> Result<SocketAddr, ConfigError> {
    value.unwrap_or(default).parse().map_err(|_| {
        err(
            setting,
            "must be IP:PORT, e.g. 127.0.0.1:8080 or [::1]:8080",
        )
    })
}

pub(super) fn enum_value<T: for<'de> serde::Deserialize<'de>>(
    setting: &str,
    value: Option<&str>,
    default: T,
) -> Result<T, ConfigError> {
    let Some(value) = value else {
        return Ok(default);
    };
    T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(value))
        .map_err(|e| err(setting, e.to_string()))
}

pub(super) fn secs(
    setting: &str,
    value: Option<u64>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Duration, ConfigError> {
    let value = value.unwrap_or(default);
    if !range.contains(&value) {
        return Err(err(
            setting,
            format!(
                "{value} is outside {}..={} seconds",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(Duration::from_secs(value))
}

fn parse_net(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is not an IP address or CIDR network"))
}

fn check_origin(origin: &str) -> Result<(), String> {
    let url = url::Url::parse(origin).map_err(|_| format!("{origin:?} is not an origin"))?;
    let canonical = url.origin().ascii_serialization();
    if !matches!(url.scheme(), "http" | "https") || canonical != origin {
        return Err(format!(
            "{origin:?} is not an origin; write scheme://host[:port] without a path, e.g. https://app.example.com"
        ));
    }
    Ok(())
}

fn ttl_triplet(
    section: &str,
    raw: &RawTtl,
    defaults: (u64, u64, u64),
) -> Result<(Duration, Duration, Duration), ConfigError> {
    let name = |key: &str| format!("{section}.{key}");
    let default = raw.default_ttl_secs.unwrap_or(defaults.0);
    let min = raw.min_ttl_secs.unwrap_or(defaults.1);
    let max = raw.max_ttl_secs.unwrap_or(defaults.2);
    if min < 60 {
        return Err(err(&name("min_ttl_secs"), "must be at least 60"));
    }
    if max < min || max > i32::MAX as u64 {
        return Err(err(
            &name("max_ttl_secs"),
            format!("must be between min_ttl_secs ({min}) and 2147483647"),
        ));
    }
    if !(min..=max).contains(&default) {
        return Err(err(
            &name("default_ttl_secs"),
            format!("{default} is outside min_ttl_secs..=max_ttl_secs ({min}..={max})"),
        ));
    }
    Ok((
        Duration::from_secs(default),
        Duration::from_secs(min),
        Duration::from_secs(max),
    ))
}

fn ticket_policy(raw: &RawTtl) -> Result<TicketPolicy, ConfigError> {
    let (default_ttl, min_ttl, max_ttl) = ttl_triplet("tickets", raw, (3600, 60, 86_400))?;
    Ok(TicketPolicy {
        default_ttl,
        min_ttl,
        max_ttl,
    })
}

fn token_policy(raw: &RawTtl) -> Result<TokenPolicy, ConfigError> {
    let (default_ttl, min, max) = ttl_triplet("registration_tokens", raw, (600, 60, 86_400))?;
    let bounds = TtlBounds::new(min, max)
        .map_err(|e| err("registration_tokens.max_ttl_secs", e.to_string()))?;
    Ok(TokenPolicy {
        default_ttl,
        bounds,
    })
}

pub(super) fn rate(
    setting: &str,
    per_minute: Option<u64>,
    default: u32,
    burst_setting: &str,
    burst: Option<u64>,
    default_burst: u32,
) -> Result<Option<Rate>, ConfigError> {
    let to_u32 =
        |name: &str, v: u64| u32::try_from(v).map_err(|_| err(name, "must be at most 4294967295"));
    let per_minute = match per_minute {
        Some(v) => to_u32(setting, v)?,
        None => default,
    };
    let burst = match burst {
        Some(v) => to_u32(burst_setting, v)?,
        None => default_burst.min(per_minute.max(1)),
    };
    Ok(Rate::new(per_minute, burst))
}

/// The default application from `SINCH_APPLICATION_*` (or the file's
/// `[applications.default]`), plus every other `[applications.NAME]`.
fn applications(
    raw: &std::collections::BTreeMap<String, RawApplication>,
    lookup: Lookup<'_>,
) -> Result<Applications, ConfigError> {
    let env_has_key = lookup(KEY_VAR).is_some_and(|v| !v.is_empty());
    let default = match raw.get(DEFAULT_APPLICATION) {
        Some(file_app) if !env_has_key => file_application(DEFAULT_APPLICATION, file_app, lookup)?,
        _ => Application::from_vars(lookup).map_err(|e| {
            ConfigError::new(
                format!("Sinch credentials ({KEY_VAR}, {SECRET_VAR} or {SECRET_FILE_VAR})"),
                e.to_string(),
            )
        })?,
    };
    let mut apps = Applications::single(default);
    for (name, file_app) in raw {
        if name == DEFAULT_APPLICATION {
            continue;
        }
        if !valid_name(name) {
            return Err(ConfigError::new(
                format!("applications.{name}"),
                "application names use only A-Z a-z 0-9 . _ - (at most 64)",
            ));
        }
        apps = apps.with(name.clone(), file_application(name, file_app, lookup)?);
    }
    Ok(apps)
}

fn file_application(
    name: &str,
    raw: &RawApplication,
    lookup: Lookup<'_>,
) -> Result<Application, ConfigError> {
    let setting = format!("applications.{name}");
    let secret = match (&raw.secret_file, &raw.secret_env) {
        (Some(path), None) => (SECRET_FILE_VAR, path.clone()),
        (None, Some(var)) => (
            SECRET_VAR,
            lookup(var).ok_or_else(|| {
                ConfigError::new(
                    &setting,
                    format!("secret_env names {var}, which is not set"),
                )
            })?,
        ),
        _ => {
            return Err(ConfigError::new(
                &setting,
                "set exactly one of secret_file and secret_env (secrets never go in the file)",
            ));
        }
    };
    Application::from_vars(|var| {
        if var == KEY_VAR {
            Some(raw.key.clone())
        } else if var == secret.0 {
            Some(secret.1.clone())
        } else {
            None
        }
    })
    .map_err(|e| ConfigError::new(&setting, e.to_string()))
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Key digests from the file (`setting`, as SHA-256 digests) and from the
/// plain-text variables `var` and `file_var`; at least one in total. Used
/// for the API keys of api-key mode and the sign-up admin keys.
pub(super) fn key_digests(
    purpose: &str,
    setting: &str,
    raw: &[RawKeyDigest],
    var: &str,
    file_var: &str,
    lookup: Lookup<'_>,
) -> Result<Vec<ApiKeyDigest>, ConfigError> {
    let mut keys = Vec::new();
    for (i, k) in raw.iter().enumerate() {
        let name = k
            .name
            .clone()
            .unwrap_or_else(|| format!("config-{}", i + 1));
        if !valid_name(&name) {
            return Err(err(
                setting,
                format!("key name {name:?} must use only A-Z a-z 0-9 . _ - (at most 64)"),
            ));
        }
        keys.push(
            ApiKeyDigest::from_hex(name, &k.sha256)
                .map_err(|m| err(setting, format!("key {}: {m}", i + 1)))?,
        );
    }
    let from_var = |var: &str, text: &str, prefix: &str, keys: &mut Vec<ApiKeyDigest>| {
        let parts = text
            .split([',', '\n', '\r'])
            .map(str::trim)
            .filter(|p| !p.is_empty());
        for (i, part) in parts.enumerate() {
            let key = ApiKey::new(part).map_err(|m| ConfigError::new(var, m))?;
            keys.push(ApiKeyDigest::of_key(format!("{prefix}-{}", i + 1), &key));
        }
        Ok::<(), ConfigError>(())
    };
    if let Some(text) = lookup(var).filter(|v| !v.is_empty()) {
        from_var(var, &text, "env", &mut keys)?;
    }
    if let Some(path) = lookup(file_var).filter(|v| !v.is_empty()) {
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(&path).map_err(|e| {
            ConfigError::new(file_var, format!("cannot read {path}: {}", e.kind()))
        })?);
        from_var(file_var, &text, "file", &mut keys)?;
    }
    if keys.is_empty() {
        return Err(ConfigError::new(
            format!("{setting} / {var} / {file_var}"),
            format!("{purpose} needs at least one key"),
        ));
    }
    Ok(keys)
}

fn jwt_settings(raw: &RawJwt) -> Result<JwtSettings, ConfigError> {
    let issuer = raw
        .issuer
        .clone()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            err(
                "jwt.issuer",
                "required in jwt mode (the exact iss of your tokens)",
            )
        })?;
    let audiences = raw
        .audience
        .clone()
        .filter(|a| !a.is_empty() && a.iter().all(|s| !s.is_empty()))
        .ok_or_else(|| {
            err(
                "jwt.audience",
                "required in jwt mode (the aud your tokens carry)",
            )
        })?;
    let jwks = match (&raw.jwks_url, &raw.jwks_file) {
        (Some(url), None) => {
            validate_jwks_url(url).map_err(|m| err("jwt.jwks_url", m))?;
            JwksSource::Url(url.clone())
        }
        (None, Some(path)) => {
            let path = PathBuf::from(path);
            if !Path::new(&path).is_file() {
                return Err(err(
                    "jwt.jwks_file",
                    format!("{} is not a readable file", path.display()),
                ));
            }
            JwksSource::File(path)
        }
        (Some(_), Some(_)) => {
            return Err(err(
                "jwt.jwks_url",
                "set only one of jwt.jwks_url and jwt.jwks_file",
            ));
        }
        (None, None) => {
            return Err(err(
                "jwt.jwks_url",
                "jwt mode needs jwt.jwks_url or jwt.jwks_file",
            ));
        }
    };
    let mut settings = JwtSettings::new(issuer, audiences, jwks);
    if let Some(names) = &raw.algorithms {
        if names.is_empty() {
            return Err(err("jwt.algorithms", "list at least one algorithm"));
        }
        settings.algorithms = names
            .iter()
            .map(|n| parse_algorithm(n).map_err(|m| err("jwt.algorithms", m)))
            .collect::<Result<_, _>>()?;
    }
    if let Some(claim) = &raw.user_id_claim {
        if claim.is_empty() {
            return Err(err("jwt.user_id_claim", "must not be empty"));
        }
        settings.user_id_claim = claim.clone();
    }
    settings.user_id_encoding = match raw.user_id_encoding.as_deref() {
        None | Some("none") => UserIdEncoding::None,
        Some("base64url") => UserIdEncoding::Base64Url,
        Some(other) => {
            return Err(err(
                "jwt.user_id_encoding",
                format!("{other:?} is neither none nor base64url"),
            ));
        }
    };
    settings.leeway = secs("jwt.leeway_secs", raw.leeway_secs, 30, 0..=300)?;
    settings.jwks_max_age = secs("jwt.jwks_cache_secs", raw.jwks_cache_secs, 300, 10..=86_400)?;
    settings.jwks_min_refresh_interval = secs(
        "jwt.jwks_min_refresh_secs",
        raw.jwks_min_refresh_secs,
        30,
        0..=3600,
    )?;
    settings.jwks_fetch_timeout = secs("jwt.jwks_timeout_secs", raw.jwks_timeout_secs, 5, 1..=60)?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_be_bare() {
        assert!(check_origin("https://app.example.com").is_ok());
        assert!(check_origin("http://localhost:3000").is_ok());
        assert!(check_origin("https://app.example.com/").is_err());
        assert!(check_origin("https://app.example.com/path").is_err());
        assert!(check_origin("*").is_err());
        assert!(check_origin("ftp://x").is_err());
    }

    #[test]
    fn networks_and_addresses() {
        assert!(parse_net("10.0.0.0/8").is_ok());
        assert!(parse_net("192.168.1.1").is_ok());
        assert!(parse_net("::1").is_ok());
        assert!(parse_net("10.0.0.0/33").is_err());
        assert!(parse_net("proxy.local").is_err());
    }
}
