//! A fresh, isolated database per test, for either backend, and the macro
//! that runs every case against both.

use sinch_auth_store::{Backend, PasswordHash, SessionTokenHash, Store, StoreOptions, sqlite_url};
use sqlx::Connection;
use time::OffsetDateTime;
use time::macros::datetime;

pub const POSTGRES_URL_VAR: &str = "SINCH_AUTH_TEST_POSTGRES_URL";

/// One empty database: a temporary SQLite file, or a PostgreSQL schema of its
/// own (selected through `search_path`) so tests run in parallel.
pub struct TestDatabase {
    backend: Backend,
    url: String,
    _dir: Option<tempfile::TempDir>,
    postgres_schema: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        // A directory that does not exist yet: connect must create it.
        let url = sqlite_url(&dir.path().join("not-yet").join("store.db"));
        Self {
            backend: Backend::Sqlite,
            url,
            _dir: Some(dir),
            postgres_schema: None,
        }
    }

    pub async fn postgres() -> Self {
        let base = postgres_base_url();
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&base)
            .await
            .unwrap_or_else(|err| panic!("cannot connect to {POSTGRES_URL_VAR}: {err}"));
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut admin)
            .await
            .expect("create test schema");
        admin.close().await.ok();
        let separator = if base.contains('?') { '&' } else { '?' };
        // application_name lets a test find (and terminate) only its own connections.
        let url = format!(
            "{base}{separator}options=-c%20search_path%3D{schema}&application_name={schema}"
        );
        Self {
            backend: Backend::Postgres,
            url,
            _dir: None,
            postgres_schema: Some((base, schema)),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The PostgreSQL `application_name` of this test's connections.
    pub fn postgres_application_name(&self) -> &str {
        &self.postgres_schema.as_ref().expect("PostgreSQL test").1
    }

    pub async fn open(&self) -> Store {
        self.open_with(StoreOptions::default()).await
    }

    pub async fn open_with(&self, options: StoreOptions) -> Store {
        Store::connect_with(&self.url, options)
            .await
            .unwrap_or_else(|err| panic!("connect to the {:?} test database: {err}", self.backend))
    }

    /// A raw connection to the base PostgreSQL database, for test set-up and sabotage.
    pub async fn postgres_admin(&self) -> sqlx::PgConnection {
        let (base, _) = self.postgres_schema.as_ref().expect("PostgreSQL test");
        sqlx::PgConnection::connect(base)
            .await
            .expect("admin connection")
    }

    /// Drops the PostgreSQL schema; a failing test leaves it for inspection.
    pub async fn cleanup(self) {
        if let Some((_, schema)) = &self.postgres_schema {
            let mut admin = self.postgres_admin().await;
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&mut admin)
                .await
                .expect("drop test schema");
        }
    }
}

/// Never a silent skip: an ignored PostgreSQL test run without a server fails.
pub fn postgres_base_url() -> String {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "{POSTGRES_URL_VAR} is not set: the PostgreSQL tests need a server. \
             Run `bash .ci/postgres.sh test`, which installs and starts one and runs them."
        ),
    }
}

/// The tests' "now": sessions are created and looked up relative to it.
pub const T0: OffsetDateTime = datetime!(2030-01-01 12:00:00 UTC);

/// The stored hash of a session token named `name`.
pub fn token(name: &str) -> SessionTokenHash {
    SessionTokenHash::of_token(name)
}

/// A syntactically valid PHC string, distinct per `tag`.
pub fn hash(tag: &str) -> PasswordHash {
    PasswordHash::new(format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ${tag}"))
        .expect("valid PHC")
}

/// `store_suite! { module: [case, …], … }` defines, for every `module::case`
/// (an `async fn(&TestDatabase)`), a test `sqlite::module::case` and a test
/// `postgres::module::case`, the latter ignored unless run by
/// `.ci/postgres.sh`.
#[macro_export]
macro_rules! store_suite {
    ($($module:ident: [$($case:ident),* $(,)?]),* $(,)?) => {
        mod sqlite {
            $(mod $module {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $case() {
                        let db = $crate::harness::TestDatabase::sqlite().await;
                        $crate::$module::$case(&db).await;
                        db.cleanup().await;
                    }
                )*
            })*
        }
        mod postgres {
            $(mod $module {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    #[ignore = "needs PostgreSQL: run by .ci/postgres.sh"]
                    async fn $case() {
                        let db = $crate::harness::TestDatabase::postgres().await;
                        $crate::$module::$case(&db).await;
                        db.cleanup().await;
                    }
                )*
            })*
        }
    };
}
