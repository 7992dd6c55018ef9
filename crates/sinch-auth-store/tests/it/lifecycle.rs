use sinch_auth_store::{Backend, DevelopmentCredentials, SessionTokenHash, StoreError};
use time::macros::datetime;

use crate::harness::{TestDatabase, hash};

pub async fn connecting_twice_is_idempotent(db: &TestDatabase) {
    let first = db.open().await;
    let version = first.schema_version().await.unwrap();
    assert!(version.is_current(), "{version:?}");
    assert!(version.applied >= 1);
    first.create_account("alice", &hash("a")).await.unwrap();

    // Migrations run again on every connect; they must be a no-op now.
    let second = db.open().await;
    assert_eq!(second.schema_version().await.unwrap(), version);
    assert!(
        second
            .find_account_by_username("alice")
            .await
            .unwrap()
            .is_some()
    );
    let third = db.open().await;
    assert_eq!(third.schema_version().await.unwrap(), version);
}

pub async fn concurrent_first_connects_both_succeed(db: &TestDatabase) {
    // Four instances create and migrate the same fresh database at once.
    let stores = tokio::join!(db.open(), db.open(), db.open(), db.open());
    for store in [stores.0, stores.1, stores.2, stores.3] {
        assert!(store.schema_version().await.unwrap().is_current());
        store.ping().await.unwrap();
    }
}

pub async fn data_survives_reopen(db: &TestDatabase) {
    let at = datetime!(2030-01-01 00:00 UTC);
    let token = SessionTokenHash::of_token("kept");
    let credentials = DevelopmentCredentials::new("key", "c2VjcmV0").unwrap();
    {
        let store = db.open().await;
        let alice = store.create_account("alice", &hash("a")).await.unwrap();
        store
            .create_session(&alice, &token, datetime!(2030-01-02 00:00 UTC))
            .await
            .unwrap();
        store
            .development_credentials(credentials.clone())
            .await
            .unwrap();
        store.close().await;
    }
    let reopened = db.open().await;
    let alice = reopened
        .find_account_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(alice.password_hash, hash("a"));
    let session = reopened.find_session(&token, at).await.unwrap().unwrap();
    assert_eq!(session.account_id, alice.id);
    let stored = reopened
        .development_credentials(DevelopmentCredentials::new("other", "b3RoZXI=").unwrap())
        .await
        .unwrap();
    assert_eq!(stored.credentials, credentials);
    assert!(!stored.newly_created);
}

pub async fn closed_store_reports_unavailable(db: &TestDatabase) {
    let store = db.open().await;
    store.ping().await.unwrap();
    store.close().await;
    let ping = store.ping().await;
    assert!(matches!(ping, Err(StoreError::Unavailable(_))), "{ping:?}");
    let lookup = store.find_account_by_username("alice").await;
    assert!(
        lookup.as_ref().is_err_and(StoreError::is_unavailable),
        "{lookup:?}"
    );
}

pub async fn location_and_status(db: &TestDatabase) {
    let store = db.open().await;
    assert_eq!(store.backend(), db.backend());
    let location = store.location();
    match db.backend() {
        Backend::Sqlite => assert!(
            location.starts_with("sqlite://") && location.ends_with("store.db"),
            "{location}"
        ),
        _ => {
            assert!(location.starts_with("postgres://"), "{location}");
            assert!(!location.contains("sinch_auth_test_password"), "{location}");
        }
    }
    assert!(!format!("{store:?}").contains("sinch_auth_test_password"));
    store.ping().await.unwrap();
    let status = store.pool_status();
    assert!(status.open >= 1 && status.idle <= status.open, "{status:?}");
}
