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
/// a burst not set is at most the rate.
pub(super) fn rate(
    setting: &str,
    per_minute: Option<u64>,
    burst_setting: &str,
    burst: Option<u64>,
    default: Option<Rate>,
) -> Result<Option<Rate>, ConfigError> {
    let to_u32 =
        |name: &str, v: u64| u32::try_from(v).map_err(|_| err(name, "must be at most 4294967295"));
    let per_minute = match per_minute {
        Some(v) => to_u32(setting, v)?,
        None => default.map_or(0, |r| r.per_minute.get()),
    };
    let burst = match burst {
        Some(v) => to_u32(burst_setting, v)?,
        None => default.map_or(0, |r| r.burst.get()).min(per_minute.max(1)),
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
    fn networks_and_addresses() {
        assert!(parse_net("10.0.0.0/8").is_ok());
        assert!(parse_net("192.168.1.1").is_ok());
        assert!(parse_net("::1").is_ok());
        assert!(parse_net("10.0.0.0/33").is_err());
        assert!(parse_net("proxy.local").is_err());
    }
}
