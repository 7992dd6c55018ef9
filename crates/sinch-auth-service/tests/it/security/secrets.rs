//! Item 2: never echo a secret. A `*_FILE` variable or `secret_file` that
//! holds what looks like the secret itself is refused without printing it.

use crate::common::process::run_to_exit;
use crate::common::{APP_KEY, APP_SECRET};

/// Runs `serve` with `env` until it refuses to start; its stderr.
fn refusal(env: &[(&str, String)]) -> String {
    let output = run_to_exit(env);
    assert!(!output.status.success(), "it started");
    let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stdout));
    text
}

fn assert_not_echoed(output: &str, secret: &str, names: &str) {
    assert!(!output.contains(secret), "the secret is echoed:\n{output}");
    assert!(output.contains("looks like a secret"), "{output}");
    assert!(output.contains(names), "{output}");
}

#[test]
fn a_secret_in_place_of_a_secret_file_path_is_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("accounts.db").display());
    let output = refusal(&[
        ("SINCH_AUTH_DATABASE_URL", database.clone()),
        ("SINCH_APPLICATION_KEY", APP_KEY.to_owned()),
        ("SINCH_APPLICATION_SECRET_FILE", APP_SECRET.to_owned()),
    ]);
    assert_not_echoed(&output, APP_SECRET, "SINCH_APPLICATION_SECRET_FILE");

    // The same mistake in the file's `secret_file`.
    let config = dir.path().join("serve.toml");
    std::fs::write(
        &config,
        format!("[applications.default]\nkey = \"{APP_KEY}\"\nsecret_file = \"{APP_SECRET}\"\n"),
    )
    .unwrap();
    let output = refusal(&[
        ("SINCH_AUTH_DATABASE_URL", database),
        ("SINCH_AUTH_CONFIG", config.display().to_string()),
    ]);
    assert_not_echoed(&output, APP_SECRET, "applications.default");
}

#[test]
fn a_database_url_or_key_in_place_of_its_file_is_not_echoed() {
    let password = "s3cret-db-passw0rd";
    let url = format!("postgres://app:{password}@127.0.0.1:1/auth");
    let output = refusal(&[
        ("SINCH_APPLICATION_KEY", APP_KEY.to_owned()),
        ("SINCH_APPLICATION_SECRET", APP_SECRET.to_owned()),
        ("SINCH_AUTH_DATABASE_URL_FILE", url),
    ]);
    assert_not_echoed(&output, password, "SINCH_AUTH_DATABASE_URL_FILE");

    let key = "api-key-pasted-instead-of-a-path-42";
    let output = refusal(&[
        ("SINCH_AUTH_CALLER_AUTH", "api-key".to_owned()),
        ("SINCH_APPLICATION_KEY", APP_KEY.to_owned()),
        ("SINCH_APPLICATION_SECRET", APP_SECRET.to_owned()),
        ("SINCH_AUTH_API_KEYS_FILE", key.to_owned()),
    ]);
    assert_not_echoed(&output, key, "SINCH_AUTH_API_KEYS_FILE");
}

#[test]
fn a_missing_file_path_is_still_named() {
    let output = refusal(&[
        ("SINCH_APPLICATION_KEY", APP_KEY.to_owned()),
        (
            "SINCH_APPLICATION_SECRET_FILE",
            "/nonexistent/sinch-secret".to_owned(),
        ),
    ]);
    assert!(output.contains("/nonexistent/sinch-secret"), "{output}");
}
