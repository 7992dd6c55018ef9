//! What only an SQLite file shows: a database locked by another writer is
//! unavailable to writes (503) until the lock goes, then everything
//! recovers by itself; readiness follows the probe, which still answers.

use std::time::Duration;

use sinch_auth_service::accounts::Accounts;
use sinch_auth_store::StoreOptions;
use sqlx::Connection;

use crate::accounts_suite::harness::*;
use crate::common::{get, send, unlimited};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_is_503_for_writes_until_released() {
    let db = TestDatabase::sqlite().await;
    let store_options = StoreOptions::default()
        .with_busy_timeout(Duration::from_millis(200))
        .with_acquire_timeout(Duration::from_secs(2));
    let accounts = Accounts::connect(&db.url, store_options, test_options())
        .await
        .unwrap();
    let h = Harness::on(accounts, unlimited());
    let cookie = h.session(&user("before"), PASSWORD).await;
    assert_eq!(send(&h.admin, get("/readyz")).await.status, 200);

    // Another process holds the write lock longer than the busy timeout.
    let mut other = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut other)
        .await
        .unwrap();
    let blocked = user("blocked");
    let reply = h.sign_up(&blocked, PASSWORD).await;
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert_eq!(reply.problem_code(), "unavailable");
    assert_eq!(reply.header("retry-after"), Some("5"));
    assert!(
        !reply.text.contains("locked"),
        "no database internals: {}",
        reply.text
    );
    // A busy error is this request's; the probe (a read) still answers.
    let ready = send(&h.admin, get("/readyz")).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    // Sessions are read, not written: WAL readers are not blocked.
    assert_eq!(
        h.with_session("/v1/tickets", &cookie, "{}").await.status,
        200
    );

    sqlx::query("COMMIT").execute(&mut other).await.unwrap();
    other.close().await.unwrap();
    assert_eq!(
        h.sign_up(&blocked, PASSWORD).await.status,
        201,
        "writes resume"
    );
    assert_eq!(send(&h.admin, get("/readyz")).await.status, 200);
}
