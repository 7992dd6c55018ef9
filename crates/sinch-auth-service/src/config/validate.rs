//! From the raw file-plus-variables values to [`Settings`]: every check,
//! every default, every error naming its setting.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sinch_auth::{Application, KEY_VAR, SECRET_FILE_VAR, SECRET_VAR, TtlBounds};

use super::accounts::{Environment, accounts_settings, environment};
use super::env::{API_KEYS_FILE_VAR, API_KEYS_VAR};
use super::file::{RawApplication, RawConfig, RawJwt, RawTtl};
use super::values::{
    Lookup, check_environment_host, check_origin, credential_error, enum_value, err, key_digests,
    number, parse_net, rate, secs, valid_name,
};
use super::{
    CallerAuthMode, ConfigError, DEFAULT_ADMIN_LISTEN, DEFAULT_LISTEN, DEFAULT_LOG_LEVEL,
    DEFAULT_SHUTDOWN_GRACE, LogFormat, Overrides, Settings,
};
use crate::caller::jwt::{JwksSource, parse_algorithm, validate_jwks_url};
use crate::caller::{JwtSettings, UserIdEncoding};
use crate::service::{
    Applications, DEFAULT_APPLICATION, DEFAULT_ENVIRONMENT_HOST, ServiceOptions, TicketPolicy,
    TokenPolicy,
};

pub(crate) fn validate(
    raw: RawConfig,
    lookup: Lookup<'_>,
    overrides: &Overrides,
) -> Result<Settings, ConfigError> {
    let listen = match overrides.listen {
        Some(addr) => addr,
        None => socket_addr("listen", raw.listen.as_deref(), DEFAULT_LISTEN)?,
    };
    let admin_listen = match overrides.admin_listen {
        Some(addr) => addr,
        None => socket_addr(
            "admin_listen",
            raw.admin_listen.as_deref(),
            DEFAULT_ADMIN_LISTEN,
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
            CallerAuthMode::default(),
        )?,
    };
    let environment = environment(&raw)?;
    // Accounts mode without Sinch credentials signs with a throw-away
    // application (development only).
    let generated_application = caller_auth == CallerAuthMode::Accounts
        && !credentials_configured(&raw.applications, lookup);
    if generated_application {
        development_only(environment, &raw.applications)?;
    }
    let public_origin = raw.public_origin.clone();
    if let Some(origin) = &public_origin {
        check_origin(origin).map_err(|m| err("public_origin", m))?;
    }
    let accounts = match caller_auth {
        CallerAuthMode::Accounts => Some(accounts_settings(
            &raw,
            lookup,
            overrides,
            environment,
            generated_application,
            raw.cors_origins.as_deref().unwrap_or_default(),
            public_origin,
        )?),
        _ => None,
    };
    let log_format = match overrides.log_format {
        Some(format) => format,
        None => enum_value(
            "log_format",
            raw.log_format.as_deref(),
            LogFormat::default(),
        )?,
    };
    let log_level = raw
        .log_level
        .unwrap_or_else(|| DEFAULT_LOG_LEVEL.to_owned());
    crate::telemetry::parse_filter(&log_level).map_err(|e| err("log_level", e.to_string()))?;

    let defaults = ServiceOptions::default();
    let request_timeout = secs(
        "request_timeout_secs",
        raw.request_timeout_secs,
        defaults.request_timeout,
        1..=3600,
    )?;
    let shutdown_grace = secs(
        "shutdown_grace_secs",
        raw.shutdown_grace_secs,
        DEFAULT_SHUTDOWN_GRACE,
        0..=3600,
    )?;
    let trusted_proxies = raw
        .trusted_proxies
        .unwrap_or_default()
        .iter()
        .map(|p| parse_net(p).map_err(|m| err("trusted_proxies", m)))
        .collect::<Result<Vec<_>, _>>()?;
    let forwarded_header = enum_value(
        "forwarded_header",
        raw.forwarded_header.as_deref(),
        defaults.forwarded_header,
    )?;
    let max_connections = number(
        "max_connections",
        raw.max_connections,
        defaults.max_connections as u64,
        1..=1_000_000,
    )? as usize;
    let cors_origins = raw.cors_origins.unwrap_or_default();
    for origin in &cors_origins {
        check_origin(origin).map_err(|m| err("cors_origins", m))?;
    }

    let limits = defaults.rate_limits;
    let rate_limits = limits
        .with_per_ip(rate(
            "rate_limit.per_ip_per_minute",
            raw.rate_limit.per_ip_per_minute,
            "rate_limit.per_ip_burst",
            raw.rate_limit.per_ip_burst,
            limits.per_ip,
        )?)
        .with_per_user(rate(
            "rate_limit.per_user_per_minute",
            raw.rate_limit.per_user_per_minute,
            "rate_limit.per_user_burst",
            raw.rate_limit.per_user_burst,
            limits.per_user,
        )?)
        .with_ipv6_prefix(number(
            "rate_limit.ipv6_prefix",
            raw.rate_limit.ipv6_prefix,
            limits.ipv6_prefix,
            32..=128,
        )?);
    let allow_credentials = raw
        .cors_allow_credentials
        .unwrap_or(defaults.cors_allow_credentials);
    let options = ServiceOptions::default()
        .with_tickets(ticket_policy(&raw.tickets)?)
        .with_tokens(token_policy(&raw.registration_tokens)?)
        .with_rate_limits(rate_limits)
        .with_trusted_proxies(trusted_proxies)
        .with_forwarded_header(forwarded_header)
        .with_cors(cors_origins, allow_credentials)
        .with_request_timeout(request_timeout)
        .with_max_connections(max_connections);

    let environment_host = match &raw.environment_host {
        Some(host) => {
            check_environment_host(host).map_err(|m| err("environment_host", m))?;
            host.to_ascii_lowercase()
        }
        None => DEFAULT_ENVIRONMENT_HOST.to_owned(),
    };
    let applications = if generated_application {
        None
    } else {
        Some(applications(&raw.applications, lookup, &environment_host)?)
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
        environment_host,
        sources: Vec::new(),
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

pub(super) fn socket_addr(
    setting: &str,
    value: Option<&str>,
    default: SocketAddr,
) -> Result<SocketAddr, ConfigError> {
    let Some(value) = value else {
        return Ok(default);
    };
    value.parse().map_err(|_| {
        err(
            setting,
            "must be IP:PORT, e.g. 127.0.0.1:8080 or [::1]:8080",
        )
    })
}

/// A default lifetime and its bounds, each falling back to `defaults`
/// (default, min, max).
fn ttl_triplet(
    section: &str,
    raw: &RawTtl,
    defaults: (Duration, Duration, Duration),
) -> Result<(Duration, Duration, Duration), ConfigError> {
    let name = |key: &str| format!("{section}.{key}");
    let default = raw.default_ttl_secs.unwrap_or(defaults.0.as_secs());
    let min = raw.min_ttl_secs.unwrap_or(defaults.1.as_secs());
    let max = raw.max_ttl_secs.unwrap_or(defaults.2.as_secs());
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
    let d = TicketPolicy::default();
    let (default_ttl, min, max) =
        ttl_triplet("tickets", raw, (d.default_ttl, d.min_ttl, d.max_ttl))?;
    Ok(d.with_default_ttl(default_ttl).with_bounds(min, max))
}

fn token_policy(raw: &RawTtl) -> Result<TokenPolicy, ConfigError> {
    let d = TokenPolicy::default();
    let defaults = (d.default_ttl, d.bounds.min(), d.bounds.max());
    let (default_ttl, min, max) = ttl_triplet("registration_tokens", raw, defaults)?;
    let bounds = TtlBounds::new(min, max)
        .map_err(|e| err("registration_tokens.max_ttl_secs", e.to_string()))?;
    Ok(d.with_default_ttl(default_ttl).with_bounds(bounds))
}

/// The default application from `SINCH_APPLICATION_*` (or the file's
/// `[applications.default]`), plus every other `[applications.NAME]`, each
/// on its own `environment_host` or `default_host`.
fn applications(
    raw: &std::collections::BTreeMap<String, RawApplication>,
    lookup: Lookup<'_>,
    default_host: &str,
) -> Result<Applications, ConfigError> {
    let env_has_key = lookup(KEY_VAR).is_some_and(|v| !v.is_empty());
    let default = match raw.get(DEFAULT_APPLICATION) {
        Some(file_app) if !env_has_key => file_application(DEFAULT_APPLICATION, file_app, lookup)?,
        _ => Application::from_vars(lookup).map_err(|e| {
            credential_error(
                &format!("Sinch credentials ({KEY_VAR}, {SECRET_VAR} or {SECRET_FILE_VAR})"),
                &e,
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
    let names: Vec<String> = apps.names().map(str::to_owned).collect();
    for name in names {
        let own = raw.get(&name).and_then(|a| a.environment_host.as_deref());
        let host = match own {
            Some(host) => {
                check_environment_host(host).map_err(|m| {
                    ConfigError::new(format!("applications.{name}.environment_host"), m)
                })?;
                host.to_ascii_lowercase()
            }
            None => default_host.to_owned(),
        };
        apps = apps.with_environment_host(&name, host);
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
    .map_err(|e| credential_error(&setting, &e))
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
            validate_jwks_url(url).map_err(|e| err("jwt.jwks_url", e.to_string()))?;
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
        let algorithms = names
            .iter()
            .map(|n| parse_algorithm(n).map_err(|e| err("jwt.algorithms", e.to_string())))
            .collect::<Result<_, _>>()?;
        settings = settings.with_algorithms(algorithms);
    }
    let claim = match &raw.user_id_claim {
        Some(claim) if claim.is_empty() => {
            return Err(err("jwt.user_id_claim", "must not be empty"));
        }
        Some(claim) => claim.clone(),
        None => settings.user_id_claim.clone(),
    };
    let encoding = match raw.user_id_encoding.as_deref() {
        None => settings.user_id_encoding,
        Some("none") => UserIdEncoding::None,
        Some("base64url") => UserIdEncoding::Base64Url,
        Some(other) => {
            return Err(err(
                "jwt.user_id_encoding",
                format!("{other:?} is neither none nor base64url"),
            ));
        }
    };
    let leeway = secs("jwt.leeway_secs", raw.leeway_secs, settings.leeway, 0..=300)?;
    let max_age = secs(
        "jwt.jwks_cache_secs",
        raw.jwks_cache_secs,
        settings.jwks_max_age,
        10..=86_400,
    )?;
    let min_refresh = secs(
        "jwt.jwks_min_refresh_secs",
        raw.jwks_min_refresh_secs,
        settings.jwks_min_refresh_interval,
        // More often would let tokens with made-up `kid`s drive a fetch
        // storm at the provider.
        5..=3600,
    )?;
    let timeout = secs(
        "jwt.jwks_timeout_secs",
        raw.jwks_timeout_secs,
        settings.jwks_fetch_timeout,
        1..=60,
    )?;
    Ok(settings
        .with_user_id_claim(claim, encoding)
        .with_leeway(leeway)
        .with_jwks_timing(max_age, min_refresh, timeout))
}
