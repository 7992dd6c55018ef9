//! One module per subcommand. Every command has the same shape:
//! `pub fn run(args: &XArgs, ctx: &Context) -> Result<(), CliError>`,
//! writes its result with [`crate::output`] and reports failures as
//! [`CliError`].

#[cfg(feature = "serve")]
pub mod accounts;
pub mod completions;
pub mod decode;
#[cfg(feature = "serve")]
pub mod healthcheck;
pub mod man;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sign_request;
#[cfg(feature = "simulate")]
pub mod simulate;
pub mod ticket;
pub mod token;
pub mod verify;
pub mod verify_callback;
#[cfg(not(feature = "serve"))]
pub mod without_serve;

use sinch_auth::Application;

use crate::cli::{Cli, Command, CredentialArgs};
use crate::credentials;
use crate::exit::CliError;

/// What every command may need besides its own flags.
#[derive(Debug)]
pub struct Context {
    credentials: CredentialArgs,
}

impl Context {
    /// Whether `--key` or `--secret-file` was given on the command line.
    #[cfg(feature = "serve")]
    pub fn has_credential_flags(&self) -> bool {
        self.credentials.key.is_some() || self.credentials.secret_file.is_some()
    }

    /// Loads the Sinch application from the global flags and the
    /// environment. Commands that need no secret (decode) never call it, so
    /// they work without configuration.
    pub fn application(&self) -> Result<Application, CliError> {
        credentials::load(&self.credentials)
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let ctx = Context {
        credentials: cli.credentials,
    };
    match &cli.command {
        Command::Ticket(args) => ticket::run(args, &ctx),
        Command::Token(args) => token::run(args, &ctx),
        Command::Verify(args) => verify::run(args, &ctx),
        Command::Decode(args) => decode::run(args, &ctx),
        Command::SignRequest(args) => sign_request::run(args, &ctx),
        Command::VerifyCallback(args) => verify_callback::run(args, &ctx),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args, &ctx),
        #[cfg(feature = "serve")]
        Command::Healthcheck(args) => healthcheck::run(args),
        #[cfg(feature = "serve")]
        Command::Accounts(args) => accounts::run(args),
        #[cfg(not(feature = "serve"))]
        Command::Serve(_) => without_serve::run("serve"),
        #[cfg(not(feature = "serve"))]
        Command::Healthcheck(_) => without_serve::run("healthcheck"),
        #[cfg(not(feature = "serve"))]
        Command::Accounts(_) => without_serve::run("accounts"),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
        #[cfg(feature = "simulate")]
        Command::Simulate(args) => simulate::run(args, &ctx),
    }
}
