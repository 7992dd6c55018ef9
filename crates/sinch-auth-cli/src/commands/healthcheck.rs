//! `sinch-auth healthcheck`: one HTTP GET to a running service's admin
//! listener, for container health checks (the image has no curl). Exit 0
//! when it answers 2xx, 1 otherwise.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use sinch_auth_service::config::{self, CONFIG_VAR};

use crate::exit::CliError;
use crate::output;

#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// URL to GET [default: /readyz on the admin listener `serve` would use:
    /// --admin-listen, $SINCH_AUTH_ADMIN_LISTEN, the configuration file's
    /// admin_listen, else 127.0.0.1:9090 (0.0.0.0 and [::] are reached on
    /// loopback)]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// The TOML configuration file `serve` reads (for its admin_listen)
    #[arg(long, env = CONFIG_VAR, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Check /livez (the process serves) instead of /readyz (it can also
    /// reach its database or identity provider); ignored with --url
    #[arg(long)]
    pub live: bool,

    /// Give up after this many seconds
    #[arg(long, value_name = "SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,

    /// Address of the admin listener, to build the default URL
    #[arg(long, value_name = "ADDR")]
    pub admin_listen: Option<SocketAddr>,
}

impl HealthcheckArgs {
    fn url(&self) -> Result<String, CliError> {
        if let Some(url) = &self.url {
            return Ok(url.clone());
        }
        let listen = config::admin_listen(
            self.config.as_deref(),
            &|name| std::env::var(name).ok(),
            self.admin_listen,
        )
        .map_err(|e| CliError::usage(e.to_string()))?;
        let path = if self.live { "/livez" } else { "/readyz" };
        Ok(format!("http://{}{path}", reachable(listen)))
    }
}

/// A listener bound to every interface is reached on loopback.
fn reachable(listen: SocketAddr) -> SocketAddr {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, listen.port())
}

pub fn run(args: &HealthcheckArgs) -> Result<(), CliError> {
    let url = args.url()?;
    let parsed = reqwest::Url::parse(&url)
        .map_err(|e| CliError::usage(format!("invalid --url {url:?}: {e}")))?;
    if parsed.scheme() != "http" && parsed.scheme() != "https" {
        return Err(CliError::usage(format!(
            "invalid --url {url:?}: not http:// or https://"
        )));
    }
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(args.timeout))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| CliError::usage(format!("cannot start an HTTP client: {e}")))?;
    match client.get(parsed).send() {
        Ok(response) if response.status().is_success() => {
            output::line(&format!("healthy: {url} answered {}", response.status()))
        }
        Ok(response) => Err(CliError::unhealthy(format!(
            "unhealthy: {url} answered {}",
            response.status()
        ))),
        Err(e) => Err(CliError::unhealthy(format!(
            "unhealthy: no answer from {url}: {}",
            error_chain(&e)
        ))),
    }
}

/// reqwest's top-level message ("error sending request") hides the cause
/// (connection refused, timed out) one level down.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_listeners_are_reached_on_loopback() {
        assert_eq!(
            reachable("0.0.0.0:9090".parse().unwrap()).to_string(),
            "127.0.0.1:9090"
        );
        assert_eq!(
            reachable("[::]:9091".parse().unwrap()).to_string(),
            "[::1]:9091"
        );
        assert_eq!(
            reachable("10.1.2.3:9092".parse().unwrap()).to_string(),
            "10.1.2.3:9092"
        );
    }

    #[test]
    fn the_default_url_follows_the_admin_listener() {
        let args = HealthcheckArgs {
            url: None,
            config: None,
            live: false,
            timeout: 5,
            admin_listen: Some("0.0.0.0:9999".parse().unwrap()),
        };
        assert_eq!(args.url().unwrap(), "http://127.0.0.1:9999/readyz");
        let live = HealthcheckArgs { live: true, ..args };
        assert_eq!(live.url().unwrap(), "http://127.0.0.1:9999/livez");
    }
}
