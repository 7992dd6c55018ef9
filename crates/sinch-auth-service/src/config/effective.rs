//! `serve --print-config`: every setting's effective value and where it came
//! from (a flag, a variable, the file, or the default), printed as a TOML
//! file that loads back. Secrets are never printed: the database URL loses
//! its password, Sinch secrets and API keys appear only by name.

use std::fmt::{self, Write as _};
use std::time::Duration;

use super::env::{ENV_SETTINGS, Slot};
use super::file::RawConfig;
use super::{Overrides, Settings};
use crate::rate_limit::Rate;

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Nothing set it.
    Default,
    /// The configuration file.
    File,
    /// This environment variable.
    Variable(&'static str),
    /// A command-line flag.
    Flag,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File => f.write_str("file"),
            Source::Variable(var) => write!(f, "variable {var}"),
            Source::Flag => f.write_str("flag"),
        }
    }
}

/// The source of every table setting, decided before the variables are
/// applied over the file (`raw` is the file alone).
pub(super) fn sources(
    raw: &mut RawConfig,
    lookup: &dyn Fn(&str) -> Option<String>,
    overrides: &Overrides,
) -> Vec<(&'static str, Source)> {
    let flagged = |setting: &str| match setting {
        "listen" => overrides.listen.is_some(),
        "admin_listen" => overrides.admin_listen.is_some(),
        "caller_auth" => overrides.caller_auth.is_some(),
        "log_format" => overrides.log_format.is_some(),
        "database_url" => overrides.database_url.is_some(),
        _ => false,
    };
    ENV_SETTINGS
        .iter()
        .map(|s| {
            let in_file = match (s.slot)(raw) {
                Slot::Str(v) => v.is_some(),
                Slot::Num(v) => v.is_some(),
                Slot::Bool(v) => v.is_some(),
                Slot::List(v) => v.is_some(),
            };
            let source = if flagged(s.setting) {
                Source::Flag
            } else if lookup(s.var).is_some_and(|v| !v.trim().is_empty()) {
                Source::Variable(s.var)
            } else if in_file {
                Source::File
            } else {
                Source::Default
            };
            (s.setting, source)
        })
        .collect()
}

/// A value as TOML.
enum Value {
    Str(String),
    Num(u64),
    Bool(bool),
    List(Vec<String>),
    /// Not used in this mode.
    Unused,
    /// Optional and not set.
    Unset,
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
        match self {
            Value::Str(s) => f.write_str(&quote(s)),
            Value::Num(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::List(items) => {
                let items: Vec<String> = items.iter().map(|s| quote(s)).collect();
                write!(f, "[{}]", items.join(", "))
            }
            Value::Unused | Value::Unset => Ok(()),
        }
    }
}

fn secs(d: Duration) -> Value {
    Value::Num(d.as_secs())
}

fn per_minute(rate: Option<Rate>) -> Value {
    Value::Num(rate.map_or(0, |r| u64::from(r.per_minute.get())))
}

fn burst(rate: Option<Rate>) -> Value {
    Value::Num(rate.map_or(0, |r| u64::from(r.burst.get())))
}

impl Settings {
    /// The effective value of a table setting; `None` for a setting this
    /// function does not know (a test keeps it complete).
    fn value_of(&self, setting: &str) -> Option<Value> {
        let o = &self.options;
        let text = |s: &str| Value::Str(s.to_owned());
        let accounts = self.accounts.as_ref();
        let a = accounts.map(|a| &a.options);
        let jwt = self.jwt.as_ref();
        let limits = o.rate_limits;
        let login = a.map(|a| a.login_limits);
        Some(match setting {
            "listen" => Value::Str(self.listen.to_string()),
            "admin_listen" => Value::Str(self.admin_listen.to_string()),
            "caller_auth" => text(self.caller_auth.as_str()),
            "environment" => text(self.environment.as_str()),
            "database_url" => {
                accounts.map_or(Value::Unused, |a| Value::Str(a.database_url.redacted()))
            }
            "log_format" => text(match self.log_format {
                super::LogFormat::Text => "text",
                super::LogFormat::Json => "json",
            }),
            "log_level" => text(&self.log_level),
            "request_timeout_secs" => secs(o.request_timeout),
            "shutdown_grace_secs" => secs(self.shutdown_grace),
            "forwarded_header" => text(o.forwarded_header.as_str()),
            "max_connections" => Value::Num(o.max_connections as u64),
            "public_origin" => match a.map(|a| a.public_origin.as_deref()) {
                Some(Some(origin)) => text(origin),
                Some(None) => Value::Unset,
                None => Value::Unused,
            },
            "rate_limit.ipv6_prefix" => Value::Num(u64::from(limits.ipv6_prefix)),
            "rate_limit.login_failures_per_minute" => {
                login.map_or(Value::Unused, |l| per_minute(l.failures_per_network))
            }
            "rate_limit.login_failures_burst" => {
                login.map_or(Value::Unused, |l| burst(l.failures_per_network))
            }
            "accounts.max_waiting_hashes" => {
                a.map_or(Value::Unused, |a| Value::Num(a.max_waiting_hashes as u64))
            }
            "trusted_proxies" => {
                Value::List(o.trusted_proxies.iter().map(|p| p.to_string()).collect())
            }
            "cors_origins" => Value::List(o.cors_origins.clone()),
            "cors_allow_credentials" => Value::Bool(o.cors_allow_credentials),
            "environment_host" => Value::Str(self.environment_host.clone()),
            "tickets.default_ttl_secs" => secs(o.tickets.default_ttl),
            "tickets.min_ttl_secs" => secs(o.tickets.min_ttl),
            "tickets.max_ttl_secs" => secs(o.tickets.max_ttl),
            "registration_tokens.default_ttl_secs" => secs(o.tokens.default_ttl),
            "registration_tokens.min_ttl_secs" => secs(o.tokens.bounds.min()),
            "registration_tokens.max_ttl_secs" => secs(o.tokens.bounds.max()),
            "rate_limit.per_ip_per_minute" => per_minute(limits.per_ip),
            "rate_limit.per_ip_burst" => burst(limits.per_ip),
            "rate_limit.per_user_per_minute" => per_minute(limits.per_user),
            "rate_limit.per_user_burst" => burst(limits.per_user),
            "rate_limit.login_per_ip_per_minute" => {
                login.map_or(Value::Unused, |l| per_minute(l.per_ip))
            }
            "rate_limit.login_per_ip_burst" => login.map_or(Value::Unused, |l| burst(l.per_ip)),
            "rate_limit.login_per_username_per_minute" => {
                login.map_or(Value::Unused, |l| per_minute(l.per_username))
            }
            "rate_limit.login_per_username_burst" => {
                login.map_or(Value::Unused, |l| burst(l.per_username))
            }
            "accounts.signup" => a.map_or(Value::Unused, |a| text(a.signup.name())),
            "accounts.session_ttl_secs" => a.map_or(Value::Unused, |a| secs(a.session_ttl)),
            "accounts.session_cache_ms" => a.map_or(Value::Unused, |a| {
                Value::Num(a.session_cache.as_millis() as u64)
            }),
            "accounts.secure_cookies" => a.map_or(Value::Unused, |a| Value::Bool(a.secure_cookies)),
            "jwt.issuer" => jwt.map_or(Value::Unused, |j| text(&j.issuer)),
            "jwt.audience" => jwt.map_or(Value::Unused, |j| Value::List(j.audiences.clone())),
            "jwt.jwks_url" => jwt.map_or(Value::Unused, |j| match &j.jwks {
                crate::caller::JwksSource::Url(url) => text(url),
                _ => Value::Unused,
            }),
            "jwt.jwks_file" => jwt.map_or(Value::Unused, |j| match &j.jwks {
                crate::caller::JwksSource::File(path) => Value::Str(path.display().to_string()),
                _ => Value::Unused,
            }),
            "jwt.algorithms" => jwt.map_or(Value::Unused, |j| {
                Value::List(j.algorithms.iter().map(|a| format!("{a:?}")).collect())
            }),
            "jwt.user_id_claim" => jwt.map_or(Value::Unused, |j| text(&j.user_id_claim)),
            "jwt.user_id_encoding" => jwt.map_or(Value::Unused, |j| {
                text(match j.user_id_encoding {
                    crate::caller::UserIdEncoding::None => "none",
                    crate::caller::UserIdEncoding::Base64Url => "base64url",
                })
            }),
            "jwt.leeway_secs" => jwt.map_or(Value::Unused, |j| secs(j.leeway)),
            "jwt.jwks_cache_secs" => jwt.map_or(Value::Unused, |j| secs(j.jwks_max_age)),
            "jwt.jwks_min_refresh_secs" => {
                jwt.map_or(Value::Unused, |j| secs(j.jwks_min_refresh_interval))
            }
            "jwt.jwks_timeout_secs" => jwt.map_or(Value::Unused, |j| secs(j.jwks_fetch_timeout)),
            _ => return None,
        })
    }

    /// The effective configuration as a TOML file that loads back: each
    /// setting with its source in a comment, settings of other modes
    /// commented out, secrets shown only by name.
    pub fn render_effective(&self) -> String {
        let mut out = String::from(
            "# sinch-auth serve: effective configuration (source after each value).\n\
             # Secrets are not shown: Sinch secrets, API keys and database passwords.\n",
        );
        // Top-level keys first: TOML puts every key after `[t]` in table t.
        let mut settings = self.sources.clone();
        settings.sort_by_key(|(setting, _)| setting.contains('.'));
        let mut section = "";
        for (setting, source) in &settings {
            let (table, key) = setting.rsplit_once('.').unwrap_or(("", setting));
            if table != section {
                let _ = write!(out, "\n[{table}]\n");
                section = table;
            }
            let value = self.value_of(setting).unwrap_or(Value::Unused);
            let _ = match value {
                Value::Unused => writeln!(
                    out,
                    "# {key}: not used in {} mode",
                    self.caller_auth.as_str()
                ),
                value => writeln!(out, "{key} = {value}  # {source}"),
            };
        }
        out.push_str("\n# Sinch applications (secrets not shown)\n");
        match &self.applications {
            Some(apps) => {
                for name in apps.names() {
                    if let Some((_, app)) = apps.get(Some(name)) {
                        let host = apps.environment_host(Some(name)).unwrap_or_default();
                        let key = app.key().as_str();
                        let _ = writeln!(out, "# {name}: key {key}, environment host {host}");
                    }
                }
            }
            None => out.push_str("# default: the development application kept in the database\n"),
        }
        if !self.api_keys.is_empty() {
            let names: Vec<&str> = self.api_keys.iter().map(|k| k.name()).collect();
            let _ = writeln!(out, "# API keys: {}", names.join(", "));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_setting_has_a_value() {
        let settings = Settings::load(None, &|_| None, &Overrides::default()).unwrap();
        for s in ENV_SETTINGS {
            assert!(
                settings.value_of(s.setting).is_some(),
                "{} has no value",
                s.setting
            );
        }
    }
}
