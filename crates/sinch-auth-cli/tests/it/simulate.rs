//! `sinch-auth simulate` on the real binary against real servers on
//! 127.0.0.1: the example Voice handler (examples/voice-callbacks) for every
//! Voice event, and Numbers/Conversation endpoints behind this crate's
//! extractor. Exit codes 0/1/2, `--set`, `--body-file`, `--print`,
//! `--timestamp`, forged requests, and no secret in any output.

use std::net::SocketAddr;
use std::sync::OnceLock;

use assert_cmd::Command;
use axum::Router;
use axum::routing::post;
use sinch_auth::Application;
use sinch_auth::axum::{CallbackAuth, VerifiedCallback};
use sinch_auth::signing::{
    CallbackSecret, CallbackVerifier, ConversationWebhookVerifier, NumbersCallbackVerifier,
};

const KEY: &str = "a32e5a8d-f7d8-411c-9645-9038e8dd051d";
const SECRET: &str = "ax8hTTQJF0OPXL32r1LHMA==";
const NUMBERS_SECRET: &str = "numbers-callback-secret";
const CONVERSATION_SECRET: &str = "conversation-webhook-secret";

/// One server for the whole test binary, on its own runtime thread.
fn server() -> SocketAddr {
    static ADDRESS: OnceLock<SocketAddr> = OnceLock::new();
    *ADDRESS.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, routes()).await.unwrap();
            });
        });
        address
    })
}

fn routes() -> Router {
    let app = Application::from_base64(KEY, SECRET).unwrap();
    let numbers = CallbackAuth::new(NumbersCallbackVerifier::new(
        CallbackSecret::new(NUMBERS_SECRET).unwrap(),
    ));
    let conversation = CallbackAuth::new(ConversationWebhookVerifier::new(
        CallbackSecret::new(CONVERSATION_SECRET).unwrap(),
    ));
    async fn ok<V>(_: VerifiedCallback<V>) -> &'static str {
        ""
    }
    // A verified handler that answers ICE with an action ICE does not allow.
    async fn wrong(_: VerifiedCallback) -> &'static str {
        r#"{"action":{"name":"continue"}}"#
    }
    async fn broken(_: VerifiedCallback) -> (axum::http::StatusCode, &'static str) {
        (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "oops")
    }
    voice_callbacks::router(CallbackVerifier::new(app.clone()))
        .merge(
            Router::new()
                .route("/wrong", post(wrong))
                .route("/broken", post(broken))
                .with_state(CallbackAuth::new(CallbackVerifier::new(app))),
        )
        .merge(
            Router::new()
                .route("/numbers", post(ok::<NumbersCallbackVerifier>))
                .with_state(numbers),
        )
        .merge(
            Router::new()
                .route("/conversation", post(ok::<ConversationWebhookVerifier>))
                .with_state(conversation),
        )
}

fn url(path: &str) -> String {
    format!("http://{}{path}", server())
}

fn secret_file(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), format!("{text}\n")).unwrap();
    file
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn sinch_auth(args: &[&str]) -> Run {
    let output = Command::cargo_bin("sinch-auth")
        .unwrap()
        .env("SINCH_APPLICATION_KEY", KEY)
        .env("SINCH_APPLICATION_SECRET", SECRET)
        .env_remove("SINCH_APPLICATION_SECRET_FILE")
        .args(args)
        .output()
        .unwrap();
    let run = Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    for secret in [SECRET, NUMBERS_SECRET, CONVERSATION_SECRET] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "secret printed"
        );
    }
    run
}

fn voice(event: &str, path: &str, extra: &[&str]) -> Run {
    let url = url(path);
    let mut args = vec!["simulate", "voice", event, "--url", &url];
    args.extend_from_slice(extra);
    sinch_auth(&args)
}

#[test]
fn every_voice_event_reaches_the_example_and_gets_a_valid_answer() {
    for event in ["ice", "ace", "dice", "pie", "notify"] {
        let run = voice(event, "/sinch/callback", &[]);
        assert_eq!(run.code, 0, "{event}: {}\n{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("> POST /sinch/callback\n"),
            "{}",
            run.stdout
        );
        assert!(
            run.stdout
                .contains(&format!("> authorization: Application {KEY}:"))
        );
        assert!(run.stdout.contains(&format!("\"event\":\"{event}\"")));
        assert!(run.stdout.contains("< HTTP 200 OK"), "{}", run.stdout);
        let verdict = format!("SVAML: a valid answer to {}", event.to_uppercase());
        assert_eq!(
            run.stdout.contains(&verdict),
            ["ice", "ace", "pie"].contains(&event),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn set_changes_the_signed_body() {
    let run = voice(
        "pie",
        "/sinch/callback",
        &[
            "--set",
            "menuResult.type=timeout",
            "--set",
            "custom={\"vip\":true}",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(r#""type":"timeout""#), "{}", run.stdout);
    assert!(
        run.stdout.contains(r#""custom":{"vip":true}"#),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(r#""name":"hangup""#), "{}", run.stdout);
}

#[test]
fn body_file_is_sent_verbatim_and_signed() {
    let body = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(body.path(), "{ \"event\": \"ace\" }").unwrap();
    let run = voice(
        "ace",
        "/sinch/callback",
        &["--body-file", body.path().to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("> { \"event\": \"ace\" }\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn forged_and_stale_requests_are_refused_with_exit_1() {
    let forged = voice(
        "ice",
        "/sinch/callback",
        &[
            "--set",
            &format!(
                "header:authorization=Application {KEY}:qDXMwzfaxCRS849c/2R0hg0nphgdHciTo7OdM6MsdnM="
            ),
        ],
    );
    assert_eq!(forged.code, 1, "{}", forged.stdout);
    assert!(
        forged.stdout.contains("< HTTP 401 Unauthorized"),
        "{}",
        forged.stdout
    );
    assert!(
        forged.stdout.contains("invalid_signature"),
        "{}",
        forged.stdout
    );
    assert!(forged.stderr.contains("not 2xx"), "{}", forged.stderr);

    let hour_ago = (time::OffsetDateTime::now_utc() - time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let stale = voice("ace", "/sinch/callback", &["--timestamp", &hour_ago]);
    assert_eq!(stale.code, 1, "{}", stale.stdout);
    assert!(
        stale.stdout.contains("timestamp_outside_window"),
        "{}",
        stale.stdout
    );
}

#[test]
fn invalid_svaml_and_errors_exit_1_with_each_problem_explained() {
    let run = voice("ice", "/wrong", &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("< HTTP 200 OK"));
    assert!(
        run.stdout
            .contains("  - action.name: continue is not allowed in an answer to ICE"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("not valid SVAML"), "{}", run.stderr);

    let run = voice("dice", "/broken", &[]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("< HTTP 500"), "{}", run.stdout);

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let run = sinch_auth(&[
        "simulate",
        "voice",
        "ice",
        "--url",
        &format!("http://{closed}/cb"),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("no answer from"), "{}", run.stderr);
}

#[test]
fn numbers_and_conversation_events_verify_at_the_extractor() {
    let numbers_secret = secret_file(NUMBERS_SECRET);
    for event in [
        "provisioning-to-sms-platform",
        "deprovisioning-from-sms-platform",
        "provisioning-to-campaign",
        "deprovisioning-from-campaign",
        "provisioning-to-voice-platform",
        "deprovisioning-from-voice-platform",
    ] {
        let run = sinch_auth(&[
            "simulate",
            "numbers",
            event,
            "--url",
            &url("/numbers"),
            "--callback-secret-file",
            numbers_secret.path().to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{event}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("> x-sinch-signature: "));
    }
    let conversation_secret = secret_file(CONVERSATION_SECRET);
    for event in [
        "message-inbound",
        "message-delivery",
        "message-submit",
        "event-inbound",
        "conversation-start",
        "conversation-stop",
        "contact-create",
    ] {
        let run = sinch_auth(&[
            "simulate",
            "conversation",
            event,
            "--url",
            &url("/conversation"),
            "--webhook-secret-file",
            conversation_secret.path().to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{event}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("> x-sinch-webhook-signature-nonce: "));
    }
    // Signed with another secret: the extractor refuses it.
    let wrong = secret_file("not-the-secret");
    let run = sinch_auth(&[
        "simulate",
        "numbers",
        "provisioning-to-campaign",
        "--url",
        &url("/numbers"),
        "--callback-secret-file",
        wrong.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("< HTTP 401"), "{}", run.stdout);
}

#[test]
fn print_writes_a_curl_command_and_sends_nothing() {
    let args = [
        "simulate",
        "voice",
        "ice",
        "--url",
        "http://127.0.0.1:9/sinch/callback",
        "--print",
        "--seed",
        "1",
        "--timestamp",
        "2026-11-28T08:00:00Z",
    ];
    let run = sinch_auth(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("curl -sS -i -X POST 'http://127.0.0.1:9/sinch/callback'"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("-H 'x-timestamp: 2026-11-28T08:00:00.0000000Z'"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(&format!("-H 'authorization: Application {KEY}:"))
    );
    assert!(run.stdout.contains("--data-binary '{\""), "{}", run.stdout);
    assert!(run.stdout.contains("\"event\":\"ice\""), "{}", run.stdout);
    // Seed and time fix everything: the same command twice prints the same request.
    assert_eq!(run.stdout, sinch_auth(&args).stdout);
}

#[test]
fn usage_errors_exit_2() {
    let missing = std::env::temp_dir().join("sinch-auth-no-such-secret-file");
    for args in [
        vec!["simulate", "voice", "icy", "--url", "http://127.0.0.1:9/"],
        vec!["simulate", "voice", "ice"],
        vec!["simulate", "voice", "ice", "--url", "127.0.0.1:9/cb"],
        vec![
            "simulate",
            "voice",
            "ice",
            "--url",
            "http://127.0.0.1:9/",
            "--set",
            "=1",
        ],
        vec![
            "simulate",
            "voice",
            "ice",
            "--url",
            "http://127.0.0.1:9/",
            "--set",
            "header:x-oops",
        ],
        vec![
            "simulate",
            "voice",
            "ice",
            "--url",
            "http://127.0.0.1:9/",
            "--set",
            "header:bad name=1",
        ],
        vec![
            "simulate",
            "voice",
            "ice",
            "--url",
            "http://127.0.0.1:9/",
            "--set",
            "custom.deeper=1",
        ],
        vec![
            "simulate",
            "voice",
            "ice",
            "--url",
            "http://127.0.0.1:9/",
            "--timestamp",
            "yesterday",
        ],
        vec![
            "simulate",
            "numbers",
            "provisioning-to-campaign",
            "--url",
            "http://127.0.0.1:9/",
            "--callback-secret-file",
            missing.to_str().unwrap(),
        ],
        vec![
            "simulate",
            "conversation",
            "message-inbound",
            "--url",
            "http://127.0.0.1:9/",
        ],
    ] {
        let run = sinch_auth(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
}
