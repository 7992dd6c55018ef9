//! SIGTERM and SIGINT end `serve` gracefully. A test binary of its own:
//! the signals go to this whole process. One test, so nothing else in the
//! process is listening when they arrive.

#![cfg(unix)]

#[path = "it/common/mod.rs"]
mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use sinch_auth_service::{Server, shutdown_signal};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn send_signal(name: &str) {
    // The shell's built-in kill: no dependency on a kill(1) binary.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("kill -{name} {}", std::process::id()))
        .status()
        .expect("sh runs");
    assert!(status.success());
}

#[tokio::test]
async fn signals_trigger_a_graceful_shutdown() {
    // The hookup: each signal completes the future with its name.
    let term = shutdown_signal().unwrap();
    send_signal("TERM");
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), term)
            .await
            .unwrap(),
        "SIGTERM"
    );
    let int = shutdown_signal().unwrap();
    send_signal("INT");
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), int)
            .await
            .unwrap(),
        "SIGINT"
    );

    // The whole path: a request in flight when SIGTERM arrives completes.
    let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let server = Server::bind(
        api_key_service(unlimited()),
        loopback,
        loopback,
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    let api = server.api_addr();
    let signal = shutdown_signal().unwrap();
    let handle = tokio::spawn(server.run(async move {
        signal.await;
    }));

    let body = br#"{"userId":"sigterm-user"}"#;
    let head = format!(
        "POST /v1/tickets HTTP/1.1\r\nhost: {api}\r\nauthorization: Bearer {API_KEY}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let mut stream = TcpStream::connect(api).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..5]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    send_signal("TERM");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !handle.is_finished(),
        "still draining the in-flight request"
    );

    stream.write_all(&body[5..]).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut response))
        .await
        .unwrap()
        .unwrap();
    let response = String::from_utf8(response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("sigterm-user"), "{response}");
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
