//! The axum extractor on a real socket (127.0.0.1, port 0): a correctly
//! signed callback reaches the handler with its exact body bytes; forged,
//! altered, stale, unsigned and oversize ones are turned away with
//! problem+json before the handler runs.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::post;
use bytes::Bytes;
use serde_json::Value;
use sinch_auth::Application;
use sinch_auth::axum::{CallbackAuth, VerifiedCallback};
use sinch_auth::signing::{
    CallbackSecret, CallbackVerifier, ConversationWebhookVerifier, NumbersCallbackVerifier,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

const KEY: &str = "669E367E-6BBA-48AB-AF15-266871C28135";
const SECRET: &str = "BeIukql3pTKJ8RGL5zo0DA==";
const BODY_LIMIT: usize = 1024;

fn app() -> Application {
    Application::from_base64(KEY, SECRET).unwrap()
}

/// What handlers saw, in order: the test checks that rejected requests
/// never got this far.
type Seen = Arc<Mutex<Vec<(&'static str, Bytes)>>>;

#[derive(Clone)]
struct AppState {
    callbacks: CallbackAuth,
    numbers: CallbackAuth<NumbersCallbackVerifier>,
    conversation: CallbackAuth<ConversationWebhookVerifier>,
    seen: Seen,
}

impl FromRef<AppState> for CallbackAuth {
    fn from_ref(state: &AppState) -> Self {
        state.callbacks.clone()
    }
}

impl FromRef<AppState> for CallbackAuth<NumbersCallbackVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.numbers.clone()
    }
}

impl FromRef<AppState> for CallbackAuth<ConversationWebhookVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.conversation.clone()
    }
}

async fn sinch_callback(State(state): State<AppState>, callback: VerifiedCallback) -> Bytes {
    state
        .seen
        .lock()
        .unwrap()
        .push(("callback", callback.body().clone()));
    callback.into_body()
}

async fn numbers(
    State(state): State<AppState>,
    callback: VerifiedCallback<NumbersCallbackVerifier>,
) -> Bytes {
    state
        .seen
        .lock()
        .unwrap()
        .push(("numbers", callback.body().clone()));
    callback.into_body()
}

async fn conversation(
    State(state): State<AppState>,
    callback: VerifiedCallback<ConversationWebhookVerifier>,
) -> Bytes {
    state
        .seen
        .lock()
        .unwrap()
        .push(("conversation", callback.body().clone()));
    callback.into_body()
}

struct Server {
    addr: SocketAddr,
    seen: Seen,
    shutdown: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(external_prefix: &str) -> Server {
        let seen = Seen::default();
        let state = AppState {
            callbacks: CallbackAuth::new(CallbackVerifier::new(app()))
                .with_body_limit(BODY_LIMIT)
                .with_external_path_prefix(external_prefix),
            numbers: CallbackAuth::new(NumbersCallbackVerifier::new(
                CallbackSecret::new("my-callback-secret").unwrap(),
            )),
            conversation: CallbackAuth::new(ConversationWebhookVerifier::new(
                CallbackSecret::new("foo_secret1234").unwrap(),
            )),
            seen: seen.clone(),
        };
        let nested = Router::new().route("/ace", post(sinch_callback));
        let router = Router::new()
            .route("/sinch/callback", post(sinch_callback))
            .route("/numbers", post(numbers))
            .route("/conversation", post(conversation))
            .nest("/nested", nested)
            .with_state(state);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stop.await;
                })
                .await
        });
        Server {
            addr,
            seen,
            shutdown,
            task,
        }
    }

    fn seen(&self) -> Vec<(&'static str, Bytes)> {
        self.seen.lock().unwrap().clone()
    }

    async fn stop(self) {
        self.shutdown.send(()).unwrap();
        self.task.await.unwrap().unwrap();
    }
}

/// A forged request: what it is, its headers, its body, the expected `code`.
type Forgery<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<u8>, &'a str);

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn problem(&self) -> Value {
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        let problem: Value = serde_json::from_slice(&self.body).unwrap();
        assert_eq!(problem["status"], self.status);
        problem
    }
}

enum Framing {
    ContentLength,
    Chunked,
}

/// A hand-written HTTP/1.1 exchange, so that the bytes on the wire are
/// exactly the test's.
async fn send(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    framing: Framing,
) -> Response {
    let mut request = format!("POST {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    let mut bytes = Vec::new();
    match framing {
        Framing::ContentLength => {
            request.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
            bytes.extend_from_slice(request.as_bytes());
            bytes.extend_from_slice(body);
        }
        Framing::Chunked => {
            request.push_str("transfer-encoding: chunked\r\n\r\n");
            bytes.extend_from_slice(request.as_bytes());
            for chunk in body.chunks(300) {
                bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                bytes.extend_from_slice(chunk);
                bytes.extend_from_slice(b"\r\n");
            }
            bytes.extend_from_slice(b"0\r\n\r\n");
        }
    }
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&bytes).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();

    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    let rest = raw[split + 4..].to_vec();
    let response = Response {
        status,
        headers,
        body: Vec::new(),
    };
    let length: usize = response
        .header("content-length")
        .expect("responses here have a length")
        .parse()
        .unwrap();
    assert_eq!(rest.len(), length, "whole body received");
    Response {
        body: rest,
        ..response
    }
}

/// A body no JSON re-serializer would reproduce: odd spacing, CRLF, a raw
/// non-UTF-8 byte, and key order a map would not keep.
fn tricky_body() -> Vec<u8> {
    let mut body = b"{\"event\" : \"ice\",\r\n  \"zeta\":1, \"alpha\":2, \"raw\":\"".to_vec();
    body.push(0xff);
    body.extend_from_slice(b"\"}\n");
    body
}

fn signed_headers(path: &str, body: &[u8]) -> (String, String) {
    let signed = app()
        .sign_request("POST", path)
        .with_content_type("application/json")
        .with_body(body)
        .sign()
        .unwrap();
    (
        signed.authorization().to_owned(),
        signed.x_timestamp().to_owned(),
    )
}

#[tokio::test]
async fn signed_callback_reaches_the_handler_with_its_exact_bytes_and_forgeries_do_not() {
    let server = Server::start("").await;
    let body = tricky_body();
    let (authorization, x_timestamp) = signed_headers("/sinch/callback", &body);
    let headers = [
        ("content-type", "application/json"),
        ("authorization", authorization.as_str()),
        ("x-timestamp", x_timestamp.as_str()),
    ];

    let ok = send(
        server.addr,
        "/sinch/callback",
        &headers,
        &body,
        Framing::ContentLength,
    )
    .await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    assert_eq!(ok.body, body, "the handler saw the exact bytes");

    // Same request in chunks: framing does not change what is verified.
    let ok = send(
        server.addr,
        "/sinch/callback",
        &headers,
        &body,
        Framing::Chunked,
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body, body);

    // The scheme as Sinch's own docs write it, and the key in lower case.
    let lower = authorization
        .replacen("Application", "application", 1)
        .replacen(KEY, &KEY.to_lowercase(), 1);
    let lower_headers = [
        ("content-type", "application/json"),
        ("authorization", lower.as_str()),
        ("x-timestamp", x_timestamp.as_str()),
    ];
    let ok = send(
        server.addr,
        "/sinch/callback",
        &lower_headers,
        &body,
        Framing::ContentLength,
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_eq!(server.seen().len(), 3);

    // Forgeries, each with its named failure.
    let mut altered = body.clone();
    altered[3] ^= 0x20;
    let stale_ts = "2014-09-24T10:59:41Z";
    let (stale_auth, _) = {
        let signed = app()
            .sign_request("POST", "/sinch/callback")
            .with_content_type("application/json")
            .with_body(&body)
            .with_timestamp_text(stale_ts)
            .sign()
            .unwrap();
        (signed.authorization().to_owned(), ())
    };
    let other_key = authorization.replacen(KEY, "5F5C418A0F914BBC8234A9BF5EDDAD97", 1);
    let cases: Vec<Forgery> = vec![
        (
            "altered body",
            headers.to_vec(),
            altered,
            "invalid_signature",
        ),
        (
            "other content type",
            vec![
                ("content-type", "application/json; charset=utf-8"),
                ("authorization", &authorization),
                ("x-timestamp", &x_timestamp),
            ],
            body.clone(),
            "invalid_signature",
        ),
        (
            "no authorization",
            vec![
                ("content-type", "application/json"),
                ("x-timestamp", &x_timestamp),
            ],
            body.clone(),
            "missing_header",
        ),
        (
            "no timestamp",
            vec![
                ("content-type", "application/json"),
                ("authorization", &authorization),
            ],
            body.clone(),
            "missing_header",
        ),
        (
            "bearer scheme",
            vec![
                ("content-type", "application/json"),
                ("authorization", "Bearer abc"),
                ("x-timestamp", &x_timestamp),
            ],
            body.clone(),
            "malformed_header",
        ),
        (
            "other key",
            vec![
                ("content-type", "application/json"),
                ("authorization", &other_key),
                ("x-timestamp", &x_timestamp),
            ],
            body.clone(),
            "wrong_application_key",
        ),
        (
            "replayed from 2014",
            vec![
                ("content-type", "application/json"),
                ("authorization", &stale_auth),
                ("x-timestamp", stale_ts),
            ],
            body.clone(),
            "timestamp_outside_window",
        ),
    ];
    for (what, headers, body, code) in cases {
        let response = send(
            server.addr,
            "/sinch/callback",
            &headers,
            &body,
            Framing::ContentLength,
        )
        .await;
        assert_eq!(response.status, 401, "{what}");
        assert_eq!(
            response.header("www-authenticate"),
            Some("Application"),
            "{what}"
        );
        let problem = response.problem();
        assert_eq!(problem["code"], code, "{what}: {problem}");
        assert_eq!(
            problem["type"],
            format!("urn:sinch-auth:problem:{code}"),
            "{what}"
        );
        let detail = problem["detail"].as_str().unwrap();
        assert!(!detail.is_empty(), "{what}");
        let signature = authorization.rsplit(':').next().unwrap();
        assert!(!detail.contains(signature), "{what}: {detail}");
    }

    // A signature for another path does not open this one.
    let (ace_auth, ace_ts) = signed_headers("/nested/other", &body);
    let response = send(
        server.addr,
        "/sinch/callback",
        &[
            ("content-type", "application/json"),
            ("authorization", &ace_auth),
            ("x-timestamp", &ace_ts),
        ],
        &body,
        Framing::ContentLength,
    )
    .await;
    assert_eq!(response.status, 401);
    assert_eq!(response.problem()["code"], "invalid_signature");

    assert_eq!(
        server.seen().len(),
        3,
        "no forged request reached a handler"
    );
    server.stop().await;
}

#[tokio::test]
async fn oversize_bodies_get_413_whatever_the_framing() {
    let server = Server::start("").await;
    let body = vec![b'x'; BODY_LIMIT * 4];
    let (authorization, x_timestamp) = signed_headers("/sinch/callback", &body);
    let headers = [
        ("content-type", "application/json"),
        ("authorization", authorization.as_str()),
        ("x-timestamp", x_timestamp.as_str()),
    ];
    for framing in [Framing::ContentLength, Framing::Chunked] {
        let response = send(server.addr, "/sinch/callback", &headers, &body, framing).await;
        assert_eq!(response.status, 413);
        assert_eq!(response.problem()["code"], "body_too_large");
    }
    // Exactly at the limit is fine.
    let body = vec![b'y'; BODY_LIMIT];
    let (authorization, x_timestamp) = signed_headers("/sinch/callback", &body);
    let headers = [
        ("content-type", "application/json"),
        ("authorization", authorization.as_str()),
        ("x-timestamp", x_timestamp.as_str()),
    ];
    let response = send(
        server.addr,
        "/sinch/callback",
        &headers,
        &body,
        Framing::Chunked,
    )
    .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body, body);
    assert_eq!(server.seen().len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn nested_routes_and_proxy_prefixes_verify_the_external_path() {
    // Nested router: the signed path is the full one, /nested/ace.
    let server = Server::start("").await;
    let body = tricky_body();
    let (authorization, x_timestamp) = signed_headers("/nested/ace", &body);
    let headers = [
        ("content-type", "application/json"),
        ("authorization", authorization.as_str()),
        ("x-timestamp", x_timestamp.as_str()),
    ];
    let response = send(
        server.addr,
        "/nested/ace",
        &headers,
        &body,
        Framing::ContentLength,
    )
    .await;
    assert_eq!(response.status, 200);
    server.stop().await;

    // Behind a proxy that strips /api: Sinch signed /api/sinch/callback.
    let server = Server::start("/api").await;
    let (authorization, x_timestamp) = signed_headers("/api/sinch/callback", &body);
    let headers = [
        ("content-type", "application/json"),
        ("authorization", authorization.as_str()),
        ("x-timestamp", x_timestamp.as_str()),
    ];
    let response = send(
        server.addr,
        "/sinch/callback",
        &headers,
        &body,
        Framing::ContentLength,
    )
    .await;
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(response.body, body);
    // The internal path's signature is not accepted there.
    let (authorization, x_timestamp) = signed_headers("/sinch/callback", &body);
    let headers = [
        ("content-type", "application/json"),
        ("authorization", authorization.as_str()),
        ("x-timestamp", x_timestamp.as_str()),
    ];
    let response = send(
        server.addr,
        "/sinch/callback",
        &headers,
        &body,
        Framing::ContentLength,
    )
    .await;
    assert_eq!(response.status, 401);
    server.stop().await;
}

#[tokio::test]
async fn numbers_and_conversation_routes() {
    let server = Server::start("").await;
    let body = br#"{"eventId":"01hpa0mww4m79q8j2dwn3ggbgz","eventType":"DEPROVISIONING_FROM_VOICE_PLATFORM"}"#;
    let numbers = NumbersCallbackVerifier::new(CallbackSecret::new("my-callback-secret").unwrap());
    let signature = numbers.signature_for(body);
    let response = send(
        server.addr,
        "/numbers",
        &[("x-sinch-signature", &signature)],
        body,
        Framing::ContentLength,
    )
    .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body, body);
    let response = send(
        server.addr,
        "/numbers",
        &[("x-sinch-signature", &signature)],
        &body[..body.len() - 1],
        Framing::ContentLength,
    )
    .await;
    assert_eq!(response.status, 401);
    assert_eq!(response.problem()["code"], "invalid_signature");

    let conversation =
        ConversationWebhookVerifier::new(CallbackSecret::new("foo_secret1234").unwrap());
    let now = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
    let nonce = "01FJA8B4A7BM43YGWSG9GBV067";
    let signature = conversation.signature_for(body, nonce, &now);
    let headers = [
        ("x-sinch-webhook-signature", signature.as_str()),
        ("x-sinch-webhook-signature-nonce", nonce),
        ("x-sinch-webhook-signature-timestamp", now.as_str()),
        ("x-sinch-webhook-signature-algorithm", "HmacSHA256"),
    ];
    let response = send(
        server.addr,
        "/conversation",
        &headers,
        body,
        Framing::ContentLength,
    )
    .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body, body);
    let response = send(
        server.addr,
        "/conversation",
        &headers[..2],
        body,
        Framing::ContentLength,
    )
    .await;
    assert_eq!(response.status, 401);
    assert_eq!(response.problem()["code"], "missing_header");

    let seen = server.seen();
    assert_eq!(
        seen.iter().map(|(route, _)| *route).collect::<Vec<_>>(),
        ["numbers", "conversation"]
    );
    server.stop().await;
}
