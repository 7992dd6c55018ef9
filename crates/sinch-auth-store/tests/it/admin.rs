//! Account administration: session kinds, disabling, enabling, deleting,
//! and what an operator sees.

use sinch_auth_store::{SessionKind, StoreError};
use time::{Duration, OffsetDateTime};

use crate::harness::{T0, TestDatabase, hash, token};

pub async fn sessions_keep_their_kind(db: &TestDatabase) {
    let store = db.open().await;
    let alice = store.create_account("alice", &hash("a")).await.unwrap();
    let later = T0 + Duration::hours(1);
    store
        .create_session(&alice, &token("browser"), later)
        .await
        .unwrap();
    store
        .create_session_of_kind(&alice, &token("phone"), later, SessionKind::Bearer)
        .await
        .unwrap();
    let browser = store.find_session(&token("browser"), T0).await.unwrap();
    let phone = store.find_session(&token("phone"), T0).await.unwrap();
    assert_eq!(browser.unwrap().kind, SessionKind::Cookie);
    assert_eq!(phone.unwrap().kind, SessionKind::Bearer);
}

pub async fn a_disabled_account_loses_its_sessions_and_cannot_log_in(db: &TestDatabase) {
    let store = db.open().await;
    let alice = store.create_account("alice", &hash("a")).await.unwrap();
    let bob = store.create_account("bob", &hash("b")).await.unwrap();
    let later = T0 + Duration::hours(1);
    store
        .create_session(&alice, &token("cookie"), later)
        .await
        .unwrap();
    store
        .create_session_of_kind(&alice, &token("bearer"), later, SessionKind::Bearer)
        .await
        .unwrap();
    store
        .create_session(&bob, &token("bob"), later)
        .await
        .unwrap();

    assert_eq!(store.disable_account(&alice.id).await.unwrap(), Some(2));
    for name in ["cookie", "bearer"] {
        assert_eq!(store.find_session(&token(name), T0).await.unwrap(), None);
    }
    assert!(
        store
            .find_session(&token("bob"), T0)
            .await
            .unwrap()
            .is_some()
    );
    let stored = store.find_account(&alice.id).await.unwrap().unwrap();
    assert!(stored.is_disabled());
    let first = stored.disabled_at;
    // The account still verifies (the service needs its hash for equal
    // timing), but no session can be created for it.
    let login = store.create_session(&stored, &token("again"), later).await;
    assert_eq!(login, Err(StoreError::CredentialsChanged));
    assert_eq!(store.find_session(&token("again"), T0).await.unwrap(), None);

    // Idempotent, keeping the first time.
    assert_eq!(store.disable_account(&alice.id).await.unwrap(), Some(0));
    let again = store.find_account(&alice.id).await.unwrap().unwrap();
    assert_eq!(again.disabled_at, first);

    assert!(store.enable_account(&alice.id).await.unwrap());
    let enabled = store.find_account(&alice.id).await.unwrap().unwrap();
    assert!(!enabled.is_disabled());
    assert_eq!(
        enabled.password_hash,
        hash("a"),
        "the password is unchanged"
    );
    store
        .create_session(&enabled, &token("again"), later)
        .await
        .unwrap();
    assert!(
        store
            .find_session(&token("again"), T0)
            .await
            .unwrap()
            .is_some()
    );

    let ghost = {
        let gone = store.create_account("ghost", &hash("g")).await.unwrap();
        store.delete_account(&gone).await.unwrap();
        gone
    };
    assert_eq!(store.disable_account(&ghost.id).await.unwrap(), None);
    assert!(!store.enable_account(&ghost.id).await.unwrap());
}

/// Session rows that were found live before the disable must not be found
/// after it, whichever of a login and a disable commits first.
pub async fn login_racing_a_disable_never_survives(db: &TestDatabase) {
    let store = db.open().await;
    for round in 0..20 {
        let account = store
            .create_account(&format!("racer{round}"), &hash("h"))
            .await
            .unwrap();
        let name = format!("login{round}");
        let login = {
            let (store, account, name) = (store.clone(), account.clone(), name.clone());
            tokio::spawn(async move {
                store
                    .create_session(&account, &token(&name), T0 + Duration::hours(1))
                    .await
            })
        };
        let disable = {
            let (store, id) = (store.clone(), account.id.clone());
            tokio::spawn(async move { store.disable_account(&id).await })
        };
        let (login, disable) = (login.await.unwrap(), disable.await.unwrap());
        assert!(disable.unwrap().is_some());
        assert!(
            matches!(login, Ok(()) | Err(StoreError::CredentialsChanged)),
            "round {round}: {login:?}"
        );
        assert_eq!(
            store.find_session(&token(&name), T0).await.unwrap(),
            None,
            "round {round}: a session of a disabled account survived"
        );
    }
}

pub async fn deleting_removes_the_account_and_its_sessions(db: &TestDatabase) {
    let store = db.open().await;
    let alice = store.create_account("alice", &hash("a")).await.unwrap();
    let bob = store.create_account("bob", &hash("b")).await.unwrap();
    for name in ["one", "two"] {
        store
            .create_session(&alice, &token(name), T0 + Duration::hours(1))
            .await
            .unwrap();
    }
    store
        .create_session(&bob, &token("bob"), T0 + Duration::hours(1))
        .await
        .unwrap();

    // A stale read (the password changed since) deletes nothing.
    let stale = alice.clone();
    store
        .set_password(&alice, &hash("new"), Some(&token("one")))
        .await
        .unwrap();
    assert_eq!(
        store.delete_account(&stale).await,
        Err(StoreError::CredentialsChanged)
    );
    assert!(
        store
            .find_session(&token("one"), T0)
            .await
            .unwrap()
            .is_some()
    );

    let current = store.find_account(&alice.id).await.unwrap().unwrap();
    assert_eq!(store.delete_account(&current).await.unwrap(), 1);
    assert_eq!(store.find_account(&alice.id).await.unwrap(), None);
    assert_eq!(store.find_session(&token("one"), T0).await.unwrap(), None);
    assert!(
        store
            .find_session(&token("bob"), T0)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.delete_account(&current).await,
        Err(StoreError::CredentialsChanged),
        "already gone"
    );
    // The name is free again.
    store.create_account("alice", &hash("fresh")).await.unwrap();
}

pub async fn operators_see_history_and_live_sessions(db: &TestDatabase) {
    let store = db.open().await;
    let now = OffsetDateTime::now_utc();
    let zed = store.create_account("zed", &hash("z")).await.unwrap();
    let amy = store.create_account("amy", &hash("a")).await.unwrap();
    store
        .create_session(&amy, &token("live"), now + Duration::hours(1))
        .await
        .unwrap();
    store
        .create_session_of_kind(
            &amy,
            &token("expired"),
            now - Duration::hours(1),
            SessionKind::Bearer,
        )
        .await
        .unwrap();
    store.disable_account(&zed.id).await.unwrap();

    let list = store.list_accounts(now).await.unwrap();
    let names: Vec<&str> = list.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(names, ["amy", "zed"]);
    let amy_seen = &list[0];
    assert_eq!(amy_seen.id, amy.id);
    assert_eq!(amy_seen.live_sessions, 1, "the expired one is not counted");
    assert!(amy_seen.last_login_at.is_some());
    assert_eq!(amy_seen.disabled_at, None);
    assert_eq!(amy_seen.created_at, amy.created_at);
    assert!(amy_seen.password_changed_at >= amy.created_at);
    let zed_seen = &list[1];
    assert!(zed_seen.disabled_at.is_some());
    assert_eq!(zed_seen.last_login_at, None);
    assert_eq!(zed_seen.live_sessions, 0);

    let one = store.account_summary("amy", now).await.unwrap();
    assert_eq!(one.as_ref(), Some(amy_seen));
    assert_eq!(store.account_summary("Amy", now).await.unwrap(), None);
    assert!(
        store
            .list_accounts(now)
            .await
            .map(|l| l.len() == 2)
            .unwrap()
    );
}
