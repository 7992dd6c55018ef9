//! `sinch-auth man`: the manual page, in roff, generated from the clap
//! definition (clap_mangen). To stdout: the page of `sinch-auth` itself;
//! with `--out-dir`: one page per command (`sinch-auth-ticket.1`, …).

use std::path::PathBuf;

use clap::{Args, CommandFactory as _};

use crate::cli::Cli;
use crate::exit::CliError;
use crate::output;

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write sinch-auth.1 and one page per command into DIR (created if
    /// missing) instead of printing the main page
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

pub fn run(args: &ManArgs) -> Result<(), CliError> {
    let command = Cli::command();
    match &args.out_dir {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|e| CliError::usage(format!("cannot render the manual page: {e}")))?;
            output::document(&page)
        }
        Some(dir) => {
            let cannot = |e: std::io::Error| {
                CliError::usage(format!(
                    "cannot write manual pages to {}: {e}",
                    dir.display()
                ))
            };
            std::fs::create_dir_all(dir).map_err(cannot)?;
            clap_mangen::generate_to(command, dir).map_err(cannot)?;
            output::line(&dir.display().to_string())
        }
    }
}
