//! Database URLs: which backend, where, and how to name it in logs without
//! leaking a password.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use zeroize::Zeroizing;

use crate::StoreError;

/// A database URL, checked: `sqlite://PATH` or `postgres://…`. The text is
/// wiped from memory on drop, and `Debug` and [`redacted`](Self::redacted)
/// never show a password: the one redacting URL type of the project.
#[derive(Clone)]
pub struct DatabaseUrl {
    text: Zeroizing<String>,
    target: Target,
}

impl DatabaseUrl {
    /// Parses and checks `url` (surrounding whitespace ignored). Errors do
    /// not repeat the URL: it may carry a password.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let text = Zeroizing::new(url.trim().to_owned());
        let target = Target::parse(&text)?;
        Ok(DatabaseUrl { text, target })
    }

    /// The URL itself, to connect with.
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// Where the data lives, fit for a log line: no password.
    pub fn redacted(&self) -> String {
        self.target.redacted()
    }

    pub(crate) fn target(&self) -> &Target {
        &self.target
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// Which backend a URL names, and where.
#[derive(Clone)]
pub(crate) enum Target {
    Sqlite(PathBuf),
    Postgres(Box<PgConnectOptions>),
}

impl Target {
    /// Accepts `sqlite://PATH` (also `sqlite:PATH`; `sqlite:///abs/path` is
    /// absolute, `sqlite://rel/path` relative to the working directory) and
    /// `postgres://…` / `postgresql://…` with libpq-style parameters
    /// (`sslmode`, `application_name`, `options`, …).
    pub(crate) fn parse(url: &str) -> Result<Self, StoreError> {
        if let Some(rest) = url.strip_prefix("sqlite:") {
            return parse_sqlite_path(rest.strip_prefix("//").unwrap_or(rest)).map(Self::Sqlite);
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url).map_err(|err| {
                // The URL is not repeated: it may carry a password.
                StoreError::InvalidUrl(format!("not a usable PostgreSQL URL ({err})"))
            })?;
            return Ok(Self::Postgres(Box::new(options)));
        }
        Err(StoreError::InvalidUrl(
            "expected sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE".into(),
        ))
    }

    /// Where the data lives, fit for a log line: no password.
    pub(crate) fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(options) => {
                let database = options.get_database().unwrap_or("");
                let user = options.get_username();
                match options.get_socket() {
                    Some(socket) => {
                        format!("postgres://{user}@{}/{database}", socket.display())
                    }
                    None => format!(
                        "postgres://{user}@{}:{}/{database}",
                        options.get_host(),
                        options.get_port()
                    ),
                }
            }
        }
    }
}

fn parse_sqlite_path(path: &str) -> Result<PathBuf, StoreError> {
    if path.is_empty() {
        return Err(StoreError::InvalidUrl(
            "sqlite:// needs a file path, e.g. sqlite:///var/lib/sinch-auth/accounts.db".into(),
        ));
    }
    if path == ":memory:" || path.starts_with(":memory:") {
        return Err(StoreError::InvalidUrl(
            "in-memory SQLite would lose every account on restart; give a file path".into(),
        ));
    }
    if path.contains('?') {
        return Err(StoreError::InvalidUrl(
            "sqlite URLs take no ?options: sinch-auth sets WAL, synchronous=FULL, \
             foreign keys and the busy timeout itself"
                .into(),
        ));
    }
    Ok(PathBuf::from(path))
}

/// Where `sinch-auth serve` keeps its SQLite database unless told otherwise.
///
/// The per-user data directory, not the working directory, so the database (it
/// holds password hashes and the development secret) never lands inside a
/// source checkout where it could be committed, and `serve` finds the same
/// accounts wherever it is started from:
///
/// 1. `$XDG_DATA_HOME/sinch-auth/sinch-auth.db` when `XDG_DATA_HOME` is an absolute path;
/// 2. otherwise `$HOME/.local/share/sinch-auth/sinch-auth.db`;
/// 3. otherwise (Windows) `%LOCALAPPDATA%\sinch-auth\sinch-auth.db`;
/// 4. otherwise `./sinch-auth.db`.
///
/// `serve` prints the path it uses at start-up.
///
/// ```
/// let path = sinch_auth_store::default_database_path();
/// assert!(path.ends_with("sinch-auth.db"));
/// ```
pub fn default_database_path() -> PathBuf {
    default_database_path_from(|name| std::env::var_os(name).map(PathBuf::from))
}

/// [`default_database_path`] as a `sqlite://` URL for `Store::connect`.
///
/// ```
/// assert!(sinch_auth_store::default_database_url().starts_with("sqlite://"));
/// ```
pub fn default_database_url() -> String {
    sqlite_url(&default_database_path())
}

/// The `sqlite://` URL for a database file.
///
/// ```
/// use std::path::Path;
/// assert_eq!(
///     sinch_auth_store::sqlite_url(Path::new("/var/lib/sinch-auth/accounts.db")),
///     "sqlite:///var/lib/sinch-auth/accounts.db"
/// );
/// ```
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

const FILE_NAME: &str = "sinch-auth.db";
const DIR_NAME: &str = "sinch-auth";

fn default_database_path_from(var: impl Fn(&str) -> Option<PathBuf>) -> PathBuf {
    let usable = |name: &str| var(name).filter(|dir| dir.is_absolute());
    if let Some(data_home) = usable("XDG_DATA_HOME") {
        return data_home.join(DIR_NAME).join(FILE_NAME);
    }
    if let Some(home) = usable("HOME") {
        return home.join(".local/share").join(DIR_NAME).join(FILE_NAME);
    }
    if let Some(local) = usable("LOCALAPPDATA") {
        return local.join(DIR_NAME).join(FILE_NAME);
    }
    PathBuf::from(FILE_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(url: &str) -> PathBuf {
        match Target::parse(url) {
            Ok(Target::Sqlite(path)) => path,
            Ok(Target::Postgres(_)) => panic!("{url} parsed as PostgreSQL"),
            Err(err) => panic!("{url}: {err}"),
        }
    }

    #[test]
    fn sqlite_forms() {
        assert_eq!(
            path_of("sqlite:///var/lib/a.db"),
            Path::new("/var/lib/a.db")
        );
        assert_eq!(path_of("sqlite://data/a.db"), Path::new("data/a.db"));
        assert_eq!(path_of("sqlite:a.db"), Path::new("a.db"));
    }

    #[test]
    fn sqlite_refusals_explain_themselves() {
        for (url, hint) in [
            ("sqlite://", "needs a file path"),
            ("sqlite::memory:", "in-memory"),
            ("sqlite://a.db?mode=ro", "no ?options"),
            ("mysql://x", "expected sqlite://PATH"),
            ("", "expected sqlite://PATH"),
        ] {
            match Target::parse(url) {
                Err(StoreError::InvalidUrl(message)) => {
                    assert!(message.contains(hint), "{url}: {message}")
                }
                Err(other) => panic!("{url}: wrong error {other}"),
                Ok(_) => panic!("{url} was accepted"),
            }
        }
    }

    #[test]
    fn postgres_redaction_drops_the_password() {
        let url = "postgres://app:hunter2hunter2@db.internal:6543/accounts?sslmode=require";
        let parsed = Target::parse(url).unwrap();
        let shown = parsed.redacted();
        assert_eq!(shown, "postgres://app@db.internal:6543/accounts");
        assert!(!shown.contains("hunter2"));
    }

    #[test]
    fn bad_postgres_url_is_not_echoed() {
        let url = "postgres://app:hunter2hunter2@db:notaport/x";
        let err = Target::parse(url).err().expect("bad port accepted");
        let shown = format!("{err} {err:?}");
        assert!(matches!(err, StoreError::InvalidUrl(_)), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn default_path_prefers_xdg_then_home() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| PathBuf::from(value))
            }
        };
        assert_eq!(
            default_database_path_from(env(&[("XDG_DATA_HOME", "/x"), ("HOME", "/h")])),
            Path::new("/x/sinch-auth/sinch-auth.db")
        );
        assert_eq!(
            default_database_path_from(env(&[("XDG_DATA_HOME", "relative"), ("HOME", "/h")])),
            Path::new("/h/.local/share/sinch-auth/sinch-auth.db")
        );
        assert_eq!(
            default_database_path_from(env(&[])),
            Path::new("sinch-auth.db")
        );
    }
}
