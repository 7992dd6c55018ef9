//! `healthcheck` against a listener that answers a canned status: exit 0 on
//! 2xx, 1 on anything else or no answer, 2 on a bad URL; the default URL
//! follows the admin listener as `serve` finds it. (The container-image check in
//! .ci/deploy-checks.sh runs it against a real `serve`.)

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;

use crate::common::*;

/// Answers one request with `status`; returns the request line it got.
fn answer_once(status: &'static str) -> (SocketAddr, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut header = String::new();
        while reader.read_line(&mut header).unwrap() > 2 {
            header.clear();
        }
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        )
        .unwrap();
        request_line.trim_end().to_owned()
    });
    (addr, handle)
}

fn healthcheck() -> assert_cmd::Command {
    let mut cmd = bare();
    cmd.arg("healthcheck")
        .env_remove("SINCH_AUTH_ADMIN_LISTEN")
        .env_remove("SINCH_AUTH_CONFIG");
    cmd
}

#[test]
fn a_2xx_answer_is_healthy() {
    let (addr, server) = answer_once("200 OK");
    let line = success(healthcheck().args(["--url", &format!("http://{addr}/readyz")]));
    assert!(line.contains("200"), "{line}");
    assert_eq!(server.join().unwrap(), "GET /readyz HTTP/1.1");
}

#[test]
fn a_503_answer_is_unhealthy() {
    let (addr, server) = answer_once("503 Service Unavailable");
    let stderr = failure(
        healthcheck().args(["--url", &format!("http://{addr}/readyz")]),
        1,
    );
    assert!(stderr.contains("503"), "{stderr}");
    server.join().unwrap();
}

#[test]
fn no_listener_is_unhealthy() {
    // Bind then drop: a port that refuses connections.
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let stderr = failure(
        healthcheck().args(["--url", &format!("http://{addr}/livez")]),
        1,
    );
    assert!(stderr.contains("no answer"), "{stderr}");
}

#[test]
fn the_default_url_is_readyz_on_the_admin_listener() {
    let (addr, server) = answer_once("200 OK");
    let wildcard = format!("0.0.0.0:{}", addr.port());
    success(healthcheck().env("SINCH_AUTH_ADMIN_LISTEN", &wildcard));
    assert_eq!(server.join().unwrap(), "GET /readyz HTTP/1.1");

    let (addr, server) = answer_once("200 OK");
    success(
        healthcheck()
            .arg("--live")
            .env("SINCH_AUTH_ADMIN_LISTEN", addr.to_string()),
    );
    assert_eq!(server.join().unwrap(), "GET /livez HTTP/1.1");
}

#[test]
fn the_admin_listener_is_found_as_serve_finds_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sinch-auth.toml");

    // The configuration file's admin_listen, named by flag or variable.
    let (addr, server) = answer_once("200 OK");
    std::fs::write(&config, format!("admin_listen = \"{addr}\"\n")).unwrap();
    success(healthcheck().arg("--config").arg(&config));
    assert_eq!(server.join().unwrap(), "GET /readyz HTTP/1.1");
    let (addr, server) = answer_once("200 OK");
    std::fs::write(&config, format!("admin_listen = \"{addr}\"\n")).unwrap();
    success(healthcheck().env("SINCH_AUTH_CONFIG", &config));
    server.join().unwrap();

    // The variable wins over the file, the flag over both.
    let (addr, server) = answer_once("200 OK");
    success(
        healthcheck()
            .arg("--config")
            .arg(&config)
            .env("SINCH_AUTH_ADMIN_LISTEN", addr.to_string()),
    );
    server.join().unwrap();
    let (addr, server) = answer_once("200 OK");
    success(
        healthcheck()
            .args(["--admin-listen", &addr.to_string(), "--config"])
            .arg(&config)
            .env("SINCH_AUTH_ADMIN_LISTEN", "127.0.0.1:1"),
    );
    server.join().unwrap();

    // A file it cannot use is a configuration error, not "unhealthy".
    std::fs::write(&config, "admin_listen = \"not an address\"\n").unwrap();
    let stderr = failure(healthcheck().arg("--config").arg(&config), 2);
    assert!(stderr.contains("admin_listen"), "{stderr}");
    let stderr = failure(
        healthcheck()
            .arg("--config")
            .arg(dir.path().join("missing.toml")),
        2,
    );
    assert!(stderr.contains("cannot read"), "{stderr}");
}

#[test]
fn a_bad_url_is_a_usage_error() {
    for url in ["not a url", "ftp://127.0.0.1/readyz"] {
        let stderr = failure(healthcheck().args(["--url", url]), 2);
        assert!(stderr.contains("invalid --url"), "{stderr}");
    }
}
