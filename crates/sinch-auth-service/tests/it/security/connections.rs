//! Item 13: connections are bounded, so idle or slow sockets cannot use up
//! file descriptors (the admin port keeps its own bound); `/readyz` follows
//! the database probe, not one request that found the database busy.

use std::time::Duration;

use sqlx::Connection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{PASSWORD, client, credentials, post_from, serve_accounts, serve_api_key};

/// Sends a whole GET on a new connection; the response head, if one comes
/// within `wait`.
async fn get_within(addr: std::net::SocketAddr, wait: Duration) -> (TcpStream, Option<String>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /openapi.json HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    let head = match tokio::time::timeout(wait, stream.read(&mut buf)).await {
        Ok(Ok(n)) if n > 0 => Some(String::from_utf8_lossy(&buf[..n]).into_owned()),
        _ => None,
    };
    (stream, head)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_cannot_exceed_the_bound() {
    let server = serve_api_key(&[("SINCH_AUTH_MAX_CONNECTIONS", "4")]).await;
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(server.api).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The fifth waits unaccepted while four are open…
    let (stream, head) = get_within(server.api, Duration::from_millis(700)).await;
    assert_eq!(head, None, "served beyond the bound");
    // …the admin port is not affected…
    let ready = client()
        .get(server.admin_url("/livez"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    // …and it is served as soon as one closes.
    drop(idle.pop());
    let mut stream = stream;
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("served once a slot is free")
        .unwrap();
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_database_error_does_not_flip_readiness() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("accounts.db").display());
    let server = serve_accounts(&[("SINCH_AUTH_DATABASE_URL", url.as_str())]).await;
    let ready = || async {
        client()
            .get(server.admin_url("/readyz"))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(ready().await, 200);

    // Another process holds the write lock past the busy timeout.
    let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut other)
        .await
        .unwrap();
    let reply = post_from(
        &server,
        "/v1/accounts",
        "198.51.100.3",
        &credentials("busy", PASSWORD),
    )
    .await;
    let (status, code) = super::status_and_code(reply).await;
    assert_eq!((status, code.as_str()), (503, "unavailable"));
    assert_eq!(
        ready().await,
        200,
        "the probe still answers: one busy error is not an outage"
    );
    sqlx::query("COMMIT").execute(&mut other).await.unwrap();
    other.close().await.unwrap();
    assert_eq!(ready().await, 200);
    let reply = post_from(
        &server,
        "/v1/accounts",
        "198.51.100.3",
        &credentials("busy", PASSWORD),
    )
    .await;
    assert_eq!(reply.status(), 201);
}
