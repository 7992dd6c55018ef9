//! The audit log's group commit in a real `serve` process (the crate's
//! `serve` example) on 127.0.0.1, its log on a file as a collector reads it:
//! under load from many connections no line is lost, duplicated or mixed
//! with another and writes are shared; on SIGTERM every credential sent has
//! its line; after `kill -9`, every credential a client received has its
//! line (only lines of responses never sent may be missing).

use crate::common::process::{cookie_set_by, server_binary};
use crate::common::{APP_KEY, APP_SECRET};

use std::collections::HashMap;
use std::fs::File;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const API_KEY: &str = "audit-commit-api-key-0123456789";
const PASSWORD: &str = "audit commit password";
const CLIENTS: usize = 24;

/// A `serve` process whose stderr is a file.
struct Process {
    child: Child,
    api: SocketAddr,
    admin: SocketAddr,
}

impl Process {
    fn start(log: &Path, env: &[(&str, String)]) -> Process {
        let mut child = Command::new(server_binary())
            .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
            .env_clear()
            .env("SINCH_APPLICATION_KEY", APP_KEY)
            .env("SINCH_APPLICATION_SECRET", APP_SECRET)
            .env("SINCH_AUTH_LOG_FORMAT", "json")
            .env("SINCH_AUTH_RATE_LIMIT_PER_IP", "0")
            .env("SINCH_AUTH_RATE_LIMIT_PER_USER", "0")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(log).unwrap())
            .spawn()
            .expect("start the server");
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(log).unwrap();
            let listening = text.lines().find_map(|line| {
                let v: Value = serde_json::from_str(line).ok()?;
                let fields = &v["fields"];
                (fields["message"] == "sinch-auth token service listening").then(|| {
                    let addr = |k: &str| fields[k].as_str().unwrap().parse().unwrap();
                    (addr("api"), addr("admin"))
                })
            });
            if let Some((api, admin)) = listening {
                return Process { child, api, admin };
            }
            if started.elapsed() > Duration::from_secs(60) || child.try_wait().unwrap().is_some() {
                let _ = child.kill();
                panic!("the server did not start:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.api)
    }

    /// `(lines, writes)` from `/metrics`.
    async fn line_counts(&self) -> (u64, u64) {
        let text = reqwest::get(format!("http://{}/metrics", self.admin))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let value = |name: &str| -> u64 {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
                .unwrap_or_else(|| panic!("{name} missing:\n{text}"))
        };
        (
            value("sinch_auth_log_lines_total "),
            value("sinch_auth_log_writes_total "),
        )
    }

    fn terminate(&mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
    }

    fn wait_exit(&mut self) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "no exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a client asks for, and how it proves it may.
#[derive(Clone)]
enum Caller {
    ApiKey,
    Session(String),
}

/// Credentials received, by user id: the clients' side of the ledger.
type Received = Arc<Mutex<HashMap<String, usize>>>;

/// `CLIENTS` connections, each issuing tickets and tokens in turn until
/// the server goes away. With an API key each request names a user of its
/// own; a session's user is the session's.
fn load(process: &Process, callers: Vec<Caller>) -> (Received, Vec<tokio::task::JoinHandle<()>>) {
    let received = Received::default();
    let tasks = (0..CLIENTS)
        .map(|client_no| {
            let caller = callers[client_no % callers.len()].clone();
            let (tickets, tokens) = (
                process.url("/v1/tickets"),
                process.url("/v1/registration-tokens"),
            );
            let origin = process.url("");
            let received = received.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(20))
                    .build()
                    .unwrap();
                for n in 0.. {
                    let url = if n % 2 == 0 { &tickets } else { &tokens };
                    let request = client.post(url).header("content-type", "application/json");
                    let request = match &caller {
                        Caller::ApiKey => request
                            .bearer_auth(API_KEY)
                            .body(json!({"userId": format!("c{client_no}-{n}")}).to_string()),
                        Caller::Session(cookie) => request
                            .header("cookie", cookie)
                            .header("origin", &origin)
                            .body("{}"),
                    };
                    let Ok(reply) = request.send().await else {
                        return; // the server is gone
                    };
                    let status = reply.status();
                    let Ok(text) = reply.text().await else { return };
                    assert_eq!(status, 200, "{text}");
                    let body: Value = serde_json::from_str(&text).unwrap();
                    let user = body["userId"].as_str().unwrap().to_owned();
                    *received.lock().unwrap().entry(user).or_default() += 1;
                }
            })
        })
        .collect();
    (received, tasks)
}

async fn wait_for(received: &Received, count: usize) {
    let started = Instant::now();
    while received.lock().unwrap().values().sum::<usize>() < count {
        assert!(started.elapsed() < Duration::from_secs(60), "load too slow");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The log's credential lines by user id, after checking that every line is
/// one whole JSON object; a `kill -9` may cut the last line short (a write
/// cut by the kill, of lines whose responses were not sent).
fn audit_lines(log: &Path, last_may_be_cut: bool) -> HashMap<String, usize> {
    let text = std::fs::read_to_string(log).unwrap();
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    if last_may_be_cut && lines.last().is_some_and(|l| !l.ends_with('\n')) {
        lines.pop();
    }
    let mut issued = HashMap::new();
    for line in lines {
        assert!(line.ends_with('\n'), "unterminated line: {line:?}");
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not one JSON object ({e}): {line:?}"));
        if v["target"] == "sinch_auth::audit" && v["fields"]["event"] == "credential_issued" {
            let user = v["fields"]["user_id"].as_str().unwrap().to_owned();
            *issued.entry(user).or_default() += 1;
        }
    }
    issued
}

fn api_key_env() -> Vec<(&'static str, String)> {
    vec![
        ("SINCH_AUTH_CALLER_AUTH", "api-key".into()),
        ("SINCH_AUTH_API_KEYS", API_KEY.into()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_load_then_sigterm_every_credential_has_exactly_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("server.log");
    let mut process = Process::start(&log, &api_key_env());
    let (received, tasks) = load(&process, vec![Caller::ApiKey]);
    wait_for(&received, 1500).await;
    let (lines, writes) = process.line_counts().await;
    process.terminate();
    for task in tasks {
        task.await.unwrap();
    }
    assert!(process.wait_exit().success());

    let received = received.lock().unwrap().clone();
    let issued = audit_lines(&log, false);
    // API-key requests name a user each: one line per credential sent, and
    // no line for a credential that was not (a graceful shutdown sends
    // every response it started).
    assert!(received.values().all(|&n| n == 1));
    assert_eq!(issued, received);
    // Concurrent requests shared writes.
    assert!(writes < lines, "{lines} lines in {writes} writes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_kill_9_every_credential_received_has_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("server.log");
    let process = Process::start(&log, &api_key_env());
    let (received, tasks) = load(&process, vec![Caller::ApiKey]);
    wait_for(&received, 1500).await;
    let mut process = process;
    process.child.kill().unwrap(); // SIGKILL, mid-load
    process.child.wait().unwrap();
    for task in tasks {
        task.await.unwrap();
    }

    let received = received.lock().unwrap().clone();
    let issued = audit_lines(&log, true);
    let missing: Vec<_> = received
        .keys()
        .filter(|u| !issued.contains_key(*u))
        .collect();
    assert!(
        missing.is_empty(),
        "credentials sent without a line: {missing:?}"
    );
    assert!(issued.values().all(|&n| n == 1), "a line written twice");
    // The lines without a response are requests in flight at the kill:
    // at most one per connection.
    assert!(issued.len() - received.len() <= CLIENTS);
}

/// Accounts mode: session-authenticated credentials, several sessions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_under_load_then_sigterm_and_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let env = vec![
        (
            "SINCH_AUTH_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("accounts.db").display()),
        ),
        ("SINCH_AUTH_LOGIN_RATE_LIMIT_PER_IP", "0".into()),
        // Real credentials close sign-up unless it is opened.
        ("SINCH_AUTH_SIGNUP", "open".into()),
    ];
    for stop in ["TERM", "KILL"] {
        let log = dir.path().join(format!("server-{stop}.log"));
        let mut process = Process::start(&log, &env);
        let mut callers = Vec::new();
        for user in 0..3 {
            let username = format!("session-user-{user}");
            let client = reqwest::Client::new();
            let credentials = json!({"username": username, "password": PASSWORD}).to_string();
            for path in ["/v1/accounts", "/v1/login"] {
                let reply = client
                    .post(process.url(path))
                    .header("content-type", "application/json")
                    .header("origin", process.url(""))
                    .body(credentials.clone())
                    .send()
                    .await
                    .unwrap();
                if path == "/v1/accounts" {
                    let status = reply.status();
                    assert!(
                        status == 201 || status == 409,
                        "{stop} sign-up: {}",
                        reply.text().await.unwrap()
                    );
                    continue;
                }
                if path == "/v1/login" {
                    assert_eq!(
                        reply.status(),
                        200,
                        "{stop} {}",
                        reply.text().await.unwrap()
                    );
                    callers.push(Caller::Session(cookie_set_by(&reply).unwrap()));
                }
            }
        }
        // A login issues a ticket and a token: their lines are written
        // before its response.
        let logged_in = audit_lines(&log, false);
        assert!(logged_in.values().all(|&n| n == 2), "{logged_in:?}");
        assert_eq!(logged_in.len(), 3);
        let (received, tasks) = load(&process, callers);
        wait_for(&received, 900).await;
        if stop == "TERM" {
            process.terminate();
        } else {
            process.child.kill().unwrap();
        }
        for task in tasks {
            task.await.unwrap();
        }
        let status = process.wait_exit();
        let received = received.lock().unwrap().clone();
        let issued = audit_lines(&log, stop == "KILL");
        let for_sessions = |user: &String| issued.get(user).unwrap_or(&0) - logged_in[user];
        for (user, &sent) in &received {
            if stop == "TERM" {
                assert!(status.success());
                assert_eq!(for_sessions(user), sent, "{user}");
            } else {
                assert!(
                    for_sessions(user) >= sent,
                    "{user}: {sent} sent, fewer lines"
                );
                assert!(for_sessions(user) <= sent + CLIENTS, "{user}");
            }
        }
    }
}
