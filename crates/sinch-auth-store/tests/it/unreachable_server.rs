//! A PostgreSQL server that is not there: runs without one.

use std::time::{Duration, Instant};

use sinch_auth_store::{Store, StoreError, StoreOptions};

#[tokio::test]
async fn refused_connection_is_unavailable_within_the_acquire_timeout() {
    // Nothing listens on port 1; the password must not leak into the error.
    let url = "postgres://app:do-not-print-me@127.0.0.1:1/accounts";
    let options = StoreOptions::default().with_acquire_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let err = Store::connect_with(url, options)
        .await
        .expect_err("nothing listens on port 1");
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("do-not-print-me"), "{shown}");
}

#[tokio::test]
async fn unknown_scheme_is_rejected_without_echo() {
    let err = Store::connect("mysql://root:do-not-print-me@localhost/x")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidUrl(_)), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("do-not-print-me"));
}
