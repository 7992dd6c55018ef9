//! Log capture in accounts mode: a full flow with every target at TRACE
//! (the database driver's included), in text and JSON. No password,
//! password hash, session cookie (or its stored hash), ticket or token may
//! appear in any line; the audit lines for sign-up, login, logout and
//! password change must, with username and outcome.

use crate::common;
use crate::harness;

use common::*;
use harness::*;
use sha2::Digest;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_password_cookie_or_credential_reaches_a_log_line() {
    let capture = LogCapture::install();

    let db = TestDatabase::sqlite().await;
    let h = Harness::start(&db).await;
    let name = user("logged");
    let first_password = "first secret passphrase";
    let second_password = "second secret passphrase";
    let mut secrets: Vec<String> = vec![
        APP_SECRET.into(),
        first_password.into(),
        second_password.into(),
        "wrong secret passphrase".into(),
    ];

    assert_eq!(h.sign_up(&name, first_password).await.status, 201);
    assert_eq!(h.sign_up("has a space", first_password).await.status, 422);
    assert_eq!(h.log_in(&name, "wrong secret passphrase").await.status, 401);
    // A password typed into the username field: outside the user-id
    // alphabet (as most passwords are), so the audit line hides it.
    assert_eq!(
        h.log_in("my password typed here", first_password)
            .await
            .status,
        401
    );
    let login = h.log_in(&name, first_password).await;
    assert_eq!(login.status, 200);
    let cookie = session_cookie(&login);
    let (_, value) = cookie.split_once('=').unwrap();
    secrets.push(value.to_owned());
    secrets.push(hex::encode(sha2::Sha256::digest(value.as_bytes())));
    let mut remember = |body: &serde_json::Value| {
        for field in ["userTicket", "token"] {
            if let Some(credential) = body[field].as_str() {
                secrets.push(credential.to_owned());
                secrets.push(credential.rsplit(['.', ':']).next().unwrap().to_owned());
            }
        }
    };
    remember(&login.json());
    for path in ["/v1/tickets", "/v1/registration-tokens"] {
        let reply = h.with_session(path, &cookie, "{}").await;
        assert_eq!(reply.status, 200);
        remember(&reply.json());
    }
    let stored = h
        .accounts
        .store()
        .unwrap()
        .find_account_by_username(&name)
        .await
        .unwrap()
        .unwrap();
    secrets.push(stored.password_hash.as_phc_str().to_owned());
    let wrong = serde_json::json!({"currentPassword": "not it", "newPassword": second_password});
    let reply = h
        .with_session("/v1/accounts/me/password", &cookie, &wrong.to_string())
        .await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    let change =
        serde_json::json!({"currentPassword": first_password, "newPassword": second_password});
    let reply = h
        .with_session("/v1/accounts/me/password", &cookie, &change.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let stored = h
        .accounts
        .store()
        .unwrap()
        .find_account_by_username(&name)
        .await
        .unwrap()
        .unwrap();
    secrets.push(stored.password_hash.as_phc_str().to_owned());
    assert_eq!(
        h.with_session("/v1/logout", &cookie, "{}").await.status,
        204
    );

    // A bearer session (native apps): its token, and its stored hash, too.
    let bearer_login =
        serde_json::json!({"username": name, "password": second_password, "session": "bearer"});
    let reply = h
        .call(json_post("/v1/login", &bearer_login.to_string()))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let token = reply.json()["sessionToken"].as_str().unwrap().to_owned();
    secrets.push(token.clone());
    secrets.push(hex::encode(sha2::Sha256::digest(token.as_bytes())));
    let credentials = |body: serde_json::Value| -> Vec<String> {
        ["userTicket", "token"]
            .iter()
            .filter_map(|field| body[*field].as_str())
            .flat_map(|c| {
                [
                    c.to_owned(),
                    c.rsplit(['.', ':']).next().unwrap().to_owned(),
                ]
            })
            .collect()
    };
    secrets.extend(credentials(reply.json()));
    let authorized = |path: &str| {
        let request = without_header(json_post(path, "{}"), "origin");
        with_header(request, "authorization", &format!("Bearer {token}"))
    };
    let reply = h.call(authorized("/v1/registration-tokens")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    secrets.extend(credentials(reply.json()));
    let mut deletion = authorized("/v1/accounts/me");
    *deletion.method_mut() = http::Method::DELETE;
    *deletion.body_mut() = axum::body::Body::from(r#"{"currentPassword":"not it either"}"#);
    assert_eq!(h.call(deletion).await.status, 403);
    assert_eq!(h.call(authorized("/v1/logout")).await.status, 204);
    assert_eq!(h.call(authorized("/v1/tickets")).await.status, 401);
    db.cleanup().await;

    let text = capture.text();
    assert!(text.lines().count() > 20, "too few lines captured:\n{text}");
    for secret in &secrets {
        for line in text.lines() {
            assert!(!line.contains(secret.as_str()), "{secret:?} logged: {line}");
        }
    }
    assert!(!text.contains("my password typed here"), "{text}");
    let audit: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| l.starts_with('{') && l.contains("sinch_auth::audit"))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (event, outcome) in [
        ("signup", "created"),
        ("signup", "invalid_username"),
        ("login", "invalid_credentials"),
        ("login", "success"),
        ("password_change", "wrong_password"),
        ("password_change", "success"),
        ("account_deletion", "wrong_password"),
        ("logout", "success"),
    ] {
        let found = audit.iter().any(|l| {
            let username = l["fields"]["username"].as_str().unwrap_or_default();
            l["fields"]["event"] == event
                && l["fields"]["outcome"] == outcome
                && match outcome {
                    "invalid_username" => true,
                    // Failed logins: a keyed hash, never the name.
                    "invalid_credentials" => username.starts_with("h:") && username.len() == 14,
                    _ => username == name.as_str(),
                }
        });
        assert!(
            found,
            "no audit line {event}/{outcome} for {name}:\n{audit:#?}"
        );
    }
    let hidden = audit
        .iter()
        .filter(|l| l["fields"]["username"] == "<not a valid username>")
        .count();
    assert_eq!(
        hidden, 1,
        "names outside the alphabet are not logged (the failed login's is hashed): {audit:#?}"
    );
    assert!(
        audit
            .iter()
            .filter(|l| l["fields"]["outcome"] == "invalid_credentials")
            .all(|l| l["fields"]["username"] != name.as_str()),
        "{audit:#?}"
    );
}
