//! `sinch-auth`: mint, verify and decode Sinch credentials from a shell.
//!
//! Parsing lives in [`cli`], each subcommand in [`commands`], and the
//! mapping from failures to exit codes in [`exit`].

#![forbid(unsafe_code)]

mod cli;
mod commands;
mod credentials;
mod exit;
mod input;
mod output;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with 2 (0 for --help/--version).
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.report(),
    }
}
