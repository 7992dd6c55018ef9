//! Outages only PostgreSQL can have: a server that kills connections or
//! disappears from the network, then comes back.

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use sinch_auth_store::{Store, StoreError, StoreOptions};
use sqlx::postgres::PgConnectOptions;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use crate::harness::{TestDatabase, hash, postgres_base_url};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by .ci/postgres.sh"]
async fn terminated_connections_are_replaced_without_errors() {
    let db = TestDatabase::postgres().await;
    let store = db.open().await;
    store.create_account("alice", &hash("a")).await.unwrap();

    let mut admin = db.postgres_admin().await;
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
    )
    .bind(db.postgres_application_name())
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert!(
        !killed.is_empty() && killed.iter().all(|k| *k),
        "nothing to terminate: {killed:?}"
    );
    wait_until_gone(&mut admin, db.postgres_application_name()).await;

    // Every pooled connection is dead; each is checked before use and replaced.
    store.ping().await.expect("ping after termination");
    let alice = store.find_account_by_username("alice").await.unwrap();
    assert!(alice.is_some());
    store.create_account("bob", &hash("b")).await.unwrap();
    db.cleanup().await;
}

async fn wait_until_gone(admin: &mut sqlx::PgConnection, application_name: &str) {
    for _ in 0..100 {
        let left: i64 =
            sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1")
                .bind(application_name)
                .fetch_one(&mut *admin)
                .await
                .unwrap();
        if left == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("terminated backends did not exit");
}

/// The database vanishes (connections cut, new ones refused) behind a TCP
/// proxy this test controls, then returns on the same address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by .ci/postgres.sh"]
async fn outage_reports_unavailable_then_recovers_by_itself() {
    let db = TestDatabase::postgres().await;
    let upstream = upstream_address();
    let mut proxy = Proxy::start(upstream, 0).await;
    let target = format!("{}:{}", upstream.ip(), upstream.port());
    let via_proxy = db
        .url()
        .replacen(&target, &format!("127.0.0.1:{}", proxy.port), 1);
    assert_ne!(via_proxy, db.url(), "expected {target} in the test URL");

    let options = StoreOptions::default().with_acquire_timeout(Duration::from_millis(500));
    let store = Store::connect_with(&via_proxy, options).await.unwrap();
    let alice = store.create_account("alice", &hash("a")).await.unwrap();

    proxy.stop().await;
    let ping = store.ping().await;
    assert!(matches!(ping, Err(StoreError::Unavailable(_))), "{ping:?}");
    let signup = store.create_account("bob", &hash("b")).await;
    assert!(
        signup.as_ref().is_err_and(StoreError::is_unavailable),
        "{signup:?}"
    );
    let message = signup.unwrap_err().to_string();
    assert!(!message.contains("sinch_auth_test_password"), "{message}");

    proxy = Proxy::start(upstream, proxy.port).await;
    let mut recovered = false;
    for _ in 0..40 {
        if store.ping().await.is_ok() {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        recovered,
        "the pool did not reconnect after the database returned"
    );
    assert_eq!(store.find_account(&alice.id).await.unwrap(), Some(alice));
    store
        .create_account("bob", &hash("b"))
        .await
        .expect("sign-up after recovery");
    proxy.stop().await;
    db.cleanup().await;
}

fn upstream_address() -> SocketAddr {
    let options = PgConnectOptions::from_str(&postgres_base_url()).expect("PostgreSQL URL");
    let host = options.get_host();
    let host = if host == "localhost" {
        "127.0.0.1"
    } else {
        host
    };
    SocketAddr::new(
        host.parse()
            .expect("the test server's host must be an IP address"),
        options.get_port(),
    )
}

/// A loopback TCP forwarder. Stopping it closes the listener and every
/// forwarded connection, which is what a crashed or unreachable server looks
/// like to the client.
struct Proxy {
    port: u16,
    task: JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: SocketAddr, port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind proxy");
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            // Dropped with this task, which aborts every forwarded connection.
            let mut connections = JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                connections.spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Self { port, task }
    }

    async fn stop(&mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}
