//! The configuration file's shape (TOML). Every field optional; unknown
//! keys are errors, so a typo never silently falls back to a default.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    pub(crate) listen: Option<String>,
    pub(crate) admin_listen: Option<String>,
    pub(crate) caller_auth: Option<String>,
    pub(crate) environment: Option<String>,
    pub(crate) database_url: Option<String>,
    pub(crate) log_format: Option<String>,
    pub(crate) log_level: Option<String>,
    pub(crate) request_timeout_secs: Option<u64>,
    pub(crate) shutdown_grace_secs: Option<u64>,
    pub(crate) trusted_proxies: Option<Vec<String>>,
    pub(crate) forwarded_header: Option<String>,
    pub(crate) max_connections: Option<u64>,
    pub(crate) public_origin: Option<String>,
    pub(crate) cors_origins: Option<Vec<String>>,
    pub(crate) cors_allow_credentials: Option<bool>,
    pub(crate) environment_host: Option<String>,
    #[serde(default)]
    pub(crate) tickets: RawTtl,
    #[serde(default)]
    pub(crate) registration_tokens: RawTtl,
    #[serde(default)]
    pub(crate) rate_limit: RawRateLimit,
    #[serde(default)]
    pub(crate) api_key: RawApiKey,
    #[serde(default)]
    pub(crate) jwt: RawJwt,
    #[serde(default)]
    pub(crate) accounts: RawAccounts,
    #[serde(default)]
    pub(crate) applications: BTreeMap<String, RawApplication>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTtl {
    pub(crate) default_ttl_secs: Option<u64>,
    pub(crate) min_ttl_secs: Option<u64>,
    pub(crate) max_ttl_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRateLimit {
    pub(crate) per_ip_per_minute: Option<u64>,
    pub(crate) per_ip_burst: Option<u64>,
    pub(crate) per_user_per_minute: Option<u64>,
    pub(crate) per_user_burst: Option<u64>,
    pub(crate) ipv6_prefix: Option<u64>,
    pub(crate) login_per_ip_per_minute: Option<u64>,
    pub(crate) login_per_ip_burst: Option<u64>,
    pub(crate) login_per_username_per_minute: Option<u64>,
    pub(crate) login_per_username_burst: Option<u64>,
    pub(crate) login_failures_per_minute: Option<u64>,
    pub(crate) login_failures_burst: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAccounts {
    pub(crate) signup: Option<String>,
    #[serde(default)]
    pub(crate) admin_keys: Vec<RawKeyDigest>,
    pub(crate) session_ttl_secs: Option<u64>,
    pub(crate) session_cache_ms: Option<u64>,
    pub(crate) secure_cookies: Option<bool>,
    pub(crate) max_waiting_hashes: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawApiKey {
    #[serde(default)]
    pub(crate) keys: Vec<RawKeyDigest>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawKeyDigest {
    pub(crate) name: Option<String>,
    pub(crate) sha256: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawJwt {
    pub(crate) issuer: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub(crate) audience: Option<Vec<String>>,
    pub(crate) jwks_url: Option<String>,
    pub(crate) jwks_file: Option<String>,
    pub(crate) algorithms: Option<Vec<String>>,
    pub(crate) user_id_claim: Option<String>,
    pub(crate) user_id_encoding: Option<String>,
    pub(crate) leeway_secs: Option<u64>,
    pub(crate) jwks_cache_secs: Option<u64>,
    pub(crate) jwks_min_refresh_secs: Option<u64>,
    pub(crate) jwks_timeout_secs: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawApplication {
    pub(crate) key: String,
    pub(crate) secret_file: Option<String>,
    pub(crate) secret_env: Option<String>,
    pub(crate) environment_host: Option<String>,
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(Some(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    }))
}
