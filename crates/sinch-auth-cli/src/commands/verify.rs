//! `sinch-auth verify`: check a ticket or token and print its claims.

use std::time::Duration;

use clap::Args;
use serde::Serialize;
use sinch_auth::{CredentialKind, ErrorKind, VerifiedCredential, VerifyOptions, dangerous};
use time::OffsetDateTime;

use super::Context;
use crate::exit::CliError;
use crate::{cli, input, output};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The ticket or token; - reads it from stdin
    #[arg(value_name = "CREDENTIAL")]
    pub credential: String,

    /// Verify as of this time [default: now]
    #[arg(long, value_name = "RFC3339", value_parser = cli::timestamp)]
    pub now: Option<OffsetDateTime>,

    /// Clock-skew allowance in seconds, on both ends of the validity window
    #[arg(long, value_name = "SECS", default_value_t = VerifyOptions::DEFAULT_LEEWAY.as_secs())]
    pub leeway: u64,
}

pub fn run(args: &VerifyArgs, ctx: &Context) -> Result<(), CliError> {
    let credential = input::credential(&args.credential)?;
    let app = ctx.application()?;
    let mut options = VerifyOptions::default().with_leeway(Duration::from_secs(args.leeway));
    if let Some(now) = args.now {
        options = options.with_now(now);
    }
    let verified = app
        .verify(&credential, &options)
        .map_err(|error| rejection(error, &credential))?;

    match &verified {
        VerifiedCredential::UserTicket(v) => print_claims(CredentialKind::UserTicket, v.claims()),
        VerifiedCredential::RegistrationToken(v) => {
            print_claims(CredentialKind::RegistrationToken, v.claims())
        }
        _ => Err(CliError::usage(
            "this credential kind is not supported here",
        )),
    }
}

fn print_claims(kind: CredentialKind, claims: &impl Serialize) -> Result<(), CliError> {
    output::json(&VerifyJson {
        kind: output::kind_name(kind),
        claims,
    })
}

#[derive(Serialize)]
struct VerifyJson<'a, C: Serialize> {
    kind: &'static str,
    claims: &'a C,
}

fn rejection(error: sinch_auth::Error, credential: &str) -> CliError {
    let hint = match error.kind() {
        ErrorKind::InvalidSignature(_) => {
            Some("it was altered, or signed with another application secret")
        }
        ErrorKind::Expired { .. } | ErrorKind::NotYetValid { .. } => {
            Some("--now and --leeway set the time and clock skew checked against")
        }
        ErrorKind::Malformed { .. } if dangerous::detect(credential.trim()).is_none() => {
            Some("a user ticket looks like BASE64:BASE64, a registration token like AAA.BBB.CCC")
        }
        _ => None,
    };
    let err = CliError::verification(error);
    match hint {
        Some(hint) => err.with_hint(hint),
        None => err,
    }
}
