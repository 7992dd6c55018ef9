use sinch_auth_store::DevelopmentCredentials;

use crate::harness::TestDatabase;

fn candidate(n: usize) -> DevelopmentCredentials {
    DevelopmentCredentials::new(format!("dev-key-{n}"), format!("c2VjcmV0LXt7{n}")).unwrap()
}

pub async fn first_candidate_is_kept(db: &TestDatabase) {
    let store = db.open().await;
    let first = store.development_credentials(candidate(1)).await.unwrap();
    assert!(first.newly_created);
    assert_eq!(first.credentials, candidate(1));

    let second = store.development_credentials(candidate(2)).await.unwrap();
    assert!(
        !second.newly_created,
        "only the call that stored them may print them"
    );
    assert_eq!(second.credentials, candidate(1));
    assert_eq!(second.credentials.secret(), candidate(1).secret());
}

/// Two instances starting together on one new database: both connect (and
/// migrate) at once, then race to store their own candidates. They must end
/// up with the same credentials, and exactly one call may claim to have
/// created them.
pub async fn two_instances_agree_on_first_start(db: &TestDatabase) {
    let (a, b) = tokio::join!(db.open(), db.open());
    let calls: Vec<_> = (0..16)
        .map(|n| {
            let store = if n % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move { store.development_credentials(candidate(n)).await })
        })
        .collect();
    let mut results = Vec::new();
    for call in calls {
        results.push(call.await.unwrap().expect("development_credentials"));
    }
    let agreed = results[0].credentials.clone();
    assert!(
        (0..16).any(|n| candidate(n) == agreed),
        "the winner is one of the candidates"
    );
    assert!(
        results.iter().all(|r| r.credentials == agreed),
        "instances disagree"
    );
    assert_eq!(results.iter().filter(|r| r.newly_created).count(), 1);
}
