//! Item 11: audit lines cannot be forged. In the text format every value
//! that came from a request is quoted and escaped, so a user id such as
//! `bob caller=api-key:x` stays one field; failed-login usernames are a
//! short keyed hash, never the name (people type passwords there).

use serde_json::json;

use crate::common::process::{Server, client};
use crate::common::{API_KEY, APP_KEY, APP_SECRET};

/// `key=value` fields of a text log line; quoted values may hold spaces
/// and `\"` escapes.
fn fields(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].rsplit(' ').next().unwrap().to_owned();
        let after = &rest[eq + 1..];
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            let mut end = 0;
            let bytes = quoted.as_bytes();
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let end = end.min(quoted.len());
            (&quoted[..end], quoted.get(end + 1..).unwrap_or(""))
        } else {
            let end = after.find(' ').unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        out.push((key, value.to_owned()));
        rest = next;
    }
    out
}

fn text_server(extra: &[(&'static str, String)]) -> Server {
    let mut env = vec![
        ("SINCH_AUTH_LOG_FORMAT", "text".to_owned()),
        ("SINCH_APPLICATION_KEY", APP_KEY.to_owned()),
        ("SINCH_APPLICATION_SECRET", APP_SECRET.to_owned()),
    ];
    env.extend_from_slice(extra);
    Server::start(&env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_values_are_quoted_in_text_audit_lines() {
    let server = text_server(&[
        ("SINCH_AUTH_CALLER_AUTH", "api-key".to_owned()),
        ("SINCH_AUTH_API_KEYS", API_KEY.to_owned()),
    ]);
    server.wait_ready().await;
    let forged = "bob caller=api-key:x application=other";
    let reply = client()
        .post(server.url("/v1/tickets"))
        .bearer_auth(API_KEY)
        .header("content-type", "application/json")
        .body(json!({ "userId": forged }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let log = server.log();
    let line = log
        .lines()
        .find(|l| l.contains("credential_issued"))
        .unwrap_or_else(|| panic!("no audit line:\n{log}"));
    let fields = fields(line);
    let value = |key: &str| {
        let found: Vec<&String> = fields
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v)
            .collect();
        assert_eq!(found.len(), 1, "{key} once in {line}");
        found[0].clone()
    };
    assert_eq!(value("user_id"), forged, "{line}");
    assert_eq!(value("caller"), "api-key:env-1", "{line}");
    assert_eq!(value("application"), "default", "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_login_usernames_are_logged_as_a_keyed_hash() {
    let dir = tempfile::tempdir().unwrap();
    let server = text_server(&[
        (
            "SINCH_AUTH_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("accounts.db").display()),
        ),
        ("SINCH_AUTH_SIGNUP", "open".to_owned()),
    ]);
    server.wait_ready().await;
    let login = |username: &'static str, password: &'static str| {
        let url = server.url("/v1/login");
        async move {
            client()
                .post(url)
                .header("content-type", "application/json")
                .body(json!({"username": username, "password": password}).to_string())
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // A password typed into the username field: valid username alphabet.
    let typed_password = "Tr0ub4dor-and-3";
    assert_eq!(login(typed_password, "whatever it is").await, 401);
    assert_eq!(login(typed_password, "again, wrong").await, 401);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let log = server.log();
    assert!(!log.contains(typed_password), "in clear:\n{log}");
    let hashes: Vec<String> = log
        .lines()
        .filter(|l| l.contains("event=\"login\""))
        .map(|l| {
            fields(l)
                .into_iter()
                .find(|(k, _)| k == "username")
                .unwrap()
                .1
        })
        .collect();
    assert_eq!(hashes.len(), 2, "{log}");
    assert!(
        hashes[0].starts_with("h:") && hashes[0].len() == 14,
        "{hashes:?}"
    );
    assert_eq!(
        hashes[0], hashes[1],
        "one name, one hash: attempts correlate"
    );
}
