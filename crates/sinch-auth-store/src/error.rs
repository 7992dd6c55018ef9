//! What can go wrong, sorted by what the caller should do about it.

use crate::connect::Backend;

/// An error from the store.
///
/// Callers branch on the variant (or on [`is_unavailable`](Self::is_unavailable)
/// and [`is_conflict`](Self::is_conflict)):
///
/// | variant | meaning | HTTP mapping in `sinch-auth serve` |
/// |---|---|---|
/// | [`UsernameTaken`](Self::UsernameTaken), [`CredentialsChanged`](Self::CredentialsChanged) | conflict with a concurrent or earlier write | 409 / 401 |
/// | [`Unavailable`](Self::Unavailable) | database down, unreachable, busy or full; retry later | 503 |
/// | [`InvalidInput`](Self::InvalidInput) | the caller passed something the store refuses | 400 |
/// | [`InvalidUrl`](Self::InvalidUrl), [`Migration`](Self::Migration), [`Database`](Self::Database) | configuration or internal problem | start-up failure / 500 |
///
/// Messages are built from the driver's own message and code only: values
/// (password hashes, token hashes) that PostgreSQL puts in an error's *detail*
/// never reach a `StoreError`, its `Display` or its `Debug`. Database URLs are
/// never echoed either, since they may carry a password.
///
/// ```
/// use sinch_auth_store::StoreError;
///
/// let err = StoreError::UsernameTaken;
/// assert!(err.is_conflict());
/// assert!(!err.is_unavailable());
/// assert_eq!(err.to_string(), "that username is already taken");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// `create_account`: another account already has this username.
    #[error("that username is already taken")]
    UsernameTaken,
    /// The account's password changed (or the account disappeared) after the
    /// caller read and verified it; the write was not made.
    #[error("the account's credentials changed since they were verified")]
    CredentialsChanged,
    /// The database cannot serve the request now (connection refused or lost,
    /// pool timeout, server shutting down, locked or full). The pool reconnects
    /// by itself once the database is back.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The caller passed a value the store refuses (for example an empty
    /// username or something that is not a PHC hash string).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The database URL cannot be used; the message explains why without
    /// repeating the URL.
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(String),
}

impl StoreError {
    /// True when retrying later may succeed: the service answers 503 and
    /// reports not ready.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }

    /// True when the request lost a race or collided with existing data.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::UsernameTaken | Self::CredentialsChanged)
    }

    /// Sorts a driver error into `Unavailable` or `Database`.
    pub(crate) fn from_sqlx(backend: Backend, err: sqlx::Error) -> Self {
        let message = describe(&err);
        if is_unavailable(backend, &err) {
            Self::Unavailable(message)
        } else {
            Self::Database(message)
        }
    }

    /// Like [`from_sqlx`](Self::from_sqlx), but a unique-constraint violation
    /// becomes `conflict`.
    pub(crate) fn from_sqlx_or_conflict(
        backend: Backend,
        err: sqlx::Error,
        conflict: Self,
    ) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => conflict,
            _ => Self::from_sqlx(backend, err),
        }
    }

    pub(crate) fn from_migrate(backend: Backend, err: sqlx::migrate::MigrateError) -> Self {
        use sqlx::migrate::MigrateError;
        match err {
            MigrateError::Execute(inner) => match Self::from_sqlx(backend, inner) {
                unavailable @ Self::Unavailable(_) => unavailable,
                other => Self::Migration(other.to_string()),
            },
            MigrateError::ExecuteMigration(inner, version) => match Self::from_sqlx(backend, inner)
            {
                unavailable @ Self::Unavailable(_) => unavailable,
                other => Self::Migration(format!("migration {version}: {other}")),
            },
            MigrateError::VersionMissing(version) => Self::Migration(format!(
                "the database has migration {version} applied, which this version of \
                 sinch-auth does not know: it was upgraded by a newer sinch-auth"
            )),
            MigrateError::VersionMismatch(version) => Self::Migration(format!(
                "migration {version} was applied with different contents than this \
                 version of sinch-auth ships"
            )),
            other => Self::Migration(other.to_string()),
        }
    }
}

/// The driver's message without any row values: for a database error only
/// the server's primary message and code, never PostgreSQL's *detail*
/// ("Failing row contains (…)", "Key (…)=(…) already exists").
fn describe(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => format!("{} (code {code})", db.message()),
            None => db.message().to_owned(),
        },
        other => other.to_string(),
    }
}

fn is_unavailable(backend: Backend, err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => match (backend, db.code()) {
            (Backend::Postgres, Some(code)) => postgres_code_is_unavailable(&code),
            (Backend::Sqlite, Some(code)) => sqlite_code_is_unavailable(&code),
            (_, None) => false,
        },
        _ => false,
    }
}

/// SQLSTATE codes that mean "not now" rather than "never".
fn postgres_code_is_unavailable(code: &str) -> bool {
    code.starts_with("08") // connection exception
        || code.starts_with("53") // insufficient resources: disk full, too many connections
        || code.starts_with("57P") // admin/crash shutdown, cannot connect now
        || code == "57014" // statement cancelled (timeout)
        || code == "40001" // serialization failure
        || code == "40P01" // deadlock detected
        || code == "25006" // read-only transaction: a standby during failover
}

/// SQLite reports extended result codes; the primary code is the low byte.
fn sqlite_code_is_unavailable(code: &str) -> bool {
    const BUSY: i32 = 5;
    const LOCKED: i32 = 6;
    const READONLY: i32 = 8;
    const IOERR: i32 = 10;
    const FULL: i32 = 13;
    const CANTOPEN: i32 = 14;
    code.parse::<i32>().is_ok_and(|extended| {
        matches!(
            extended & 0xff,
            BUSY | LOCKED | READONLY | IOERR | FULL | CANTOPEN
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_and_io_failures_are_unavailable() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for err in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(refused),
        ] {
            let store_err = StoreError::from_sqlx(Backend::Postgres, err);
            assert!(store_err.is_unavailable(), "{store_err}");
        }
        let decode = sqlx::Error::ColumnNotFound("x".into());
        assert!(!StoreError::from_sqlx(Backend::Sqlite, decode).is_unavailable());
    }

    #[test]
    fn postgres_codes() {
        for code in ["08006", "57P01", "57P03", "53300", "40001", "25006"] {
            assert!(postgres_code_is_unavailable(code), "{code}");
        }
        for code in ["23505", "23514", "28P01", "3D000", "42P01"] {
            assert!(!postgres_code_is_unavailable(code), "{code}");
        }
    }

    #[test]
    fn sqlite_extended_codes_use_their_primary_byte() {
        // SQLITE_BUSY_SNAPSHOT = 517, SQLITE_IOERR_FSYNC = 1034, SQLITE_CONSTRAINT_UNIQUE = 2067
        assert!(sqlite_code_is_unavailable("5"));
        assert!(sqlite_code_is_unavailable("517"));
        assert!(sqlite_code_is_unavailable("1034"));
        assert!(!sqlite_code_is_unavailable("2067"));
        assert!(!sqlite_code_is_unavailable("11")); // corrupt: not something to wait out
        assert!(!sqlite_code_is_unavailable("not a number"));
    }
}
