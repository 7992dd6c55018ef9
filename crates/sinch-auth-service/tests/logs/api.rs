//! Log capture: a full flow in both modes, over oneshot and a real socket,
//! with every target at TRACE in text and JSON. No secret, API key, bearer
//! JWT, ticket or token may appear in any line; the audit lines must.

use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use sinch_auth_service::Server;
use sinch_auth_service::caller::JwksSource;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credential_ever_reaches_a_log_line() {
    let capture = LogCapture::install();

    // Everything that must never be logged.
    let mut secrets: Vec<String> = vec![APP_SECRET.into(), API_KEY.into(), OTHER_API_KEY.into()];
    let mut issued = 0;
    let mut remember = |reply: &Reply, secrets: &mut Vec<String>| {
        if reply.status == 200 {
            let body = reply.json();
            for field in ["userTicket", "token"] {
                if let Some(credential) = body[field].as_str() {
                    issued += 1;
                    secrets.push(credential.to_owned());
                    // Not even the signature part alone.
                    let signature = credential.rsplit(['.', ':']).next().unwrap();
                    secrets.push(signature.to_owned());
                }
            }
        }
    };

    // api-key mode, oneshot: successes and every kind of failure.
    let service = api_key_service(unlimited());
    let router = service.router();
    let wrong_key = "wrong-api-key-that-is-long-enough";
    secrets.push(wrong_key.into());
    for (path, bearer, body) in [
        ("/v1/tickets", Some(API_KEY), r#"{"userId":"log-alice"}"#),
        (
            "/v1/registration-tokens",
            Some(OTHER_API_KEY),
            r#"{"userId":"log-bob","ttl":300}"#,
        ),
        ("/v1/tickets", Some(wrong_key), r#"{"userId":"log-alice"}"#),
        ("/v1/tickets", Some(API_KEY), r#"{"userId":"#),
        ("/v1/tickets", Some(API_KEY), r#"{"userId":"a\u0007"}"#),
        (
            "/v1/registration-tokens",
            Some(API_KEY),
            r#"{"userId":"x","ttl":5}"#,
        ),
    ] {
        let reply = send(&router, post(path, bearer, body)).await;
        remember(&reply, &mut secrets);
    }
    send(&service.admin_router(), get("/metrics")).await;
    send(&service.admin_router(), get("/readyz")).await;

    // jwt mode with a JWKS server: valid, expired, forged, alg none.
    let key = ec_key("log-key");
    let jwks = JwksServer::start(jwks(&[&key])).await;
    let jwt_router = jwt_service(jwt_settings(JwksSource::Url(jwks.url.clone())), unlimited())
        .await
        .router();
    let good = key.sign(&claims("log-carol"));
    let mut expired_claims = claims("log-carol");
    expired_claims["exp"] = json!(now() - 600);
    let expired = key.sign(&expired_claims);
    let mut impostor = ec_key("log-key");
    impostor.kid = "log-key".into();
    let forged = impostor.sign(&claims("log-carol"));
    let none = unsigned_jwt(&json!({"alg": "none"}), &claims("log-carol"));
    let unknown_kid = ec_key("other").sign(&claims("log-carol"));
    for jwt in [&good, &expired, &forged, &none, &unknown_kid] {
        secrets.push(jwt.clone());
        secrets.push(jwt.rsplit('.').next().unwrap().to_owned());
    }
    for jwt in [&good, &expired, &forged, &none, &unknown_kid] {
        let reply = send(&jwt_router, post("/v1/registration-tokens", Some(jwt), "")).await;
        remember(&reply, &mut secrets);
    }

    // A real socket, so hyper and reqwest log what they log.
    let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let server = Server::bind(
        api_key_service(unlimited()),
        loopback,
        loopback,
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    let api = server.api_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    for (bearer, body) in [(API_KEY, r#"{"userId":"log-dave"}"#), (wrong_key, "{}")] {
        let response = client
            .post(format!("http://{api}/v1/tickets"))
            .bearer_auth(bearer)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let reply = Reply {
            status,
            headers: Default::default(),
            text,
        };
        remember(&reply, &mut secrets);
    }
    stop.send(()).unwrap();
    handle.await.unwrap().unwrap();

    let logs = capture.text();
    assert_eq!(issued, 4, "two api-key, one jwt, one socket credential");

    // The audit trail is there: one line per credential, per format. (The
    // accounts test shares the capture and may be running: its lines, of
    // sessions, are not this test's.)
    let audit: Vec<Value> = logs
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["target"] == "sinch_auth::audit")
        // The accounts test shares this binary's log capture: its own users.
        .filter(|v| {
            v["fields"]["user_id"]
                .as_str()
                .is_some_and(|u| u.starts_with("log-"))
        })
        .collect();
    assert_eq!(audit.len(), issued, "{logs}");
    let users: Vec<&str> = audit
        .iter()
        .map(|v| v["fields"]["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["log-alice", "log-bob", "log-carol", "log-dave"]);
    for line in &audit {
        let f = &line["fields"];
        assert!(
            f["kind"] == "ticket" || f["kind"] == "registration_token",
            "{line}"
        );
        assert!(f["expires_at"].as_str().unwrap().ends_with('Z'), "{line}");
        let caller = f["caller"].as_str().unwrap();
        assert!(
            caller == "api-key:primary"
                || caller == "api-key:rotated"
                || caller == "jwt:https://idp.test",
            "{line}"
        );
    }
    assert!(logs.contains("request refused"), "failures are logged");
    assert!(
        logs.contains("invalid_api_key") && logs.contains("token_expired"),
        "with their reasons"
    );

    // And nothing secret, in any line.
    let mut leaks = Vec::new();
    // (An unsigned JWT has an empty signature part: nothing to look for.)
    secrets.retain(|s| s.len() >= 8);
    for secret in &secrets {
        for (i, line) in logs.lines().enumerate() {
            if line.contains(secret.as_str()) {
                leaks.push(format!(
                    "line {i} contains {}…: {line}",
                    &secret[..secret.len().min(12)]
                ));
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    assert!(logs.lines().count() > 20, "the flow did log: {logs}");
}
