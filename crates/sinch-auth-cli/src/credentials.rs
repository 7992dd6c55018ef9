//! Loading the Sinch application for any command, from the global flags and
//! the environment. The rules themselves (which variables, trimming of secret
//! files, strict base64) are the core's; this file only lets flags win.

use std::path::Path;

use sinch_auth::{
    Application, ApplicationKey, ApplicationSecret, ErrorKind, KEY_VAR, SECRET_FILE_VAR, SECRET_VAR,
};

use crate::cli::CredentialArgs;
use crate::exit::CliError;

/// Loads the application from `--key`/`--secret-file`, falling back to the
/// process environment.
pub fn load(args: &CredentialArgs) -> Result<Application, CliError> {
    load_with(args, |name| std::env::var(name).ok())
}

/// [`load`] over any environment lookup.
fn load_with(
    args: &CredentialArgs,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Application, CliError> {
    let key_flag = args.key.clone();
    let loaded = match &args.secret_file {
        // The flag replaces both secret variables, so a stray
        // SINCH_APPLICATION_SECRET does not make the setup ambiguous.
        Some(path) => from_secret_file(key_flag.or_else(|| env(KEY_VAR)), path),
        None => Application::from_vars(|name| {
            if name == KEY_VAR {
                key_flag.clone().or_else(|| env(name))
            } else {
                env(name)
            }
        }),
    };
    loaded.map_err(|error| {
        if let ErrorKind::UnreadableSecretFile { path, reason } = error.kind() {
            if ApplicationSecret::from_base64(path).is_ok() {
                // `--secret-file "$SECRET"`: the "path" is the secret; never echo it.
                return CliError::usage(format!("cannot read the secret file: {reason}"))
                    .with_hint(format!(
                        "the path given looks like a secret itself; --secret-file and \
                         {SECRET_FILE_VAR} take the path of a file holding the secret"
                    ));
            }
        }
        let hint = match error.kind() {
            ErrorKind::MissingSetting(_) => Some(format!(
                "export {KEY_VAR} and {SECRET_FILE_VAR} (or {SECRET_VAR}), \
                 or pass --key KEY --secret-file PATH"
            )),
            ErrorKind::InvalidApplicationSecret(_) => Some(
                "the secret is the base64 text from the Sinch dashboard \
                 (e.g. 24 characters ending in ==), without quotes or spaces"
                    .to_owned(),
            ),
            _ => None,
        };
        let err = CliError::from(error);
        match hint {
            Some(hint) => err.with_hint(hint),
            None => err,
        }
    })
}

fn from_secret_file(key: Option<String>, path: &Path) -> Result<Application, sinch_auth::Error> {
    let key = key
        .filter(|k| !k.is_empty())
        .ok_or_else(|| ErrorKind::MissingSetting(format!("set {KEY_VAR} or pass --key")))?;
    let key = ApplicationKey::new(key)?;
    Ok(Application::new(key, ApplicationSecret::from_file(path)?))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::exit::Failure;

    const SECRET: &str = "ax8hTTQJF0OPXL32r1LHMA==";

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn flags(key: Option<&str>, secret_file: Option<&str>) -> CredentialArgs {
        CredentialArgs {
            key: key.map(str::to_owned),
            secret_file: secret_file.map(PathBuf::from),
        }
    }

    #[test]
    fn environment_alone_is_enough() {
        let env = env_of(&[(KEY_VAR, "env-key"), (SECRET_VAR, SECRET)]);
        let app = load_with(&flags(None, None), env).unwrap();
        assert_eq!(app.key().as_str(), "env-key");
    }

    #[test]
    fn key_flag_wins_over_the_environment() {
        let env = env_of(&[(KEY_VAR, "env-key"), (SECRET_VAR, SECRET)]);
        let app = load_with(&flags(Some("flag-key"), None), env).unwrap();
        assert_eq!(app.key().as_str(), "flag-key");
    }

    #[test]
    fn secret_file_flag_wins_over_both_secret_variables() {
        let dir = std::env::temp_dir().join(format!("sinch-auth-cli-cred-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("secret");
        std::fs::write(&path, format!("{SECRET}\n")).unwrap();
        // Both variables set would be an error on their own; the flag settles it.
        let env = env_of(&[
            (KEY_VAR, "env-key"),
            (SECRET_VAR, "not base64!"),
            (SECRET_FILE_VAR, "/nonexistent/secret"),
        ]);
        let result = load_with(&flags(None, Some(path.to_str().unwrap())), env);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(result.unwrap().key().as_str(), "env-key");
    }

    #[test]
    fn missing_key_with_secret_file_is_a_usage_error_with_a_hint() {
        let err = load_with(&flags(None, Some("/nonexistent")), env_of(&[])).unwrap_err();
        assert_eq!(err.failure(), Failure::Usage);
        assert!(err.hint().unwrap().contains("--key"));
    }

    #[test]
    fn a_secret_given_as_the_secret_file_path_is_not_echoed() {
        let err = load_with(&flags(Some("my-key"), Some(SECRET)), env_of(&[])).unwrap_err();
        assert_eq!(err.failure(), Failure::Usage);
        assert!(!err.message().contains(SECRET), "{}", err.message());
        assert!(err.hint().unwrap().contains("looks like a secret"));
    }

    #[test]
    fn nothing_configured_names_the_variables() {
        let err = load_with(&flags(None, None), env_of(&[])).unwrap_err();
        assert_eq!(err.failure(), Failure::Usage);
        assert!(err.hint().unwrap().contains(KEY_VAR));
    }
}
