//! `sinch-auth accounts …`: account administration. Everything lives in
//! the service crate (the same database settings and rules as `serve`);
//! this shell only runs it and maps a failure to exit status 2.

use sinch_auth_service::accounts_cli::{AccountsArgs, run_accounts_blocking};

use crate::exit::CliError;

pub fn run(args: &AccountsArgs) -> Result<(), CliError> {
    run_accounts_blocking(args.clone()).map_err(|e| CliError::usage(e.to_string()))
}
