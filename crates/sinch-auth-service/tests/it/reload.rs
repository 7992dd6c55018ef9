//! SIGHUP against the real binary: API keys, sign-up admin keys and a JWKS
//! file are rotated without a restart; a bad new file is refused with a log
//! line and the running keys keep working.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::process::Server;
use crate::common::{self, APP_KEY, APP_SECRET, claims, jwks, rsa_key};

const KEY_ONE: &str = "rotation-key-one-0123456789";
const KEY_TWO: &str = "rotation-key-two-9876543210";

fn app_env() -> Vec<(&'static str, String)> {
    vec![
        ("SINCH_APPLICATION_KEY", APP_KEY.to_owned()),
        ("SINCH_APPLICATION_SECRET", APP_SECRET.to_owned()),
    ]
}

async fn status(server: &Server, path: &str, bearer: &str, body: serde_json::Value) -> u16 {
    reqwest::Client::new()
        .post(server.url(path))
        .header("authorization", format!("Bearer {bearer}"))
        .header("content-type", "application/json")
        .header("origin", server.origin())
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Writes `text` to `path` the way operators should: a new file renamed
/// over the old one, so a reload never reads half a file.
fn replace(path: &Path, text: &str) {
    let tmp = path.with_extension("new");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// Sends SIGHUP and waits for its log line.
async fn hup(server: &Server, expect: &str) {
    let before = server.log().matches(expect).count();
    server.signal("HUP");
    let started = Instant::now();
    while server.log().matches(expect).count() == before {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no {expect:?} after SIGHUP:\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const RELOADED: &str = "SIGHUP: configuration reloaded";
const REFUSED: &str = "SIGHUP: configuration reload refused";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_rotates_api_keys_and_refuses_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("api-keys");
    std::fs::write(&keys, KEY_ONE).unwrap();
    let mut env = app_env();
    env.push(("SINCH_AUTH_CALLER_AUTH", "api-key".into()));
    env.push(("SINCH_AUTH_API_KEYS_FILE", keys.display().to_string()));
    let mut server = Server::start(&env);
    let ticket = || json!({"userId": "alice"});
    assert_eq!(status(&server, "/v1/tickets", KEY_ONE, ticket()).await, 200);
    assert_eq!(status(&server, "/v1/tickets", KEY_TWO, ticket()).await, 401);

    replace(&keys, &format!("{KEY_TWO}\n"));
    hup(&server, RELOADED).await;
    assert_eq!(status(&server, "/v1/tickets", KEY_TWO, ticket()).await, 200);
    assert_eq!(status(&server, "/v1/tickets", KEY_ONE, ticket()).await, 401);

    replace(&keys, "too-short\n");
    hup(&server, REFUSED).await;
    assert_eq!(status(&server, "/v1/tickets", KEY_TWO, ticket()).await, 200);
    let log = server.log();
    assert!(log.contains("SINCH_AUTH_API_KEYS_FILE"), "{log}");
    assert!(
        !log.contains("too-short") && !log.contains(KEY_TWO),
        "a key in the log:\n{log}"
    );
    server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_rotates_sign_up_admin_keys() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("admin-keys");
    std::fs::write(&keys, KEY_ONE).unwrap();
    let mut env = app_env();
    env.push(("SINCH_AUTH_SIGNUP", "admin-key".into()));
    env.push((
        "SINCH_AUTH_SIGNUP_ADMIN_KEYS_FILE",
        keys.display().to_string(),
    ));
    let db = dir.path().join("accounts.db");
    env.push((
        "SINCH_AUTH_DATABASE_URL",
        format!("sqlite://{}", db.display()),
    ));
    let mut server = Server::start(&env);
    let account = |name: &str| json!({"username": name, "password": "correct horse battery"});
    assert_eq!(
        status(&server, "/v1/accounts", KEY_ONE, account("ann")).await,
        201
    );

    replace(&keys, KEY_TWO);
    hup(&server, RELOADED).await;
    assert_eq!(
        status(&server, "/v1/accounts", KEY_ONE, account("bob")).await,
        401
    );
    assert_eq!(
        status(&server, "/v1/accounts", KEY_TWO, account("bob")).await,
        201
    );
    server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_jwks_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("jwks.json");
    let (old, new) = (rsa_key("old"), rsa_key("new"));
    std::fs::write(&file, jwks(&[&old])).unwrap();
    let mut env = app_env();
    env.push(("SINCH_AUTH_CALLER_AUTH", "jwt".into()));
    env.push(("SINCH_AUTH_JWT_ISSUER", common::ISSUER.into()));
    env.push(("SINCH_AUTH_JWT_AUDIENCE", common::AUDIENCE.into()));
    env.push(("SINCH_AUTH_JWT_JWKS_FILE", file.display().to_string()));
    // Refreshes on their own are rare: only SIGHUP can explain a change.
    env.push(("SINCH_AUTH_JWT_JWKS_CACHE_SECS", "86400".into()));
    env.push(("SINCH_AUTH_JWT_JWKS_MIN_REFRESH_SECS", "3600".into()));
    let mut server = Server::start(&env);
    let (by_old, by_new) = (old.sign(&claims("alice")), new.sign(&claims("alice")));
    assert_eq!(
        status(&server, "/v1/registration-tokens", &by_old, json!({})).await,
        200
    );
    assert_eq!(
        status(&server, "/v1/registration-tokens", &by_new, json!({})).await,
        401
    );

    replace(&file, &jwks(&[&new]));
    hup(&server, RELOADED).await;
    assert_eq!(
        status(&server, "/v1/registration-tokens", &by_new, json!({})).await,
        200
    );
    assert_eq!(
        status(&server, "/v1/registration-tokens", &by_old, json!({})).await,
        401
    );

    replace(&file, "{not json");
    hup(&server, REFUSED).await;
    assert_eq!(
        status(&server, "/v1/registration-tokens", &by_new, json!({})).await,
        200
    );
    server.terminate();
}
