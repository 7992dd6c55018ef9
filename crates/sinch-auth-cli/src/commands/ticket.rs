//! `sinch-auth ticket`: mint a legacy user ticket (FORMATS §1).

use std::time::Duration;

use clap::{Args, ValueEnum};
use serde::Serialize;
use sinch_auth::{ErrorKind, IdentityType, TicketBuilder};
use time::OffsetDateTime;

use super::Context;
use crate::cli;
use crate::exit::CliError;
use crate::output;

#[derive(Debug, Args)]
pub struct TicketArgs {
    /// The user id the SDK runs as (identity.endpoint); kept exactly, spaces included
    #[arg(long, value_name = "ID")]
    pub user: String,

    /// Identity type
    #[arg(long = "type", value_name = "TYPE", value_enum, default_value_t = IdentityArg::Username)]
    pub identity_type: IdentityArg,

    /// Lifetime in seconds, 1 to 2147483647
    #[arg(long, value_name = "SECS", default_value_t = TicketBuilder::DEFAULT_EXPIRES_IN.as_secs())]
    pub expires_in: u64,

    /// Creation time, e.g. 2026-11-28T08:00:00Z [default: now]
    #[arg(long, value_name = "RFC3339", value_parser = cli::timestamp)]
    pub created: Option<OffsetDateTime>,

    /// Print {"userTicket": "..."}, the object the JS SDK's start() takes
    #[arg(long)]
    pub json: bool,
}

/// `identity.type`, as clap sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IdentityArg {
    /// A user name (the only type the JS SDK takes its user id from)
    Username,
    /// An e-mail address
    Email,
    /// An E.164 phone number, + then 1 to 15 digits
    Number,
}

impl From<IdentityArg> for IdentityType {
    fn from(arg: IdentityArg) -> Self {
        match arg {
            IdentityArg::Username => IdentityType::Username,
            IdentityArg::Email => IdentityType::Email,
            IdentityArg::Number => IdentityType::Number,
        }
    }
}

pub fn run(args: &TicketArgs, ctx: &Context) -> Result<(), CliError> {
    let app = ctx.application()?;
    let mut builder = app
        .user_ticket(args.user.as_str())
        .with_identity_type(args.identity_type.into())
        .with_expires_in(Duration::from_secs(args.expires_in));
    if let Some(created) = args.created {
        builder = builder.with_created(created);
    }
    let ticket = builder.mint().map_err(|error| {
        let hint = match (error.kind(), args.identity_type) {
            (ErrorKind::InvalidUserId(_), IdentityArg::Number) => {
                Some("--type number takes E.164: + then 1 to 15 digits, e.g. +46700000000")
            }
            (ErrorKind::InvalidUserId(_), IdentityArg::Email) => {
                Some("--type email takes one address such as alice@example.com")
            }
            _ => None,
        };
        let err = CliError::from(error);
        match hint {
            Some(hint) => err.with_hint(hint),
            None => err,
        }
    })?;

    if args.json {
        output::json(&TicketJson {
            user_ticket: ticket.as_str(),
        })
    } else {
        output::line(ticket.as_str())
    }
}

/// Exactly the object `sinchClient.start()` takes: nothing else in it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TicketJson<'a> {
    user_ticket: &'a str,
}
