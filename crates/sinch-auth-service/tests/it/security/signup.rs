//! Item 1: sign-up is closed unless someone chose otherwise. Open by
//! default only while the throw-away development application signs; with
//! real credentials closed (403 `signup_closed`), and opening it logs a
//! warning naming the setting.

use serde_json::json;

use super::PASSWORD;
use crate::common::process::{Server, client};
use crate::common::{APP_KEY, APP_SECRET};

async fn sign_up(server: &Server, username: &str) -> (u16, String) {
    let reply = client()
        .post(server.url("/v1/accounts"))
        .header("content-type", "application/json")
        .body(json!({"username": username, "password": PASSWORD}).to_string())
        .send()
        .await
        .unwrap();
    super::status_and_code(reply).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_credentials_close_sign_up_unless_it_is_configured() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("accounts.db").display());
    // SINCH_AUTH_ENV unset: development, but with the operator's real app.
    let env = vec![
        ("SINCH_AUTH_DATABASE_URL", database),
        ("SINCH_APPLICATION_KEY", APP_KEY.to_owned()),
        ("SINCH_APPLICATION_SECRET", APP_SECRET.to_owned()),
    ];
    let server = Server::start(&env);
    server.wait_ready().await;
    assert_eq!(
        sign_up(&server, "mallory").await,
        (403, "signup_closed".to_owned())
    );
    assert!(
        !server.log().contains("sign-up is open"),
        "{}",
        server.log()
    );
    drop(server);

    let mut open = env.clone();
    open.push(("SINCH_AUTH_SIGNUP", "open".to_owned()));
    let server = Server::start(&open);
    server.wait_ready().await;
    assert_eq!(sign_up(&server, "alice").await.0, 201);
    let log = server.log();
    let warning = log
        .lines()
        .find(|l| l.contains("sign-up is open with real Sinch credentials"))
        .unwrap_or_else(|| panic!("no warning:\n{log}"));
    assert!(warning.contains("\"level\":\"WARN\""), "{warning}");
    assert!(
        warning.contains("accounts.signup (SINCH_AUTH_SIGNUP)"),
        "{warning}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_development_application_keeps_sign_up_open() {
    let dir = tempfile::tempdir().unwrap();
    let env = vec![(
        "SINCH_AUTH_DATABASE_URL",
        format!("sqlite://{}", dir.path().join("accounts.db").display()),
    )];
    let server = Server::start(&env);
    server.wait_ready().await;
    assert_eq!(sign_up(&server, "dev-user").await.0, 201);
    assert!(!server.log().contains("sign-up is open with real"));
}
