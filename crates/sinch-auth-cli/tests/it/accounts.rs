//! `sinch-auth accounts` against a running `sinch-auth serve` in
//! production (sign-up closed) on the same SQLite file: the operator runs
//! the deployment end to end from the CLI, and the server follows at once
//! (its session cache is off here). Passwords only ever come from stdin.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::*;

/// A `serve` process, killed when dropped.
struct Serve {
    child: Child,
    api: SocketAddr,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(database_url: &str) -> Serve {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sinch-auth"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--admin-listen",
            "127.0.0.1:0",
        ])
        .env_clear()
        .env("SINCH_AUTH_ENV", "production")
        .env("SINCH_AUTH_DATABASE_URL", database_url)
        .env("SINCH_AUTH_SESSION_CACHE_MS", "0")
        .env("SINCH_AUTH_LOGIN_RATE_LIMIT_PER_USERNAME", "0")
        .env("SINCH_AUTH_LOGIN_RATE_LIMIT_PER_IP", "0")
        .env("SINCH_AUTH_LOG_FORMAT", "json")
        .env(KEY_VAR, key())
        .env(SECRET_VAR, secret())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start serve");
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let Ok(v) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if v["fields"]["message"] == "sinch-auth token service listening" {
                let _ = tx.send(v["fields"]["api"].as_str().unwrap().parse().unwrap());
            }
        }
    });
    let api = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("serve listens");
    Serve { child, api }
}

/// One HTTP/1.1 request with only `Content-Type` and `Authorization`
/// (and the `Host` and `Content-Length` HTTP requires): status and body.
fn http(
    api: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let body = body.to_string();
    let mut stream = TcpStream::connect(api).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {api}\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let (_, payload) = response.split_once("\r\n\r\n").unwrap();
    (status, serde_json::from_str(payload).unwrap_or(Value::Null))
}

fn accounts(url: &str, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = bare();
    cmd.arg("accounts")
        .args(args)
        .env("SINCH_AUTH_DATABASE_URL", url)
        .env("SINCH_AUTH_LOG_FORMAT", "json");
    cmd
}

/// Runs an action with `stdin`; exit 0 and the one audit line it wrote.
fn act(url: &str, args: &[&str], stdin: &str) -> (String, Value) {
    let run = run(accounts(url, args).write_stdin(stdin));
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    let audit: Vec<Value> = run
        .stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["target"] == "sinch_auth::audit")
        .collect();
    assert_eq!(audit.len(), 1, "one audit line: {}", run.stderr);
    (run.stdout, audit[0]["fields"].clone())
}

fn login(api: SocketAddr, username: &str, password: &str) -> (u16, Value) {
    let body = json!({"username": username, "password": password, "session": "bearer"});
    http(api, "POST", "/v1/login", None, &body)
}

#[test]
fn an_operator_runs_a_closed_deployment_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("accounts.db").display());
    let serve = start(&url);
    let api = serve.api;
    let password = "correct horse battery";

    let (status, body) = http(
        api,
        "POST",
        "/v1/accounts",
        None,
        &json!({"username": "ops-alice", "password": password}),
    );
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("signup_closed"))
    );

    let (out, audit) = act(
        &url,
        &["create", "ops-alice", "--password-stdin"],
        &format!("{password}\n"),
    );
    assert_eq!(out, "created account ops-alice\n");
    assert_eq!(audit["event"], "account_created");
    assert_eq!(audit["outcome"], "success");
    assert_eq!(audit["username"], "ops-alice");
    let (status, body) = login(api, "ops-alice", password);
    assert_eq!(status, 200, "{body}");
    let token = body["sessionToken"].as_str().unwrap().to_owned();
    assert_eq!(body["applicationKey"], key());

    let list = success_json(&mut accounts(&url, &["list", "--json"]));
    assert_eq!(list[0]["username"], "ops-alice");
    assert_eq!(list[0]["liveSessions"], 1);
    assert_eq!(list[0]["disabled"], false);
    let shown = success_json(&mut accounts(&url, &["show", "ops-alice", "--json"]));
    assert_eq!(shown, list[0]);
    let table = run(&mut accounts(&url, &["list"])).stdout;
    assert!(table.starts_with("USERNAME"), "{table}");
    assert!(table.contains("ops-alice  enabled"), "{table}");

    // Disable: the session ends at once, logins are refused like a wrong password.
    let (out, audit) = act(&url, &["disable", "ops-alice"], "");
    assert_eq!(out, "disabled ops-alice; 1 session(s) signed out\n");
    assert_eq!(audit["event"], "account_disabled");
    let tickets = |token: &str| http(api, "POST", "/v1/tickets", Some(token), &json!({}));
    assert_eq!(tickets(&token).0, 401);
    let (status, disabled) = login(api, "ops-alice", password);
    let (_, wrong) = login(api, "ops-alice", "not the password");
    assert_eq!(status, 401);
    assert_eq!(disabled, wrong);

    act(&url, &["enable", "ops-alice"], "");
    let (_, audit) = act(
        &url,
        &["set-password", "ops-alice", "--password-stdin"],
        "a new operator passphrase\r\n",
    );
    assert_eq!(audit["event"], "password_set");
    assert_eq!(login(api, "ops-alice", password).0, 401);
    let (status, body) = login(api, "ops-alice", "a new operator passphrase");
    assert_eq!(status, 200);
    let token = body["sessionToken"].as_str().unwrap().to_owned();
    assert_eq!(tickets(&token).0, 200);
    let (out, _) = act(&url, &["revoke-sessions", "ops-alice"], "");
    assert_eq!(out, "1 session(s) of ops-alice signed out\n");
    assert_eq!(tickets(&token).0, 401);

    let (_, audit) = act(&url, &["delete", "ops-alice"], "");
    assert_eq!(audit["event"], "account_deleted");
    let stderr = failure(&mut accounts(&url, &["show", "ops-alice"]), 2);
    assert!(stderr.contains("no account"), "{stderr}");
    assert_eq!(login(api, "ops-alice", "a new operator passphrase").0, 401);
    drop(serve);
}

#[test]
fn passwords_never_come_from_the_command_line_and_follow_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("accounts.db").display());
    // A password where the username's argument ends is not taken.
    let stderr = run(&mut accounts(&url, &["create", "bob", "hunter2hunter2"])).stderr;
    assert!(stderr.contains("unexpected argument"), "{stderr}");
    assert!(!stderr.contains("hunter2hunter2 was"), "{stderr}");
    // Without a terminal and without --password-stdin: a clear error.
    let stderr = failure(accounts(&url, &["create", "bob"]).write_stdin(""), 2);
    assert!(stderr.contains("--password-stdin"), "{stderr}");
    // The sign-up rules, with an audit line that shows no password.
    let run = run(accounts(&url, &["create", "bob", "--password-stdin"]).write_stdin("short\n"));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("at least 8"), "{}", run.stderr);
    assert!(run.stderr.contains("invalid_password"), "{}", run.stderr);
    assert!(!run.stderr.contains("short\""), "{}", run.stderr);
    let stderr = failure(
        accounts(&url, &["create", "bob smith", "--password-stdin"]).write_stdin("long enough\n"),
        2,
    );
    assert!(stderr.contains("Sinch user ids"), "{stderr}");
    let list = success_json(&mut accounts(&url, &["list", "--json"]));
    assert_eq!(list, json!([]), "nothing was created");
}
