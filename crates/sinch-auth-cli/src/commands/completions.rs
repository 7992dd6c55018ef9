//! `sinch-auth completions SHELL`: the tab-completion script for a shell,
//! generated from the same clap definition that parses the command line, so
//! it can never list a flag the binary does not take.

use clap::{Args, CommandFactory as _};
use clap_complete::Shell;

use crate::cli::{BIN_NAME, Cli};
use crate::exit::CliError;
use crate::output;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs) -> Result<(), CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), BIN_NAME, &mut script);
    if args.shell == Shell::Bash {
        script = fix_hyphenated_bash_states(&script);
    }
    output::document(&script)
}

/// clap_complete's bash script (4.6) names the state of `sinch-auth X` two
/// ways: the word loop reaches `sinch__auth__subcmd__X`, the case arms say
/// `sinch__subcmd__auth__subcmd__X`, so no subcommand's flags ever complete
/// (clap-rs/clap#6421, open). Spell the arms the loop's way; a no-op once
/// upstream agrees with itself. The shell tests complete `token --u`.
fn fix_hyphenated_bash_states(script: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(script);
    let wrong = BIN_NAME.replace('-', "__subcmd__");
    let right = BIN_NAME.replace('-', "__");
    text.replace(&wrong, &right).into_bytes()
}
