//! `POST /v1/accounts/me/password`.

use crate::accounts_suite::harness::*;

fn change(current: &str, new: &str) -> String {
    serde_json::json!({"currentPassword": current, "newPassword": new}).to_string()
}

pub async fn a_password_change_revokes_the_other_sessions(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("change");
    let here = h.session(&name, PASSWORD).await;
    let elsewhere = h.session(&name, PASSWORD).await;
    // Used once, so this instance remembers it (the session cache).
    assert_eq!(
        h.with_session("/v1/tickets", &elsewhere, "{}").await.status,
        200
    );
    let new_password = "a brand new passphrase";

    let reply = h
        .with_session(
            "/v1/accounts/me/password",
            &here,
            &change(PASSWORD, new_password),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["otherSessionsRevoked"], 1);

    assert_eq!(h.with_session("/v1/tickets", &here, "{}").await.status, 200);
    let revoked = h.with_session("/v1/tickets", &elsewhere, "{}").await;
    assert_eq!(revoked.status, 401);
    assert_eq!(revoked.json()["reason"], "invalid_session");
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 401);
    assert_eq!(h.log_in(&name, new_password).await.status, 200);
}

pub async fn the_current_password_must_be_right(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("wrongpw");
    let here = h.session(&name, PASSWORD).await;
    let other = h.session(&name, PASSWORD).await;
    let reply = h
        .with_session(
            "/v1/accounts/me/password",
            &here,
            &change("not my password", "a brand new passphrase"),
        )
        .await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.problem_code(), "wrong_password");
    // Nothing changed: old password, both sessions.
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 200);
    assert_eq!(
        h.with_session("/v1/tickets", &other, "{}").await.status,
        200
    );
}

pub async fn the_new_password_follows_the_policy(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("policy");
    let here = h.session(&name, PASSWORD).await;
    for new in ["short", &"x".repeat(129)] {
        let reply = h
            .with_session("/v1/accounts/me/password", &here, &change(PASSWORD, new))
            .await;
        assert_eq!(reply.status, 422, "{}", reply.text);
        assert_eq!(reply.problem_code(), "invalid_password");
    }
    let reply = h
        .with_session(
            "/v1/accounts/me/password",
            &here,
            r#"{"currentPassword":"x","newPassword":"y","extra":1}"#,
        )
        .await;
    assert_eq!(reply.problem_code(), "invalid_body");
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 200);
}

pub async fn a_password_change_needs_a_session(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let reply = h
        .call(json_post(
            "/v1/accounts/me/password",
            &change(PASSWORD, "a brand new passphrase"),
        ))
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["reason"], "missing_session");
}

pub async fn concurrent_password_changes_have_one_winner(db: &TestDatabase) {
    let h = std::sync::Arc::new(Harness::start(db).await);
    let name = user("race");
    let a = h.session(&name, PASSWORD).await;
    let b = h.session(&name, PASSWORD).await;
    let mut tasks = Vec::new();
    for (cookie, new) in [(a, "first new passphrase"), (b, "second new passphrase")] {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            let reply = h
                .with_session("/v1/accounts/me/password", &cookie, &change(PASSWORD, new))
                .await;
            (reply.status.as_u16(), new)
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    let winners: Vec<&str> = results
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, n)| *n)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (status, _) in &results {
        // The loser lost the race in the database (409), found its
        // session revoked by the winner (401), or checked its current
        // password against the winner's new one (403).
        assert!([200, 401, 403, 409].contains(status), "{results:?}");
    }
    assert_eq!(h.log_in(&name, winners[0]).await.status, 200);
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 401);
}
