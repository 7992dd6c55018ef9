//! In a CLI built without the `serve` feature, `serve` and `healthcheck`
//! and `accounts` still parse (hidden), so that asking for them gets an explanation rather
//! than "unrecognized subcommand".

use std::ffi::OsString;

use clap::Args;

use crate::exit::CliError;

/// Whatever was passed after the command: not looked at.
#[derive(Debug, Args)]
pub struct AnyArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub ignored: Vec<OsString>,
}

pub fn run(command: &str) -> Result<(), CliError> {
    Err(CliError::usage(format!(
        "`sinch-auth {command}` is not in this build: it was compiled without the `serve` feature \
         (a minting-only CLI)"
    ))
    .with_hint("build with default features: cargo install --locked --path crates/sinch-auth-cli"))
}
