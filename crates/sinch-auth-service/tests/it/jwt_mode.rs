//! jwt mode with keys generated at run time (RSA, P-256, Ed25519) and a
//! JWKS served from 127.0.0.1: the user comes from the token, rotation
//! refreshes the JWKS, refreshes are rate-limited, files work too.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::json;
use sinch_auth::VerifyOptions;
use sinch_auth_service::caller::{JwksSource, JwtAuthenticator, UserIdEncoding};
use sinch_auth_service::{Applications, TokenService};

#[tokio::test]
async fn the_user_comes_from_the_token_for_every_key_type() {
    let (rsa, ec, ed) = (rsa_key("rsa-1"), ec_key("ec-1"), ed_key("ed-1"));
    let server = JwksServer::start(jwks(&[&rsa, &ec, &ed])).await;
    let service = jwt_service(
        jwt_settings(JwksSource::Url(server.url.clone())),
        unlimited(),
    )
    .await;
    let router = service.router();
    for (key, user) in [(&rsa, "user-rsa"), (&ec, "user-ec"), (&ed, "user-ed")] {
        let jwt = key.sign(&claims(user));
        let reply = send(&router, post("/v1/registration-tokens", Some(&jwt), "")).await;
        assert_eq!(reply.status, 200, "{:?}: {}", key.alg, reply.text);
        let token = reply.json()["token"].as_str().unwrap().to_owned();
        let verified = app()
            .verify_token(&token, &VerifyOptions::default())
            .unwrap();
        assert_eq!(verified.user_id(), user);
        let reply = send(&router, post("/v1/tickets", Some(&jwt), "{}")).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json()["userId"], user);
    }
    assert_eq!(server.hits(), 1, "keys are cached");
}

#[tokio::test]
async fn a_jwt_caller_cannot_ask_for_someone_else() {
    let key = ec_key("k");
    let server = JwksServer::start(jwks(&[&key])).await;
    let router = jwt_service(
        jwt_settings(JwksSource::Url(server.url.clone())),
        unlimited(),
    )
    .await
    .router();
    let jwt = key.sign(&claims("alice"));
    let reply = send(
        &router,
        post("/v1/tickets", Some(&jwt), r#"{"userId":"bob"}"#),
    )
    .await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.problem_code(), "forbidden_user");
    let reply = send(
        &router,
        post("/v1/tickets", Some(&jwt), r#"{"userId":"alice"}"#),
    )
    .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn an_unknown_kid_refreshes_the_jwks_once() {
    let (old, new) = (ec_key("2024"), rsa_key("2025"));
    let server = JwksServer::start(jwks(&[&old])).await;
    let service = jwt_service(
        jwt_settings(JwksSource::Url(server.url.clone())),
        unlimited(),
    )
    .await;
    let router = service.router();
    assert_eq!(server.hits(), 1);

    // The provider rotates: the new key is published, tokens use it.
    server.set(jwks(&[&old, &new]));
    let reply = send(
        &router,
        post("/v1/tickets", Some(&new.sign(&claims("rotated"))), ""),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(server.hits(), 2, "one refresh for the unknown kid");

    // A kid the provider does not have: refreshed, still unknown, 401.
    let stranger = ec_key("nobody-has-this");
    let reply = send(
        &router,
        post("/v1/tickets", Some(&stranger.sign(&claims("x"))), ""),
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["reason"], "unknown_kid");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn refreshes_are_rate_limited() {
    let key = ec_key("only");
    let server = JwksServer::start(jwks(&[&key])).await;
    let mut settings = jwt_settings(JwksSource::Url(server.url.clone()));
    settings.jwks_min_refresh_interval = Duration::from_secs(3600);
    let service = jwt_service(settings, unlimited()).await;
    let router = service.router();
    assert_eq!(server.hits(), 1);
    for i in 0..10 {
        let forged = ec_key(&format!("attacker-{i}"));
        let reply = send(
            &router,
            post("/v1/tickets", Some(&forged.sign(&claims("x"))), ""),
        )
        .await;
        assert_eq!(reply.status, 401);
        assert_eq!(reply.json()["reason"], "unknown_kid");
    }
    assert_eq!(
        server.hits(),
        1,
        "unknown kids must not hammer the provider"
    );
    // The real key still works.
    let reply = send(
        &router,
        post("/v1/tickets", Some(&key.sign(&claims("ok"))), ""),
    )
    .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn concurrent_unknown_kids_share_one_refresh() {
    let (old, new) = (ec_key("a"), ec_key("b"));
    let server = JwksServer::start(jwks(&[&old])).await;
    let service = jwt_service(
        jwt_settings(JwksSource::Url(server.url.clone())),
        unlimited(),
    )
    .await;
    server.set(jwks(&[&old, &new]));
    let router = service.router();
    let jwt = new.sign(&claims("many"));
    let replies = futures_join_all((0..16).map(|_| {
        let (router, jwt) = (router.clone(), jwt.clone());
        async move {
            send(&router, post("/v1/tickets", Some(&jwt), ""))
                .await
                .status
        }
    }))
    .await;
    assert!(replies.iter().all(|s| *s == 200), "{replies:?}");
    assert_eq!(server.hits(), 2, "single-flight refresh");
}

async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn a_provider_that_is_down_gives_503_and_not_ready() {
    let key = ec_key("k");
    // Nothing listens on this port (bound, then dropped).
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks.json", dead.local_addr().unwrap());
    drop(dead);
    let auth = JwtAuthenticator::new(jwt_settings(JwksSource::Url(url))).unwrap();
    assert!(auth.load_keys().await.is_err());
    let service = TokenService::new(Applications::single(app()), auth, unlimited());
    let reply = send(
        &service.router(),
        post("/v1/tickets", Some(&key.sign(&claims("a"))), ""),
    )
    .await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.problem_code(), "unavailable");
    assert!(reply.header("retry-after").is_some());
    let ready = send(&service.admin_router(), get("/readyz")).await;
    assert_eq!(ready.status, 503);
    assert_eq!(ready.json()["checks"]["callerAuth"]["mode"], "jwt");
}

#[tokio::test]
async fn readiness_recovers_when_the_provider_comes_back() {
    let key = ec_key("k");
    let server = JwksServer::start("not json".into()).await;
    let auth = JwtAuthenticator::new(jwt_settings(JwksSource::Url(server.url.clone()))).unwrap();
    assert!(auth.load_keys().await.is_err());
    let service = TokenService::new(Applications::single(app()), auth, unlimited());
    let admin = service.admin_router();
    assert_eq!(send(&admin, get("/readyz")).await.status, 503);
    server.set(jwks(&[&key]));
    let ready = send(&admin, get("/readyz")).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    assert_eq!(ready.json()["status"], "ready");
    let reply = send(
        &service.router(),
        post("/v1/tickets", Some(&key.sign(&claims("a"))), ""),
    )
    .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn a_jwks_file_works_and_is_reread_on_rotation() {
    let dir = std::env::temp_dir().join(format!("sinch-auth-jwks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("jwks.json");
    let (old, new) = (rsa_key("file-1"), ec_key("file-2"));
    std::fs::write(&path, jwks(&[&old])).unwrap();
    let router = jwt_service(jwt_settings(JwksSource::File(path.clone())), unlimited())
        .await
        .router();
    let reply = send(
        &router,
        post("/v1/tickets", Some(&old.sign(&claims("f1"))), ""),
    )
    .await;
    assert_eq!(reply.status, 200);
    std::fs::write(&path, jwks(&[&new])).unwrap();
    let reply = send(
        &router,
        post("/v1/tickets", Some(&new.sign(&claims("f2"))), ""),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_custom_claim_can_be_base64url_encoded() {
    let key = ec_key("k");
    let server = JwksServer::start(jwks(&[&key])).await;
    let mut settings = jwt_settings(JwksSource::Url(server.url.clone()));
    settings.user_id_claim = "email".into();
    settings.user_id_encoding = UserIdEncoding::Base64Url;
    let router = jwt_service(settings, unlimited()).await.router();
    let mut c = claims("ignored-sub");
    c["email"] = json!("zoë@example.com");
    let reply = send(
        &router,
        post("/v1/registration-tokens", Some(&key.sign(&c)), ""),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["userId"], "em_Dq0BleGFtcGxlLmNvbQ==");

    let reply = send(
        &router,
        post("/v1/tickets", Some(&key.sign(&claims("no-email"))), ""),
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["reason"], "missing_user_claim");
}

#[tokio::test]
async fn without_encoding_a_non_alphabet_subject_gets_invalid_user_id_for_tokens() {
    let key = ec_key("k");
    let server = JwksServer::start(jwks(&[&key])).await;
    let router = jwt_service(
        jwt_settings(JwksSource::Url(server.url.clone())),
        unlimited(),
    )
    .await
    .router();
    let jwt = key.sign(&claims("auth0|12345"));
    let reply = send(&router, post("/v1/registration-tokens", Some(&jwt), "")).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.problem_code(), "invalid_user_id");
    let reply = send(&router, post("/v1/tickets", Some(&jwt), "")).await;
    assert_eq!(reply.status, 200, "tickets accept any printable id");
}

#[tokio::test]
async fn tokens_without_kid_are_tried_against_keys_of_their_algorithm() {
    let key = rsa_key("r");
    let server = JwksServer::start(jwks(&[&key, &ec_key("e")])).await;
    let router = jwt_service(
        jwt_settings(JwksSource::Url(server.url.clone())),
        unlimited(),
    )
    .await
    .router();
    let reply = send(
        &router,
        post(
            "/v1/tickets",
            Some(&key.sign_without_kid(&claims("nokid"))),
            "",
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn auth_failures_are_counted_by_reason() {
    let key = ec_key("k");
    let server = JwksServer::start(jwks(&[&key])).await;
    let service = jwt_service(
        jwt_settings(JwksSource::Url(server.url.clone())),
        unlimited(),
    )
    .await;
    let router = service.router();
    let mut expired = claims("a");
    expired["exp"] = json!(now() - 3600);
    send(&router, post("/v1/tickets", Some(&key.sign(&expired)), "")).await;
    send(&router, post("/v1/tickets", None, "")).await;
    let text = send(&service.admin_router(), get("/metrics")).await.text;
    assert!(
        text.contains(r#"sinch_auth_auth_failures_total{reason="token_expired"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"sinch_auth_auth_failures_total{reason="missing_credentials"} 1"#),
        "{text}"
    );
}
