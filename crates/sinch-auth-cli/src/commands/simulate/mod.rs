//! `sinch-auth simulate`: fire a realistic, correctly signed Sinch callback
//! at a handler (docs/simulate.md). A thin shell over
//! `sinch_auth::simulate`: this module turns flags into a `Simulation`,
//! `send` does the HTTP and the printing, `curl` writes `--print`'s command.
//!
//! Exit 0 when the handler answered 2xx (and, for ICE/ACE/PIE, valid
//! SVAML), 1 otherwise, 2 on usage or configuration errors.

mod args;
mod curl;
mod send;

use std::path::Path;

use sinch_auth::Application;
use sinch_auth::signing::CallbackSecret;
use sinch_auth::simulate::{SimulatedRequest, Simulation, parse_assignment};
use url::Url;

pub use args::SimulateArgs;
use args::{Api, CommonArgs};

use super::Context;
use super::sign_request::read_body;
use crate::exit::CliError;

/// Longest callback secret file read: secrets are short; a wrong path is not.
const MAX_SECRET_BYTES: u64 = 4096;

/// `--set header:NAME=VALUE` changes a header after signing.
const HEADER_PREFIX: &str = "header:";

pub fn run(args: &SimulateArgs, ctx: &Context) -> Result<(), CliError> {
    let app: Application;
    let secret: CallbackSecret;
    let (simulation, common, voice_event) = match &args.api {
        Api::Voice(voice) => {
            app = ctx.application()?;
            (
                Simulation::voice(&app, voice.event),
                &voice.common,
                Some(voice.event),
            )
        }
        Api::Numbers(numbers) => {
            secret = read_callback_secret(&numbers.callback_secret_file, "--callback-secret-file")?;
            (
                Simulation::numbers(&secret, numbers.event),
                &numbers.common,
                None,
            )
        }
        Api::Conversation(conversation) => {
            secret =
                read_callback_secret(&conversation.webhook_secret_file, "--webhook-secret-file")?;
            (
                Simulation::conversation(&secret, conversation.event),
                &conversation.common,
                None,
            )
        }
    };
    let url = parse_url(&common.url)?;
    let request = build(simulation, common, &url)?;
    if common.print {
        eprintln!(
            "note: the signature is for this moment; Sinch's verifiers accept it for about 10 minutes"
        );
        return crate::output::line(&curl::command(&url, &request));
    }
    send::send_and_check(&url, &request, voice_event, common.timeout)
}

/// Applies the common flags and signs.
fn build(
    mut simulation: Simulation<'_>,
    common: &CommonArgs,
    url: &Url,
) -> Result<SimulatedRequest, CliError> {
    let mut path = url.path().to_owned();
    if let Some(query) = url.query() {
        path.push('?');
        path.push_str(query);
    }
    simulation = simulation.with_path(path);
    if let Some(now) = common.timestamp {
        simulation = simulation.with_now(now);
    }
    if let Some(seed) = common.seed {
        simulation = simulation.with_seed(seed);
    }
    if let Some(file) = &common.body_file {
        simulation = simulation.with_body(read_body(Some(file))?);
    }
    let mut headers = Vec::new();
    for assignment in &common.set {
        match assignment.strip_prefix(HEADER_PREFIX) {
            Some(header) => {
                let (name, value) = header.split_once('=').ok_or_else(|| {
                    CliError::usage(format!("--set {assignment}: expected header:NAME=VALUE"))
                })?;
                let sendable = reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_ok()
                    && reqwest::header::HeaderValue::from_str(value).is_ok();
                if !sendable {
                    return Err(CliError::usage(format!(
                        "--set header:{name}=…: not a header HTTP can send"
                    )));
                }
                headers.push((name, value));
            }
            None => {
                let (field, value) = parse_assignment(assignment)?;
                simulation = simulation.with_field(field, value);
            }
        }
    }
    let mut request = simulation.build()?;
    for (name, value) in headers {
        request = request.with_header(name, value);
    }
    Ok(request)
}

fn parse_url(text: &str) -> Result<Url, CliError> {
    let url = Url::parse(text)
        .map_err(|e| CliError::usage(format!("--url {text:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(CliError::usage(format!(
            "--url must be an http:// or https:// URL with a host, got {text:?}"
        ))
        .with_hint("e.g. --url http://127.0.0.1:3000/sinch/callback"));
    }
    Ok(url)
}

/// A Numbers or Conversation secret from a file: the text as configured at
/// Sinch, one trailing newline ignored. Never echoed.
fn read_callback_secret(path: &Path, flag: &str) -> Result<CallbackSecret, CliError> {
    use std::io::Read as _;
    let unreadable = |reason: String| {
        CliError::usage(format!("cannot read {flag} {}: {reason}", path.display()))
    };
    let file = std::fs::File::open(path).map_err(|e| unreadable(e.kind().to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_SECRET_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(e.kind().to_string()))?;
    if bytes.len() as u64 > MAX_SECRET_BYTES {
        return Err(unreadable(format!("more than {MAX_SECRET_BYTES} bytes")));
    }
    let text = String::from_utf8(bytes).map_err(|_| unreadable("not UTF-8 text".into()))?;
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    Ok(CallbackSecret::new(text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(parse_url("http://127.0.0.1:3000/cb").is_ok());
        assert!(parse_url("https://example.com/cb?x=1").is_ok());
        for bad in [
            "127.0.0.1:3000/cb",
            "ftp://example.com/",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secret_files_lose_one_newline_and_are_never_echoed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "s3cret-value\n").unwrap();
        let secret = read_callback_secret(&path, "--callback-secret-file").unwrap();
        assert_eq!(secret.expose_str(), "s3cret-value");
        std::fs::write(&path, "").unwrap();
        let err = read_callback_secret(&path, "--callback-secret-file").unwrap_err();
        assert!(!err.message().contains("s3cret"));
        let err =
            read_callback_secret(&dir.path().join("missing"), "--webhook-secret-file").unwrap_err();
        assert!(
            err.message().contains("--webhook-secret-file"),
            "{}",
            err.message()
        );
    }
}
