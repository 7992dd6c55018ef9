//! `sinch-auth decode`: show what a ticket or token says, without checking it.

use clap::Args;
use serde::Serialize;
use serde_json::Value;
use sinch_auth::dangerous::decode_without_verification;

use super::Context;
use crate::exit::CliError;
use crate::{input, output};

/// Printed on stderr every time, before anything else, so that nobody
/// mistakes decoded contents for checked ones.
pub const WARNING: &str = "NOT VERIFIED: decoded without checking the signature, \
                           application key or expiry; do not trust these contents";

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The ticket or token; - reads it from stdin
    #[arg(value_name = "CREDENTIAL")]
    pub credential: String,
}

pub fn run(args: &DecodeArgs, _ctx: &Context) -> Result<(), CliError> {
    let credential = input::credential(&args.credential)?;
    output::warn(WARNING);
    let decoded = decode_without_verification(&credential).map_err(CliError::verification)?;
    output::json(&DecodeJson {
        kind: output::kind_name(decoded.kind()),
        header: decoded.header(),
        payload: decoded.payload_unverified(),
    })
}

/// `header` is null for user tickets, which have none.
#[derive(Serialize)]
struct DecodeJson<'a> {
    kind: &'static str,
    header: Option<&'a Value>,
    payload: &'a Value,
}
