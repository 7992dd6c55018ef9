//! `sinch-auth serve` as this crate's own binary: the same arguments, the
//! same entry point. The accounts process tests (tests/accounts_processes.rs)
//! run it, since a test can only find binaries of its own package.
//!
//! ```text
//! cargo run -p sinch-auth-service --example serve -- --caller-auth api-key
//! ```

use std::process::ExitCode;

use clap::Parser;
use sinch_auth_service::cli::{ServeArgs, serve_blocking};

/// Serve Sinch credentials over HTTP.
#[derive(Debug, Parser)]
#[command(name = "sinch-auth-serve", version)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
}

fn main() -> ExitCode {
    match serve_blocking(Cli::parse().serve) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sinch-auth serve: {e}");
            ExitCode::FAILURE
        }
    }
}
