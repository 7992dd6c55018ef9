//! Sending the simulated request, printing both sides, judging the answer.

use std::io::Read as _;
use std::time::Duration;

use sinch_auth::simulate::svaml::SvamlChecker;
use sinch_auth::simulate::{SimulatedRequest, VoiceEvent};
use url::Url;

use crate::exit::CliError;
use crate::output;

/// Largest answer read: SVAML is small; a runaway handler is not.
const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// Sends `request` to `url`, prints it and the answer, and fails (exit 1)
/// unless the answer is 2xx and, for ICE/ACE/PIE, valid SVAML.
pub fn send_and_check(
    url: &Url,
    request: &SimulatedRequest,
    voice_event: Option<VoiceEvent>,
    timeout_secs: u64,
) -> Result<(), CliError> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(timeout_secs))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| CliError::usage(format!("cannot start the HTTP client: {e}")))?;
    let mut builder = client.post(url.clone()).body(request.body().to_vec());
    for (name, value) in request.headers() {
        builder = builder.header(name, value);
    }
    print_request(url, request)?;
    let response = builder.send().map_err(|e| {
        CliError::rejected(format!("no answer from {url}: {e}"))
            .with_hint("is your handler running, and listening on that address?")
    })?;
    let status = response.status();
    let mut lines = vec![format!("< HTTP {status}")];
    for (name, value) in response.headers() {
        lines.push(format!(
            "< {name}: {}",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    let mut body = Vec::new();
    response
        .take(MAX_RESPONSE_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|e| CliError::rejected(format!("cannot read the answer: {e}")))?;
    let too_long = body.len() as u64 > MAX_RESPONSE_BYTES;
    body.truncate(MAX_RESPONSE_BYTES as usize);
    lines.push("<".to_owned());
    if !body.is_empty() {
        lines.push(format!("< {}", String::from_utf8_lossy(&body)));
    }
    output::line(&lines.join("\n"))?;

    if too_long {
        return Err(CliError::rejected(format!(
            "the answer is longer than {MAX_RESPONSE_BYTES} bytes (shown cut there)"
        )));
    }
    if !status.is_success() {
        return Err(CliError::rejected(format!(
            "the handler answered {status}, not 2xx: Sinch would treat the callback as failed"
        )));
    }
    let Some(event) = voice_event.filter(|e| e.expects_svaml()) else {
        return Ok(());
    };
    let checker = SvamlChecker::for_request(request.body()).unwrap_or(SvamlChecker::new(event));
    let problems = checker.check(&body);
    if problems.is_empty() {
        return output::line(&format!(
            "SVAML: a valid answer to {}",
            event.as_str().to_uppercase()
        ));
    }
    let mut report = format!(
        "SVAML: {} problem(s) in the answer to {}:",
        problems.len(),
        event.as_str().to_uppercase()
    );
    for problem in &problems {
        report.push_str(&format!("\n  - {problem}"));
    }
    output::line(&report)?;
    Err(CliError::rejected(format!(
        "the answer to {} is not valid SVAML",
        event.as_str().to_uppercase()
    )))
}

fn print_request(url: &Url, request: &SimulatedRequest) -> Result<(), CliError> {
    let mut lines = vec![format!("> {} {}", request.method(), request.path())];
    if let Some(host) = url.host_str() {
        let host = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        lines.push(format!("> host: {host}"));
    }
    for (name, value) in request.headers() {
        lines.push(format!("> {name}: {value}"));
    }
    lines.push(">".to_owned());
    lines.push(format!("> {}", String::from_utf8_lossy(request.body())));
    lines.push(String::new());
    output::line(&lines.join("\n"))
}
