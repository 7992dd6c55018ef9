//! `completions` and `man`: generated from the same clap definition that
//! parses the command line; these tests check that what they generate is
//! usable, not just present.

use std::process::Command as Process;

use crate::common::*;

/// Every command a user can type in this build.
fn commands() -> Vec<&'static str> {
    let mut commands = vec![
        "ticket",
        "token",
        "verify",
        "decode",
        "sign-request",
        "verify-callback",
        "completions",
        "man",
    ];
    if cfg!(feature = "serve") {
        commands.extend(["serve", "healthcheck"]);
    }
    commands
}

fn completion_script(shell: &str) -> String {
    let run = run(bare().args(["completions", shell]));
    assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
    run.stdout
}

#[test]
fn every_shell_gets_a_script_naming_every_command_and_flag() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = completion_script(shell);
        for command in commands() {
            assert!(script.contains(command), "{shell} script lacks {command}");
        }
        for flag in ["user", "encode-user-id", "secret-file"] {
            // fish spells a long flag `-l user`, the others `--user`.
            let spelled = if shell == "fish" {
                format!("-l {flag}")
            } else {
                format!("--{flag}")
            };
            assert!(script.contains(&spelled), "{shell} script lacks {spelled}");
        }
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let stderr = failure(bare().args(["completions", "tcsh"]), 2);
    assert!(stderr.contains("bash"), "{stderr}");
}

/// Loads the bash script in a real bash and asks its completion function
/// what it offers for `words` (the last one being completed).
fn bash_completes(words: &[&str]) -> Vec<String> {
    let script = completion_script("bash");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sinch-auth.bash");
    std::fs::write(&path, script).unwrap();
    let program = r#"
        source "$1"; shift
        # The function `complete -F` registered for sinch-auth.
        fn=$(complete -p sinch-auth | sed -E 's/.*-F ([^ ]+).*/\1/')
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        "$fn" sinch-auth "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let out = Process::new("bash")
        .args(["-c", program, "bash"])
        .arg(&path)
        .args(words)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_commands_and_their_flags() {
    let offered = bash_completes(&["sinch-auth", "sig"]);
    assert_eq!(offered, ["sign-request"], "{offered:?}");

    let offered = bash_completes(&["sinch-auth", "ve"]);
    assert!(offered.contains(&"verify".to_owned()), "{offered:?}");
    assert!(
        offered.contains(&"verify-callback".to_owned()),
        "{offered:?}"
    );
    assert!(!offered.contains(&"ticket".to_owned()), "{offered:?}");

    let offered = bash_completes(&["sinch-auth", "token", "--u"]);
    assert_eq!(offered, ["--user"], "{offered:?}");

    let offered = bash_completes(&["sinch-auth", "completions", "p"]);
    assert_eq!(offered, ["powershell"], "{offered:?}");
}

#[test]
fn the_manual_page_is_roff_and_covers_every_command() {
    let run = run(bare().arg("man"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = run.stdout;
    assert!(page.contains(".TH sinch-auth 1"), "{page}");
    assert!(page.contains(".SH SYNOPSIS"), "{page}");
    for command in commands() {
        assert!(
            page.contains(&command.replace('-', "\\-")),
            "lacks {command}"
        );
    }
    assert!(page.contains("SINCH_APPLICATION_SECRET_FILE"));
}

#[test]
fn man_out_dir_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let line = success(bare().arg("man").arg("--out-dir").arg(&out));
    assert_eq!(line, out.display().to_string());
    let main = std::fs::read_to_string(out.join("sinch-auth.1")).unwrap();
    assert!(main.contains(".TH sinch-auth 1"));
    for command in commands() {
        let page = std::fs::read_to_string(out.join(format!("sinch-auth-{command}.1")))
            .unwrap_or_else(|e| panic!("no page for {command}: {e}"));
        assert!(page.contains(".TH sinch-auth-"), "{command}: {page}");
    }
    let token = std::fs::read_to_string(out.join("sinch-auth-token.1")).unwrap();
    assert!(token.contains("\\-\\-encode\\-user\\-id"), "{token}");
}

#[test]
fn man_reports_an_unwritable_directory() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let stderr = failure(bare().arg("man").arg("--out-dir").arg(file.join("x")), 2);
    assert!(stderr.contains("cannot write manual pages"), "{stderr}");
}
