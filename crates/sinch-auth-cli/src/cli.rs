//! The command line's shape: global credential flags and one subcommand.
//!
//! Each subcommand's own flags live beside its code in `commands/`; this file
//! only lists the subcommands. To add one, add a variant here and a line in
//! `commands::run`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use time::OffsetDateTime;

#[cfg(feature = "serve")]
use crate::commands::healthcheck;
#[cfg(feature = "simulate")]
use crate::commands::simulate;
#[cfg(not(feature = "serve"))]
use crate::commands::without_serve;
use crate::commands::{
    completions, decode, man, sign_request, ticket, token, verify, verify_callback,
};

/// The installed binary's name, as completion scripts and manual pages say it.
pub const BIN_NAME: &str = "sinch-auth";

/// Mint, verify and decode Sinch credentials.
///
/// Sinch credentials come from SINCH_APPLICATION_KEY plus either
/// SINCH_APPLICATION_SECRET or SINCH_APPLICATION_SECRET_FILE, or from
/// --key and --secret-file (flags win). No flag ever takes a secret's value.
///
/// Exit status: 0 success, 1 a credential failed verification (for
/// healthcheck: the service is not healthy), 2 usage or configuration error.
#[derive(Debug, Parser)]
#[command(name = BIN_NAME, version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub credentials: CredentialArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Where the Sinch application's key and secret come from. Global: accepted
/// before or after the subcommand.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Sinch application")]
pub struct CredentialArgs {
    /// Application key [default: $SINCH_APPLICATION_KEY]
    #[arg(long, global = true, value_name = "KEY")]
    pub key: Option<String>,

    /// File holding the base64 application secret; one trailing newline is
    /// ignored [default: $SINCH_APPLICATION_SECRET_FILE, or the secret itself
    /// in $SINCH_APPLICATION_SECRET]
    #[arg(long, global = true, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Mint a legacy user ticket (Sinch JavaScript SDK 1.x)
    Ticket(ticket::TicketArgs),
    /// Mint a registration token (current Sinch Voice & Video SDKs)
    Token(token::TokenArgs),
    /// Verify a ticket or registration token and print its claims as JSON
    Verify(verify::VerifyArgs),
    /// Print a ticket's or token's contents WITHOUT verifying them
    Decode(decode::DecodeArgs),
    /// Sign a REST request to Sinch: print its Authorization and x-timestamp headers
    SignRequest(sign_request::SignRequestArgs),
    /// Verify a callback Sinch signed with the application secret
    VerifyCallback(verify_callback::VerifyCallbackArgs),
    /// Run the token service: the HTTP endpoint apps call for credentials
    #[cfg(feature = "serve")]
    Serve(sinch_auth_service::cli::ServeArgs),
    /// Ask a running service's admin listener whether it is ready; exit 0 if
    /// so, 1 if not (container health checks)
    #[cfg(feature = "serve")]
    Healthcheck(healthcheck::HealthcheckArgs),
    /// Administer the accounts of accounts mode (create, list, disable, ...) on
    /// serve's database, while it runs or not
    #[cfg(feature = "serve")]
    Accounts(sinch_auth_service::accounts_cli::AccountsArgs),
    #[cfg(not(feature = "serve"))]
    #[command(hide = true, disable_help_flag = true)]
    Serve(without_serve::AnyArgs),
    #[cfg(not(feature = "serve"))]
    #[command(hide = true, disable_help_flag = true)]
    Healthcheck(without_serve::AnyArgs),
    #[cfg(not(feature = "serve"))]
    #[command(hide = true, disable_help_flag = true)]
    Accounts(without_serve::AnyArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff), or write one per command with --out-dir
    Man(man::ManArgs),
    /// Send a realistic, signed Sinch callback to your handler and check its answer
    #[cfg(feature = "simulate")]
    Simulate(simulate::SimulateArgs),
}

/// Value parser for time flags: RFC 3339 (`2026-11-28T08:00:00Z`); a
/// missing offset means UTC.
pub fn timestamp(text: &str) -> Result<OffsetDateTime, String> {
    sinch_auth::parse_timestamp(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn clap_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
