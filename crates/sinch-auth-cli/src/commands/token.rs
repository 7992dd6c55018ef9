//! `sinch-auth token`: mint a registration token (FORMATS §2).

use std::time::Duration;

use clap::Args;
use serde::Serialize;
use sinch_auth::{ErrorKind, TokenBuilder, encode_user_id_for_token, rfc3339_seconds};
use time::OffsetDateTime;

use super::Context;
use crate::cli;
use crate::exit::CliError;
use crate::output;

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The user id (1-255 of A-Z a-z 0-9 - _ =; see --encode-user-id)
    #[arg(long, value_name = "ID")]
    pub user: String,

    /// Lifetime in seconds, 60 to 86400
    #[arg(long, value_name = "SECS", default_value_t = TokenBuilder::DEFAULT_TTL.as_secs())]
    pub ttl: u64,

    /// Also end the device registration this many seconds after issue
    /// (sinch:rtc:instance:exp), at least 172800 (48 h)
    #[arg(long, value_name = "SECS")]
    pub instance_ttl: Option<u64>,

    /// Issue time (iat); its UTC date picks the signing key [default: now]
    #[arg(long, value_name = "RFC3339", value_parser = cli::timestamp)]
    pub now: Option<OffsetDateTime>,

    /// The nonce [default: a random UUIDv4]; fix it only for reproducible tests
    #[arg(long, value_name = "STR")]
    pub nonce: Option<String>,

    /// Use base64url(ID) as the user id, for ids outside the token alphabet
    /// (e-mail addresses, non-ASCII); encode it the same way everywhere
    #[arg(long)]
    pub encode_user_id: bool,

    /// Print {"token", "userId", "expiresAt", "expiresIn"} as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &TokenArgs, ctx: &Context) -> Result<(), CliError> {
    let user_id = if args.encode_user_id {
        encode_user_id_for_token(&args.user)?
    } else {
        args.user.clone()
    };
    let app = ctx.application()?;
    let mut builder = app
        .registration_token(user_id.as_str())
        .with_ttl(Duration::from_secs(args.ttl));
    if let Some(secs) = args.instance_ttl {
        builder = builder.with_instance_ttl(Duration::from_secs(secs));
    }
    if let Some(now) = args.now {
        builder = builder.with_issued_at(now);
    }
    if let Some(nonce) = &args.nonce {
        builder = builder.with_nonce(nonce.as_str());
    }
    let token = builder.mint().map_err(|error| {
        let bad_user_id = matches!(error.kind(), ErrorKind::InvalidUserId(_));
        let err = CliError::from(error);
        if bad_user_id && !args.encode_user_id {
            err.with_hint(
                "pass --encode-user-id to use base64url(ID) instead, \
                 and encode the id the same way wherever it is used",
            )
        } else {
            err
        }
    })?;

    if args.json {
        output::json(&TokenJson {
            token: token.as_str(),
            user_id: &user_id,
            expires_at: rfc3339_seconds(token.expires_at()),
            expires_in: (token.expires_at() - token.issued_at()).whole_seconds(),
        })
    } else {
        output::line(token.as_str())
    }
}

/// The same fields as the token service's `POST /v1/registration-tokens`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenJson<'a> {
    token: &'a str,
    user_id: &'a str,
    expires_at: String,
    expires_in: i64,
}
