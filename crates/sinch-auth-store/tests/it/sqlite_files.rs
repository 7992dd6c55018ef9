//! What only an SQLite file can show: how it is created and locked.

use std::time::Duration;

use sinch_auth_store::{PasswordHash, Store, StoreError, StoreOptions, sqlite_url};
use sqlx::Connection;

fn hash() -> PasswordHash {
    PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA").unwrap()
}

#[cfg(unix)]
#[tokio::test]
async fn file_and_directory_are_private_and_in_wal_mode() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let db_dir = dir.path().join("a").join("b");
    let path = db_dir.join("accounts.db");
    let store = Store::connect(&sqlite_url(&path)).await.unwrap();
    store.create_account("alice", &hash()).await.unwrap();

    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&db_dir), 0o700, "directory");
    assert_eq!(mode(&path), 0o600, "database file");
    let wal = db_dir.join("accounts.db-wal");
    assert!(wal.exists(), "WAL journal in use");
    assert_eq!(mode(&wal), 0o600, "WAL file inherits the database's mode");

    // journal_mode=WAL is recorded in the file itself; check it from outside.
    let mut raw = sqlx::SqliteConnection::connect(&sqlite_url(&path))
        .await
        .unwrap();
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(journal, "wal");
    raw.close().await.unwrap();
}

#[tokio::test]
async fn a_locked_database_is_unavailable_until_released() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("locked.db"));
    let options = StoreOptions::default().with_busy_timeout(Duration::from_millis(100));
    let store = Store::connect_with(&url, options).await.unwrap();
    store.create_account("alice", &hash()).await.unwrap();

    // Another process holds the write lock longer than the busy timeout.
    let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut other)
        .await
        .unwrap();
    let blocked = store.create_account("bob", &hash()).await;
    assert!(
        matches!(blocked, Err(StoreError::Unavailable(_))),
        "{blocked:?}"
    );
    // Readers are not blocked in WAL mode.
    assert!(
        store
            .find_account_by_username("alice")
            .await
            .unwrap()
            .is_some()
    );

    sqlx::query("COMMIT").execute(&mut other).await.unwrap();
    store
        .create_account("bob", &hash())
        .await
        .expect("writes resume once the lock is gone");
    assert!(
        store
            .find_account_by_username("bob")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn a_fresh_pool_sees_what_another_pool_committed() {
    // Two processes on one file: one writes, the other (started later, and
    // already running) reads it without restarting.
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("shared.db"));
    let reader = Store::connect(&url).await.unwrap();
    reader.ping().await.unwrap();
    let writer = Store::connect(&url).await.unwrap();
    let alice = writer.create_account("alice", &hash()).await.unwrap();
    writer.close().await;
    assert_eq!(reader.find_account(&alice.id).await.unwrap(), Some(alice));
}

#[tokio::test]
async fn an_impossible_path_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let url = sqlite_url(&file.join("accounts.db"));
    let err = Store::connect(&url)
        .await
        .expect_err("a path under a file cannot work");
    let message = err.to_string();
    assert!(message.contains("a-file"), "{message}");
    assert!(message.contains("cannot create"), "{message}");
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let err = Store::connect(&sqlite_url(&path))
        .await
        .expect_err("garbage accepted");
    assert!(!err.is_unavailable(), "retrying will not help: {err:?}");
}
