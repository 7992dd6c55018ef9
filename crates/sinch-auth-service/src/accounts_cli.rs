//! `sinch-auth accounts …`: account administration from a shell, on the
//! database `serve` uses (found the same way), while `serve` runs or not.
//! Passwords come from a prompt on the terminal (typed twice, not echoed)
//! or, with `--password-stdin`, from the first line of standard input;
//! never from the command line, which other local users can read.

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;

use serde_json::{Value, json};
use sinch_auth_store::{AccountSummary, Store, StoreOptions};
use zeroize::Zeroizing;

use crate::accounts::{AccountAdmin, AdminError};
use crate::config::{AdminSettings, CONFIG_VAR, ConfigError, Overrides};
use crate::telemetry::LogFilterError;

/// Arguments of `sinch-auth accounts`.
#[derive(Debug, Clone, clap::Args)]
pub struct AccountsArgs {
    /// TOML configuration file (its database_url and log settings are used).
    #[arg(long, env = CONFIG_VAR, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Accounts database, as for serve [default: $SINCH_AUTH_DATABASE_URL, then
    /// the configuration, then sqlite in the user's data directory].
    #[arg(long, value_name = "URL", global = true)]
    pub database_url: Option<String>,

    /// What to do.
    #[command(subcommand)]
    pub command: AccountsCommand,
}

/// One administrative action.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum AccountsCommand {
    /// Create an account (same rules as sign-up)
    Create {
        /// The username, which is the Sinch user id (A-Z a-z 0-9 - _ =)
        username: String,
        /// Read the password from the first line of standard input instead of prompting
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts
    List {
        /// One JSON array instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Show one account
    Show {
        /// The username
        username: String,
        /// A JSON object instead of lines
        #[arg(long)]
        json: bool,
    },
    /// Set a new password and sign out every session of the account
    SetPassword {
        /// The username
        username: String,
        /// Read the password from the first line of standard input instead of prompting
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account: its sessions end and its logins are refused
    Disable {
        /// The username
        username: String,
    },
    /// Enable a disabled account
    Enable {
        /// The username
        username: String,
    },
    /// Delete an account and its sessions
    Delete {
        /// The username
        username: String,
    },
    /// Sign out every session of an account (it may log in again)
    RevokeSessions {
        /// The username
        username: String,
    },
}

/// Why `sinch-auth accounts` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccountsCliError {
    /// The configuration (database URL, log settings) is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The action was refused or failed.
    #[error(transparent)]
    Admin(#[from] AdminError),
    /// No password could be read.
    #[error("{0}")]
    Password(String),
    /// Logging could not start.
    #[error(transparent)]
    Logging(#[from] LogFilterError),
    /// The runtime or standard output failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Longest password line read from standard input (the policy allows 128
/// characters; four bytes each at most).
const MAX_PASSWORD_LINE: u64 = 4 * 128 + 2;

/// Runs one command on a new single-threaded runtime, for a synchronous
/// `main`. Results go to standard output, audit lines to the log
/// (standard error).
pub fn run_accounts_blocking(args: AccountsArgs) -> Result<(), AccountsCliError> {
    let overrides = Overrides {
        database_url: args.database_url.clone(),
        ..Overrides::default()
    };
    let settings = AdminSettings::from_env(args.config.as_deref(), &overrides)?;
    crate::telemetry::init_logging(settings.log_format, &settings.log_level)?;
    // The password is asked for before connecting: a typo in the database
    // URL is reported after it, but nothing is half done.
    let password = match &args.command {
        AccountsCommand::Create { password_stdin, .. }
        | AccountsCommand::SetPassword { password_stdin, .. } => {
            Some(read_password(*password_stdin)?)
        }
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = Store::connect_with(settings.database_url.expose(), StoreOptions::default())
            .await
            .map_err(AdminError::Store)?;
        let admin = AccountAdmin::new(store);
        let result = run(&admin, args.command, password).await;
        admin.store().close().await;
        result
    })
}

async fn run(
    admin: &AccountAdmin,
    command: AccountsCommand,
    password: Option<Zeroizing<String>>,
) -> Result<(), AccountsCliError> {
    let password = || password.clone().unwrap_or_default();
    let out = &mut std::io::stdout().lock();
    match command {
        AccountsCommand::Create { username, .. } => {
            let created = admin.create(&username, password()).await?;
            writeln!(out, "created account {}", created.username)?;
        }
        AccountsCommand::List { json } => {
            let accounts = admin.list().await?;
            if json {
                let list: Vec<Value> = accounts.iter().map(as_json).collect();
                writeln!(out, "{}", Value::Array(list))?;
            } else {
                write_table(out, &accounts)?;
            }
        }
        AccountsCommand::Show { username, json } => {
            let account = admin.show(&username).await?;
            if json {
                writeln!(out, "{}", as_json(&account))?;
            } else {
                write_lines(out, &account)?;
            }
        }
        AccountsCommand::SetPassword { username, .. } => {
            let revoked = admin.set_password(&username, password()).await?;
            writeln!(
                out,
                "password of {username} set; {} session(s) signed out",
                revoked.sessions
            )?;
        }
        AccountsCommand::Disable { username } => {
            let revoked = admin.disable(&username).await?;
            writeln!(
                out,
                "disabled {username}; {} session(s) signed out",
                revoked.sessions
            )?;
        }
        AccountsCommand::Enable { username } => {
            admin.enable(&username).await?;
            writeln!(out, "enabled {username}")?;
        }
        AccountsCommand::Delete { username } => {
            let revoked = admin.delete(&username).await?;
            writeln!(
                out,
                "deleted {username}; {} session(s) signed out",
                revoked.sessions
            )?;
        }
        AccountsCommand::RevokeSessions { username } => {
            let revoked = admin.revoke_sessions(&username).await?;
            writeln!(
                out,
                "{} session(s) of {username} signed out",
                revoked.sessions
            )?;
        }
    }
    Ok(())
}

/// The new password: the first line of standard input, or typed twice at
/// a prompt on the terminal.
fn read_password(from_stdin: bool) -> Result<Zeroizing<String>, AccountsCliError> {
    if from_stdin {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin()
            .lock()
            .take(MAX_PASSWORD_LINE)
            .read_line(&mut line)
            .map_err(|e| AccountsCliError::Password(format!("cannot read stdin: {e}")))?;
        let password = line
            .strip_suffix("\r\n")
            .or_else(|| line.strip_suffix('\n'))
            .unwrap_or(&line);
        if password.is_empty() {
            return Err(AccountsCliError::Password(
                "standard input holds no password (one line expected)".into(),
            ));
        }
        return Ok(Zeroizing::new(password.to_owned()));
    }
    let no_terminal = |e: std::io::Error| {
        AccountsCliError::Password(format!(
            "cannot prompt for the password ({e}); pipe it with --password-stdin"
        ))
    };
    let first = Zeroizing::new(rpassword::prompt_password("New password: ").map_err(no_terminal)?);
    let again = Zeroizing::new(rpassword::prompt_password("Again: ").map_err(no_terminal)?);
    if first != again {
        return Err(AccountsCliError::Password(
            "the two passwords differ; nothing was changed".into(),
        ));
    }
    Ok(first)
}

fn time(at: Option<time::OffsetDateTime>) -> Value {
    at.map_or(Value::Null, |at| json!(sinch_auth::rfc3339_seconds(at)))
}

fn as_json(account: &AccountSummary) -> Value {
    json!({
        "username": account.username,
        "createdAt": time(Some(account.created_at)),
        "passwordChangedAt": time(Some(account.password_changed_at)),
        "lastLoginAt": time(account.last_login_at),
        "disabled": account.disabled_at.is_some(),
        "disabledAt": time(account.disabled_at),
        "liveSessions": account.live_sessions,
    })
}

fn text(at: Option<time::OffsetDateTime>) -> String {
    at.map_or_else(|| "-".to_owned(), sinch_auth::rfc3339_seconds)
}

fn status(account: &AccountSummary) -> &'static str {
    if account.disabled_at.is_some() {
        "disabled"
    } else {
        "enabled"
    }
}

fn write_table(out: &mut impl Write, accounts: &[AccountSummary]) -> std::io::Result<()> {
    let width = accounts
        .iter()
        .map(|a| a.username.len())
        .chain(["USERNAME".len()])
        .max()
        .unwrap_or(8);
    writeln!(
        out,
        "{:width$}  {:8}  {:>8}  {:20}  LAST LOGIN",
        "USERNAME", "STATUS", "SESSIONS", "CREATED"
    )?;
    for a in accounts {
        writeln!(
            out,
            "{:width$}  {:8}  {:>8}  {:20}  {}",
            a.username,
            status(a),
            a.live_sessions,
            text(Some(a.created_at)),
            text(a.last_login_at)
        )?;
    }
    Ok(())
}

fn write_lines(out: &mut impl Write, a: &AccountSummary) -> std::io::Result<()> {
    writeln!(out, "username:            {}", a.username)?;
    writeln!(out, "status:              {}", status(a))?;
    writeln!(out, "disabled at:         {}", text(a.disabled_at))?;
    writeln!(out, "created at:          {}", text(Some(a.created_at)))?;
    writeln!(
        out,
        "password changed at: {}",
        text(Some(a.password_changed_at))
    )?;
    writeln!(out, "last login at:       {}", text(a.last_login_at))?;
    writeln!(out, "live sessions:       {}", a.live_sessions)
}
