//! Vectors and a runner that checks the CLI's output contract on every run.

use std::path::PathBuf;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

pub const KEY_VAR: &str = "SINCH_APPLICATION_KEY";
pub const SECRET_VAR: &str = "SINCH_APPLICATION_SECRET";
pub const SECRET_FILE_VAR: &str = "SINCH_APPLICATION_SECRET_FILE";

/// A valid secret of another application, to prove signatures depend on it.
pub const OTHER_SECRET: &str = "oYdgGRXoxEuJhGDY2KQ/HQ==";

pub fn vectors() -> &'static Value {
    static VECTORS: OnceLock<Value> = OnceLock::new();
    VECTORS.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../sinch-auth/tests/vectors/vectors.json");
        let text = std::fs::read_to_string(&path).expect("vectors.json is readable");
        serde_json::from_str(&text).expect("vectors.json is JSON")
    })
}

/// The user-ticket vector called `name`.
pub fn ticket_vector(name: &str) -> &'static Value {
    vectors()["userTickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no ticket vector {name}"))
}

pub fn token_vectors() -> &'static Value {
    &vectors()["registrationTokens"]
}

/// The registration-token case called `name`.
pub fn token_case(name: &str) -> &'static Value {
    token_vectors()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no token case {name}"))
}

pub fn str_of<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is a string"))
}

/// The application key and secret every vector uses.
pub fn key() -> &'static str {
    str_of(token_vectors(), "applicationKey")
}

pub fn secret() -> &'static str {
    str_of(token_vectors(), "applicationSecret")
}

/// The binary with no Sinch settings inherited from the test's environment.
pub fn bare() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sinch-auth"));
    cmd.env_remove(KEY_VAR)
        .env_remove(SECRET_VAR)
        .env_remove(SECRET_FILE_VAR);
    cmd
}

/// The binary configured with the vectors' application through the
/// environment.
pub fn configured() -> Command {
    let mut cmd = bare();
    cmd.env(KEY_VAR, key()).env(SECRET_VAR, secret());
    cmd
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` and checks the contract that holds for every run: neither
/// stream ever shows a secret the test configured.
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("the binary runs");
    let run = Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    };
    for secret in [secret(), OTHER_SECRET, "bm90LWEtcmVhbC1zZWNyZXQ="] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "a secret was printed:\nstdout: {}\nstderr: {}",
            run.stdout,
            run.stderr
        );
    }
    run
}

/// A successful run: exit 0, and the result alone on stdout as one line.
/// Returns that line without its newline.
pub fn success(cmd: &mut Command) -> String {
    let run = run(cmd);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(run.stdout.ends_with('\n'), "stdout: {:?}", run.stdout);
    let line = run.stdout.strip_suffix('\n').unwrap();
    assert!(!line.contains('\n'), "more than one line: {:?}", run.stdout);
    line.to_owned()
}

/// A successful run whose line is JSON.
pub fn success_json(cmd: &mut Command) -> Value {
    let line = success(cmd);
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

/// A failed run: exit `code`, nothing on stdout, and an `error:` line on
/// stderr. Returns stderr.
pub fn failure(cmd: &mut Command, code: i32) -> String {
    let run = run(cmd);
    assert_eq!(
        run.code, code,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert_eq!(run.stdout, "", "a failing run printed a result");
    assert!(
        run.stderr.contains("error:"),
        "no error message: {:?}",
        run.stderr
    );
    run.stderr
}

/// A ticket minted now, which verifies now.
pub fn fresh_ticket(user: &str) -> String {
    success(configured().args(["ticket", "--user", user]))
}
