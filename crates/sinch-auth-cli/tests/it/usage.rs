//! Usage errors, help and version.

use crate::common::*;

#[test]
fn no_subcommand_is_a_usage_error() {
    let run = run(&mut bare());
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("Usage:"), "{}", run.stderr);
}

#[test]
fn unknown_subcommands_and_flags_exit_2() {
    failure(bare().arg("frobnicate"), 2);
    failure(
        configured().args(["ticket", "--user", "alice", "--bogus"]),
        2,
    );
    failure(configured().args(["ticket"]), 2);
    failure(
        configured().args(["ticket", "--user", "a", "--type", "phone"]),
        2,
    );
    failure(
        configured().args(["token", "--user", "a", "--ttl", "-5"]),
        2,
    );
    failure(
        configured().args(["verify", "a:b", "--now", "yesterday"]),
        2,
    );
    failure(configured().args(["verify"]), 2);
}

#[test]
fn help_lists_every_command_and_exits_0() {
    let run = run(bare().arg("--help"));
    assert_eq!(run.code, 0);
    for command in [
        "ticket",
        "token",
        "verify",
        "decode",
        "sign-request",
        "verify-callback",
        "completions",
        "man",
    ] {
        assert!(run.stdout.contains(command), "{}", run.stdout);
    }
    // Only a build with the `serve` feature lists them (see without_serve.rs).
    for command in ["serve", "healthcheck"] {
        assert_eq!(
            run.stdout.contains(&format!("  {command} ")),
            cfg!(feature = "serve"),
            "{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains(KEY_VAR));
}

#[test]
fn version_exits_0() {
    let run = run(bare().arg("--version"));
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains(env!("CARGO_PKG_VERSION")),
        "{}",
        run.stdout
    );
}

#[cfg(feature = "serve")]
#[test]
fn serve_refuses_credential_flags_it_would_ignore() {
    let stderr = failure(bare().args(["--key", "k", "serve", "--check-config"]), 2);
    assert!(stderr.contains("SINCH_APPLICATION_KEY"), "{stderr}");
}

#[cfg(feature = "serve")]
#[test]
fn serve_reports_bad_configuration_with_exit_2() {
    let stderr = failure(
        bare()
            .args(["serve", "--caller-auth", "api-key", "--check-config"])
            .env("SINCH_APPLICATION_KEY", "k")
            .env("SINCH_APPLICATION_SECRET", "not base64"),
        2,
    );
    assert!(stderr.contains("secret"), "{stderr}");
    assert!(!stderr.contains("not base64"), "{stderr}");
}

#[cfg(feature = "serve")]
#[test]
fn serve_reports_a_port_in_use_once_with_exit_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let stderr = failure(
        bare()
            .args(["serve", "--caller-auth", "api-key"])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--admin-listen", "127.0.0.1:0"])
            .env("SINCH_AUTH_API_KEYS", "an-api-key-for-this-test-0123")
            .env("SINCH_APPLICATION_KEY", key())
            .env("SINCH_APPLICATION_SECRET", secret())
            .timeout(std::time::Duration::from_secs(60)),
        1,
    );
    assert_eq!(
        stderr.matches("cannot listen on").count(),
        1,
        "reported once: {stderr}"
    );
    assert!(stderr.contains(&port.to_string()), "{stderr}");
    drop(taken);
}

#[cfg(feature = "serve")]
#[test]
fn print_config_shows_sources_hides_secrets_and_loads_back() {
    let secret_url = "postgres://app:hunter2-db-password@127.0.0.1:1/accounts";
    let accounts = run(bare()
        .args(["serve", "--print-config", "--listen", "127.0.0.1:7001"])
        .env("SINCH_AUTH_DATABASE_URL", secret_url)
        .env("SINCH_AUTH_SESSION_TTL_SECS", "3600")
        .env("SINCH_APPLICATION_KEY", key())
        .env("SINCH_APPLICATION_SECRET", secret()));
    let out = accounts.stdout;
    assert!(out.contains("listen = \"127.0.0.1:7001\"  # flag"), "{out}");
    assert!(
        out.contains("admin_listen = \"127.0.0.1:9090\"  # default"),
        "{out}"
    );
    assert!(
        out.contains("session_ttl_secs = 3600  # variable SINCH_AUTH_SESSION_TTL_SECS"),
        "{out}"
    );
    assert!(out.contains("postgres://app@127.0.0.1:1/accounts"), "{out}");
    assert!(!out.contains("hunter2"), "database password printed: {out}");
    assert!(!out.contains(secret()), "Sinch secret printed: {out}");

    let api_key = "an-api-key-for-this-test-0123";
    let api = |cmd: &mut assert_cmd::Command| {
        cmd.env("SINCH_AUTH_API_KEYS", api_key)
            .env("SINCH_APPLICATION_KEY", key())
            .env("SINCH_APPLICATION_SECRET", secret());
    };
    let mut print = bare();
    print.args(["serve", "--print-config", "--caller-auth", "api-key"]);
    api(&mut print);
    print.env("SINCH_AUTH_TOKEN_TTL_SECS", "900");
    let printed = run(&mut print).stdout;
    assert!(!printed.contains(api_key), "API key printed: {printed}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("effective.toml");
    std::fs::write(&file, &printed).unwrap();
    let mut check = bare();
    check
        .args(["serve", "--check-config", "--config"])
        .arg(&file);
    api(&mut check);
    let checked = run(&mut check);
    assert!(
        checked.stdout.contains("configuration OK"),
        "{}",
        checked.stdout
    );
    let mut again = bare();
    again
        .args(["serve", "--print-config", "--config"])
        .arg(&file);
    api(&mut again);
    let again = run(&mut again).stdout;
    assert!(again.contains("default_ttl_secs = 900  # file"), "{again}");
    assert!(
        again.contains("caller_auth = \"api-key\"  # file"),
        "{again}"
    );
}

#[test]
fn docs_cli_md_covers_every_command() {
    let help = run(bare().arg("--help")).stdout;
    let commands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("a Commands: section")
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|&name| name != "help")
        .collect();
    assert!(commands.len() >= 8, "{commands:?}");
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/cli.md"))
        .expect("docs/cli.md");
    let headings: Vec<&str> = docs.lines().filter(|l| l.starts_with("## ")).collect();
    for command in commands {
        let name = format!("`{command}`");
        assert!(
            headings.iter().any(|h| h.contains(&name)),
            "docs/cli.md has no section for {command}"
        );
    }
}
