//! Where the application key and secret come from, and how bad settings fail.

use std::io::Write as _;

use tempfile::NamedTempFile;

use crate::common::*;

fn alice_args() -> [&'static str; 5] {
    [
        "ticket",
        "--user",
        "alice",
        "--created",
        "2026-11-28T08:00:00Z",
    ]
}

fn alice() -> &'static str {
    str_of(ticket_vector("seed_php_alice"), "ticket")
}

fn secret_file(contents: &str) -> NamedTempFile {
    let mut file = NamedTempFile::new().unwrap();
    file.write_all(contents.as_bytes()).unwrap();
    file
}

#[test]
fn secret_file_variable_with_a_trailing_newline() {
    for contents in [format!("{}\n", secret()), format!("{}\r\n", secret())] {
        let file = secret_file(&contents);
        let ticket = success(
            bare()
                .env(KEY_VAR, key())
                .env(SECRET_FILE_VAR, file.path())
                .args(alice_args()),
        );
        assert_eq!(ticket, alice());
    }
}

#[test]
fn key_and_secret_file_flags_alone() {
    let file = secret_file(&format!("{}\n", secret()));
    let ticket = success(
        bare()
            .arg("--key")
            .arg(key())
            .arg("--secret-file")
            .arg(file.path())
            .args(alice_args()),
    );
    assert_eq!(ticket, alice());
}

#[test]
fn flags_are_global_and_may_follow_the_subcommand() {
    let file = secret_file(secret());
    let ticket = success(
        bare()
            .args(alice_args())
            .arg("--key")
            .arg(key())
            .arg("--secret-file")
            .arg(file.path()),
    );
    assert_eq!(ticket, alice());
}

#[test]
fn flags_win_over_the_environment() {
    let file = secret_file(secret());
    let ticket = success(
        bare()
            .env(KEY_VAR, "env-key")
            .env(SECRET_VAR, OTHER_SECRET)
            .env(SECRET_FILE_VAR, "/nonexistent/secret")
            .arg("--key")
            .arg(key())
            .arg("--secret-file")
            .arg(file.path())
            .args(alice_args()),
    );
    assert_eq!(ticket, alice());
}

#[test]
fn key_flag_alone_wins_over_the_key_variable() {
    let ticket = success(
        bare()
            .env(KEY_VAR, "env-key")
            .env(SECRET_VAR, secret())
            .arg("--key")
            .arg(key())
            .args(alice_args()),
    );
    assert_eq!(ticket, alice());
}

#[test]
fn nothing_configured_is_a_usage_error_naming_the_settings() {
    let stderr = failure(bare().args(alice_args()), 2);
    assert!(stderr.contains(KEY_VAR), "{stderr}");
    assert!(
        stderr.contains("hint:") && stderr.contains("--secret-file"),
        "{stderr}"
    );
}

#[test]
fn a_key_without_a_secret_is_a_usage_error() {
    let stderr = failure(bare().env(KEY_VAR, key()).args(alice_args()), 2);
    assert!(stderr.contains(SECRET_VAR), "{stderr}");
}

#[test]
fn both_secret_variables_is_a_usage_error() {
    let file = secret_file(secret());
    let stderr = failure(
        configured()
            .env(SECRET_FILE_VAR, file.path())
            .args(alice_args()),
        2,
    );
    assert!(stderr.contains("only one"), "{stderr}");
}

#[test]
fn a_bad_secret_is_a_usage_error_that_does_not_echo_it() {
    // `run` asserts the secret never appears; check this one explicitly too.
    for bad in [
        "bm90LWEtcmVhbC1zZWNyZXQ",
        "c2hvcnQ=",
        "ax8hTTQJ F0OPXL32r1LHMA==",
    ] {
        let stderr = failure(
            bare()
                .env(KEY_VAR, key())
                .env(SECRET_VAR, bad)
                .args(alice_args()),
            2,
        );
        assert!(stderr.contains("invalid application secret"), "{stderr}");
        assert!(!stderr.contains(bad), "{stderr}");
    }
}

#[test]
fn a_secret_file_with_two_newlines_is_refused_without_echoing_it() {
    let file = secret_file(&format!("{}\n\n", secret()));
    let stderr = failure(
        bare()
            .env(KEY_VAR, key())
            .env(SECRET_FILE_VAR, file.path())
            .args(alice_args()),
        2,
    );
    assert!(stderr.contains("invalid application secret"), "{stderr}");
}

#[test]
fn a_missing_secret_file_names_the_path() {
    let stderr = failure(
        bare()
            .args(["--key", key(), "--secret-file", "/nonexistent/sinch-secret"])
            .args(alice_args()),
        2,
    );
    assert!(stderr.contains("/nonexistent/sinch-secret"), "{stderr}");
}

#[test]
fn a_secret_passed_as_the_secret_file_path_is_not_echoed() {
    // `run` fails the test if the secret shows up on either stream.
    let stderr = failure(
        bare()
            .args(["--key", key(), "--secret-file", secret()])
            .args(alice_args()),
        2,
    );
    assert!(stderr.contains("looks like a secret"), "{stderr}");
    let stderr = failure(
        bare()
            .env(KEY_VAR, key())
            .env(SECRET_FILE_VAR, secret())
            .args(alice_args()),
        2,
    );
    assert!(stderr.contains("looks like a secret"), "{stderr}");
}

#[test]
fn an_invalid_key_is_a_usage_error() {
    let stderr = failure(
        bare()
            .env(KEY_VAR, "has:colon")
            .env(SECRET_VAR, secret())
            .args(alice_args()),
        2,
    );
    assert!(stderr.contains("invalid application key"), "{stderr}");
}

#[test]
fn no_flag_takes_a_secret_value() {
    for flag in ["--secret", "--application-secret"] {
        failure(
            bare()
                .env(KEY_VAR, key())
                .args(alice_args())
                .args([flag, secret()]),
            2,
        );
    }
}

#[test]
fn the_secret_never_appears_in_any_failing_run() {
    // Every failure path that has the secret loaded: mint errors, verify
    // rejections, usage errors. `run` checks both streams of each.
    let runs: Vec<Vec<&str>> = vec![
        vec!["ticket", "--user", ""],
        vec!["ticket", "--user", "x", "--expires-in", "0"],
        vec!["token", "--user", "a b"],
        vec!["token", "--user", "foo", "--ttl", "1"],
        vec!["verify", "bm90IGEgdGlja2V0:AAAA"],
        vec![
            "verify",
            str_of(ticket_vector("tampered_signature"), "ticket"),
        ],
        vec!["verify", "x.y.z"],
        vec!["frobnicate"],
    ];
    for args in runs {
        let run = run(configured().args(&args));
        assert_ne!(run.code, 0, "{args:?} succeeded");
        assert!(!run.stderr.is_empty(), "{args:?}");
    }
}
