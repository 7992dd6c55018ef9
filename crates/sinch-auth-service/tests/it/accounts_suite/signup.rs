//! `POST /v1/accounts`.

use axum::body::Body;
use http::Request;
use sinch_auth::VerifyOptions;
use sinch_auth_service::accounts::SignupPolicy;
use sinch_auth_service::caller::{ApiKey, ApiKeyAuthenticator, ApiKeyDigest};

use crate::accounts_suite::harness::*;
use crate::common::{app, unlimited};

pub async fn sign_up_then_log_in(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("alice");
    let reply = h.sign_up(&name, PASSWORD).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body = reply.json();
    assert_eq!(body["username"], name.as_str());
    assert_eq!(body["userId"], name.as_str());
    let created = sinch_auth::parse_timestamp(body["createdAt"].as_str().unwrap()).unwrap();
    assert!(
        (time::OffsetDateTime::now_utc() - created)
            .whole_seconds()
            .abs()
            < 60
    );
    assert!(
        reply.header("set-cookie").is_none(),
        "sign-up does not sign in"
    );

    let login = h.log_in(&name, PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.text);
    let token = login.json()["token"].as_str().unwrap().to_owned();
    let verified = app()
        .verify_token(&token, &VerifyOptions::default())
        .unwrap();
    assert_eq!(verified.user_id(), name);
}

pub async fn a_taken_username_is_409(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("taken");
    assert_eq!(h.sign_up(&name, PASSWORD).await.status, 201);
    let again = h.sign_up(&name, "a different password").await;
    assert_eq!(again.status, 409);
    assert_eq!(again.problem_code(), "username_taken");
    // The first password still works, the second never did.
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 200);
    assert_eq!(h.log_in(&name, "a different password").await.status, 401);
    // Case matters: user ids are compared byte for byte.
    assert_eq!(h.sign_up(&name.to_uppercase(), PASSWORD).await.status, 201);
}

pub async fn usernames_are_sinch_user_ids(db: &TestDatabase) {
    let h = Harness::start(db).await;
    for (bad, hint) in [
        ("John Smith", "' ' at byte 4"),
        ("alice@example.com", "'@' at byte 5"),
        ("zoë", "'ë'"),
        ("", "empty"),
        (&"a".repeat(256), "256 bytes"),
        ("tab\there", "U+0009"),
    ] {
        let reply = h.sign_up(bad, PASSWORD).await;
        assert_eq!(reply.status, 422, "{bad:?}: {}", reply.text);
        assert_eq!(reply.problem_code(), "invalid_user_id");
        let detail = reply.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains("A-Z a-z 0-9 - _ ="), "{detail}");
        assert!(detail.contains(hint), "{bad:?}: {detail}");
    }
    // The whole alphabet, and the longest id.
    let every = format!("{}_Az09-=", user("x"));
    assert_eq!(h.sign_up(&every, PASSWORD).await.status, 201);
    let longest = format!("{}{}", user("y"), "z".repeat(241));
    assert_eq!(longest.len(), 255);
    assert_eq!(h.sign_up(&longest, PASSWORD).await.status, 201);
}

pub async fn passwords_are_8_to_128_characters_never_trimmed(db: &TestDatabase) {
    let h = Harness::start(db).await;
    for (password, status) in [
        ("k8#vQ2!", 422),
        ("k8#vQ2!z", 201),
        ("ééééééé", 422), // 7 characters, 14 bytes
        ("éééééééé", 201),
        (&"x".repeat(128), 201),
        (&"x".repeat(129), 422),
    ] {
        let reply = h.sign_up(&user("pw"), password).await;
        assert_eq!(reply.status, status, "{password:?}: {}", reply.text);
        if status == 422 {
            assert_eq!(reply.problem_code(), "invalid_password");
            assert!(!reply.text.contains(password), "the password is not echoed");
        }
    }
    let name = user("spaces");
    let spaced = "  leading and trailing  ";
    assert_eq!(h.sign_up(&name, spaced).await.status, 201);
    assert_eq!(h.log_in(&name, spaced.trim()).await.status, 401);
    assert_eq!(h.log_in(&name, spaced).await.status, 200);
}

pub async fn closed_sign_up_is_403(db: &TestDatabase) {
    let options = test_options().with_signup(SignupPolicy::Closed);
    let h = Harness::start_with(db, options, unlimited()).await;
    let name = user("closed");
    let reply = h.sign_up(&name, PASSWORD).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.problem_code(), "signup_closed");
    assert_eq!(
        h.log_in(&name, PASSWORD).await.status,
        401,
        "nothing created"
    );
    // Refused before the body is looked at.
    let reply = h.call(json_post("/v1/accounts", "{not json")).await;
    assert_eq!(reply.problem_code(), "signup_closed");
}

pub async fn admin_key_sign_up(db: &TestDatabase) {
    let key = ApiKey::new("admin-key-0123456789abcdef").unwrap();
    let options = test_options().with_signup(SignupPolicy::AdminKey(
        ApiKeyAuthenticator::new(vec![ApiKeyDigest::of_key("ops", &key)]).unwrap(),
    ));
    let h = Harness::start_with(db, options, unlimited()).await;
    let name = user("admin");
    let body = credentials(&name, PASSWORD);

    let reply = h.call(json_post("/v1/accounts", &body)).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["reason"], "missing_credentials");
    let wrong = with_header(
        json_post("/v1/accounts", &body),
        "authorization",
        "Bearer admin-key-0123456789abcdeF",
    );
    let reply = h.call(wrong).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["reason"], "invalid_admin_key");
    let right = with_header(
        json_post("/v1/accounts", &body),
        "authorization",
        &format!("Bearer {}", key.expose()),
    );
    assert_eq!(h.call(right).await.status, 201);
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 200);
}

pub async fn bad_bodies_are_specific_4xx(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("body");
    let cases: Vec<(Request<Body>, u16, &str)> = vec![
        (
            json_post("/v1/accounts", "{\"username\":"),
            400,
            "malformed_json",
        ),
        (
            json_post("/v1/accounts", "[\"a\",\"b\"]"),
            422,
            "invalid_body",
        ),
        (json_post("/v1/accounts", "{}"), 422, "invalid_body"),
        (
            json_post("/v1/accounts", &format!("{{\"username\":\"{name}\"}}")),
            422,
            "invalid_body",
        ),
        (
            json_post(
                "/v1/accounts",
                &format!("{{\"username\":\"{name}\",\"password\":12345678}}"),
            ),
            422,
            "invalid_body",
        ),
        (
            json_post(
                "/v1/accounts",
                &format!("{{\"username\":\"{name}\",\"password\":\"{PASSWORD}\",\"admin\":true}}"),
            ),
            422,
            "invalid_body",
        ),
        (
            with_header(
                json_post("/v1/accounts", &credentials(&name, PASSWORD)),
                "content-type",
                "text/plain",
            ),
            415,
            "unsupported_media_type",
        ),
        (
            json_post(
                "/v1/accounts",
                &format!(
                    "{{\"username\":\"{name}\",\"password\":\"{}\"}}",
                    "x".repeat(20_000)
                ),
            ),
            413,
            "payload_too_large",
        ),
        (
            json_post("/v1/login", "{\"username\": 5}"),
            422,
            "invalid_body",
        ),
        (json_post("/v1/login", "nope"), 400, "malformed_json"),
    ];
    for (request, status, code) in cases {
        let path = request.uri().to_string();
        let reply = h.call(request).await;
        assert_eq!(reply.status, status, "{path}: {}", reply.text);
        assert_eq!(reply.problem_code(), code, "{path}");
    }
    // None of them created the account.
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 401);
}

pub async fn concurrent_sign_ups_of_one_name_have_one_winner(db: &TestDatabase) {
    let h = std::sync::Arc::new(Harness::start(db).await);
    let name = user("race");
    let mut tasks = Vec::new();
    for i in 0..4 {
        let (h, name) = (h.clone(), name.clone());
        tasks.push(tokio::spawn(async move {
            h.sign_up(&name, &format!("password number {i}"))
                .await
                .status
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().as_u16());
    }
    statuses.sort();
    assert_eq!(statuses, [201, 409, 409, 409]);
}
