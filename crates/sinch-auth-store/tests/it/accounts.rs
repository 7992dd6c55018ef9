use std::collections::HashSet;

use sinch_auth_store::StoreError;

use crate::harness::{TestDatabase, hash};

pub async fn create_then_find(db: &TestDatabase) {
    let store = db.open().await;
    let created = store.create_account("alice", &hash("a1")).await.unwrap();
    assert_eq!(created.username, "alice");
    assert_eq!(created.password_hash, hash("a1"));

    let by_name = store.find_account_by_username("alice").await.unwrap();
    assert_eq!(by_name.as_ref(), Some(&created));
    let by_id = store.find_account(&created.id).await.unwrap();
    assert_eq!(by_id, Some(created));
    assert_eq!(store.find_account_by_username("bob").await.unwrap(), None);
}

pub async fn usernames_are_exact_bytes(db: &TestDatabase) {
    let store = db.open().await;
    let lower = store.create_account("alice", &hash("lower")).await.unwrap();
    let upper = store.create_account("Alice", &hash("upper")).await.unwrap();
    assert_ne!(lower.id, upper.id);
    let found = store
        .find_account_by_username("Alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.password_hash, hash("upper"));
    assert_eq!(
        store.find_account_by_username("alice ").await.unwrap(),
        None
    );
}

pub async fn second_signup_of_a_name_is_taken(db: &TestDatabase) {
    let store = db.open().await;
    store.create_account("alice", &hash("first")).await.unwrap();
    let second = store.create_account("alice", &hash("second")).await;
    assert_eq!(second, Err(StoreError::UsernameTaken));
    let kept = store
        .find_account_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.password_hash,
        hash("first"),
        "the loser must not overwrite"
    );
}

pub async fn concurrent_signups_of_one_name_have_one_winner(db: &TestDatabase) {
    let store = db.open().await;
    let attempts: Vec<_> = (0..32)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                (
                    i,
                    store
                        .create_account("contested", &hash(&format!("h{i}")))
                        .await,
                )
            })
        })
        .collect();
    let mut winners = Vec::new();
    for attempt in attempts {
        match attempt.await.unwrap() {
            (i, Ok(_)) => winners.push(i),
            (_, Err(StoreError::UsernameTaken)) => {}
            (i, Err(other)) => panic!("attempt {i} failed with {other:?}, not UsernameTaken"),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let stored = store
        .find_account_by_username("contested")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.password_hash, hash(&format!("h{}", winners[0])));
}

pub async fn concurrent_signups_of_different_names_all_succeed(db: &TestDatabase) {
    let store = db.open().await;
    let attempts: Vec<_> = (0..24)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.create_account(&format!("user{i}"), &hash("h")).await })
        })
        .collect();
    let mut ids = HashSet::new();
    for attempt in attempts {
        ids.insert(
            attempt
                .await
                .unwrap()
                .expect("distinct names never conflict")
                .id,
        );
    }
    assert_eq!(ids.len(), 24);
    for i in 0..24 {
        let name = format!("user{i}");
        assert!(
            store
                .find_account_by_username(&name)
                .await
                .unwrap()
                .is_some(),
            "{name}"
        );
    }
}

pub async fn username_bounds(db: &TestDatabase) {
    let store = db.open().await;
    // 255 bytes is the Sinch user id limit; the database's CHECK must accept it.
    let longest = "x".repeat(255);
    store.create_account(&longest, &hash("h")).await.unwrap();
    assert!(
        store
            .find_account_by_username(&longest)
            .await
            .unwrap()
            .is_some()
    );
    for bad in [String::new(), "x".repeat(256), "nul\0byte".to_owned()] {
        assert!(
            matches!(
                store.create_account(&bad, &hash("h")).await,
                Err(StoreError::InvalidInput(_))
            ),
            "{bad:?} accepted"
        );
    }
}
