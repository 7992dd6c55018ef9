//! Reading a credential from an argument or, for `-`, from stdin (which
//! keeps it out of the process list and shell history).

use std::io::Read as _;

use crate::exit::CliError;

/// The most read from stdin: far above any real ticket (8 KiB) or token,
/// low enough that a wrong pipe cannot exhaust memory.
pub const MAX_STDIN_BYTES: u64 = 64 * 1024;

/// The credential named by a positional argument: the argument itself, or
/// stdin minus one trailing newline when it is `-`.
pub fn credential(arg: &str) -> Result<String, CliError> {
    let text = if arg == "-" {
        let bytes = read_stdin(MAX_STDIN_BYTES)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| CliError::usage("the credential on stdin is not UTF-8 text"))?;
        strip_one_newline(&text).to_owned()
    } else {
        arg.to_owned()
    };
    if text.trim().is_empty() {
        return Err(CliError::usage("the credential is empty")
            .with_hint("pass the ticket or token as an argument, or - and pipe it to stdin"));
    }
    Ok(text)
}

/// All of stdin, refusing more than `limit` bytes.
pub fn read_stdin(limit: u64) -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(CliError::usage(format!(
            "stdin holds more than {limit} bytes"
        )));
    }
    Ok(bytes)
}

/// Removes exactly one trailing `\n` or `\r\n`, as `echo` and editors add.
fn strip_one_newline(text: &str) -> &str {
    text.strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_exactly_one_newline() {
        assert_eq!(strip_one_newline("abc\n"), "abc");
        assert_eq!(strip_one_newline("abc\r\n"), "abc");
        assert_eq!(strip_one_newline("abc\n\n"), "abc\n");
        assert_eq!(strip_one_newline("abc"), "abc");
    }

    #[test]
    fn an_empty_argument_is_a_usage_error() {
        assert!(credential("").is_err());
        assert!(credential("  ").is_err());
    }
}
