//! `sinch-auth sign-request`: the `Authorization` and `x-timestamp` headers
//! for a call to Sinch's Voice or Verification REST APIs (FORMATS §3).

use std::io::Read as _;
use std::path::{Path, PathBuf};

use clap::Args;

use super::Context;
use crate::exit::CliError;
use crate::{input, output};

/// The most body read from a file or stdin: far above any REST call to
/// Sinch, low enough that a wrong path cannot exhaust memory.
pub const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Args)]
pub struct SignRequestArgs {
    /// HTTP method (upper-cased when signed)
    #[arg(long, value_name = "METHOD")]
    pub method: String,

    /// Request path as sent, starting with / (no scheme or host)
    #[arg(long, value_name = "PATH")]
    pub path: String,

    /// Content-Type header exactly as it will be sent (signed verbatim) [default: none]
    #[arg(long, value_name = "CT")]
    pub content_type: Option<String>,

    /// x-timestamp text to sign, ISO 8601 [default: now, as 2014-06-04T13:41:58.123Z]
    #[arg(long, value_name = "TS")]
    pub timestamp: Option<String>,

    /// File holding the exact body bytes; - reads stdin [default: empty body]
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,

    /// Sign the query string too (Sinch's SDKs mostly leave it out)
    #[arg(long)]
    pub include_query: bool,

    /// Also print the string-to-sign to stderr, for comparing with the other side
    #[arg(long)]
    pub show_string_to_sign: bool,
}

pub fn run(args: &SignRequestArgs, ctx: &Context) -> Result<(), CliError> {
    let body = read_body(args.body_file.as_deref())?;
    let app = ctx.application()?;
    let mut builder = app
        .sign_request(&args.method, &args.path)
        .with_body(&body)
        .include_query(args.include_query);
    if let Some(content_type) = &args.content_type {
        builder = builder.with_content_type(content_type);
    }
    if let Some(timestamp) = &args.timestamp {
        builder = builder.with_timestamp_text(timestamp);
    }
    let signed = builder.sign()?;
    if args.show_string_to_sign {
        eprintln!("string-to-sign: {:?}", signed.string_to_sign());
    }
    output::line(&format!("Authorization: {}", signed.authorization()))?;
    output::line(&format!("x-timestamp: {}", signed.x_timestamp()))
}

/// The raw body: no newline is stripped, because every byte is signed.
pub(super) fn read_body(path: Option<&Path>) -> Result<Vec<u8>, CliError> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    if path == Path::new("-") {
        return input::read_stdin(MAX_BODY_BYTES);
    }
    let file = std::fs::File::open(path).map_err(|e| {
        CliError::usage(format!(
            "cannot read the body file {}: {}",
            path.display(),
            e.kind()
        ))
    })?;
    let mut body = Vec::new();
    file.take(MAX_BODY_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|e| {
            CliError::usage(format!(
                "cannot read the body file {}: {}",
                path.display(),
                e.kind()
            ))
        })?;
    if body.len() as u64 > MAX_BODY_BYTES {
        return Err(CliError::usage(format!(
            "the body file {} holds more than {MAX_BODY_BYTES} bytes",
            path.display()
        )));
    }
    Ok(body)
}
