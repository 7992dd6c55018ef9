//! `POST /v1/login`.

use std::time::{Duration, Instant};

use sinch_auth::VerifyOptions;
use sinch_auth_service::Rate;
use sinch_auth_service::accounts::LoginLimits;

use crate::accounts_suite::harness::*;
use crate::common::{app, unlimited};

pub async fn login_returns_both_credentials_and_a_strict_cookie(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("login");
    assert_eq!(h.sign_up(&name, PASSWORD).await.status, 201);
    let reply = h.log_in(&name, PASSWORD).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "applicationKey",
            "environmentHost",
            "expiresAt",
            "expiresIn",
            "token",
            "userId",
            "userTicket"
        ],
        "the cookie flow's body: no session token"
    );
    assert_eq!(body["userId"], name.as_str());
    assert_eq!(body["applicationKey"], crate::common::APP_KEY);
    assert_eq!(body["environmentHost"], "ocra.api.sinch.com");

    let ticket = app()
        .verify_ticket(
            body["userTicket"].as_str().unwrap(),
            &VerifyOptions::default(),
        )
        .unwrap();
    assert_eq!(ticket.user_id(), name);
    let token = app()
        .verify_token(body["token"].as_str().unwrap(), &VerifyOptions::default())
        .unwrap();
    assert_eq!(token.user_id(), name);
    // The earlier expiry of the two: the token's 600 s before the ticket's hour.
    assert_eq!(body["expiresIn"], 600);
    let expires_at = sinch_auth::parse_timestamp(body["expiresAt"].as_str().unwrap()).unwrap();
    let from_now = (expires_at - time::OffsetDateTime::now_utc()).whole_seconds();
    assert!((590..=601).contains(&from_now), "{from_now}");

    let set_cookie = reply.header("set-cookie").unwrap();
    let cookie = session_cookie(&reply);
    let (cookie_name, value) = cookie.split_once('=').unwrap();
    assert_eq!(cookie_name, "__Host-sinch-auth-session");
    assert_eq!(value.len(), 43, "256 random bits, base64url");
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
    assert!(set_cookie.ends_with("; Max-Age=43200"), "{set_cookie}");
    assert!(
        !reply.text.contains(value),
        "the session is never in the body"
    );
}

pub async fn unknown_user_and_wrong_password_look_the_same(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("known");
    assert_eq!(h.sign_up(&name, PASSWORD).await.status, 201);
    let wrong = h.log_in(&name, "not the password").await;
    let unknown = h.log_in(&user("nobody"), PASSWORD).await;
    let invalid = h.log_in("not a valid user id", PASSWORD).await;
    for reply in [&wrong, &unknown, &invalid] {
        assert_eq!(reply.status, 401);
        assert_eq!(reply.problem_code(), "unauthenticated");
        assert_eq!(reply.json()["reason"], "invalid_credentials");
        assert!(reply.header("set-cookie").is_none());
    }
    assert_eq!(wrong.text, unknown.text);
    assert_eq!(wrong.text, invalid.text);

    // An unknown user costs a full password hash too (against a dummy):
    // without it, it would answer in well under a tenth of the time. The
    // bound is loose on purpose; it only tells "hashed" from "not hashed".
    let ghost = user("ghost");
    let (mut known_times, mut unknown_times) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        for (username, times) in [(&name, &mut known_times), (&ghost, &mut unknown_times)] {
            let start = Instant::now();
            assert_eq!(h.log_in(username, "wrong password!").await.status, 401);
            times.push(start.elapsed());
        }
    }
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[1]
    };
    let (known_time, unknown_time) = (median(known_times), median(unknown_times));
    assert!(
        unknown_time * 3 >= known_time,
        "unknown user {unknown_time:?} vs wrong password {known_time:?}"
    );
}

pub async fn login_is_limited_per_ip_and_failures_per_username(db: &TestDatabase) {
    let options = test_options().with_login_limits(
        LoginLimits::unlimited()
            .with_per_ip(Rate::new(6, 7))
            .with_per_username(Rate::new(6, 2)),
    );
    let h = Harness::start_with(db, options, unlimited()).await;
    let name = user("limited");
    // Sign-up counts against the address too.
    assert_eq!(h.sign_up(&name, PASSWORD).await.status, 201);
    assert_eq!(h.log_in(&name, "wrong password").await.status, 401);
    // Successful logins do not count against the username.
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 200);
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 200);
    assert_eq!(h.log_in(&name, "wrong again").await.status, 401);
    // Two failures: the username's budget is spent.
    let limited = h.log_in(&name, PASSWORD).await;
    assert_eq!(limited.status, 429, "{}", limited.text);
    assert_eq!(limited.problem_code(), "rate_limited");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry), "{retry}");
    assert!(limited.text.contains("username"), "{}", limited.text);

    // Another name from the same address: the address has one attempt left.
    let other = user("other");
    assert_eq!(h.log_in(&other, PASSWORD).await.status, 401);
    let by_ip = h.log_in(&other, PASSWORD).await;
    assert_eq!(by_ip.status, 429);
    assert!(by_ip.text.contains("address"), "{}", by_ip.text);

    // Another address is not affected by either limit for other names.
    let elsewhere = from_peer(
        json_post("/v1/login", &credentials(&other, PASSWORD)),
        "198.51.100.20".parse().unwrap(),
    );
    assert_eq!(h.call(elsewhere).await.status, 401);
}

pub async fn failed_logins_set_no_cookie_and_count_in_metrics(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("metrics");
    assert_eq!(h.sign_up(&name, PASSWORD).await.status, 201);
    assert_eq!(h.sign_up(&name, PASSWORD).await.status, 409);
    assert_eq!(h.log_in(&name, "wrong password").await.status, 401);
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 200);
    let metrics = h.service.metrics().render();
    for line in [
        r#"sinch_auth_signups_total{outcome="created"} 1"#,
        r#"sinch_auth_signups_total{outcome="username_taken"} 1"#,
        r#"sinch_auth_logins_total{outcome="invalid_credentials"} 1"#,
        r#"sinch_auth_logins_total{outcome="success"} 1"#,
        r#"sinch_auth_credentials_issued_total{kind="ticket",application="default"} 1"#,
        r#"sinch_auth_auth_failures_total{reason="invalid_credentials"} 1"#,
        r#"sinch_auth_http_requests_total{method="POST",route="/v1/login",status="200"} 1"#,
    ] {
        assert!(metrics.contains(line), "{line}\n{metrics}");
    }
}
