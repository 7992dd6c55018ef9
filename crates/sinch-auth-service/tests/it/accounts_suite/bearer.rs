//! Bearer sessions (native apps): a login with `"session": "bearer"`, then
//! requests with nothing but `Content-Type` and `Authorization`.

use axum::body::Body;
use http::Request;
use sinch_auth::VerifyOptions;

use crate::accounts_suite::harness::*;
use crate::common::{APP_KEY, app};

/// A request as a native HTTP client sends it: no `Host` the service would
/// recognise, no `Origin`, no cookie.
pub fn native(method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    builder
        .body(Body::from(body.unwrap_or("").to_owned()))
        .unwrap()
}

/// Signs up `name` and logs in with a bearer session: the login's body.
pub async fn bearer_login(h: &Harness, name: &str) -> serde_json::Value {
    assert_eq!(h.sign_up(name, PASSWORD).await.status, 201);
    let body = serde_json::json!({"username": name, "password": PASSWORD, "session": "bearer"});
    let reply = h
        .call(native("POST", "/v1/login", None, Some(&body.to_string())))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(
        reply.header("set-cookie").is_none(),
        "a bearer login sets no cookie"
    );
    reply.json()
}

pub async fn a_bearer_login_returns_the_session_in_the_body(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("native");
    let body = bearer_login(&h, &name).await;
    let token = body["sessionToken"].as_str().unwrap();
    assert_eq!(token.len(), 43, "256 random bits, base64url");
    assert_eq!(body["userId"], name.as_str());
    assert_eq!(body["applicationKey"], APP_KEY);
    assert_eq!(body["environmentHost"], "ocra.api.sinch.com");
    let ends = sinch_auth::parse_timestamp(body["sessionExpiresAt"].as_str().unwrap()).unwrap();
    let left = (ends - time::OffsetDateTime::now_utc()).whole_seconds();
    assert!((43_100..=43_200).contains(&left), "{left}");
    let ticket = body["userTicket"].as_str().unwrap();
    let verified = app()
        .verify_ticket(ticket, &VerifyOptions::default())
        .unwrap();
    assert_eq!(verified.user_id(), name);

    // Only Content-Type and Authorization: credentials, refresh, `me`.
    for path in ["/v1/tickets", "/v1/registration-tokens"] {
        let reply = h.call(native("POST", path, Some(token), Some("{}"))).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        assert_eq!(reply.json()["userId"], name.as_str());
        assert_eq!(reply.json()["applicationKey"], APP_KEY);
    }
    let refreshed = h
        .call(native(
            "POST",
            "/v1/registration-tokens",
            Some(token),
            Some(r#"{"ttl":120}"#),
        ))
        .await;
    assert_eq!(refreshed.json()["expiresIn"], 120);
    let empty = h
        .call(native("POST", "/v1/tickets", Some(token), None))
        .await;
    assert_eq!(empty.status, 200, "no body at all: {}", empty.text);
    let me = h
        .call(native("GET", "/v1/accounts/me", Some(token), None))
        .await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json()["username"], name.as_str());
    assert_eq!(me.json()["sessionExpiresAt"], body["sessionExpiresAt"]);
}

/// The token is not ambient authority: a browser does not attach it, so
/// the headers a cross-site page would cause change nothing.
pub async fn bearer_sessions_skip_the_cross_site_check(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let body = bearer_login(&h, &user("xsite")).await;
    let token = body["sessionToken"].as_str().unwrap();
    let request = native("POST", "/v1/tickets", Some(token), Some("{}"));
    let request = with_header(request, "origin", "https://elsewhere.example");
    let request = with_header(request, "sec-fetch-site", "cross-site");
    let reply = h.call(request).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

pub async fn a_token_works_only_the_way_it_was_issued(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("kinds");
    let body = bearer_login(&h, &name).await;
    let bearer = body["sessionToken"].as_str().unwrap().to_owned();
    let cookie = session_cookie(&h.log_in(&name, PASSWORD).await);
    let cookie_token = cookie.split_once('=').unwrap().1.to_owned();

    // The cookie's token sent as a bearer token, and the reverse.
    let reply = h
        .call(native(
            "POST",
            "/v1/tickets",
            Some(&cookie_token),
            Some("{}"),
        ))
        .await;
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert_eq!(reply.json()["reason"], "invalid_session");
    let as_cookie = format!("__Host-sinch-auth-session={bearer}");
    let reply = h.with_session("/v1/tickets", &as_cookie, "{}").await;
    assert_eq!(reply.status, 401, "{}", reply.text);

    // A malformed Authorization header is a 401, never the cookie's session.
    for header in ["Bearer not-a-session", "Basic YWxpY2U6cHc=", "Bearer"] {
        let request = with_header(json_post("/v1/tickets", "{}"), "authorization", header);
        let reply = h.call(with_cookie(request, &cookie)).await;
        assert_eq!(reply.status, 401, "{header}: {}", reply.text);
        assert_eq!(reply.problem_code(), "unauthenticated");
    }
    // Each works its own way.
    let reply = h
        .call(native("POST", "/v1/tickets", Some(&bearer), Some("{}")))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        h.with_session("/v1/tickets", &cookie, "{}").await.status,
        200
    );
}

pub async fn bearer_logout_and_password_change_revoke(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("revoke");
    let body = bearer_login(&h, &name).await;
    let phone = body["sessionToken"].as_str().unwrap().to_owned();
    let cookie = session_cookie(&h.log_in(&name, PASSWORD).await);
    let tablet = {
        let login =
            serde_json::json!({"username": name, "password": PASSWORD, "session": "bearer"});
        let reply = h
            .call(native("POST", "/v1/login", None, Some(&login.to_string())))
            .await;
        reply.json()["sessionToken"].as_str().unwrap().to_owned()
    };

    // The phone changes the password: it stays signed in, the others not.
    let change =
        serde_json::json!({"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"});
    let reply = h
        .call(native(
            "POST",
            "/v1/accounts/me/password",
            Some(&phone),
            Some(&change.to_string()),
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["otherSessionsRevoked"], 2);
    let tickets = |token: &str| native("POST", "/v1/tickets", Some(token), Some("{}"));
    assert_eq!(h.call(tickets(&tablet)).await.status, 401);
    assert_eq!(
        h.with_session("/v1/tickets", &cookie, "{}").await.status,
        401
    );
    assert_eq!(h.call(tickets(&phone)).await.status, 200);

    // Logout revokes it in the database and touches no cookie.
    let reply = h
        .call(native("POST", "/v1/logout", Some(&phone), None))
        .await;
    assert_eq!(reply.status, 204);
    assert!(reply.header("set-cookie").is_none());
    let reply = h.call(tickets(&phone)).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["reason"], "invalid_session");
    // Idempotent, like the cookie's.
    let again = h
        .call(native("POST", "/v1/logout", Some(&phone), None))
        .await;
    assert_eq!(again.status, 204);
}

pub async fn a_disabled_account_is_refused_like_a_wrong_password(db: &TestDatabase) {
    use std::time::{Duration, Instant};
    let options = test_options().with_session_cache(Duration::ZERO);
    let h = Harness::start_with(db, options, crate::common::unlimited()).await;
    let name = user("disabled");
    let body = bearer_login(&h, &name).await;
    let token = body["sessionToken"].as_str().unwrap().to_owned();
    let store = h.accounts.store().unwrap();
    let account = store
        .find_account_by_username(&name)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.disable_account(&account.id).await.unwrap(), Some(1));

    let reply = h
        .call(native("POST", "/v1/tickets", Some(&token), Some("{}")))
        .await;
    assert_eq!(reply.status, 401, "its sessions are gone");

    let (mut disabled_times, mut wrong_times) = (Vec::new(), Vec::new());
    let (mut disabled, mut wrong) = (None, None);
    for _ in 0..3 {
        let start = Instant::now();
        disabled = Some(h.log_in(&name, PASSWORD).await);
        disabled_times.push(start.elapsed());
        let start = Instant::now();
        wrong = Some(h.log_in(&name, "not the password").await);
        wrong_times.push(start.elapsed());
    }
    let (disabled, wrong) = (disabled.unwrap(), wrong.unwrap());
    assert_eq!(disabled.status, 401);
    assert_eq!(disabled.json()["reason"], "invalid_credentials");
    assert_eq!(disabled.text, wrong.text, "the same answer");
    assert!(disabled.header("set-cookie").is_none());
    // The same work: the password is hashed before the account's state is
    // looked at. Loose on purpose: it tells "hashed" from "not hashed".
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[1]
    };
    let (disabled_time, wrong_time) = (median(disabled_times), median(wrong_times));
    assert!(
        disabled_time * 3 >= wrong_time,
        "disabled {disabled_time:?} vs wrong password {wrong_time:?}"
    );

    store.enable_account(&account.id).await.unwrap();
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 200);
}

pub async fn owners_delete_their_account_with_the_password(db: &TestDatabase) {
    let h = Harness::start(db).await;
    // A cookie session: the cookie is cleared too.
    let name = user("leaver");
    let cookie = h.session(&name, PASSWORD).await;
    let delete = |cookie: &str, password: &str| {
        let body = serde_json::json!({"currentPassword": password}).to_string();
        let request = Request::delete("/v1/accounts/me")
            .header("host", HOST)
            .header("origin", ORIGIN)
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        with_cookie(request, cookie)
    };
    let wrong = h.call(delete(&cookie, "not the password")).await;
    assert_eq!(wrong.status, 403);
    assert_eq!(wrong.problem_code(), "wrong_password");
    let cross_site = with_header(delete(&cookie, PASSWORD), "origin", "https://evil.example");
    assert_eq!(h.call(cross_site).await.status, 403);
    assert_eq!(
        h.with_session("/v1/tickets", &cookie, "{}").await.status,
        200,
        "still there"
    );
    let done = h.call(delete(&cookie, PASSWORD)).await;
    assert_eq!(done.status, 204, "{}", done.text);
    assert!(done.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(
        h.with_session("/v1/tickets", &cookie, "{}").await.status,
        401
    );
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 401);
    assert_eq!(h.sign_up(&name, PASSWORD).await.status, 201, "name free");

    // A bearer session: no cookie in the answer.
    let other = user("leaver");
    let body = bearer_login(&h, &other).await;
    let token = body["sessionToken"].as_str().unwrap();
    let confirm = serde_json::json!({"currentPassword": PASSWORD}).to_string();
    let reply = h
        .call(native(
            "DELETE",
            "/v1/accounts/me",
            Some(token),
            Some(&confirm),
        ))
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert!(reply.header("set-cookie").is_none());
    let me = h
        .call(native("GET", "/v1/accounts/me", Some(token), None))
        .await;
    assert_eq!(me.status, 401);
    // Without a session: 401 before the body is read.
    let anonymous = h
        .call(native("DELETE", "/v1/accounts/me", None, Some(&confirm)))
        .await;
    assert_eq!(anonymous.status, 401);
}
