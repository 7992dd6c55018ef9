//! Reading one value: the parsing and range checks shared by every part of
//! the configuration, each error naming its setting (and its variable).

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

use super::ConfigError;
use super::file::RawKeyDigest;
use crate::caller::{ApiKey, ApiKeyDigest};
use crate::rate_limit::Rate;

/// Reads an environment variable (the process's, or a test's map).
pub(super) type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// An error about the file key `setting`, also naming its variable.
pub(super) fn err(setting: &str, message: impl std::fmt::Display) -> ConfigError {
    ConfigError::setting(setting, message)
}

/// A kebab-case enum value, or `default` when not set.
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

/// A number of seconds within `range`, or `default` when not set.
pub(super) fn secs(
    setting: &str,
    value: Option<u64>,
    default: Duration,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Duration, ConfigError> {
    let Some(value) = value else {
        return Ok(default);
    };
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

/// Whether a value meant to be a file's path looks like a secret instead
/// (`SINCH_APPLICATION_SECRET_FILE="$SECRET"`): a Sinch secret, a URL (a
/// database URL carries its password), or anything without a path
/// separator, such as a key. Such a value is never echoed.
pub(super) fn looks_like_secret(value: &str) -> bool {
    let value = value.trim();
    sinch_auth::ApplicationSecret::from_base64(value).is_ok()
        || value.contains("://")
        || value.contains('@')
        || !value.contains(['/', '\\'])
}

/// What to say about a file that `setting` names and that cannot be read,
/// without echoing a value that looks like the secret itself.
pub(super) fn unreadable_file(
    setting: &str,
    path: &str,
    reason: impl std::fmt::Display,
) -> ConfigError {
    if looks_like_secret(path) {
        ConfigError::new(
            setting,
            format!(
                "cannot read the file it names ({reason}); the value looks like a secret itself, \
                 so it is not shown: give the path of a file that holds the secret"
            ),
        )
    } else {
        ConfigError::new(setting, format!("cannot read {path}: {reason}"))
    }
}

/// A Sinch credential error for `setting`, without echoing a secret file
/// "path" that is really the secret.
pub(super) fn credential_error(setting: &str, error: &sinch_auth::Error) -> ConfigError {
    match error.kind() {
        sinch_auth::ErrorKind::UnreadableSecretFile { path, reason } => {
            unreadable_file(setting, path, reason)
        }
        _ => ConfigError::new(setting, error.to_string()),
    }
}

/// A whole number within `range`, or `default` when not set.
pub(super) fn number<T: TryFrom<u64> + Into<u64> + Copy>(
    setting: &str,
    value: Option<u64>,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError> {
    let Some(value) = value else {
        return Ok(default);
    };
    let (start, end) = ((*range.start()).into(), (*range.end()).into());
    match T::try_from(value) {
        Ok(v) if (start..=end).contains(&value) => Ok(v),
        _ => Err(err(setting, format!("{value} is outside {start}..={end}"))),
    }
}

/// An IP network (`10.0.0.0/8`) or a single address.
pub(super) fn parse_net(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is not an IP address or CIDR network"))
}

/// A bare origin: `scheme://host[:port]`, no path.
pub(super) fn check_origin(origin: &str) -> Result<(), String> {
    let url = url::Url::parse(origin).map_err(|_| format!("{origin:?} is not an origin"))?;
    let canonical = url.origin().ascii_serialization();
    if !matches!(url.scheme(), "http" | "https") || canonical != origin {
        return Err(format!(
            "{origin:?} is not an origin; write scheme://host[:port] without a path, e.g. https://app.example.com"
        ));
    }
    Ok(())
}

/// A Sinch environment host as `SinchClient` takes it: a host name with an
/// optional port, no scheme, no path (`ocra.api.sinch.com`).
pub(super) fn check_environment_host(host: &str) -> Result<(), String> {
    let advice = "write a host name such as ocra.api.sinch.com, without https:// or a path";
    let url = url::Url::parse(&format!("https://{host}/"))
        .map_err(|_| format!("{host:?} is not a host name; {advice}"))?;
    let rebuilt = match (url.host_str(), url.port()) {
        (Some(name), Some(port)) => format!("{name}:{port}"),
        (Some(name), None) => name.to_owned(),
        _ => String::new(),
    };
    if url.username() != "" || url.path() != "/" || rebuilt != host.to_ascii_lowercase() {
        return Err(format!("{host:?} is not a host name; {advice}"));
    }
    Ok(())
}

/// A rate from its two settings, each falling back to `default`'s part;
/// a burst not set, with a rate that is, is at most that rate.
pub(super) fn rate(
    setting: &str,
    per_minute: Option<u64>,
    burst_setting: &str,
    burst: Option<u64>,
    default: Option<Rate>,
) -> Result<Option<Rate>, ConfigError> {
    let to_u32 =
        |name: &str, v: u64| u32::try_from(v).map_err(|_| err(name, "must be at most 4294967295"));
    let default_burst = default.map_or(0, |r| r.burst.get());
    let (per_minute, burst_cap) = match per_minute {
        Some(v) => (to_u32(setting, v)?, to_u32(setting, v)?.max(1)),
        None => (default.map_or(0, |r| r.per_minute.get()), u32::MAX),
    };
    let burst = match burst {
        Some(v) => to_u32(burst_setting, v)?,
        None => default_burst.min(burst_cap),
    };
    Ok(Rate::new(per_minute, burst))
}

/// A name for an application or a key: `A-Z a-z 0-9 . _ -`, 1 to 64.
pub(super) fn valid_name(name: &str) -> bool {
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
        let text = zeroize::Zeroizing::new(
            std::fs::read_to_string(&path)
                .map_err(|e| unreadable_file(file_var, &path, e.kind()))?,
        );
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
    fn environment_hosts_are_bare_host_names() {
        for ok in [
            "ocra.api.sinch.com",
            "OCRA-euc1.api.sinch.com",
            "localhost:8443",
        ] {
            assert!(check_environment_host(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "https://ocra.api.sinch.com",
            "ocra.api.sinch.com/",
            "ocra.api.sinch.com/v1",
            "user@ocra.api.sinch.com",
            "ocra api",
            "ocra.api.sinch.com:99999",
        ] {
            assert!(check_environment_host(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secret_looking_paths_are_not_echoed() {
        for secret in [
            "ax8hTTQJF0OPXL32r1LHMA==",
            "postgres://app:hunter2@db:5432/auth",
            "a-long-random-api-key-0123",
        ] {
            assert!(looks_like_secret(secret), "{secret}");
            let message = unreadable_file("X_FILE", secret, "not found").to_string();
            assert!(!message.contains(secret), "{message}");
            assert!(message.contains("looks like a secret"), "{message}");
        }
        let message = unreadable_file("X_FILE", "/run/secrets/key", "not found").to_string();
        assert!(message.contains("/run/secrets/key"), "{message}");
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
