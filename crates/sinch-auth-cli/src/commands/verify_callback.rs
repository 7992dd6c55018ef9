//! `sinch-auth verify-callback`: check a callback Sinch signed with the
//! application secret (FORMATS §3). Exit 0 valid, 1 invalid (reason on
//! stderr), 2 usage or configuration error.

use std::time::Duration;

use clap::Args;
use serde::Serialize;
use sinch_auth::signing::{CallbackRequest, CallbackVerifier, DEFAULT_MAX_SKEW};
use sinch_auth::{CredentialKind, ErrorKind, rfc3339_seconds};
use time::OffsetDateTime;

use super::Context;
use super::sign_request::read_body;
use crate::exit::CliError;
use crate::{cli, output};

#[derive(Debug, Args)]
pub struct VerifyCallbackArgs {
    /// HTTP method of the callback
    #[arg(long, value_name = "METHOD")]
    pub method: String,

    /// Path of YOUR callback URL as Sinch was told it (the external one
    /// behind a proxy), starting with /
    #[arg(long, value_name = "PATH")]
    pub path: String,

    /// The Authorization header value, "Application KEY:SIGNATURE"
    #[arg(long, value_name = "VALUE")]
    pub authorization: String,

    /// The x-timestamp header value
    #[arg(long, value_name = "TS")]
    pub timestamp: String,

    /// The Content-Type header value, verbatim [default: absent]
    #[arg(long, value_name = "CT")]
    pub content_type: Option<String>,

    /// File holding the exact body bytes received; - reads stdin [default: empty body]
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<std::path::PathBuf>,

    /// Verify as of this time [default: now]
    #[arg(long, value_name = "RFC3339", value_parser = cli::timestamp)]
    pub now: Option<OffsetDateTime>,

    /// Largest accepted distance between x-timestamp and now, in seconds, either way
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_MAX_SKEW.as_secs())]
    pub max_skew: u64,

    /// The query string in --path is signed too
    #[arg(long)]
    pub include_query: bool,
}

pub fn run(args: &VerifyCallbackArgs, ctx: &Context) -> Result<(), CliError> {
    let body = read_body(args.body_file.as_deref())?;
    let app = ctx.application()?;
    let mut verifier = CallbackVerifier::new(app)
        .with_max_skew(Duration::from_secs(args.max_skew))
        .include_query(args.include_query);
    if let Some(now) = args.now {
        verifier = verifier.with_now(now);
    }
    let mut request = CallbackRequest::new(&args.method, &args.path)
        .with_authorization(&args.authorization)
        .with_x_timestamp(&args.timestamp)
        .with_body(&body);
    if let Some(content_type) = &args.content_type {
        request = request.with_content_type(content_type);
    }
    let verified = verifier
        .verify(request)
        .map_err(|error| rejection(error, &verifier, request))?;
    output::json(&VerifiedJson {
        kind: output::kind_name(CredentialKind::SignedRequest),
        claims: Claims {
            application_key: verified.application_key(),
            timestamp: rfc3339_seconds(verified.timestamp()),
        },
    })
}

#[derive(Serialize)]
struct VerifiedJson<'a> {
    kind: &'static str,
    claims: Claims<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Claims<'a> {
    application_key: &'a str,
    timestamp: String,
}

fn rejection(
    error: sinch_auth::Error,
    verifier: &CallbackVerifier,
    request: CallbackRequest<'_>,
) -> CliError {
    let hint = match error.kind() {
        // The string-to-sign holds no secret; showing it is what makes a
        // mismatch debuggable.
        ErrorKind::InvalidSignature(_) => Some(format!(
            "the string-to-sign checked was {:?}; compare it with the sender's \
             (method, body bytes, content type, x-timestamp and path must match exactly)",
            verifier.string_to_sign(request)
        )),
        ErrorKind::TimestampOutsideWindow { .. } => {
            Some("--now and --max-skew set the time and window checked against".to_owned())
        }
        ErrorKind::ApplicationKeyMismatch { .. } => Some(
            "the callback names another application; check SINCH_APPLICATION_KEY or --key"
                .to_owned(),
        ),
        _ => None,
    };
    let err = CliError::verification(error);
    match hint {
        Some(hint) => err.with_hint(hint),
        None => err,
    }
}
