//! Loading credentials from the process environment: the one place in this
//! crate that reads anything from outside (environment variables and, for
//! container secret mounts, one file). Everything else is pure.

use std::path::Path;

use crate::application::Application;
use crate::credentials::{ApplicationKey, ApplicationSecret};
use crate::error::{Error, ErrorKind};

/// Environment variable holding the application key.
pub const KEY_VAR: &str = "SINCH_APPLICATION_KEY";
/// Environment variable holding the base64 application secret.
pub const SECRET_VAR: &str = "SINCH_APPLICATION_SECRET";
/// Environment variable naming a file that holds the secret.
pub const SECRET_FILE_VAR: &str = "SINCH_APPLICATION_SECRET_FILE";

impl ApplicationSecret {
    /// Decodes a secret read from a file: exactly one trailing newline
    /// (`\n` or `\r\n`), as editors and `echo` add, is removed; anything
    /// else is decoded strictly.
    ///
    /// ```
    /// use sinch_auth::ApplicationSecret;
    /// assert!(ApplicationSecret::from_file_contents("ax8hTTQJF0OPXL32r1LHMA==\n").is_ok());
    /// assert!(ApplicationSecret::from_file_contents("ax8hTTQJF0OPXL32r1LHMA==\n\n").is_err());
    /// ```
    pub fn from_file_contents(contents: &str) -> Result<Self, Error> {
        let trimmed = contents
            .strip_suffix("\r\n")
            .or_else(|| contents.strip_suffix('\n'))
            .unwrap_or(contents);
        Self::from_base64(trimmed)
    }

    /// Reads and decodes a secret file (see
    /// [`from_file_contents`](Self::from_file_contents)).
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let contents = std::fs::read_to_string(path).map_err(|e| {
            Error::from(ErrorKind::UnreadableSecretFile {
                path: path.display().to_string(),
                reason: e.kind().to_string(),
            })
        })?;
        Self::from_file_contents(&contents)
    }
}

impl Application {
    /// Loads `SINCH_APPLICATION_KEY` and either `SINCH_APPLICATION_SECRET` or
    /// `SINCH_APPLICATION_SECRET_FILE` (not both) from the environment.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) over any variable lookup, for tests and
    /// for configuration layers that merge several sources.
    ///
    /// ```
    /// use sinch_auth::Application;
    /// let app = Application::from_vars(|name| match name {
    ///     "SINCH_APPLICATION_KEY" => Some("my-key".into()),
    ///     "SINCH_APPLICATION_SECRET" => Some("ax8hTTQJF0OPXL32r1LHMA==".into()),
    ///     _ => None,
    /// }).unwrap();
    /// assert_eq!(app.key().as_str(), "my-key");
    /// let err = Application::from_vars(|_| None).unwrap_err();
    /// assert!(err.to_string().contains("SINCH_APPLICATION_KEY"));
    /// ```
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let key = lookup(KEY_VAR)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ErrorKind::MissingSetting(format!("set {KEY_VAR}")))?;
        let key = ApplicationKey::new(key)?;
        let secret = match (
            lookup(SECRET_VAR).filter(|v| !v.is_empty()),
            lookup(SECRET_FILE_VAR).filter(|v| !v.is_empty()),
        ) {
            (Some(_), Some(_)) => {
                return Err(ErrorKind::MissingSetting(format!(
                    "set only one of {SECRET_VAR} and {SECRET_FILE_VAR}"
                ))
                .into());
            }
            (Some(secret), None) => ApplicationSecret::from_base64(&secret)?,
            (None, Some(path)) => ApplicationSecret::from_file(Path::new(&path))?,
            (None, None) => {
                return Err(ErrorKind::MissingSetting(format!(
                    "set {SECRET_VAR} or {SECRET_FILE_VAR}"
                ))
                .into());
            }
        };
        Ok(Application::new(key, secret))
    }
}
