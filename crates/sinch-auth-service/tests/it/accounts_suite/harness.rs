//! A fresh database per test (a temporary SQLite file, or a PostgreSQL
//! schema of its own), the service in accounts mode on it, and requests as
//! a browser on the service's own page would send them. Also used by the
//! accounts property test.

#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http::Request;
use sinch_auth_service::accounts::{Accounts, AccountsOptions, LoginLimits, SignupPolicy};
use sinch_auth_service::{Applications, ServiceOptions, TokenService};
use sinch_auth_store::StoreOptions;
use sqlx::Connection;

use crate::common::{Reply, app, send, unlimited};

pub const POSTGRES_URL_VAR: &str = "SINCH_AUTH_TEST_POSTGRES_URL";
/// The service's address as the requests name it.
pub const HOST: &str = "accounts.test";
pub const ORIGIN: &str = "http://accounts.test";
pub const PASSWORD: &str = "correct horse battery staple";

/// One empty database.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("accounts.db").display());
        TestDatabase {
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }

    pub async fn postgres() -> Self {
        let base = postgres_base_url();
        let schema = format!("svc_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES_URL_VAR}: {e}"));
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut admin)
            .await
            .expect("create the test schema");
        admin.close().await.ok();
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
        TestDatabase {
            url,
            _dir: None,
            postgres: Some((base, schema)),
        }
    }

    /// Drops the PostgreSQL schema (a failed test leaves it for inspection).
    pub async fn cleanup(self) {
        if let Some((base, schema)) = &self.postgres {
            let mut admin = sqlx::PgConnection::connect(base)
                .await
                .expect("admin connection");
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&mut admin)
                .await
                .expect("drop the test schema");
        }
    }
}

/// Never a silent skip: an ignored PostgreSQL test run without a server fails.
pub fn postgres_base_url() -> String {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "{POSTGRES_URL_VAR} is not set: the PostgreSQL tests need a server. \
             Run `bash .ci/postgres.sh test -p sinch-auth-service`, which starts one and runs them."
        ),
    }
}

/// Open sign-up, no login limits, secure cookies.
pub fn test_options() -> AccountsOptions {
    AccountsOptions::default()
        .with_signup(SignupPolicy::Open)
        .with_login_limits(LoginLimits::unlimited())
        .with_hashing_concurrency(2)
}

/// The service in accounts mode.
pub struct Harness {
    pub service: TokenService,
    pub accounts: Accounts,
    pub api: Router,
    pub admin: Router,
}

impl Harness {
    pub async fn start(db: &TestDatabase) -> Harness {
        Harness::start_with(db, test_options(), unlimited()).await
    }

    pub async fn start_with(
        db: &TestDatabase,
        options: AccountsOptions,
        service_options: ServiceOptions,
    ) -> Harness {
        let accounts = Accounts::connect(&db.url, StoreOptions::default(), options)
            .await
            .expect("open the test database");
        assert!(accounts.store().is_some(), "connected at once");
        Harness::on(accounts, service_options)
    }

    pub fn on(accounts: Accounts, service_options: ServiceOptions) -> Harness {
        let service = TokenService::new(
            Applications::single(app()),
            accounts.authenticator(),
            service_options,
        );
        Harness {
            api: accounts.router(&service),
            admin: service.admin_router(),
            service,
            accounts,
        }
    }

    pub async fn call(&self, request: Request<Body>) -> Reply {
        send(&self.api, request).await
    }

    pub async fn sign_up(&self, username: &str, password: &str) -> Reply {
        self.call(json_post("/v1/accounts", &credentials(username, password)))
            .await
    }

    pub async fn log_in(&self, username: &str, password: &str) -> Reply {
        self.call(json_post("/v1/login", &credentials(username, password)))
            .await
    }

    /// Signs up (if needed) and logs in; the session cookie (`name=value`).
    pub async fn session(&self, username: &str, password: &str) -> String {
        let signed_up = self.sign_up(username, password).await;
        assert!(
            signed_up.status == 201 || signed_up.status == 409,
            "{}",
            signed_up.text
        );
        let reply = self.log_in(username, password).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        session_cookie(&reply)
    }

    /// A credential request with a session cookie.
    pub async fn with_session(&self, path: &str, cookie: &str, body: &str) -> Reply {
        self.call(with_cookie(json_post(path, body), cookie)).await
    }
}

/// A username nobody else in the test database has.
pub fn user(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

pub fn credentials(username: &str, password: &str) -> String {
    serde_json::json!({"username": username, "password": password}).to_string()
}

/// A JSON POST as the page sends it: same-origin `Origin`, from 192.0.2.1.
pub fn json_post(path: &str, body: &str) -> Request<Body> {
    let mut request = Request::post(path)
        .header("host", HOST)
        .header("origin", ORIGIN)
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 1], 4000))));
    request
}

pub fn get_with_cookie(path: &str, cookie: &str) -> Request<Body> {
    let mut request = Request::get(path)
        .header("host", HOST)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 1], 4000))));
    request
}

pub fn with_cookie(mut request: Request<Body>, cookie: &str) -> Request<Body> {
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    request
}

pub fn with_header(mut request: Request<Body>, name: &'static str, value: &str) -> Request<Body> {
    request.headers_mut().insert(name, value.parse().unwrap());
    request
}

pub fn without_header(mut request: Request<Body>, name: &'static str) -> Request<Body> {
    request.headers_mut().remove(name);
    request
}

pub fn from_peer(mut request: Request<Body>, ip: IpAddr) -> Request<Body> {
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(ip, 4000)));
    request
}

/// `name=value` of the session cookie a login set, after checking its flags.
pub fn session_cookie(reply: &Reply) -> String {
    let set = reply
        .header("set-cookie")
        .unwrap_or_else(|| panic!("no Set-Cookie: {reply:?}"));
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(flag), "{flag} missing: {set}");
    }
    set.split(';').next().unwrap().to_owned()
}

/// `store_suite!`-style: each `module::case` (an `async fn(&TestDatabase)`)
/// becomes `sqlite::module::case` and an ignored `postgres::module::case`.
#[macro_export]
macro_rules! accounts_suite {
    ($($module:ident: [$($case:ident),* $(,)?]),* $(,)?) => {
        mod sqlite {
            $(mod $module {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $case() {
                        let db = $crate::accounts_suite::harness::TestDatabase::sqlite().await;
                        $crate::accounts_suite::$module::$case(&db).await;
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
                        let db = $crate::accounts_suite::harness::TestDatabase::postgres().await;
                        $crate::accounts_suite::$module::$case(&db).await;
                        db.cleanup().await;
                    }
                )*
            })*
        }
    };
}
