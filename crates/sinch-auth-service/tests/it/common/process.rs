//! Real `serve` processes: the crate's `serve` example (the same entry
//! point as `sinch-auth serve`; `cargo test -p sinch-auth-service` builds
//! it), started with exactly the environment a test gives it, on loopback
//! ports the OS picks.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

/// The example binary next to this test's own directory, checked to be
/// newer than every source file it is built from.
pub fn server_binary() -> PathBuf {
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

/// The addresses of the "listening" line, in either log format.
fn listening(line: &str) -> Option<(SocketAddr, SocketAddr)> {
    const MESSAGE: &str = "sinch-auth token service listening";
    if let Ok(v) = serde_json::from_str::<Value>(line) {
        let fields = &v["fields"];
        if fields["message"] != MESSAGE {
            return None;
        }
        let addr = |k: &str| fields[k].as_str()?.parse().ok();
        return Some((addr("api")?, addr("admin")?));
    }
    if !line.contains(MESSAGE) {
        return None;
    }
    // Text: `… api=127.0.0.1:1234 admin=127.0.0.1:5678 …`
    let addr = |k: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .and_then(|v| v.parse().ok())
    };
    Some((addr("api=")?, addr("admin=")?))
}

/// Runs the server with exactly `env` until it exits by itself (start-up
/// refused), for at most 60 s.
pub fn run_to_exit(env: &[(&str, String)]) -> std::process::Output {
    let mut child = Command::new(server_binary())
        .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the server kept running");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// A running server, killed when dropped.
pub struct Server {
    child: Child,
    pub api: SocketAddr,
    pub admin: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts the server on loopback ports chosen by the OS, with exactly
    /// `env` as its environment, and waits until it listens.
    pub fn start(env: &[(&str, String)]) -> Server {
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
                if let Some(addrs) = listening(&line) {
                    let _ = tx.send(addrs);
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

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.api)
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.api)
    }

    pub fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub async fn wait_ready(&self) {
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
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// SIGKILL: no cleanup, no graceful shutdown.
    pub fn kill_9(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().unwrap();
    }

    /// SIGTERM, and wait for the graceful exit.
    pub fn terminate(&mut self) {
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

/// A client whose requests give up after 30 s (Argon2id logins on a
/// loaded 2-core machine take seconds, not minutes).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// `name=value` of the cookie a real server's reply set, if it set one:
/// what a browser sends back on its next request.
pub fn cookie_set_by(reply: &reqwest::Response) -> Option<String> {
    let set = reply.headers().get("set-cookie")?.to_str().ok()?;
    set.split(';').next().map(str::to_owned)
}
