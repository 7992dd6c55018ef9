//! Everything a command prints. Results go to stdout as exactly one line;
//! warnings go to stderr, so `$(sinch-auth …)` captures the result alone.

use std::io::Write as _;

use serde::Serialize;
use sinch_auth::CredentialKind;

use crate::exit::CliError;

/// Writes `text` and a newline to stdout.
pub fn line(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| CliError::usage(format!("cannot write to stdout: {e}")))
}

/// Writes a generated document (completion script, manual page) to stdout
/// as is: the one output that is not a single line.
pub fn document(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| CliError::usage(format!("cannot write to stdout: {e}")))
}

/// Writes `value` as compact JSON on one line, fields in declaration order.
pub fn json(value: &impl Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string(value)
        .map_err(|e| CliError::usage(format!("cannot write JSON: {e}")))?;
    line(&text)
}

/// Writes a warning to stderr.
pub fn warn(message: &str) {
    eprintln!("warning: {message}");
}

/// The camelCase name a credential kind has in JSON output.
pub fn kind_name(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::UserTicket => "userTicket",
        CredentialKind::RegistrationToken => "registrationToken",
        CredentialKind::SignedRequest => "signedRequest",
        CredentialKind::NumbersCallback => "numbersCallback",
        CredentialKind::ConversationWebhook => "conversationWebhook",
        _ => "unknown",
    }
}
