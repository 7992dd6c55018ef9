//! `kill -9` in the middle of a burst of sign-ups loses no acknowledged
//! account and leaves a database that passes SQLite's integrity check.
//!
//! The test runs itself as a child process (the same test binary, in writer
//! mode) so the writer can be killed without warning.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sinch_auth_store::{PasswordHash, Store, sqlite_url};
use sqlx::Connection;

const WRITER_MODE: &str = "SINCH_AUTH_STORE_CRASH_WRITER_DB";
const WRITERS: usize = 4;
const ACKS_BEFORE_KILL: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_signups_survive_kill_9() {
    if let Ok(path) = std::env::var(WRITER_MODE) {
        return write_until_killed(&path).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let mut writer = KillOnDrop(
        Command::new(std::env::current_exe().unwrap())
            .args([
                "acknowledged_signups_survive_kill_9",
                "--exact",
                "--nocapture",
            ])
            .env(WRITER_MODE, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the writer process"),
    );

    let mut acknowledged = Vec::new();
    let started = Instant::now();
    // Kept open until after the kill, so the writer never sees a closed pipe.
    let mut output = BufReader::new(writer.0.stdout.take().unwrap());
    let mut line = String::new();
    while acknowledged.len() < ACKS_BEFORE_KILL && started.elapsed() < Duration::from_secs(60) {
        line.clear();
        if output.read_line(&mut line).expect("writer output") == 0 {
            break;
        }
        if let Some(name) = line.trim_end().strip_prefix("ack ") {
            acknowledged.push(name.to_owned());
        }
    }
    assert!(
        acknowledged.len() >= ACKS_BEFORE_KILL,
        "the writer acknowledged only {} sign-ups",
        acknowledged.len()
    );
    writer.0.kill().expect("SIGKILL the writer"); // SIGKILL on Unix: no cleanup runs
    writer.0.wait().unwrap();

    let mut raw = sqlx::SqliteConnection::connect(&sqlite_url(&path))
        .await
        .unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    raw.close().await.unwrap();

    let store = Store::connect(&sqlite_url(&path))
        .await
        .expect("reopen after the crash");
    for name in &acknowledged {
        let account = store.find_account_by_username(name).await.unwrap();
        assert!(account.is_some(), "acknowledged account {name} was lost");
    }
}

/// Writer mode: several tasks sign up distinct users as fast as they can and
/// print `ack NAME` only after `create_account` returned. Bounded in time in
/// case the parent dies without killing it.
async fn write_until_killed(path: &str) {
    let store = Store::connect(&sqlite_url(std::path::Path::new(path)))
        .await
        .unwrap();
    let hash = PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA").unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let tasks: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (store, hash) = (store.clone(), hash.clone());
            tokio::spawn(async move {
                for n in 0.. {
                    if Instant::now() > deadline {
                        break;
                    }
                    let name = format!("w{writer}n{n}");
                    store.create_account(&name, &hash).await.unwrap();
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "ack {name}").unwrap();
                    out.flush().unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
