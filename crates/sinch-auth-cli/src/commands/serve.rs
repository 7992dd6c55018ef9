//! `sinch-auth serve`: the token service. Everything lives in the service
//! crate; this shell only runs it and maps its failure to an exit status.

use sinch_auth_service::cli::{ServeArgs, serve_blocking};

use super::Context;
use crate::exit::CliError;

/// Runs the service until SIGTERM or SIGINT. Bad configuration exits 2
/// with the service's message, which names the setting at fault; a failure
/// of the environment (a port in use, the database down) exits 1. Either is
/// reported once, here.
pub fn run(args: &ServeArgs, ctx: &Context) -> Result<(), CliError> {
    if ctx.has_credential_flags() {
        // The service takes its applications from its configuration (file
        // and environment), where several can be named; a flag that was
        // silently ignored would serve with other credentials than meant.
        return Err(CliError::usage(
            "serve does not take --key or --secret-file: set SINCH_APPLICATION_KEY and \
             SINCH_APPLICATION_SECRET_FILE (or the configuration file) instead",
        ));
    }
    serve_blocking(args.clone()).map_err(|e| {
        if e.is_usage() {
            CliError::usage(e.to_string())
        } else {
            CliError::runtime(e.to_string())
        }
    })
}
