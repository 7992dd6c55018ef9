//! The security review's items (issue 9), each against a real server on
//! 127.0.0.1 over real HTTP: in-process servers built from configuration
//! exactly as `serve` builds them, or `serve` processes where the log or
//! the exit matters.

mod audit_logs;
mod connections;
mod forwarded;
mod jwks;
mod login_limits;
mod origins;
mod passwords;
mod secrets;
mod signup;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use sinch_auth_service::config::{Overrides, Settings};
use sinch_auth_service::{Built, Server};
use tokio::sync::oneshot;

pub use crate::common::process::{client, cookie_set_by};
use crate::common::{API_KEY, APP_KEY, APP_SECRET};

/// A server built from configuration variables, serving on loopback until
/// dropped.
pub struct Running {
    pub api: SocketAddr,
    pub admin: SocketAddr,
    _stop: oneshot::Sender<()>,
    _dir: Option<tempfile::TempDir>,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.api)
    }

    pub fn admin_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.admin)
    }
}

/// `vars` as the environment: `Settings::load`, `Settings::build`, and
/// both listeners on 127.0.0.1 ports the OS picks.
pub async fn serve(vars: &[(&str, &str)]) -> Running {
    serve_in(vars, None).await
}

async fn serve_in(vars: &[(&str, &str)], dir: Option<tempfile::TempDir>) -> Running {
    let env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let overrides = Overrides::default()
        .with_listen(loopback)
        .with_admin_listen(loopback);
    let settings = Settings::load(None, &|k| env.get(k).cloned(), &overrides)
        .unwrap_or_else(|e| panic!("configuration refused: {e}"));
    let Built {
        service,
        api_router,
        ..
    } = settings.build().await.unwrap();
    let server = Server::bind(service, loopback, loopback, Duration::from_secs(1))
        .await
        .unwrap()
        .with_api_router(api_router);
    let (api, admin) = (server.api_addr(), server.admin_addr());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    Running {
        api,
        admin,
        _stop: stop,
        _dir: dir,
    }
}

/// Accounts mode on a fresh SQLite file, with real Sinch credentials, open
/// sign-up and `127.0.0.1` as the trusted proxy, plus `vars`.
pub async fn serve_accounts(vars: &[(&str, &str)]) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("accounts.db").display());
    let mut all = vec![
        ("SINCH_AUTH_DATABASE_URL", url.as_str()),
        ("SINCH_APPLICATION_KEY", APP_KEY),
        ("SINCH_APPLICATION_SECRET", APP_SECRET),
        ("SINCH_AUTH_SIGNUP", "open"),
        ("SINCH_AUTH_TRUSTED_PROXIES", "127.0.0.1"),
    ];
    all.extend_from_slice(vars);
    serve_in(&all, Some(dir)).await
}

/// api-key mode with real credentials and `127.0.0.1` as the trusted
/// proxy, plus `vars`.
pub async fn serve_api_key(vars: &[(&str, &str)]) -> Running {
    let mut all = vec![
        ("SINCH_AUTH_CALLER_AUTH", "api-key"),
        ("SINCH_AUTH_API_KEYS", API_KEY),
        ("SINCH_APPLICATION_KEY", APP_KEY),
        ("SINCH_APPLICATION_SECRET", APP_SECRET),
        ("SINCH_AUTH_TRUSTED_PROXIES", "127.0.0.1"),
    ];
    all.extend_from_slice(vars);
    serve(&all).await
}

/// A JSON POST from the client behind the trusted proxy at `xff`.
pub async fn post_from(server: &Running, path: &str, xff: &str, body: &Value) -> reqwest::Response {
    client()
        .post(server.url(path))
        .header("x-forwarded-for", xff)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

/// Status and problem code (empty for a success) of a reply.
pub async fn status_and_code(reply: reqwest::Response) -> (u16, String) {
    let status = reply.status().as_u16();
    let text = reply.text().await.unwrap();
    let code = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    (status, code)
}

pub fn credentials(username: &str, password: &str) -> Value {
    json!({"username": username, "password": password})
}

pub const PASSWORD: &str = "a strong passphrase nobody uses";
