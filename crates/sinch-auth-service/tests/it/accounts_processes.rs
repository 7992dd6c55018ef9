//! Real `serve` processes in accounts mode: a crash (kill -9) in the middle
//! of a burst of sign-ups, the development credentials across restarts,
//! production refusing to start, and (on PostgreSQL) two instances sharing
//! one database.
//!
//! The server is the crate's `serve` example, the same entry point as
//! `sinch-auth serve`; `cargo test -p sinch-auth-service` builds it.

use crate::common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use common::{APP_KEY, APP_SECRET, app};
use serde_json::{Value, json};
use sinch_auth::{Application, VerifyOptions};

const PASSWORD: &str = "process test password";

/// The example binary next to this test's own directory, checked to be
/// newer than every source file it is built from.
pub(crate) fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>");
    let binary = profile_dir
        .join("examples")
        .join(format!("serve{}", std::env::consts::EXE_SUFFIX));
    let built = std::fs::metadata(&binary)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| {
            panic!(
                "{} is missing: build it with `cargo build -p sinch-auth-service --example serve` \
                 (`cargo test -p sinch-auth-service` builds it too)",
                binary.display()
            )
        });
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = [
        crate_dir.join("src"),
        crate_dir.join("web"),
        crate_dir.join("examples"),
        crate_dir.join("../sinch-auth-store/src"),
        crate_dir.join("../sinch-auth/src"),
    ];
    let newest = sources.iter().map(|d| newest_file(d)).max().unwrap();
    assert!(
        newest <= built,
        "{} is older than its sources: rebuild it with `cargo build -p sinch-auth-service --example serve`",
        binary.display()
    );
    binary
}

fn newest_file(dir: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        let time = if meta.is_dir() {
            newest_file(&entry.path())
        } else {
            meta.modified().unwrap()
        };
        newest = newest.max(time);
    }
    newest
}

/// A running server, killed when dropped.
pub(crate) struct Server {
    child: Child,
    api: SocketAddr,
    admin: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts the server on loopback ports chosen by the OS, with exactly
    /// `env` as its environment, and waits until it listens.
    pub(crate) fn start(env: &[(&str, String)]) -> Server {
        let mut child = Command::new(server_binary())
            .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
            .env_clear()
            .env("SINCH_AUTH_LOG_FORMAT", "json")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = BufReader::new(child.stderr.take().unwrap());
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in lines.lines() {
                let Ok(line) = line else { break };
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    let fields = &v["fields"];
                    if fields["message"] == "sinch-auth token service listening" {
                        let addr = |k: &str| fields[k].as_str().unwrap().parse().unwrap();
                        let _ = tx.send((addr("api"), addr("admin")));
                    }
                }
                let mut sink = sink.lock().unwrap();
                sink.push_str(&line);
                sink.push('\n');
            }
        });
        let (api, admin) = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addrs) => addrs,
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not start:\n{}", stderr.lock().unwrap());
            }
        };
        Server {
            child,
            api,
            admin,
            stderr,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.api)
    }

    pub(crate) fn origin(&self) -> String {
        format!("http://{}", self.api)
    }

    pub(crate) fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    async fn wait_ready(&self) {
        let started = Instant::now();
        loop {
            let ready = reqwest::get(format!("http://{}/readyz", self.admin)).await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "not ready:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends a signal (`HUP`, `TERM`, …) with kill(1).
    pub(crate) fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// SIGKILL: no cleanup, no graceful shutdown.
    fn kill_9(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().unwrap();
    }

    /// SIGTERM, and wait for the graceful exit.
    pub(crate) fn terminate(&mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        let started = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn post(
    server: &Server,
    path: &str,
    body: &Value,
    cookie: Option<&str>,
) -> reqwest::Result<reqwest::Response> {
    let mut request = client()
        .post(server.url(path))
        .header("origin", server.origin())
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await
}

/// Logs in; the session cookie (`name=value`) and the JSON body.
async fn log_in(server: &Server, username: &str) -> (String, Value) {
    let reply = post(
        server,
        "/v1/login",
        &json!({"username": username, "password": PASSWORD}),
        None,
    )
    .await
    .unwrap();
    assert_eq!(reply.status(), 200, "login of {username}");
    let cookie = reply.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    (cookie, json_of(reply).await)
}

async fn json_of(reply: reqwest::Response) -> Value {
    serde_json::from_str(&reply.text().await.unwrap()).unwrap()
}

fn sqlite_env(dir: &tempfile::TempDir) -> Vec<(&'static str, String)> {
    vec![
        (
            "SINCH_AUTH_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("accounts.db").display()),
        ),
        // Every request comes from 127.0.0.1.
        ("SINCH_AUTH_RATE_LIMIT_PER_IP", "0".into()),
        ("SINCH_AUTH_LOGIN_RATE_LIMIT_PER_IP", "0".into()),
    ]
}

fn with_credentials(mut env: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    env.push(("SINCH_APPLICATION_KEY", APP_KEY.into()));
    env.push(("SINCH_APPLICATION_SECRET", APP_SECRET.into()));
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_sign_ups_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let env = with_credentials(sqlite_env(&dir));
    let mut server = Server::start(&env);
    server.wait_ready().await;

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let server_ref = Arc::new(server.api);
    let mut writers = Vec::new();
    for writer in 0..6 {
        let (acknowledged, api) = (acknowledged.clone(), server_ref.clone());
        writers.push(tokio::spawn(async move {
            let client = client();
            for i in 0.. {
                let name = format!("crash-{writer}-{i}");
                let reply = client
                    .post(format!("http://{api}/v1/accounts"))
                    .header("content-type", "application/json")
                    .body(json!({"username": name, "password": PASSWORD}).to_string())
                    .send()
                    .await;
                match reply {
                    Ok(r) if r.status() == 201 => acknowledged.lock().unwrap().push(name),
                    Ok(r) => panic!("sign-up of {name}: {}", r.status()),
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 40 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "sign-ups too slow"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Mid-burst: six sign-ups are in flight (hashing or committing).
    server.kill_9();
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 40);

    let mut raw = {
        use sqlx::Connection;
        sqlx::SqliteConnection::connect(&format!(
            "sqlite://{}",
            dir.path().join("accounts.db").display()
        ))
        .await
        .unwrap()
    };
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    drop(raw);

    let restarted = Server::start(&env);
    restarted.wait_ready().await;
    for name in &acknowledged {
        let (_, body) = log_in(&restarted, name).await;
        assert_eq!(body["userId"], name.as_str());
    }
}

/// The development banner's `NAME=value` line.
fn banner_value(log: &str, name: &str) -> String {
    log.lines()
        .find_map(|l| l.trim().strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in:\n{log}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_credentials_are_generated_printed_once_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let env = sqlite_env(&dir);
    let mut server = Server::start(&env);
    server.wait_ready().await;
    let log = server.log();
    assert!(log.contains("DEVELOPMENT ONLY"), "{log}");
    let key = banner_value(&log, "SINCH_APPLICATION_KEY");
    let secret = banner_value(&log, "SINCH_APPLICATION_SECRET");
    assert!(key.starts_with("development-only-"), "{key}");
    // The banner is not a log line: the secret is in no JSON line.
    assert!(
        log.lines()
            .filter(|l| l.starts_with('{'))
            .all(|l| !l.contains(&secret)),
        "{log}"
    );
    let printed = Application::from_base64(&key, &secret).unwrap();

    let name = "dev-user";
    let reply = post(
        &server,
        "/v1/accounts",
        &json!({"username": name, "password": PASSWORD}),
        None,
    )
    .await
    .unwrap();
    assert_eq!(reply.status(), 201, "open sign-up in development");
    let (_, body) = log_in(&server, name).await;
    let ticket = body["userTicket"].as_str().unwrap();
    let verified = printed
        .verify_ticket(ticket, &VerifyOptions::default())
        .unwrap();
    assert_eq!(verified.user_id(), name);
    assert!(
        app()
            .verify_ticket(ticket, &VerifyOptions::default())
            .is_err(),
        "not signed with any configured application"
    );
    server.terminate();

    let again = Server::start(&env);
    again.wait_ready().await;
    let log = again.log();
    assert!(
        !log.contains("DEVELOPMENT ONLY"),
        "printed only once:\n{log}"
    );
    assert!(
        log.contains(&key),
        "the kept key is named in a warning:\n{log}"
    );
    assert!(!log.contains(&secret), "{log}");
    let (cookie, _) = log_in(&again, name).await;
    let reply = post(&again, "/v1/registration-tokens", &json!({}), Some(&cookie))
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let body = json_of(reply).await;
    let token = body["token"].as_str().unwrap();
    let verified = printed
        .verify_token(token, &VerifyOptions::default())
        .unwrap();
    assert_eq!(verified.user_id(), name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_refuses_to_start_without_real_credentials() {
    let dir = tempfile::tempdir().unwrap();
    for (extra, expected) in [
        (vec![], "SINCH_APPLICATION_KEY"),
        (
            vec![
                ("SINCH_APPLICATION_KEY", APP_KEY.to_owned()),
                ("SINCH_APPLICATION_SECRET", APP_SECRET.to_owned()),
                ("SINCH_AUTH_SECURE_COOKIES", "false".to_owned()),
            ],
            "accounts.secure_cookies (SINCH_AUTH_SECURE_COOKIES)",
        ),
    ] {
        let mut env = sqlite_env(&dir);
        env.push(("SINCH_AUTH_ENV", "production".into()));
        env.extend(extra);
        let output = Command::new(server_binary())
            .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
            .env_clear()
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{stderr}");
        assert!(!stderr.contains(APP_SECRET), "{stderr}");
    }
    assert!(
        !dir.path().join("accounts.db").exists(),
        "refused before touching the database"
    );
}

// ------------------------------------------------------------ PostgreSQL

const POSTGRES_URL_VAR: &str = "SINCH_AUTH_TEST_POSTGRES_URL";

/// A schema of its own on the test server.
async fn postgres_schema_url() -> (String, String) {
    use sqlx::Connection;
    let base = match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "{POSTGRES_URL_VAR} is not set: this test needs PostgreSQL. \
             Run `bash .ci/postgres.sh test -p sinch-auth-service`."
        ),
    };
    let schema = format!("proc_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let separator = if base.contains('?') { '&' } else { '?' };
    (
        format!("{base}{separator}options=-c%20search_path%3D{schema}"),
        schema,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by .ci/postgres.sh"]
async fn two_instances_share_accounts_and_sessions() {
    let (url, _schema) = postgres_schema_url().await;
    let env = with_credentials(vec![
        ("SINCH_AUTH_DATABASE_URL", url),
        ("SINCH_AUTH_RATE_LIMIT_PER_IP", "0".into()),
    ]);
    // Started together: both migrate the empty schema at once.
    let (a, b) = (Server::start(&env), Server::start(&env));
    a.wait_ready().await;
    b.wait_ready().await;

    let name = "shared-user";
    let reply = post(
        &a,
        "/v1/accounts",
        &json!({"username": name, "password": PASSWORD}),
        None,
    )
    .await
    .unwrap();
    assert_eq!(reply.status(), 201);
    let duplicate = post(
        &b,
        "/v1/accounts",
        &json!({"username": name, "password": PASSWORD}),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        duplicate.status(),
        409,
        "the other instance sees the account"
    );

    // Log in on B, use the session on A.
    let (cookie, body) = log_in(&b, name).await;
    assert_eq!(body["userId"], name);
    let reply = post(&a, "/v1/tickets", &json!({}), Some(&cookie))
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let body = json_of(reply).await;
    let verified = app()
        .verify_ticket(
            body["userTicket"].as_str().unwrap(),
            &VerifyOptions::default(),
        )
        .unwrap();
    assert_eq!(verified.user_id(), name);

    // Log out on A: B refuses the session at once.
    let reply = post(&a, "/v1/logout", &json!({}), Some(&cookie))
        .await
        .unwrap();
    assert_eq!(reply.status(), 204);
    let reply = post(&b, "/v1/registration-tokens", &json!({}), Some(&cookie))
        .await
        .unwrap();
    assert_eq!(reply.status(), 401);
}
