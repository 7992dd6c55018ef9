//! `sinch-auth sign-request` and `sinch-auth verify-callback` on the real
//! binary, against every `signedRequests` vector (FORMATS §3): exact output,
//! exit codes 0/1/2, body from a file or stdin, and no secret ever printed.

use std::io::Write as _;
use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

const KEY_VAR: &str = "SINCH_APPLICATION_KEY";
const SECRET_VAR: &str = "SINCH_APPLICATION_SECRET";
const SECRET_FILE_VAR: &str = "SINCH_APPLICATION_SECRET_FILE";

fn vectors() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sinch-auth/tests/vectors/vectors.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[derive(Clone)]
struct Vector {
    name: String,
    key: String,
    secret: String,
    method: String,
    body: Vec<u8>,
    content_type: String,
    x_timestamp: String,
    path: String,
    signature: String,
    authorization: String,
}

fn signed_requests() -> Vec<Vector> {
    let all = vectors();
    let cases = all["signedRequests"].as_array().unwrap();
    assert_eq!(cases.len(), 5, "a vector was added or lost: cover it");
    let s = |v: &Value, f: &str| v[f].as_str().unwrap().to_owned();
    cases
        .iter()
        .map(|v| Vector {
            name: s(v, "name"),
            key: s(v, "applicationKey"),
            secret: s(v, "applicationSecret"),
            method: s(v, "method"),
            body: s(v, "body").into_bytes(),
            content_type: s(v, "contentType"),
            x_timestamp: s(v, "xTimestamp"),
            path: s(v, "path"),
            signature: s(v, "signature"),
            authorization: s(v, "authorization"),
        })
        .collect()
}

/// A temporary file holding `bytes`, kept alive by the returned handle.
fn body_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    file.flush().unwrap();
    file
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// The binary configured for `v`'s application, with nothing inherited.
fn cli(v: &Vector) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sinch-auth"));
    cmd.env_remove(SECRET_FILE_VAR)
        .env(KEY_VAR, &v.key)
        .env(SECRET_VAR, &v.secret);
    cmd
}

/// Runs `cmd`; whatever happens, the secret is not printed.
fn run(cmd: &mut Command, secret: &str) -> Run {
    let out = cmd.output().unwrap();
    let run = Run {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(
        !run.stdout.contains(secret) && !run.stderr.contains(secret),
        "the secret was printed: {} {}",
        run.stdout,
        run.stderr
    );
    run
}

fn sign_args(v: &Vector, file: &tempfile::NamedTempFile) -> Vec<String> {
    let mut args = vec![
        "sign-request".to_owned(),
        "--method".to_owned(),
        v.method.clone(),
        "--path".to_owned(),
        v.path.clone(),
        "--content-type".to_owned(),
        v.content_type.clone(),
        "--timestamp".to_owned(),
        v.x_timestamp.clone(),
    ];
    if !v.body.is_empty() {
        args.push("--body-file".to_owned());
        args.push(file.path().display().to_string());
    }
    args
}

/// verify-callback arguments for `v` as received, with the clock 30 s after
/// its timestamp.
fn verify_args(v: &Vector, file: &tempfile::NamedTempFile) -> Vec<String> {
    let now = time::OffsetDateTime::parse(
        &v.x_timestamp,
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
        + time::Duration::seconds(30);
    vec![
        "verify-callback".to_owned(),
        "--method".to_owned(),
        v.method.clone(),
        "--path".to_owned(),
        v.path.clone(),
        "--authorization".to_owned(),
        v.authorization.clone(),
        "--timestamp".to_owned(),
        v.x_timestamp.clone(),
        "--content-type".to_owned(),
        v.content_type.clone(),
        "--body-file".to_owned(),
        file.path().display().to_string(),
        "--now".to_owned(),
        now.format(&time::format_description::well_known::Rfc3339)
            .unwrap(),
    ]
}

/// Replaces the value after `flag`.
fn with(mut args: Vec<String>, flag: &str, value: &str) -> Vec<String> {
    let i = args.iter().position(|a| a == flag).unwrap();
    args[i + 1] = value.to_owned();
    args
}

fn rejected(v: &Vector, args: &[String], what: &str) -> String {
    let result = run(cli(v).args(args), &v.secret);
    assert_eq!(result.code, 1, "{} {what}: {}", v.name, result.stderr);
    assert_eq!(result.stdout, "", "{} {what}", v.name);
    assert!(result.stderr.starts_with("error: "), "{}", result.stderr);
    result.stderr
}

#[test]
fn sign_request_prints_exactly_the_vector_headers() {
    for v in signed_requests() {
        let file = body_file(&v.body);
        let signed = run(cli(&v).args(sign_args(&v, &file)), &v.secret);
        assert_eq!(signed.code, 0, "{}: {}", v.name, signed.stderr);
        assert_eq!(
            signed.stdout,
            format!(
                "Authorization: Application {}:{}\nx-timestamp: {}\n",
                v.key, v.signature, v.x_timestamp
            ),
            "{}",
            v.name
        );
        assert_eq!(signed.stderr, "", "{}", v.name);
    }
}

#[test]
fn sign_request_reads_the_body_from_stdin_byte_for_byte() {
    for v in signed_requests() {
        let file = body_file(b"");
        let mut args = sign_args(&v, &file);
        args.retain(|a| a != "--body-file" && *a != file.path().display().to_string());
        args.extend(["--body-file".to_owned(), "-".to_owned()]);
        let exact = run(cli(&v).args(&args).write_stdin(v.body.clone()), &v.secret);
        assert_eq!(exact.code, 0, "{}: {}", v.name, exact.stderr);
        assert!(exact.stdout.contains(&v.signature), "{}", v.name);

        // A trailing newline is a body byte like any other.
        let mut with_newline = v.body.clone();
        with_newline.push(b'\n');
        let extra = run(cli(&v).args(&args).write_stdin(with_newline), &v.secret);
        assert_eq!(extra.code, 0);
        assert!(!extra.stdout.contains(&v.signature), "{}", v.name);
    }
}

#[test]
fn sign_request_defaults_to_now_and_shows_the_string_to_sign_on_request() {
    let v = &signed_requests()[0];
    let before = time::OffsetDateTime::now_utc();
    let signed = run(
        cli(v).args([
            "sign-request",
            "--method",
            "get",
            "--path",
            "/calling/v1/calls/id/abc?x=1",
            "--show-string-to-sign",
        ]),
        &v.secret,
    );
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    let lines: Vec<&str> = signed.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", signed.stdout);
    assert!(lines[0].starts_with(&format!("Authorization: Application {}:", v.key)));
    let ts = lines[1].strip_prefix("x-timestamp: ").unwrap();
    assert_eq!(ts.len(), "2014-06-04T13:41:58.123Z".len(), "{ts}");
    let parsed =
        time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339).unwrap();
    assert!(parsed >= before - time::Duration::milliseconds(1), "{ts}");
    assert!(
        signed.stderr.contains(&format!(
            "\"GET\\n\\n\\nx-timestamp:{ts}\\n/calling/v1/calls/id/abc\""
        )),
        "{}",
        signed.stderr
    );
}

#[test]
fn sign_request_refuses_unsignable_input_with_exit_2() {
    let v = &signed_requests()[0];
    for (args, needle) in [
        (vec!["--method", "POST", "--path", "v1/sms"], "path"),
        (vec!["--method", "PO ST", "--path", "/a"], "method"),
        (
            vec![
                "--method",
                "POST",
                "--path",
                "/a",
                "--timestamp",
                "yesterday",
            ],
            "timestamp",
        ),
        (
            vec![
                "--method",
                "POST",
                "--path",
                "/a",
                "--body-file",
                "/nonexistent/body",
            ],
            "body file",
        ),
    ] {
        let refused = run(cli(v).arg("sign-request").args(&args), &v.secret);
        assert_eq!(refused.code, 2, "{args:?}: {}", refused.stderr);
        assert_eq!(refused.stdout, "");
        assert!(
            refused.stderr.contains(needle),
            "{args:?}: {}",
            refused.stderr
        );
    }
    // No credentials at all.
    let mut bare = Command::new(env!("CARGO_BIN_EXE_sinch-auth"));
    bare.env_remove(KEY_VAR)
        .env_remove(SECRET_VAR)
        .env_remove(SECRET_FILE_VAR)
        .args(["sign-request", "--method", "GET", "--path", "/a"]);
    let unconfigured = run(&mut bare, &v.secret);
    assert_eq!(unconfigured.code, 2);
    assert!(
        unconfigured.stderr.contains(KEY_VAR),
        "{}",
        unconfigured.stderr
    );
}

#[test]
fn key_and_secret_file_flags_work_too() {
    let v = &signed_requests()[0];
    let secret = body_file(format!("{}\n", v.secret).as_bytes());
    let file = body_file(&v.body);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sinch-auth"));
    cmd.env_remove(KEY_VAR)
        .env_remove(SECRET_VAR)
        .env_remove(SECRET_FILE_VAR)
        .args(sign_args(v, &file))
        .args(["--key", &v.key, "--secret-file"])
        .arg(secret.path());
    let flagged = run(&mut cmd, &v.secret);
    assert_eq!(flagged.code, 0, "{}", flagged.stderr);
    assert!(flagged.stdout.contains(&v.signature));
}

#[test]
fn verify_callback_accepts_every_vector_near_its_timestamp() {
    for v in signed_requests() {
        let file = body_file(&v.body);
        let verified = run(cli(&v).args(verify_args(&v, &file)), &v.secret);
        assert_eq!(verified.code, 0, "{}: {}", v.name, verified.stderr);
        let out: Value = serde_json::from_str(verified.stdout.trim_end()).unwrap();
        assert_eq!(out["kind"], "signedRequest");
        assert_eq!(out["claims"]["applicationKey"], v.key.as_str());
        assert_eq!(verified.stdout.lines().count(), 1);
    }
}

#[test]
fn verify_callback_rejects_every_change_with_exit_1() {
    for v in signed_requests() {
        let file = body_file(&v.body);
        let args = verify_args(&v, &file);

        let other_method = if v.method == "POST" { "PUT" } else { "POST" };
        let stderr = rejected(&v, &with(args.clone(), "--method", other_method), "method");
        assert!(stderr.contains("signature does not match"), "{stderr}");
        assert!(
            stderr.contains("hint: the string-to-sign checked was"),
            "{stderr}"
        );

        rejected(
            &v,
            &with(args.clone(), "--path", &format!("{}x", v.path)),
            "path",
        );
        rejected(
            &v,
            &with(
                args.clone(),
                "--content-type",
                &format!("{}; charset=utf-8", v.content_type),
            ),
            "content type",
        );
        let shifted = v
            .x_timestamp
            .replacen(":58", ":59", 1)
            .replacen(":41Z", ":42Z", 1)
            .replacen(":11.999", ":12.999", 1);
        assert_ne!(shifted, v.x_timestamp, "{}", v.name);
        rejected(
            &v,
            &with(args.clone(), "--timestamp", &shifted),
            "timestamp",
        );

        let other_key = Command::new(env!("CARGO_BIN_EXE_sinch-auth"))
            .env_remove(SECRET_FILE_VAR)
            .env(KEY_VAR, "another-application")
            .env(SECRET_VAR, &v.secret)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(other_key.status.code(), Some(1), "{}", v.name);
        assert!(String::from_utf8_lossy(&other_key.stderr).contains("another-application"));

        let other_secret = cli(&v)
            .env(SECRET_VAR, "oYdgGRXoxEuJhGDY2KQ/HQ==")
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(other_secret.status.code(), Some(1), "{}", v.name);

        // One body byte changed: first, middle, last; and one byte appended.
        if !v.body.is_empty() {
            for i in [0, v.body.len() / 2, v.body.len() - 1] {
                let mut body = v.body.clone();
                body[i] ^= 0x01;
                let changed = body_file(&body);
                let changed_args = with(
                    args.clone(),
                    "--body-file",
                    &changed.path().display().to_string(),
                );
                rejected(&v, &changed_args, &format!("body byte {i}"));
            }
        }
        let mut longer = v.body.clone();
        longer.push(b' ');
        let changed = body_file(&longer);
        rejected(
            &v,
            &with(
                args.clone(),
                "--body-file",
                &changed.path().display().to_string(),
            ),
            "body appended",
        );
    }
}

#[test]
fn verify_callback_window_scheme_and_query() {
    let v = &signed_requests()[1]; // the callback vector, lower-case scheme
    let file = body_file(&v.body);
    let args = verify_args(v, &file);

    let late = with(args.clone(), "--now", "2014-09-24T11:20:00Z");
    let stderr = rejected(v, &late, "late");
    assert!(stderr.contains("outside the allowed window"), "{stderr}");
    assert!(stderr.contains("--max-skew"), "{stderr}");
    let mut wide = late.clone();
    wide.extend(["--max-skew".to_owned(), "3600".to_owned()]);
    assert_eq!(run(cli(v).args(&wide), &v.secret).code, 0);

    for scheme in ["Application", "APPLICATION"] {
        let auth = format!("{scheme} {}:{}", v.key, v.signature);
        let accepted = run(
            cli(v).args(with(args.clone(), "--authorization", &auth)),
            &v.secret,
        );
        assert_eq!(accepted.code, 0, "{scheme}: {}", accepted.stderr);
    }
    let stderr = rejected(
        v,
        &with(
            args.clone(),
            "--authorization",
            &format!("Bearer {}", v.signature),
        ),
        "scheme",
    );
    assert!(
        stderr.contains("malformed header authorization"),
        "{stderr}"
    );

    let with_query = with(args.clone(), "--path", &format!("{}?a=1", v.path));
    assert_eq!(run(cli(v).args(&with_query), &v.secret).code, 0);
    let mut included = with_query.clone();
    included.push("--include-query".to_owned());
    rejected(v, &included, "query included");
}

#[test]
fn sign_then_verify_round_trips_through_stdin() {
    let v = &signed_requests()[4];
    let body = b"{\"a\": 1}\r\n\xff";
    let run_sign = run(
        cli(v)
            .args([
                "sign-request",
                "--method",
                "POST",
                "--path",
                "/sinch/callback",
                "--content-type",
                "application/json",
                "--body-file",
                "-",
            ])
            .write_stdin(body.to_vec()),
        &v.secret,
    );
    assert_eq!(run_sign.code, 0, "{}", run_sign.stderr);
    let mut lines = run_sign.stdout.lines();
    let authorization = lines
        .next()
        .unwrap()
        .strip_prefix("Authorization: ")
        .unwrap();
    let ts = lines.next().unwrap().strip_prefix("x-timestamp: ").unwrap();
    let run_verify = run(
        cli(v)
            .args([
                "verify-callback",
                "--method",
                "POST",
                "--path",
                "/sinch/callback",
                "--content-type",
                "application/json",
                "--authorization",
                authorization,
                "--timestamp",
                ts,
                "--body-file",
                "-",
            ])
            .write_stdin(body.to_vec()),
        &v.secret,
    );
    assert_eq!(run_verify.code, 0, "{}", run_verify.stderr);
}

#[test]
fn verify_callback_usage_errors_exit_2() {
    let v = &signed_requests()[0];
    let file = body_file(&v.body);
    let args = verify_args(v, &file);
    // A required flag missing: clap's usage error.
    let without_auth: Vec<String> = {
        let i = args.iter().position(|a| a == "--authorization").unwrap();
        let mut a = args.clone();
        a.drain(i..i + 2);
        a
    };
    assert_eq!(run(cli(v).args(&without_auth), &v.secret).code, 2);
    assert_eq!(
        run(
            cli(v).args(with(args.clone(), "--now", "not a time")),
            &v.secret
        )
        .code,
        2
    );
    assert_eq!(
        run(
            cli(v).args(with(args.clone(), "--body-file", "/nonexistent/body")),
            &v.secret
        )
        .code,
        2
    );
    let bad_secret = run(cli(v).env(SECRET_VAR, "not base64!").args(&args), &v.secret);
    assert_eq!(bad_secret.code, 2, "{}", bad_secret.stderr);
    assert!(
        !bad_secret.stderr.contains("not base64!"),
        "{}",
        bad_secret.stderr
    );
}
