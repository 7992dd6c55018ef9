//! PostgreSQL behind a proxy the test controls: the database is down at
//! start (the service starts anyway, not ready, and connects once it is
//! up), then goes away mid-run (503 and not ready) and comes back (the
//! service recovers by itself, sessions intact).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sinch_auth_service::accounts::Accounts;
use sinch_auth_store::StoreOptions;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::accounts_suite::harness::*;
use crate::common::{Reply, get, send, unlimited};

/// Forwards TCP to the database while enabled; when disabled, cuts every
/// open connection and closes new ones at once.
struct Proxy {
    addr: SocketAddr,
    enabled: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let enabled = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(Mutex::new(Vec::new()));
        let (on, open) = (enabled.clone(), connections.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if !on.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                open.lock().await.push(task);
            }
        });
        Proxy {
            addr,
            enabled,
            connections,
        }
    }

    fn enable(&self) {
        self.enabled.store(true, Ordering::SeqCst);
    }

    async fn disable(&self) {
        self.enabled.store(false, Ordering::SeqCst);
        for task in self.connections.lock().await.drain(..) {
            task.abort();
        }
    }
}

async fn ready(h: &Harness) -> Reply {
    send(&h.admin, get("/readyz")).await
}

async fn wait_until_ready(h: &Harness, within: Duration) {
    let started = Instant::now();
    loop {
        let reply = ready(h).await;
        if reply.status == 200 {
            return;
        }
        assert!(
            started.elapsed() < within,
            "still not ready: {}",
            reply.text
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by .ci/postgres.sh"]
async fn an_unavailable_database_is_503_and_not_ready_then_recovers() {
    let db = TestDatabase::postgres().await;
    let mut url = url::Url::parse(&db.url).unwrap();
    let upstream: SocketAddr =
        format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432))
            .parse()
            .expect("the test server's address is an IP");
    let proxy = Proxy::start(upstream).await;
    url.set_port(Some(proxy.addr.port())).unwrap();
    let options = StoreOptions::default().with_acquire_timeout(Duration::from_secs(1));

    // Down at start: the service comes up anyway, not ready.
    let accounts = Accounts::connect(url.as_str(), options, test_options())
        .await
        .expect("an unavailable database is not a start-up error");
    assert!(accounts.store().is_none());
    let h = Harness::on(accounts, unlimited());
    let reply = ready(&h).await;
    assert_eq!(reply.status, 503);
    let status = reply.json()["checks"]["callerAuth"]["status"].clone();
    assert!(
        status.as_str().unwrap().contains("not connected yet"),
        "{status}"
    );
    let name = user("outage");
    let reply = h.sign_up(&name, PASSWORD).await;
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert_eq!(reply.problem_code(), "unavailable");

    // Up: connected in the background, migrated, ready.
    proxy.enable();
    wait_until_ready(&h, Duration::from_secs(20)).await;
    let cookie = h.session(&name, PASSWORD).await;

    // Gone mid-run.
    proxy.disable().await;
    let reply = h.sign_up(&user("during"), PASSWORD).await;
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert!(reply.header("retry-after").is_some());
    let reply = h.with_session("/v1/tickets", &cookie, "{}").await;
    assert_eq!(reply.status, 503, "session checks need the database too");
    assert_eq!(reply.problem_code(), "unavailable");
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 503);
    assert_eq!(ready(&h).await.status, 503);

    // Back: recovers by itself, the session is still valid.
    proxy.enable();
    wait_until_ready(&h, Duration::from_secs(20)).await;
    assert_eq!(
        h.with_session("/v1/tickets", &cookie, "{}").await.status,
        200
    );
    assert_eq!(h.sign_up(&user("after"), PASSWORD).await.status, 201);
    db.cleanup().await;
}
