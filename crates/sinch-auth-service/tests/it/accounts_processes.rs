//! Real `serve` processes in accounts mode: a crash (kill -9) in the middle
//! of a burst of sign-ups, the development credentials across restarts,
//! production refusing to start, and (on PostgreSQL) two instances sharing
//! one database.
//!
//! The server is the crate's `serve` example, the same entry point as
//! `sinch-auth serve`; `cargo test -p sinch-auth-service` builds it.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::process::{Server, client, cookie_set_by, run_to_exit};
use common::{APP_KEY, APP_SECRET, app};
use serde_json::{Value, json};
use sinch_auth::{Application, VerifyOptions};

const PASSWORD: &str = "process test password";

async fn post(
    server: &Server,
    path: &str,
    body: &Value,
    cookie: Option<&str>,
) -> reqwest::Result<reqwest::Response> {
    let mut request = client()
        .post(server.url(path))
        .header("origin", server.origin())
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await
}

/// Logs in; the session cookie (`name=value`) and the JSON body.
async fn log_in(server: &Server, username: &str) -> (String, Value) {
    let reply = post(
        server,
        "/v1/login",
        &json!({"username": username, "password": PASSWORD}),
        None,
    )
    .await
    .unwrap();
    assert_eq!(reply.status(), 200, "login of {username}");
    let cookie = cookie_set_by(&reply).expect("a login sets the session cookie");
    (cookie, json_of(reply).await)
}

async fn json_of(reply: reqwest::Response) -> Value {
    serde_json::from_str(&reply.text().await.unwrap()).unwrap()
}

fn sqlite_env(dir: &tempfile::TempDir) -> Vec<(&'static str, String)> {
    vec![
        (
            "SINCH_AUTH_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("accounts.db").display()),
        ),
        // Every request comes from 127.0.0.1.
        ("SINCH_AUTH_RATE_LIMIT_PER_IP", "0".into()),
        ("SINCH_AUTH_LOGIN_RATE_LIMIT_PER_IP", "0".into()),
    ]
}

/// Real credentials, and sign-up opened explicitly (with real credentials
/// it is closed unless configured).
fn with_credentials(mut env: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    env.push(("SINCH_APPLICATION_KEY", APP_KEY.into()));
    env.push(("SINCH_APPLICATION_SECRET", APP_SECRET.into()));
    env.push(("SINCH_AUTH_SIGNUP", "open".into()));
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_sign_ups_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let env = with_credentials(sqlite_env(&dir));
    let mut server = Server::start(&env);
    server.wait_ready().await;

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let server_ref = Arc::new(server.api);
    let mut writers = Vec::new();
    for writer in 0..6 {
        let (acknowledged, api) = (acknowledged.clone(), server_ref.clone());
        writers.push(tokio::spawn(async move {
            let client = client();
            for i in 0.. {
                let name = format!("crash-{writer}-{i}");
                let reply = client
                    .post(format!("http://{api}/v1/accounts"))
                    .header("content-type", "application/json")
                    .body(json!({"username": name, "password": PASSWORD}).to_string())
                    .send()
                    .await;
                match reply {
                    Ok(r) if r.status() == 201 => acknowledged.lock().unwrap().push(name),
                    Ok(r) => panic!("sign-up of {name}: {}", r.status()),
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 40 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "sign-ups too slow"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Mid-burst: six sign-ups are in flight (hashing or committing).
    server.kill_9();
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 40);

    let mut raw = {
        use sqlx::Connection;
        sqlx::SqliteConnection::connect(&format!(
            "sqlite://{}",
            dir.path().join("accounts.db").display()
        ))
        .await
        .unwrap()
    };
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    drop(raw);

    let restarted = Server::start(&env);
    restarted.wait_ready().await;
    for name in &acknowledged {
        let (_, body) = log_in(&restarted, name).await;
        assert_eq!(body["userId"], name.as_str());
    }
}

/// The development banner's `NAME=value` line.
fn banner_value(log: &str, name: &str) -> String {
    log.lines()
        .find_map(|l| l.trim().strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in:\n{log}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_credentials_are_generated_printed_once_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let env = sqlite_env(&dir);
    let mut server = Server::start(&env);
    server.wait_ready().await;
    let log = server.log();
    assert!(log.contains("DEVELOPMENT ONLY"), "{log}");
    let key = banner_value(&log, "SINCH_APPLICATION_KEY");
    let secret = banner_value(&log, "SINCH_APPLICATION_SECRET");
    assert!(key.starts_with("development-only-"), "{key}");
    // The banner is not a log line: the secret is in no JSON line.
    assert!(
        log.lines()
            .filter(|l| l.starts_with('{'))
            .all(|l| !l.contains(&secret)),
        "{log}"
    );
    let printed = Application::from_base64(&key, &secret).unwrap();

    let name = "dev-user";
    let reply = post(
        &server,
        "/v1/accounts",
        &json!({"username": name, "password": PASSWORD}),
        None,
    )
    .await
    .unwrap();
    assert_eq!(reply.status(), 201, "open sign-up in development");
    let (_, body) = log_in(&server, name).await;
    let ticket = body["userTicket"].as_str().unwrap();
    let verified = printed
        .verify_ticket(ticket, &VerifyOptions::default())
        .unwrap();
    assert_eq!(verified.user_id(), name);
    assert!(
        app()
            .verify_ticket(ticket, &VerifyOptions::default())
            .is_err(),
        "not signed with any configured application"
    );
    server.terminate();

    let again = Server::start(&env);
    again.wait_ready().await;
    let log = again.log();
    assert!(
        !log.contains("DEVELOPMENT ONLY"),
        "printed only once:\n{log}"
    );
    assert!(
        log.contains(&key),
        "the kept key is named in a warning:\n{log}"
    );
    assert!(!log.contains(&secret), "{log}");
    let (cookie, _) = log_in(&again, name).await;
    let reply = post(&again, "/v1/registration-tokens", &json!({}), Some(&cookie))
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let body = json_of(reply).await;
    let token = body["token"].as_str().unwrap();
    let verified = printed
        .verify_token(token, &VerifyOptions::default())
        .unwrap();
    assert_eq!(verified.user_id(), name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_refuses_to_start_without_real_credentials() {
    let dir = tempfile::tempdir().unwrap();
    for (extra, expected) in [
        (vec![], "SINCH_APPLICATION_KEY"),
        (
            vec![
                ("SINCH_APPLICATION_KEY", APP_KEY.to_owned()),
                ("SINCH_APPLICATION_SECRET", APP_SECRET.to_owned()),
                ("SINCH_AUTH_SECURE_COOKIES", "false".to_owned()),
            ],
            "accounts.secure_cookies (SINCH_AUTH_SECURE_COOKIES)",
        ),
    ] {
        let mut env = sqlite_env(&dir);
        env.push(("SINCH_AUTH_ENV", "production".into()));
        env.extend(extra);
        let output = run_to_exit(&env);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{stderr}");
        assert!(!stderr.contains(APP_SECRET), "{stderr}");
    }
    assert!(
        !dir.path().join("accounts.db").exists(),
        "refused before touching the database"
    );
}

// ------------------------------------------------------------ PostgreSQL

const POSTGRES_URL_VAR: &str = "SINCH_AUTH_TEST_POSTGRES_URL";

/// A schema of its own on the test server.
async fn postgres_schema_url() -> (String, String) {
    use sqlx::Connection;
    let base = match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "{POSTGRES_URL_VAR} is not set: this test needs PostgreSQL. \
             Run `bash .ci/postgres.sh test -p sinch-auth-service`."
        ),
    };
    let schema = format!("proc_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let separator = if base.contains('?') { '&' } else { '?' };
    (
        format!("{base}{separator}options=-c%20search_path%3D{schema}"),
        schema,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by .ci/postgres.sh"]
async fn two_instances_share_accounts_and_sessions() {
    let (url, _schema) = postgres_schema_url().await;
    let env = with_credentials(vec![
        ("SINCH_AUTH_DATABASE_URL", url),
        ("SINCH_AUTH_RATE_LIMIT_PER_IP", "0".into()),
    ]);
    // Started together: both migrate the empty schema at once.
    let (a, b) = (Server::start(&env), Server::start(&env));
    a.wait_ready().await;
    b.wait_ready().await;

    let name = "shared-user";
    let reply = post(
        &a,
        "/v1/accounts",
        &json!({"username": name, "password": PASSWORD}),
        None,
    )
    .await
    .unwrap();
    assert_eq!(reply.status(), 201);
    let duplicate = post(
        &b,
        "/v1/accounts",
        &json!({"username": name, "password": PASSWORD}),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        duplicate.status(),
        409,
        "the other instance sees the account"
    );

    // Log in on B, use the session on A.
    let (cookie, body) = log_in(&b, name).await;
    assert_eq!(body["userId"], name);
    let reply = post(&a, "/v1/tickets", &json!({}), Some(&cookie))
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let body = json_of(reply).await;
    let verified = app()
        .verify_ticket(
            body["userTicket"].as_str().unwrap(),
            &VerifyOptions::default(),
        )
        .unwrap();
    assert_eq!(verified.user_id(), name);

    // Log out on A: B refuses the session at once.
    let reply = post(&a, "/v1/logout", &json!({}), Some(&cookie))
        .await
        .unwrap();
    assert_eq!(reply.status(), 204);
    let reply = post(&b, "/v1/registration-tokens", &json!({}), Some(&cookie))
        .await
        .unwrap();
    assert_eq!(reply.status(), 401);
}
