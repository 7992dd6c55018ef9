//! api-key mode through the router: both endpoints, key rotation, user
//! rules, policies, several applications.

use crate::common;

use common::*;
use serde_json::json;
use sinch_auth::{Application, VerifyOptions};
use sinch_auth_service::caller::{ApiKey, ApiKeyAuthenticator, ApiKeyDigest};
use sinch_auth_service::{Applications, TokenService};

#[tokio::test]
async fn issues_a_ticket_that_verifies_for_the_named_user() {
    let router = api_key_service(unlimited()).router();
    let reply = send(
        &router,
        post("/v1/tickets", Some(API_KEY), r#"{"userId":"John Smith"}"#),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body = reply.json();
    assert_eq!(body["userId"], "John Smith");
    assert_eq!(body["expiresIn"], 3600);
    let ticket = body["userTicket"].as_str().unwrap();
    let claims = app()
        .verify_ticket(ticket, &VerifyOptions::default())
        .unwrap();
    assert_eq!(claims.user_id(), "John Smith", "whitespace is kept");
    let expires_at = sinch_auth::parse_timestamp(body["expiresAt"].as_str().unwrap()).unwrap();
    let delta = expires_at.unix_timestamp() - now();
    assert!((3590..=3601).contains(&delta), "{delta}");
    assert_eq!(body["applicationKey"], APP_KEY);
    assert_eq!(body["environmentHost"], "ocra.api.sinch.com");
    assert_eq!(body.as_object().unwrap().len(), 6, "{body}");
}

#[tokio::test]
async fn issues_a_registration_token_with_requested_lifetimes() {
    let router = api_key_service(unlimited()).router();
    let reply = send(
        &router,
        post(
            "/v1/registration-tokens",
            Some(API_KEY),
            r#"{"userId":"alice_01","ttl":120,"instanceTtl":172800}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["userId"], "alice_01");
    assert_eq!(body["expiresIn"], 120);
    let token = body["token"].as_str().unwrap();
    let verified = app()
        .verify_token(token, &VerifyOptions::default())
        .unwrap();
    assert_eq!(verified.user_id(), "alice_01");
    let raw = sinch_auth::dangerous::decode_without_verification(token).unwrap();
    let claims = raw.payload_unverified();
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        120
    );
    assert_eq!(
        claims["sinch:rtc:instance:exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        172_800
    );
}

#[tokio::test]
async fn default_token_lifetime_is_600_seconds() {
    let router = api_key_service(unlimited()).router();
    let reply = send(
        &router,
        post(
            "/v1/registration-tokens",
            Some(API_KEY),
            r#"{"userId":"bob"}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["expiresIn"], 600);
}

#[tokio::test]
async fn every_configured_key_works_and_others_do_not() {
    let router = api_key_service(unlimited()).router();
    for key in [API_KEY, OTHER_API_KEY] {
        let reply = send(&router, post("/v1/tickets", Some(key), r#"{"userId":"u"}"#)).await;
        assert_eq!(reply.status, 200, "{key}");
    }
    let reply = send(
        &router,
        post(
            "/v1/tickets",
            Some("test-api-key-0123456789abcdeX"),
            r#"{"userId":"u"}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.problem_code(), "unauthenticated");
    assert_eq!(reply.json()["reason"], "invalid_api_key");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
}

#[tokio::test]
async fn api_key_callers_must_name_the_user() {
    let router = api_key_service(unlimited()).router();
    for body in ["{}", ""] {
        let reply = send(&router, post("/v1/tickets", Some(API_KEY), body)).await;
        assert_eq!(reply.status, 422, "{body:?}");
        assert_eq!(reply.problem_code(), "user_id_required");
    }
}

#[tokio::test]
async fn token_user_ids_must_fit_the_alphabet_but_tickets_take_more() {
    let router = api_key_service(unlimited()).router();
    let reply = send(
        &router,
        post(
            "/v1/registration-tokens",
            Some(API_KEY),
            r#"{"userId":"bob@example.com"}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.problem_code(), "invalid_user_id");
    assert!(reply.json()["detail"].as_str().unwrap().contains("'@'"));
    let reply = send(
        &router,
        post(
            "/v1/tickets",
            Some(API_KEY),
            r#"{"userId":"bob@example.com"}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn lifetimes_outside_the_bounds_are_refused() {
    let router = api_key_service(unlimited()).router();
    for (path, body) in [
        ("/v1/registration-tokens", r#"{"userId":"a","ttl":59}"#),
        ("/v1/registration-tokens", r#"{"userId":"a","ttl":86401}"#),
        ("/v1/registration-tokens", r#"{"userId":"a","ttl":-5}"#),
        (
            "/v1/registration-tokens",
            r#"{"userId":"a","instanceTtl":3600}"#,
        ),
        ("/v1/tickets", r#"{"userId":"a","ttl":0}"#),
        ("/v1/tickets", r#"{"userId":"a","ttl":86401}"#),
    ] {
        let reply = send(&router, post(path, Some(API_KEY), body)).await;
        assert_eq!(reply.status, 422, "{path} {body}");
        assert_eq!(reply.problem_code(), "ttl_out_of_range", "{path} {body}");
    }
    let reply = send(
        &router,
        post("/v1/tickets", Some(API_KEY), r#"{"userId":"a","ttl":60}"#),
    )
    .await;
    assert_eq!(reply.json()["expiresIn"], 60);
}

#[tokio::test]
async fn several_applications_are_chosen_per_request() {
    let eu = Application::from_base64("eu-app-key", "oYdgGRXoxEuJhGDY2KQ/HQ==").unwrap();
    let key = ApiKey::new(API_KEY).unwrap();
    let service = TokenService::new(
        Applications::single(app()).with("eu", eu.clone()),
        ApiKeyAuthenticator::new(vec![ApiKeyDigest::of_key("k", &key)]).unwrap(),
        unlimited(),
    );
    let router = service.router();
    let reply = send(
        &router,
        post(
            "/v1/registration-tokens",
            Some(API_KEY),
            r#"{"userId":"a","application":"eu"}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let token = reply.json()["token"].as_str().unwrap().to_owned();
    assert!(eu.verify_token(&token, &VerifyOptions::default()).is_ok());
    assert!(
        app()
            .verify_token(&token, &VerifyOptions::default())
            .is_err()
    );

    let reply = send(
        &router,
        post(
            "/v1/tickets",
            Some(API_KEY),
            r#"{"userId":"a","application":"us"}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.problem_code(), "unknown_application");
    let metrics = service.metrics().render();
    assert!(
        metrics.contains(
            r#"sinch_auth_credentials_issued_total{kind="registration_token",application="eu"} 1"#
        ),
        "{metrics}"
    );
}

#[tokio::test]
async fn per_user_limit_answers_429_with_retry_after() {
    let mut options = unlimited();
    options.rate_limits.per_user = sinch_auth_service::Rate::new(60, 2);
    let service = api_key_service(options);
    let router = service.router();
    for _ in 0..2 {
        let reply = send(
            &router,
            post("/v1/tickets", Some(API_KEY), r#"{"userId":"carol"}"#),
        )
        .await;
        assert_eq!(reply.status, 200);
    }
    let reply = send(
        &router,
        post(
            "/v1/registration-tokens",
            Some(API_KEY),
            r#"{"userId":"carol"}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.problem_code(), "rate_limited");
    let retry: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Another user is unaffected.
    let reply = send(
        &router,
        post("/v1/tickets", Some(API_KEY), r#"{"userId":"dave"}"#),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(
        service
            .metrics()
            .render()
            .contains(r#"sinch_auth_rate_limited_total{scope="user"} 1"#)
    );
}

#[tokio::test]
async fn per_ip_limit_runs_before_authentication() {
    let mut options = unlimited();
    options.rate_limits.per_ip = sinch_auth_service::Rate::new(60, 2);
    let router = api_key_service(options).router();
    for _ in 0..2 {
        let reply = send(
            &router,
            post(
                "/v1/tickets",
                Some("wrong-key-000000000000"),
                r#"{"userId":"a"}"#,
            ),
        )
        .await;
        assert_eq!(reply.status, 401);
    }
    let reply = send(
        &router,
        post("/v1/tickets", Some(API_KEY), r#"{"userId":"a"}"#),
    )
    .await;
    assert_eq!(
        reply.status, 429,
        "guessing keys uses up the address's budget"
    );
    assert_eq!(reply.problem_code(), "rate_limited");
    assert!(reply.header("retry-after").is_some());
}

#[tokio::test]
async fn forwarded_for_counts_only_from_trusted_proxies() {
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    let mut options = unlimited();
    options.rate_limits.per_ip = sinch_auth_service::Rate::new(60, 1);
    options.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    let router = api_key_service(options).router();
    let request = |peer: [u8; 4], xff: &str| {
        let mut r = http::Request::post("/v1/tickets")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {API_KEY}"))
            .header("x-forwarded-for", xff)
            .body(Body::from(r#"{"userId":"a"}"#))
            .unwrap();
        r.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((peer, 1))));
        r
    };
    // Through the proxy, two different clients each get their own budget.
    assert_eq!(
        send(&router, request([10, 0, 0, 1], "198.51.100.1"))
            .await
            .status,
        200
    );
    assert_eq!(
        send(&router, request([10, 0, 0, 1], "198.51.100.2"))
            .await
            .status,
        200
    );
    assert_eq!(
        send(&router, request([10, 0, 0, 1], "198.51.100.1"))
            .await
            .status,
        429
    );
    // A direct client cannot escape its budget by inventing the header.
    assert_eq!(
        send(&router, request([203, 0, 113, 5], "1.1.1.1"))
            .await
            .status,
        200
    );
    assert_eq!(
        send(&router, request([203, 0, 113, 5], "2.2.2.2"))
            .await
            .status,
        429
    );
}

#[tokio::test]
async fn cors_is_off_by_default_and_explicit_when_on() {
    let preflight = || {
        http::Request::options("/v1/tickets")
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let router = api_key_service(unlimited()).router();
    let reply = send(&router, preflight()).await;
    assert_eq!(reply.status, 405);
    assert!(reply.header("access-control-allow-origin").is_none());

    let mut options = unlimited();
    options.cors_origins = vec!["https://app.example.com".into()];
    let router = api_key_service(options).router();
    let reply = send(&router, preflight()).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let mut other = preflight();
    other
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    let reply = send(&router, other).await;
    assert!(reply.header("access-control-allow-origin").is_none());
    let mut actual = post("/v1/tickets", Some(API_KEY), r#"{"userId":"a"}"#);
    actual
        .headers_mut()
        .insert("origin", "https://app.example.com".parse().unwrap());
    let reply = send(&router, actual).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_are_problems() {
    let router = api_key_service(unlimited()).router();
    let reply = send(&router, get("/v1/nope")).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.problem_code(), "not_found");
    let reply = send(&router, get("/v1/tickets")).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.problem_code(), "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("POST"));
}

#[tokio::test]
async fn body_user_id_is_the_only_thing_that_names_the_user() {
    // Query strings and headers are not a way to pick the user.
    let router = api_key_service(unlimited()).router();
    let mut request = post(
        "/v1/tickets?userId=mallory",
        Some(API_KEY),
        &json!({"userId": "alice"}).to_string(),
    );
    request
        .headers_mut()
        .insert("x-user-id", "mallory".parse().unwrap());
    let reply = send(&router, request).await;
    assert_eq!(reply.json()["userId"], "alice");
}
