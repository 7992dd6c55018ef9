use sinch_auth_store::StoreError;
use time::Duration;

use crate::harness::{T0, TestDatabase, hash, token};

pub async fn session_lives_until_its_expiry(db: &TestDatabase) {
    let store = db.open().await;
    let alice = store.create_account("alice", &hash("a")).await.unwrap();
    let expires = T0 + Duration::minutes(30);
    store
        .create_session(&alice, &token("s"), expires)
        .await
        .unwrap();

    let live = store
        .find_session(&token("s"), T0)
        .await
        .unwrap()
        .expect("live");
    assert_eq!(live.username, "alice");
    assert_eq!(live.account_id, alice.id);
    assert_eq!(live.expires_at, expires);
    let last_second = expires - Duration::seconds(1);
    assert!(
        store
            .find_session(&token("s"), last_second)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.find_session(&token("s"), expires).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .find_session(&token("s"), expires + Duration::days(1))
            .await
            .unwrap(),
        None
    );

    assert!(store.revoke_session(&token("s")).await.unwrap());
    assert_eq!(store.find_session(&token("s"), T0).await.unwrap(), None);
    assert!(
        !store.revoke_session(&token("s")).await.unwrap(),
        "second logout finds nothing"
    );
}

pub async fn expiry_is_kept_to_the_second_rounded_down(db: &TestDatabase) {
    let store = db.open().await;
    let alice = store.create_account("alice", &hash("a")).await.unwrap();
    let asked = T0 + Duration::milliseconds(10_900);
    store
        .create_session(&alice, &token("s"), asked)
        .await
        .unwrap();
    let live = store.find_session(&token("s"), T0).await.unwrap().unwrap();
    assert_eq!(live.expires_at, T0 + Duration::seconds(10));
    let at = T0 + Duration::milliseconds(10_500);
    assert_eq!(
        store.find_session(&token("s"), at).await.unwrap(),
        None,
        "never outlives the request"
    );
}

pub async fn unknown_token_finds_nothing(db: &TestDatabase) {
    let store = db.open().await;
    let alice = store.create_account("alice", &hash("a")).await.unwrap();
    store
        .create_session(&alice, &token("real"), T0 + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(store.find_session(&token("guess"), T0).await.unwrap(), None);
    assert!(!store.revoke_session(&token("guess")).await.unwrap());
}

pub async fn revoke_all_touches_only_that_account(db: &TestDatabase) {
    let store = db.open().await;
    let alice = store.create_account("alice", &hash("a")).await.unwrap();
    let bob = store.create_account("bob", &hash("b")).await.unwrap();
    let later = T0 + Duration::hours(1);
    for name in ["a1", "a2", "a3"] {
        store
            .create_session(&alice, &token(name), later)
            .await
            .unwrap();
    }
    store
        .create_session(&bob, &token("b1"), later)
        .await
        .unwrap();

    assert_eq!(store.revoke_all_sessions(&alice.id).await.unwrap(), 3);
    for name in ["a1", "a2", "a3"] {
        assert_eq!(
            store.find_session(&token(name), T0).await.unwrap(),
            None,
            "{name}"
        );
    }
    let bobs = store.find_session(&token("b1"), T0).await.unwrap().unwrap();
    assert_eq!(bobs.username, "bob");
    assert_eq!(store.revoke_all_sessions(&alice.id).await.unwrap(), 0);
}

pub async fn purge_deletes_only_expired_sessions(db: &TestDatabase) {
    let store = db.open().await;
    let alice = store.create_account("alice", &hash("a")).await.unwrap();
    for (name, seconds) in [("ten", 10), ("twenty", 20), ("thirty", 30)] {
        store
            .create_session(&alice, &token(name), T0 + Duration::seconds(seconds))
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .purge_expired_sessions(T0 + Duration::seconds(20))
            .await
            .unwrap(),
        2
    );
    // Asking "as of T0" shows the rows are gone, not just filtered out.
    assert_eq!(store.find_session(&token("ten"), T0).await.unwrap(), None);
    assert_eq!(
        store.find_session(&token("twenty"), T0).await.unwrap(),
        None
    );
    assert!(
        store
            .find_session(&token("thirty"), T0)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store
            .purge_expired_sessions(T0 + Duration::seconds(20))
            .await
            .unwrap(),
        0
    );
}

pub async fn duplicate_token_is_refused(db: &TestDatabase) {
    let store = db.open().await;
    let alice = store.create_account("alice", &hash("a")).await.unwrap();
    let bob = store.create_account("bob", &hash("b")).await.unwrap();
    store
        .create_session(&alice, &token("same"), T0 + Duration::hours(1))
        .await
        .unwrap();
    let again = store
        .create_session(&bob, &token("same"), T0 + Duration::hours(2))
        .await;
    assert!(
        matches!(again, Err(StoreError::InvalidInput(_))),
        "{again:?}"
    );
    let kept = store
        .find_session(&token("same"), T0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.username, "alice", "the existing session is untouched");
}

pub async fn password_change_revokes_other_sessions(db: &TestDatabase) {
    let store = db.open().await;
    let alice = store.create_account("alice", &hash("old")).await.unwrap();
    let bob = store.create_account("bob", &hash("b")).await.unwrap();
    let later = T0 + Duration::hours(1);
    for name in ["current", "laptop", "phone"] {
        store
            .create_session(&alice, &token(name), later)
            .await
            .unwrap();
    }
    store
        .create_session(&bob, &token("bob"), later)
        .await
        .unwrap();

    let revoked = store
        .set_password(&alice, &hash("new"), Some(&token("current")))
        .await
        .unwrap();
    assert_eq!(revoked, 2);
    assert!(
        store
            .find_session(&token("current"), T0)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.find_session(&token("laptop"), T0).await.unwrap(),
        None
    );
    assert_eq!(store.find_session(&token("phone"), T0).await.unwrap(), None);
    assert!(
        store
            .find_session(&token("bob"), T0)
            .await
            .unwrap()
            .is_some()
    );
    let stored = store.find_account(&alice.id).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, hash("new"));
}

pub async fn password_change_without_keep_revokes_all(db: &TestDatabase) {
    let store = db.open().await;
    let alice = store.create_account("alice", &hash("old")).await.unwrap();
    for name in ["one", "two"] {
        store
            .create_session(&alice, &token(name), T0 + Duration::hours(1))
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .set_password(&alice, &hash("new"), None)
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.find_session(&token("one"), T0).await.unwrap(), None);
    assert_eq!(store.find_session(&token("two"), T0).await.unwrap(), None);
}

pub async fn stale_account_cannot_change_password_or_log_in(db: &TestDatabase) {
    let store = db.open().await;
    let before = store.create_account("alice", &hash("old")).await.unwrap();
    store
        .set_password(&before, &hash("new"), None)
        .await
        .unwrap();

    // `before` still carries the old hash: whoever verified against it lost a race.
    let changed = store.set_password(&before, &hash("other"), None).await;
    assert_eq!(changed, Err(StoreError::CredentialsChanged));
    let login = store
        .create_session(&before, &token("s"), T0 + Duration::hours(1))
        .await;
    assert_eq!(login, Err(StoreError::CredentialsChanged));
    assert_eq!(store.find_session(&token("s"), T0).await.unwrap(), None);
    let stored = store.find_account(&before.id).await.unwrap().unwrap();
    assert_eq!(
        stored.password_hash,
        hash("new"),
        "the stale change was not applied"
    );

    let after = store
        .find_account_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    store
        .create_session(&after, &token("s"), T0 + Duration::hours(1))
        .await
        .unwrap();
    assert!(store.find_session(&token("s"), T0).await.unwrap().is_some());
}

/// A login that verified the old password must not leave a live session once
/// a concurrent password change has finished, whichever commits first.
pub async fn login_racing_a_password_change_never_survives(db: &TestDatabase) {
    let store = db.open().await;
    for round in 0..20 {
        let account = store
            .create_account(&format!("racer{round}"), &hash("old"))
            .await
            .unwrap();
        let login = {
            let (store, account) = (store.clone(), account.clone());
            tokio::spawn(async move {
                store
                    .create_session(
                        &account,
                        &token(&format!("login{round}")),
                        T0 + Duration::hours(1),
                    )
                    .await
            })
        };
        let change = {
            let (store, account) = (store.clone(), account.clone());
            tokio::spawn(async move { store.set_password(&account, &hash("new"), None).await })
        };
        let (login, change) = (login.await.unwrap(), change.await.unwrap());
        change.expect("the password change itself always succeeds");
        assert!(
            matches!(login, Ok(()) | Err(StoreError::CredentialsChanged)),
            "round {round}: {login:?}"
        );
        let survivor = store
            .find_session(&token(&format!("login{round}")), T0)
            .await
            .unwrap();
        assert_eq!(
            survivor, None,
            "round {round}: a session from the old password survived"
        );
    }
}
