//! Real sockets: the bound server, per-IP limits from the TCP peer,
//! graceful shutdown with a request in flight, the grace period, and the
//! `serve_until` entry point configured from a file.

use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use sinch_auth::VerifyOptions;
use sinch_auth_service::cli::{ServeArgs, serve_until};
use sinch_auth_service::{Rate, Server, TokenService};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

async fn start(
    service: TokenService,
    grace: Duration,
) -> (
    SocketAddr,
    SocketAddr,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let server = Server::bind(service, loopback, loopback, grace)
        .await
        .unwrap();
    let (api, admin) = (server.api_addr(), server.admin_addr());
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        server
            .run(async move {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    (api, admin, tx, handle)
}

#[tokio::test]
async fn real_socket_round_trip_with_per_ip_limit() {
    let mut options = unlimited();
    options.rate_limits.per_ip = Rate::new(60, 4);
    let (api, admin, stop, handle) = start(api_key_service(options), Duration::from_secs(5)).await;
    let client = reqwest::Client::new();
    let reply = client
        .post(format!("http://{api}/v1/tickets"))
        .bearer_auth(API_KEY)
        .header("content-type", "application/json")
        .body(r#"{"userId":"socket-user"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.headers()["cache-control"], "no-store");
    let body: serde_json::Value = serde_json::from_str(&reply.text().await.unwrap()).unwrap();
    let ticket = body["userTicket"].as_str().unwrap();
    assert_eq!(
        app()
            .verify_ticket(ticket, &VerifyOptions::default())
            .unwrap()
            .user_id(),
        "socket-user"
    );

    let live = client
        .get(format!("http://{admin}/livez"))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    let not_on_api = client
        .get(format!("http://{api}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(not_on_api.status(), 404, "metrics only on the admin port");

    // The peer address (127.0.0.1) is the rate-limit key.
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = client
            .post(format!("http://{api}/v1/tickets"))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 429]);

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .unwrap()
        .unwrap();
}

/// Sends the head and half the body of a ticket request, returning the
/// stream and the rest of the body.
pub async fn start_slow_request(api: SocketAddr) -> (TcpStream, Vec<u8>) {
    let body = format!(r#"{{"userId":"in-flight","ttl":{}}}"#, 3600).into_bytes();
    let head = format!(
        "POST /v1/tickets HTTP/1.1\r\nhost: {api}\r\nauthorization: Bearer {API_KEY}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let mut stream = TcpStream::connect(api).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let (first, rest) = body.split_at(10);
    stream.write_all(first).await.unwrap();
    stream.flush().await.unwrap();
    (stream, rest.to_vec())
}

pub async fn finish_slow_request(mut stream: TcpStream, rest: &[u8]) -> String {
    stream.write_all(rest).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut response))
        .await
        .expect("the in-flight request completes")
        .unwrap();
    String::from_utf8(response).unwrap()
}

#[tokio::test]
async fn shutdown_lets_the_in_flight_request_finish() {
    let service = api_key_service(unlimited());
    let (api, _admin, stop, handle) = start(service.clone(), Duration::from_secs(10)).await;
    let (stream, rest) = start_slow_request(api).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(service.is_shutting_down());
    assert!(!handle.is_finished(), "the server waits for the request");
    // No new connections are served.
    let refused = reqwest::Client::new()
        .get(format!("http://{api}/openapi.json"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(
        refused.is_err(),
        "new connections are not served while draining"
    );

    let response = finish_slow_request(stream, &rest).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"userId\":\"in-flight\""), "{response}");
    assert!(
        response.to_ascii_lowercase().contains("connection: close"),
        "{response}"
    );
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn the_grace_period_bounds_the_drain() {
    let (api, _admin, stop, handle) =
        start(api_key_service(unlimited()), Duration::from_millis(500)).await;
    // A request that never completes.
    let (_stream, _rest) = start_slow_request(api).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .expect("run returns once the grace period is over")
        .unwrap();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn serve_until_runs_from_a_config_file() {
    let dir = std::env::temp_dir().join(format!("sinch-auth-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret = dir.join("secret");
    std::fs::write(&secret, APP_SECRET).unwrap();
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(API_KEY.as_bytes()))
    };
    let (api_port, admin_port) = (free_port(), free_port());
    let config = dir.join("serve.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{api_port}\"\nadmin_listen = \"127.0.0.1:{admin_port}\"\n\
             caller_auth = \"api-key\"\nlog_format = \"json\"\nlog_level = \"warn\"\n\n\
             [[api_key.keys]]\nname = \"tests\"\nsha256 = \"{digest}\"\n\n\
             [applications.default]\nkey = \"{APP_KEY}\"\nsecret_file = \"{}\"\n",
            secret.display()
        ),
    )
    .unwrap();
    let args = ServeArgs {
        config: Some(config.clone()),
        ..ServeArgs::default()
    };

    // --check-config validates and returns without serving.
    let check = ServeArgs {
        check_config: true,
        ..args.clone()
    };
    serve_until(check, std::future::pending()).await.unwrap();

    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(serve_until(args, async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if client
            .get(format!("http://127.0.0.1:{admin_port}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the server came up");
    let reply = client
        .post(format!(
            "http://127.0.0.1:{api_port}/v1/registration-tokens"
        ))
        .bearer_auth(API_KEY)
        .header("content-type", "application/json")
        .body(r#"{"userId":"from-config"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn slow_request_heads_are_cut_off() {
    let mut options = unlimited();
    options.request_timeout = Duration::from_secs(1);
    let (api, _admin, stop, handle) = start(api_key_service(options), Duration::from_secs(5)).await;
    let mut stream = TcpStream::connect(api).await.unwrap();
    stream
        .write_all(b"POST /v1/tickets HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest))
        .await
        .expect("the server closes the connection")
        .ok();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900),
        "closed too early: {waited:?}"
    );
    assert!(!String::from_utf8_lossy(&rest).contains("200 OK"));
    stop.send(()).unwrap();
    handle.await.unwrap();
}
