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
    for command in ["ticket", "token", "verify", "decode"] {
        assert!(run.stdout.contains(command), "{}", run.stdout);
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
