//! `SINCH_AUTH_*` environment variables: one table, which both applies
//! them over the file and lists them (docs/service.md is checked against
//! it by a test).

use super::ConfigError;
use super::file::RawConfig;

/// Where a variable's value goes.
pub(crate) enum Slot<'a> {
    Str(&'a mut Option<String>),
    Num(&'a mut Option<u64>),
    Bool(&'a mut Option<bool>),
    List(&'a mut Option<Vec<String>>),
}

/// One variable: its name, the file setting it overrides, and the slot.
pub struct EnvSetting {
    /// The environment variable.
    pub var: &'static str,
    /// The configuration file key it overrides (dotted path).
    pub setting: &'static str,
    pub(super) slot: for<'a> fn(&'a mut RawConfig) -> Slot<'a>,
}

macro_rules! settings {
    ($( $var:literal => $setting:literal : $kind:ident ( $($path:ident).+ ) ),* $(,)?) => {
        /// Every `SINCH_AUTH_*` variable that overrides a file setting.
        pub const ENV_SETTINGS: &[EnvSetting] = &[
            $( EnvSetting { var: $var, setting: $setting, slot: |c| Slot::$kind(&mut c.$($path).+) } ),*
        ];
    };
}

settings! {
    "SINCH_AUTH_LISTEN" => "listen": Str(listen),
    "SINCH_AUTH_ADMIN_LISTEN" => "admin_listen": Str(admin_listen),
    "SINCH_AUTH_CALLER_AUTH" => "caller_auth": Str(caller_auth),
    "SINCH_AUTH_ENV" => "environment": Str(environment),
    "SINCH_AUTH_DATABASE_URL" => "database_url": Str(database_url),
    "SINCH_AUTH_LOG_FORMAT" => "log_format": Str(log_format),
    "SINCH_AUTH_LOG" => "log_level": Str(log_level),
    "SINCH_AUTH_REQUEST_TIMEOUT_SECS" => "request_timeout_secs": Num(request_timeout_secs),
    "SINCH_AUTH_SHUTDOWN_GRACE_SECS" => "shutdown_grace_secs": Num(shutdown_grace_secs),
    "SINCH_AUTH_TRUSTED_PROXIES" => "trusted_proxies": List(trusted_proxies),
    "SINCH_AUTH_FORWARDED_HEADER" => "forwarded_header": Str(forwarded_header),
    "SINCH_AUTH_MAX_CONNECTIONS" => "max_connections": Num(max_connections),
    "SINCH_AUTH_PUBLIC_ORIGIN" => "public_origin": Str(public_origin),
    "SINCH_AUTH_CORS_ORIGINS" => "cors_origins": List(cors_origins),
    "SINCH_AUTH_CORS_ALLOW_CREDENTIALS" => "cors_allow_credentials": Bool(cors_allow_credentials),
    "SINCH_AUTH_ENVIRONMENT_HOST" => "environment_host": Str(environment_host),
    "SINCH_AUTH_TICKET_TTL_SECS" => "tickets.default_ttl_secs": Num(tickets.default_ttl_secs),
    "SINCH_AUTH_TICKET_MIN_TTL_SECS" => "tickets.min_ttl_secs": Num(tickets.min_ttl_secs),
    "SINCH_AUTH_TICKET_MAX_TTL_SECS" => "tickets.max_ttl_secs": Num(tickets.max_ttl_secs),
    "SINCH_AUTH_TOKEN_TTL_SECS" => "registration_tokens.default_ttl_secs": Num(registration_tokens.default_ttl_secs),
    "SINCH_AUTH_TOKEN_MIN_TTL_SECS" => "registration_tokens.min_ttl_secs": Num(registration_tokens.min_ttl_secs),
    "SINCH_AUTH_TOKEN_MAX_TTL_SECS" => "registration_tokens.max_ttl_secs": Num(registration_tokens.max_ttl_secs),
    "SINCH_AUTH_RATE_LIMIT_PER_IP" => "rate_limit.per_ip_per_minute": Num(rate_limit.per_ip_per_minute),
    "SINCH_AUTH_RATE_LIMIT_PER_IP_BURST" => "rate_limit.per_ip_burst": Num(rate_limit.per_ip_burst),
    "SINCH_AUTH_RATE_LIMIT_PER_USER" => "rate_limit.per_user_per_minute": Num(rate_limit.per_user_per_minute),
    "SINCH_AUTH_RATE_LIMIT_PER_USER_BURST" => "rate_limit.per_user_burst": Num(rate_limit.per_user_burst),
    "SINCH_AUTH_RATE_LIMIT_IPV6_PREFIX" => "rate_limit.ipv6_prefix": Num(rate_limit.ipv6_prefix),
    "SINCH_AUTH_LOGIN_RATE_LIMIT_PER_IP" => "rate_limit.login_per_ip_per_minute": Num(rate_limit.login_per_ip_per_minute),
    "SINCH_AUTH_LOGIN_RATE_LIMIT_PER_IP_BURST" => "rate_limit.login_per_ip_burst": Num(rate_limit.login_per_ip_burst),
    "SINCH_AUTH_LOGIN_RATE_LIMIT_PER_USERNAME" => "rate_limit.login_per_username_per_minute": Num(rate_limit.login_per_username_per_minute),
    "SINCH_AUTH_LOGIN_RATE_LIMIT_PER_USERNAME_BURST" => "rate_limit.login_per_username_burst": Num(rate_limit.login_per_username_burst),
    "SINCH_AUTH_LOGIN_FAILURES_PER_MINUTE" => "rate_limit.login_failures_per_minute": Num(rate_limit.login_failures_per_minute),
    "SINCH_AUTH_LOGIN_FAILURES_BURST" => "rate_limit.login_failures_burst": Num(rate_limit.login_failures_burst),
    "SINCH_AUTH_SIGNUP" => "accounts.signup": Str(accounts.signup),
    "SINCH_AUTH_SESSION_TTL_SECS" => "accounts.session_ttl_secs": Num(accounts.session_ttl_secs),
    "SINCH_AUTH_SESSION_CACHE_MS" => "accounts.session_cache_ms": Num(accounts.session_cache_ms),
    "SINCH_AUTH_SECURE_COOKIES" => "accounts.secure_cookies": Bool(accounts.secure_cookies),
    "SINCH_AUTH_MAX_WAITING_HASHES" => "accounts.max_waiting_hashes": Num(accounts.max_waiting_hashes),
    "SINCH_AUTH_JWT_ISSUER" => "jwt.issuer": Str(jwt.issuer),
    "SINCH_AUTH_JWT_AUDIENCE" => "jwt.audience": List(jwt.audience),
    "SINCH_AUTH_JWT_JWKS_URL" => "jwt.jwks_url": Str(jwt.jwks_url),
    "SINCH_AUTH_JWT_JWKS_FILE" => "jwt.jwks_file": Str(jwt.jwks_file),
    "SINCH_AUTH_JWT_ALGORITHMS" => "jwt.algorithms": List(jwt.algorithms),
    "SINCH_AUTH_JWT_USER_ID_CLAIM" => "jwt.user_id_claim": Str(jwt.user_id_claim),
    "SINCH_AUTH_JWT_USER_ID_ENCODING" => "jwt.user_id_encoding": Str(jwt.user_id_encoding),
    "SINCH_AUTH_JWT_LEEWAY_SECS" => "jwt.leeway_secs": Num(jwt.leeway_secs),
    "SINCH_AUTH_JWT_JWKS_CACHE_SECS" => "jwt.jwks_cache_secs": Num(jwt.jwks_cache_secs),
    "SINCH_AUTH_JWT_JWKS_MIN_REFRESH_SECS" => "jwt.jwks_min_refresh_secs": Num(jwt.jwks_min_refresh_secs),
    "SINCH_AUTH_JWT_JWKS_TIMEOUT_SECS" => "jwt.jwks_timeout_secs": Num(jwt.jwks_timeout_secs),
}

/// Plain-text API keys, comma-separated (api-key mode).
pub const API_KEYS_VAR: &str = "SINCH_AUTH_API_KEYS";
/// A file of API keys, one per line or comma-separated (api-key mode).
pub const API_KEYS_FILE_VAR: &str = "SINCH_AUTH_API_KEYS_FILE";
/// The configuration file (read by the CLI).
pub const CONFIG_VAR: &str = "SINCH_AUTH_CONFIG";
/// A file holding the database URL (accounts mode; for a PostgreSQL URL
/// with a password, mounted as a container secret).
pub const DATABASE_URL_FILE_VAR: &str = "SINCH_AUTH_DATABASE_URL_FILE";
/// Plain-text admin keys for sign-up, comma-separated (`accounts.signup =
/// "admin-key"`).
pub const SIGNUP_ADMIN_KEYS_VAR: &str = "SINCH_AUTH_SIGNUP_ADMIN_KEYS";
/// A file of admin keys for sign-up, one per line or comma-separated.
pub const SIGNUP_ADMIN_KEYS_FILE_VAR: &str = "SINCH_AUTH_SIGNUP_ADMIN_KEYS_FILE";

/// The environment variable that overrides `setting`, if any.
pub(crate) fn var_for(setting: &str) -> Option<&'static str> {
    ENV_SETTINGS
        .iter()
        .find(|s| s.setting == setting)
        .map(|s| s.var)
}

/// Applies every set (non-empty) variable over `raw`.
pub(crate) fn apply_env(
    raw: &mut RawConfig,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    for s in ENV_SETTINGS {
        let Some(value) = lookup(s.var).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        let bad = |message: String| ConfigError::new(s.var, message);
        match (s.slot)(raw) {
            Slot::Str(slot) => *slot = Some(value.trim().to_owned()),
            Slot::Num(slot) => {
                *slot = Some(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| bad(format!("{value:?} is not a whole number")))?,
                );
            }
            Slot::Bool(slot) => {
                *slot = Some(match value.trim().to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" | "on" => true,
                    "0" | "false" | "no" | "off" => false,
                    _ => return Err(bad(format!("{value:?} is not true or false"))),
                });
            }
            Slot::List(slot) => {
                *slot = Some(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned)
                        .collect(),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_override_and_name_themselves_when_bad() {
        let mut raw = RawConfig::default();
        let env = |name: &str| match name {
            "SINCH_AUTH_LISTEN" => Some("0.0.0.0:1".to_owned()),
            "SINCH_AUTH_JWT_AUDIENCE" => Some("a, b,".to_owned()),
            "SINCH_AUTH_CORS_ALLOW_CREDENTIALS" => Some("yes".to_owned()),
            "SINCH_AUTH_RATE_LIMIT_PER_IP" => Some("0".to_owned()),
            _ => None,
        };
        apply_env(&mut raw, &env).unwrap();
        assert_eq!(raw.listen.as_deref(), Some("0.0.0.0:1"));
        assert_eq!(raw.jwt.audience, Some(vec!["a".into(), "b".into()]));
        assert_eq!(raw.cors_allow_credentials, Some(true));
        assert_eq!(raw.rate_limit.per_ip_per_minute, Some(0));

        let env = |name: &str| (name == "SINCH_AUTH_TOKEN_TTL_SECS").then(|| "ten".to_owned());
        let err = apply_env(&mut raw, &env).unwrap_err();
        assert!(
            err.to_string().contains("SINCH_AUTH_TOKEN_TTL_SECS"),
            "{err}"
        );
    }

    #[test]
    fn names_are_unique() {
        let mut vars = std::collections::HashSet::new();
        let mut settings = std::collections::HashSet::new();
        for s in ENV_SETTINGS {
            assert!(s.var.starts_with("SINCH_AUTH_"));
            assert!(vars.insert(s.var), "{}", s.var);
            assert!(settings.insert(s.setting), "{}", s.setting);
        }
        assert_eq!(var_for("jwt.issuer"), Some("SINCH_AUTH_JWT_ISSUER"));
    }
}
