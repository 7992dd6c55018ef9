//! The `Store` handle: one connection pool, whichever backend.

use std::fmt;

use sqlx::{PgPool, SqlitePool};

use crate::StoreError;
use crate::connect::Backend;
use crate::migrations::LATEST_VERSION;

/// Accounts, sessions and development credentials in SQLite or PostgreSQL.
///
/// Cheap to clone (the clones share one pool). Open it with
/// [`Store::connect`]; every method is a single transaction.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sinch_auth_store::StoreError> {
/// # let dir = tempfile::tempdir().unwrap();
/// # let url = sinch_auth_store::sqlite_url(&dir.path().join("doc.db"));
/// use sinch_auth_store::{Backend, Store};
///
/// let store = Store::connect(&url).await?;
/// assert_eq!(store.backend(), Backend::Sqlite);
/// store.ping().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    location: String,
}

#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool. The SQL is written
/// once, portably (`$1` placeholders, types both backends share); the body is
/// compiled once per backend.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Connection counts, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolStatus {
    /// Open connections, idle or in use.
    pub open: u32,
    /// Open connections not in use.
    pub idle: u32,
}

impl Store {
    pub(crate) fn new(pool: Pool, location: String) -> Self {
        Self { pool, location }
    }

    /// Which database this store uses.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Where the data lives, for logs: `sqlite:///path/to/file.db` or
    /// `postgres://user@host:port/database`, never with a password.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Readiness check: takes a connection (reconnecting if needed) and runs a
    /// trivial query. Fails with [`StoreError::Unavailable`] while the
    /// database is down.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let one: i32 = on_pool!(self, pool => sqlx::query_scalar("SELECT 1").fetch_one(pool).await)
            .map_err(|err| self.error(err))?;
        debug_assert_eq!(one, 1);
        Ok(())
    }

    /// The newest migration applied to the database, and whether it is the
    /// newest this build knows (it always is after a successful `connect`,
    /// unless another instance changed the database since).
    pub async fn schema_version(&self) -> Result<SchemaVersion, StoreError> {
        const SQL: &str = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations";
        let applied: i64 = on_pool!(self, pool => sqlx::query_scalar(SQL).fetch_one(pool).await)
            .map_err(|err| self.error(err))?;
        Ok(SchemaVersion {
            applied,
            latest_known: LATEST_VERSION,
        })
    }

    /// Connection counts, for metrics.
    pub fn pool_status(&self) -> PoolStatus {
        let (open, idle) = on_pool!(self, pool => (pool.size(), pool.num_idle()));
        PoolStatus {
            open,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
        }
    }

    /// Closes every connection, waiting for those in use to be returned.
    /// Later operations fail with [`StoreError::Unavailable`].
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }

    pub(crate) fn error(&self, err: sqlx::Error) -> StoreError {
        StoreError::from_sqlx(self.backend(), err)
    }

    pub(crate) fn error_or_conflict(&self, err: sqlx::Error, conflict: StoreError) -> StoreError {
        StoreError::from_sqlx_or_conflict(self.backend(), err, conflict)
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// See [`Store::schema_version`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchemaVersion {
    /// Newest migration recorded in the database.
    pub applied: i64,
    /// Newest migration this build ships.
    pub latest_known: i64,
}

impl SchemaVersion {
    /// True when the database has exactly the migrations this build ships.
    pub fn is_current(&self) -> bool {
        self.applied == self.latest_known
    }
}
