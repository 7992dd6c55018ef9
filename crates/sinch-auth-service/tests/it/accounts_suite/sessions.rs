//! The session cookie on the credential routes, logout, expiry, `me`.

use std::time::Duration;

use sinch_auth::VerifyOptions;

use crate::accounts_suite::harness::*;
use crate::common::{app, unlimited};

pub async fn the_session_gets_credentials_for_its_user_only(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("sess");
    let cookie = h.session(&name, PASSWORD).await;

    let reply = h.with_session("/v1/tickets", &cookie, "{}").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let ticket = reply.json()["userTicket"].as_str().unwrap().to_owned();
    let verified = app()
        .verify_ticket(&ticket, &VerifyOptions::default())
        .unwrap();
    assert_eq!(verified.user_id(), name);

    let reply = h
        .with_session("/v1/registration-tokens", &cookie, r#"{"ttl":120}"#)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let token = reply.json()["token"].as_str().unwrap().to_owned();
    let claims = app()
        .verify_token(&token, &VerifyOptions::default())
        .unwrap();
    assert_eq!(claims.user_id(), name);
    assert_eq!(reply.json()["expiresIn"], 120);

    // Naming oneself is fine, naming another user is not.
    let own = format!(r#"{{"userId":"{name}"}}"#);
    assert_eq!(
        h.with_session("/v1/tickets", &cookie, &own).await.status,
        200
    );
    let other = h
        .with_session(
            "/v1/registration-tokens",
            &cookie,
            r#"{"userId":"mallory"}"#,
        )
        .await;
    assert_eq!(other.status, 403);
    assert_eq!(other.problem_code(), "forbidden_user");
    // An empty body (curl -X POST) works as {}.
    let empty = h.with_session("/v1/tickets", &cookie, "").await;
    assert_eq!(empty.status, 200, "{}", empty.text);
}

pub async fn no_or_bad_cookie_is_401(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let reply = h.call(json_post("/v1/tickets", "{}")).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.problem_code(), "unauthenticated");
    assert_eq!(reply.json()["reason"], "missing_session");
    let random = format!("__Host-sinch-auth-session={}", "A".repeat(43));
    for cookie in [
        "__Host-sinch-auth-session=garbage",
        "__Host-sinch-auth-session=",
        random.as_str(),
    ] {
        let reply = h
            .with_session("/v1/registration-tokens", cookie, "{}")
            .await;
        assert_eq!(reply.status, 401, "{cookie}");
        assert_eq!(reply.json()["reason"], "invalid_session", "{cookie}");
    }
    // A plain-HTTP cookie name is not the secure service's cookie.
    let cookie = h.session(&user("plain"), PASSWORD).await;
    let renamed = cookie.replace("__Host-sinch-auth-session", "sinch-auth-session");
    let reply = h.with_session("/v1/tickets", &renamed, "{}").await;
    assert_eq!(reply.json()["reason"], "missing_session");
    // Authentication comes before the body.
    let reply = h.call(json_post("/v1/tickets", "{broken")).await;
    assert_eq!(reply.status, 401);
}

pub async fn logout_revokes_the_session_in_the_database(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("logout");
    let first = h.session(&name, PASSWORD).await;
    let second = h.session(&name, PASSWORD).await;
    assert_ne!(first, second);
    // Used once, so this instance remembers it (the session cache).
    assert_eq!(
        h.with_session("/v1/tickets", &first, "{}").await.status,
        200
    );

    let reply = h.with_session("/v1/logout", &first, "{}").await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    let cleared = reply.header("set-cookie").unwrap();
    assert!(
        cleared.starts_with("__Host-sinch-auth-session=;"),
        "{cleared}"
    );
    assert!(
        cleared.contains("Max-Age=0") && cleared.contains("HttpOnly"),
        "{cleared}"
    );

    // The old cookie, replayed, is dead; the other session lives on.
    let replay = h.with_session("/v1/tickets", &first, "{}").await;
    assert_eq!(replay.status, 401);
    assert_eq!(replay.json()["reason"], "invalid_session");
    assert_eq!(
        h.with_session("/v1/tickets", &second, "{}").await.status,
        200
    );

    // Idempotent, and fine without a cookie.
    assert_eq!(h.with_session("/v1/logout", &first, "{}").await.status, 204);
    assert_eq!(h.call(json_post("/v1/logout", "")).await.status, 204);
    let metrics = h.service.metrics().render();
    assert!(
        metrics.contains(r#"sinch_auth_logouts_total{outcome="success"} 1"#),
        "{metrics}"
    );
}

pub async fn sessions_expire_and_are_purged(db: &TestDatabase) {
    let options = test_options()
        .with_session_ttl(Duration::from_secs(1))
        .with_purge_interval(Duration::from_millis(500));
    let h = Harness::start_with(db, options, unlimited()).await;
    let name = user("expiry");
    let cookie = h.session(&name, PASSWORD).await;
    let (_, value) = cookie.split_once('=').unwrap();
    let hash = sinch_auth_store::SessionTokenHash::of_token(value);
    let store = h.accounts.store().unwrap().clone();
    let far_past = time::OffsetDateTime::UNIX_EPOCH;
    assert!(
        store.find_session(&hash, far_past).await.unwrap().is_some(),
        "the row exists"
    );
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let reply = h.with_session("/v1/tickets", &cookie, "{}").await;
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert_eq!(reply.json()["reason"], "invalid_session");
    // Deleted by the periodic purge, not merely past its expiry: even a
    // lookup "in the past" finds nothing.
    assert!(store.find_session(&hash, far_past).await.unwrap().is_none());
}

pub async fn another_instance_sees_a_logout_within_the_cache_time(db: &TestDatabase) {
    let remembering = test_options().with_session_cache(Duration::from_millis(300));
    let a = Harness::start_with(db, remembering, unlimited()).await;
    let b = Harness::start(db).await;
    let forgetful = test_options().with_session_cache(Duration::ZERO);
    let c = Harness::start_with(db, forgetful, unlimited()).await;
    let cookie = a.session(&user("shared"), PASSWORD).await;
    for h in [&a, &c] {
        assert_eq!(
            h.with_session("/v1/tickets", &cookie, "{}").await.status,
            200
        );
    }
    assert_eq!(
        b.with_session("/v1/logout", &cookie, "{}").await.status,
        204
    );
    // Without a cache, another instance refuses at once...
    assert_eq!(
        c.with_session("/v1/tickets", &cookie, "{}").await.status,
        401
    );
    // ...with one, once its memory of the session lapses.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let reply = a.with_session("/v1/tickets", &cookie, "{}").await;
    assert_eq!(reply.status, 401, "{}", reply.text);
}

pub async fn me_shows_the_signed_in_user(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("me");
    let cookie = h.session(&name, PASSWORD).await;
    let reply = h.call(get_with_cookie("/v1/accounts/me", &cookie)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["username"], name.as_str());
    assert_eq!(body["userId"], name.as_str());
    let ends = sinch_auth::parse_timestamp(body["sessionExpiresAt"].as_str().unwrap()).unwrap();
    let left = (ends - time::OffsetDateTime::now_utc()).whole_seconds();
    assert!((43_100..=43_200).contains(&left), "{left}");

    let anonymous = h
        .call(get_with_cookie("/v1/accounts/me", "theme=dark"))
        .await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.json()["reason"], "missing_session");
    let wrong_method = h.with_session("/v1/accounts/me", &cookie, "{}").await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.header("allow"), Some("GET, DELETE"));
}
