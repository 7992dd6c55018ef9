//! Accounts-mode configuration: development defaults, production rules,
//! the database URL, sign-up policies, and the throw-away development
//! application kept in the database.

use crate::common;

use std::collections::HashMap;

use common::*;
use sinch_auth::VerifyOptions;
use sinch_auth_service::TicketRequest;
use sinch_auth_service::accounts::{DEVELOPMENT_KEY_PREFIX, SignupPolicy};
use sinch_auth_service::caller::{Caller, Via};
use sinch_auth_service::config::{CallerAuthMode, ConfigError, Environment, Overrides, Settings};

struct Env(HashMap<&'static str, String>);

impl Env {
    /// Accounts mode on a fresh SQLite file, no Sinch credentials.
    fn fresh(dir: &tempfile::TempDir) -> Env {
        let mut m = HashMap::new();
        m.insert(
            "SINCH_AUTH_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("accounts.db").display()),
        );
        Env(m)
    }
    fn with_credentials(self) -> Env {
        self.set("SINCH_APPLICATION_KEY", APP_KEY)
            .set("SINCH_APPLICATION_SECRET", APP_SECRET)
    }
    fn set(mut self, k: &'static str, v: impl Into<String>) -> Env {
        self.0.insert(k, v.into());
        self
    }
    fn load(&self) -> Result<Settings, ConfigError> {
        self.load_with(&Overrides::default())
    }
    fn load_with(&self, overrides: &Overrides) -> Result<Settings, ConfigError> {
        Settings::load(None, &|k| self.0.get(k).cloned(), overrides)
    }
}

fn error_of(result: Result<Settings, ConfigError>) -> String {
    result.expect_err("should be refused").to_string()
}

#[test]
fn development_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let s = Env::fresh(&dir).load().unwrap();
    assert_eq!(s.caller_auth, CallerAuthMode::Accounts);
    assert_eq!(s.environment, Environment::Development);
    assert!(s.applications.is_none(), "credentials will be generated");
    let accounts = s.accounts.unwrap();
    assert!(matches!(accounts.options.signup, SignupPolicy::Open));
    assert!(accounts.options.secure_cookies);
    assert_eq!(accounts.options.session_ttl.as_secs(), 12 * 3600);
    assert_eq!(accounts.options.session_cache.as_millis(), 1000);
    let limits = accounts.options.login_limits;
    assert_eq!(limits.per_ip.unwrap().per_minute.get(), 30);
    assert_eq!(limits.per_username.unwrap().burst.get(), 20);
    assert_eq!(limits.failures_per_network.unwrap().burst.get(), 5);
    assert_eq!(limits.failures_per_network.unwrap().per_minute.get(), 1);
    assert_eq!(accounts.options.max_waiting_hashes, 64);
    assert_eq!(accounts.options.public_origin, None);
    assert!(accounts.database_url.expose().ends_with("accounts.db"));

    // Without a URL: the store's default path in the user's data directory.
    let s = Env(HashMap::new()).load().unwrap();
    assert_eq!(
        s.accounts.unwrap().database_url.expose(),
        sinch_auth_store::default_database_url()
    );
}

#[test]
fn production_needs_real_credentials_and_secure_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let err = error_of(Env::fresh(&dir).set("SINCH_AUTH_ENV", "production").load());
    assert!(err.contains("SINCH_APPLICATION_KEY"), "{err}");
    assert!(err.contains("production"), "{err}");

    let prod = || {
        Env::fresh(&dir)
            .with_credentials()
            .set("SINCH_AUTH_ENV", "production")
    };
    let err = error_of(prod().set("SINCH_AUTH_SECURE_COOKIES", "false").load());
    assert!(
        err.contains("accounts.secure_cookies (SINCH_AUTH_SECURE_COOKIES)"),
        "{err}"
    );
    // Sign-up is closed unless configured; configuring it open is allowed.
    let s = prod().load().unwrap();
    assert_eq!(s.environment, Environment::Production);
    assert!(matches!(
        s.accounts.unwrap().options.signup,
        SignupPolicy::Closed
    ));
    // So is development with real credentials: open only with the
    // throw-away application.
    let s = Env::fresh(&dir).with_credentials().load().unwrap();
    assert!(matches!(
        s.accounts.unwrap().options.signup,
        SignupPolicy::Closed
    ));
    let s = prod().set("SINCH_AUTH_SIGNUP", "open").load().unwrap();
    assert!(matches!(
        s.accounts.unwrap().options.signup,
        SignupPolicy::Open
    ));
    // Development may use plain-HTTP cookies.
    let s = Env::fresh(&dir)
        .set("SINCH_AUTH_SECURE_COOKIES", "false")
        .load()
        .unwrap();
    assert!(!s.accounts.unwrap().options.secure_cookies);

    let err = error_of(Env::fresh(&dir).set("SINCH_AUTH_ENV", "staging").load());
    assert!(err.contains("environment (SINCH_AUTH_ENV)"), "{err}");
    let err = error_of(
        Env::fresh(&dir)
            .set("SINCH_AUTH_SESSION_CACHE_MS", "60001")
            .load(),
    );
    assert!(
        err.contains("accounts.session_cache_ms (SINCH_AUTH_SESSION_CACHE_MS)"),
        "{err}"
    );
    let err = error_of(
        Env::fresh(&dir)
            .set("SINCH_AUTH_SESSION_TTL_SECS", "30")
            .load(),
    );
    assert!(
        err.contains("accounts.session_ttl_secs (SINCH_AUTH_SESSION_TTL_SECS)"),
        "{err}"
    );
}

#[test]
fn half_configured_credentials_are_an_error_not_a_reason_to_generate() {
    let dir = tempfile::tempdir().unwrap();
    let err = error_of(
        Env::fresh(&dir)
            .set("SINCH_APPLICATION_KEY", APP_KEY)
            .load(),
    );
    assert!(err.contains("SINCH_APPLICATION_SECRET"), "{err}");
    let err = error_of(
        Env::fresh(&dir)
            .set("SINCH_APPLICATION_SECRET", APP_SECRET)
            .load(),
    );
    assert!(err.contains("SINCH_APPLICATION_KEY"), "{err}");
}

#[test]
fn sign_up_policies() {
    let dir = tempfile::tempdir().unwrap();
    let err = error_of(
        Env::fresh(&dir)
            .set("SINCH_AUTH_SIGNUP", "admin-key")
            .load(),
    );
    assert!(err.contains("accounts.admin_keys"), "{err}");
    assert!(err.contains("SINCH_AUTH_SIGNUP_ADMIN_KEYS"), "{err}");
    let s = Env::fresh(&dir)
        .set("SINCH_AUTH_SIGNUP", "admin-key")
        .set("SINCH_AUTH_SIGNUP_ADMIN_KEYS", "admin-key-0123456789abcdef")
        .load()
        .unwrap();
    match s.accounts.unwrap().options.signup {
        SignupPolicy::AdminKey(keys) => {
            assert_eq!(
                keys.check("admin-key-0123456789abcdef").as_deref(),
                Some("env-1")
            )
        }
        other => panic!("{other:?}"),
    }
    let err = error_of(
        Env::fresh(&dir)
            .set("SINCH_AUTH_SIGNUP", "sometimes")
            .load(),
    );
    assert!(err.contains("accounts.signup (SINCH_AUTH_SIGNUP)"), "{err}");
    let err = error_of(
        Env::fresh(&dir)
            .set("SINCH_AUTH_SIGNUP", "admin-key")
            .set("SINCH_AUTH_SIGNUP_ADMIN_KEYS", "short")
            .load(),
    );
    assert!(
        err.contains("SINCH_AUTH_SIGNUP_ADMIN_KEYS") && !err.contains("short\""),
        "{err}"
    );
}

#[test]
fn database_urls_are_checked_and_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let err = error_of(
        Env::fresh(&dir)
            .set(
                "SINCH_AUTH_DATABASE_URL",
                "mysql://root:hunter2hunter2@db/x",
            )
            .load(),
    );
    assert!(
        err.contains("database_url (SINCH_AUTH_DATABASE_URL)"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");

    let pg = "postgres://app:hunter2hunter2@db.internal:5432/accounts";
    let s = Env::fresh(&dir)
        .set("SINCH_AUTH_DATABASE_URL", pg)
        .load()
        .unwrap();
    let debug = format!("{s:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("db.internal"), "{debug}");

    // The flag wins; a *_FILE variable works for mounted secrets.
    let flag = Overrides::default()
        .with_database_url(format!("sqlite://{}", dir.path().join("flag.db").display()));
    let s = Env::fresh(&dir).load_with(&flag).unwrap();
    assert!(
        s.accounts
            .unwrap()
            .database_url
            .expose()
            .ends_with("flag.db")
    );
    let file = dir.path().join("url");
    std::fs::write(&file, format!("{pg}\n")).unwrap();
    let s = Env(HashMap::new())
        .set("SINCH_AUTH_DATABASE_URL_FILE", file.to_str().unwrap())
        .load()
        .unwrap();
    assert_eq!(s.accounts.unwrap().database_url.expose(), pg);
}

#[tokio::test]
async fn a_database_that_cannot_be_created_stops_start_up_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, "x").unwrap();
    let url = format!("sqlite://{}/accounts.db", file.display());
    let settings = Env::fresh(&dir)
        .with_credentials()
        .set("SINCH_AUTH_DATABASE_URL", url)
        .load()
        .unwrap();
    let err = settings.build().await.unwrap_err().to_string();
    assert!(
        err.contains("database_url (SINCH_AUTH_DATABASE_URL)"),
        "{err}"
    );
}

#[tokio::test]
async fn development_credentials_are_generated_once_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let first = Env::fresh(&dir).load().unwrap().build().await.unwrap();
    let (_, app) = first.service.applications().get(None).unwrap();
    assert!(app.key().as_str().starts_with(DEVELOPMENT_KEY_PREFIX));
    let key = app.key().as_str().to_owned();
    let secret = app.secret().expose_base64().to_string();
    first.accounts.as_ref().unwrap().close().await;

    // A restart (or another instance on the same database) signs with the
    // same application.
    let second = Env::fresh(&dir).load().unwrap().build().await.unwrap();
    let (_, again) = second.service.applications().get(None).unwrap();
    assert_eq!(again.key().as_str(), key);
    let caller = Caller::user("dev-user", Via::new("test", "t"));
    let ticket = second
        .service
        .issue_ticket(&caller, &TicketRequest::default())
        .unwrap();
    let verifier = sinch_auth::Application::from_base64(&key, &secret).unwrap();
    let verified = verifier
        .verify_ticket(&ticket.user_ticket, &VerifyOptions::default())
        .unwrap();
    assert_eq!(verified.user_id(), "dev-user");

    // Configured credentials are used as they are, never the generated ones.
    let configured = Env::fresh(&dir)
        .with_credentials()
        .load()
        .unwrap()
        .build()
        .await
        .unwrap();
    let (_, app) = configured.service.applications().get(None).unwrap();
    assert_eq!(app.key().as_str(), APP_KEY);
}
