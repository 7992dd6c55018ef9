//! Opening a database: pool settings, SQLite durability settings, migrations.

use std::path::Path;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::StoreError;
use crate::migrations::migrator;
use crate::store::{Pool, Store};
use crate::url::{DatabaseUrl, Target};

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// An embedded SQLite file (the default).
    Sqlite,
    /// A PostgreSQL server shared by several instances.
    Postgres,
}

/// Tuning for [`Store::connect_with`]. The defaults suit `sinch-auth serve`.
///
/// ```
/// use std::time::Duration;
/// use sinch_auth_store::StoreOptions;
///
/// let options = StoreOptions::default()
///     .with_max_connections(20)
///     .with_acquire_timeout(Duration::from_secs(2));
/// assert_eq!(options.max_connections(), Some(20));
/// ```
#[derive(Debug, Clone)]
pub struct StoreOptions {
    max_connections: Option<u32>,
    acquire_timeout: Duration,
    busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: None,
            acquire_timeout: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// SQLite serializes writers, and readers do not need many connections on a
/// small machine; every SQLite connection is also a thread.
const SQLITE_DEFAULT_MAX_CONNECTIONS: u32 = 4;
const POSTGRES_DEFAULT_MAX_CONNECTIONS: u32 = 10;
/// Two processes opening the same fresh SQLite file race twice: on the
/// switch to WAL, which answers "database is locked" at once rather than
/// after the busy timeout, and on the first migration (SQLite has no
/// advisory lock). The loser tries again and finds the work done.
const SQLITE_OPEN_ATTEMPTS: u32 = 3;

impl StoreOptions {
    /// Largest number of open connections. Default: 4 for SQLite, 10 for PostgreSQL.
    pub fn with_max_connections(mut self, max: u32) -> Self {
        self.max_connections = Some(max.max(1));
        self
    }

    /// How long an operation waits for a connection (including reconnecting to
    /// a database that refuses connections) before failing with
    /// [`StoreError::Unavailable`]. Default: 5 s.
    pub fn with_acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// SQLite only: how long a write waits for another writer's lock before
    /// failing with [`StoreError::Unavailable`]. Default: 5 s.
    pub fn with_busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// The configured connection limit, if one was set.
    pub fn max_connections(&self) -> Option<u32> {
        self.max_connections
    }
}

impl Store {
    /// Opens `url` with default [`StoreOptions`], creating and migrating the
    /// database as needed. See [`connect_with`](Self::connect_with).
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Self::connect_with(url, StoreOptions::default()).await
    }

    /// Opens a database and brings its schema up to date.
    ///
    /// - `sqlite://PATH`: creates the parent directory (mode 0700) and the file
    ///   (mode 0600: it holds password hashes) when missing. Every connection
    ///   uses WAL, `synchronous=FULL`, foreign keys and `busy_timeout`.
    ///   `synchronous=FULL` makes every commit fsync the WAL before returning,
    ///   so an acknowledged sign-up survives not only `kill -9` (which
    ///   `NORMAL` already survives, since the WAL write precedes the reply) but
    ///   also a power cut or kernel crash, which `NORMAL` may roll back. The
    ///   cost, one fsync per write transaction, is small next to the Argon2id
    ///   hash computed for each sign-up and login.
    /// - `postgres://…`: a pool of TCP connections; migrations run under
    ///   PostgreSQL's advisory lock, so instances starting together apply
    ///   them once.
    ///
    /// Connections are checked before use and replaced when broken, so the
    /// store recovers by itself after the database restarts.
    ///
    /// Fails with [`StoreError::Unavailable`] when the database cannot be
    /// reached within the acquire timeout, [`StoreError::InvalidUrl`] for a
    /// URL it cannot use and [`StoreError::Migration`] when the schema is
    /// newer than this version knows.
    pub async fn connect_with(url: &str, options: StoreOptions) -> Result<Store, StoreError> {
        let url = DatabaseUrl::parse(url)?;
        let location = url.redacted();
        match url.target() {
            Target::Sqlite(path) => connect_sqlite(path, &options, location).await,
            Target::Postgres(pg) => connect_postgres((**pg).clone(), &options, location).await,
        }
    }
}

async fn connect_sqlite(
    path: &Path,
    options: &StoreOptions,
    location: String,
) -> Result<Store, StoreError> {
    let backend = Backend::Sqlite;
    prepare_sqlite_file(path)?;
    let connect_options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(options.busy_timeout);
    let pool_options = SqlitePoolOptions::new()
        .max_connections(
            options
                .max_connections
                .unwrap_or(SQLITE_DEFAULT_MAX_CONNECTIONS),
        )
        .acquire_timeout(options.acquire_timeout);
    let migrator = migrator().await?;
    let mut attempt = 1;
    loop {
        // What another process opening the file at the same moment can
        // cause (a busy answer, a migration it ran first); any other
        // failure is returned at once.
        let race = match pool_options
            .clone()
            .connect_with(connect_options.clone())
            .await
        {
            Err(err) if is_sqlite_busy(&err) => StoreError::from_sqlx(backend, err),
            Err(err) => return Err(StoreError::from_sqlx(backend, err)),
            Ok(pool) => match migrator.run(&pool).await {
                Ok(()) => return Ok(Store::new(Pool::Sqlite(pool), location)),
                Err(err) => {
                    pool.close().await;
                    StoreError::from_migrate(backend, err)
                }
            },
        };
        if attempt == SQLITE_OPEN_ATTEMPTS {
            return Err(race);
        }
        attempt += 1;
        tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
    }
}

async fn connect_postgres(
    mut connect_options: sqlx::postgres::PgConnectOptions,
    options: &StoreOptions,
    location: String,
) -> Result<Store, StoreError> {
    let backend = Backend::Postgres;
    if connect_options.get_application_name().is_none() {
        connect_options = connect_options.application_name("sinch-auth");
    }
    let pool = PgPoolOptions::new()
        .max_connections(
            options
                .max_connections
                .unwrap_or(POSTGRES_DEFAULT_MAX_CONNECTIONS),
        )
        .acquire_timeout(options.acquire_timeout)
        .test_before_acquire(true)
        .connect_with(connect_options)
        .await
        .map_err(|err| StoreError::from_sqlx(backend, err))?;
    if let Err(err) = migrator().await?.run(&pool).await {
        pool.close().await;
        return Err(StoreError::from_migrate(backend, err));
    }
    Ok(Store::new(Pool::Postgres(pool), location))
}

/// SQLITE_BUSY, "database is locked" (extended codes keep it in the low byte).
fn is_sqlite_busy(err: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = err else {
        return false;
    };
    db.code()
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| code & 0xff == 5)
}

/// Creates what SQLite would otherwise create with the process umask
/// (typically world-readable). SQLite gives the `-wal` and `-shm` files the
/// database file's permissions.
fn prepare_sqlite_file(path: &Path) -> Result<(), StoreError> {
    let cannot = |what: &str, err: std::io::Error| {
        StoreError::Database(format!("cannot {what} {}: {err}", path.display()))
    };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .map_err(|err| cannot("create the directory for", err))?;
    }
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    match file.open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(cannot("create", err)),
    }
}
