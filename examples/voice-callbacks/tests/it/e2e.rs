//! The example handler, started as a real process on 127.0.0.1, driven
//! through every Voice event by `sinch_auth::simulate`; forged and stale
//! requests are refused before the handler runs. (The example's router is
//! driven by the `sinch-auth simulate` binary in
//! crates/sinch-auth-cli/tests/it/simulate.rs.)

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use sinch_auth::Application;
use sinch_auth::simulate::svaml::SvamlChecker;
use sinch_auth::simulate::{SimulatedRequest, Simulation, VoiceEvent};

const KEY: &str = "a32e5a8d-f7d8-411c-9645-9038e8dd051d";
const SECRET: &str = "ax8hTTQJF0OPXL32r1LHMA==";

/// The example's binary, stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_voice-callbacks"))
            .env("SINCH_APPLICATION_KEY", KEY)
            .env("SINCH_APPLICATION_SECRET", SECRET)
            .env_remove("SINCH_APPLICATION_SECRET_FILE")
            .env("PORT", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server { child, url }
    }

    fn send(&self, request: &SimulatedRequest) -> (u16, Value) {
        let client = reqwest::blocking::Client::new();
        let mut builder = client.post(&self.url).body(request.body().to_vec());
        for (name, value) in request.headers() {
            builder = builder.header(name, value);
        }
        let response = builder.send().unwrap();
        let status = response.status().as_u16();
        let body = response.bytes().unwrap();
        let json = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body).unwrap()
        };
        (status, json)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn app() -> Application {
    Application::from_base64(KEY, SECRET).unwrap()
}

fn simulate(app: &Application, event: VoiceEvent) -> Simulation<'_> {
    Simulation::voice(app, event).with_path(voice_callbacks::CALLBACK_PATH)
}

#[test]
fn every_event_is_answered_and_every_answer_is_valid_svaml() {
    let server = Server::start();
    let app = app();
    for event in VoiceEvent::ALL {
        let request = simulate(&app, event).build().unwrap();
        let (status, answer) = server.send(&request);
        assert_eq!(status, 200, "{event}: {answer}");
        let checker = SvamlChecker::for_request(request.body()).unwrap();
        let problems = checker.check(answer.to_string().as_bytes());
        assert!(problems.is_empty(), "{event}: {problems:?}");
        let action = answer.pointer("/action/name").and_then(Value::as_str);
        let expected = match event {
            VoiceEvent::Ice => Some("connectPstn"),
            VoiceEvent::Ace => Some("continue"),
            VoiceEvent::Pie => Some("connectPstn"), // the default menu result is "sales"
            _ => None,
        };
        assert_eq!(action, expected, "{event}: {answer}");
    }
}

#[test]
fn pie_answers_follow_the_menu_result() {
    let server = Server::start();
    let app = app();
    for (kind, value, action) in [
        ("return", "sales", "connectPstn"),
        ("return", "support", "connectConf"),
        ("timeout", "", "hangup"),
        ("invalidinput", "9", "hangup"),
    ] {
        let request = simulate(&app, VoiceEvent::Pie)
            .with_field("menuResult.type", kind.into())
            .with_field("menuResult.value", value.into())
            .build()
            .unwrap();
        let (status, answer) = server.send(&request);
        assert_eq!(status, 200);
        assert_eq!(answer["action"]["name"], action, "{kind}/{value}");
        assert!(
            SvamlChecker::new(VoiceEvent::Pie)
                .check(answer.to_string().as_bytes())
                .is_empty()
        );
    }
}

#[test]
fn forged_stale_and_foreign_requests_are_refused() {
    let server = Server::start();
    let app = app();
    let now = time::OffsetDateTime::now_utc();
    let good = simulate(&app, VoiceEvent::Ice).build().unwrap();
    let other_app = Application::from_base64("another-key", SECRET).unwrap();
    let cases = [
        (
            "altered body",
            {
                let mut body = good.body().to_vec();
                body[2] ^= 1;
                Simulation::voice(&app, VoiceEvent::Ice)
                    .with_path(voice_callbacks::CALLBACK_PATH)
                    .with_body(body)
                    .build()
                    .unwrap()
                    .with_header("authorization", good.header("authorization").unwrap())
                    .with_header("x-timestamp", good.header("x-timestamp").unwrap())
            },
            "invalid_signature",
        ),
        (
            "forged header",
            {
                // One tenth of a microsecond later: still well-formed, no longer signed.
                let ts = good.header("x-timestamp").unwrap();
                let last = if ts.ends_with("0Z") { '1' } else { '0' };
                let forged = format!("{}{last}Z", &ts[..ts.len() - 2]);
                good.clone().with_header("x-timestamp", &forged)
            },
            "invalid_signature",
        ),
        (
            "garbled header",
            good.clone().with_header("x-timestamp", "yesterday"),
            "malformed_header",
        ),
        (
            "forged signature",
            good.clone().with_header(
                "authorization",
                &format!("Application {KEY}:qDXMwzfaxCRS849c/2R0hg0nphgdHciTo7OdM6MsdnM="),
            ),
            "invalid_signature",
        ),
        (
            "unsigned",
            good.clone().without_header("authorization"),
            "missing_header",
        ),
        (
            "stale",
            simulate(&app, VoiceEvent::Ice)
                .with_now(now - time::Duration::hours(1))
                .build()
                .unwrap(),
            "timestamp_outside_window",
        ),
        (
            "other application",
            simulate(&other_app, VoiceEvent::Ice).build().unwrap(),
            "wrong_application_key",
        ),
        (
            "other path",
            Simulation::voice(&app, VoiceEvent::Ice)
                .with_path("/elsewhere")
                .build()
                .unwrap(),
            "invalid_signature",
        ),
    ];
    for (name, request, code) in cases {
        let (status, problem) = server.send(&request);
        assert_eq!(status, 401, "{name}: {problem}");
        assert_eq!(problem["code"], code, "{name}: {problem}");
    }
    // The genuine one still works after all that.
    assert_eq!(server.send(&good).0, 200);
}
