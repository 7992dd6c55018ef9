//! Configuration: file, variables and flags in that order of precedence;
//! start-up errors name the bad setting and never echo a secret.

use crate::common;

use std::collections::HashMap;
use std::path::PathBuf;

use common::*;
use sinch_auth_service::config::{
    CallerAuthMode, ConfigError, ENV_SETTINGS, LogFormat, Overrides, Settings,
};

struct Env(HashMap<&'static str, String>);

impl Env {
    fn base() -> Env {
        let mut m = HashMap::new();
        m.insert("SINCH_APPLICATION_KEY", APP_KEY.to_owned());
        m.insert("SINCH_APPLICATION_SECRET", APP_SECRET.to_owned());
        m.insert("SINCH_AUTH_API_KEYS", format!("{API_KEY},{OTHER_API_KEY}"));
        Env(m)
    }
    fn set(mut self, k: &'static str, v: impl Into<String>) -> Env {
        self.0.insert(k, v.into());
        self
    }
    fn unset(mut self, k: &'static str) -> Env {
        self.0.remove(k);
        self
    }
    fn load(&self, file: Option<&PathBuf>, o: &Overrides) -> Result<Settings, ConfigError> {
        Settings::load(file.map(|p| p.as_path()), &|k| self.0.get(k).cloned(), o)
    }
}

fn api_key_mode() -> Overrides {
    Overrides::default().with_caller_auth(CallerAuthMode::ApiKey)
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sinch-auth-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn error_of(r: Result<Settings, ConfigError>) -> String {
    r.expect_err("configuration should be refused").to_string()
}

#[test]
fn defaults() {
    let s = Env::base().load(None, &api_key_mode()).unwrap();
    assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(s.admin_listen.to_string(), "127.0.0.1:9090");
    assert_eq!(s.log_format, LogFormat::Text);
    assert_eq!(s.api_keys.len(), 2);
    assert_eq!(s.options.tokens.default_ttl.as_secs(), 600);
    assert_eq!(s.options.tickets.default_ttl.as_secs(), 3600);
    assert_eq!(s.options.request_timeout.as_secs(), 10);
    assert!(s.options.cors_origins.is_empty(), "CORS is off by default");
    assert_eq!(s.options.rate_limits.per_ip.unwrap().per_minute.get(), 600);
    assert_eq!(s.options.rate_limits.per_user.unwrap().per_minute.get(), 60);
    // The default mode is accounts.
    let s = Env::base().load(None, &Overrides::default()).unwrap();
    assert_eq!(s.caller_auth, CallerAuthMode::Accounts);
}

#[test]
fn flags_beat_variables_beat_the_file() {
    let file = temp_file(
        "precedence.toml",
        r#"
listen = "127.0.0.1:1001"
admin_listen = "127.0.0.1:2001"
log_format = "json"
[registration_tokens]
default_ttl_secs = 900
"#,
    );
    let env = Env::base().set("SINCH_AUTH_LISTEN", "127.0.0.1:1002");
    let s = env.load(Some(&file), &api_key_mode()).unwrap();
    assert_eq!(s.listen.to_string(), "127.0.0.1:1002");
    assert_eq!(s.admin_listen.to_string(), "127.0.0.1:2001");
    assert_eq!(s.log_format, LogFormat::Json);
    assert_eq!(s.options.tokens.default_ttl.as_secs(), 900);
    let flags = api_key_mode().with_listen("127.0.0.1:1003".parse().unwrap());
    assert_eq!(
        env.load(Some(&file), &flags).unwrap().listen.to_string(),
        "127.0.0.1:1003"
    );
}

#[test]
fn errors_name_the_setting() {
    let cases: Vec<(Env, Option<PathBuf>, Overrides, &str)> = vec![
        (
            Env::base().set("SINCH_AUTH_LISTEN", "localhost"),
            None,
            api_key_mode(),
            "listen (SINCH_AUTH_LISTEN)",
        ),
        (
            Env::base().set("SINCH_AUTH_TOKEN_TTL_SECS", "10m"),
            None,
            api_key_mode(),
            "SINCH_AUTH_TOKEN_TTL_SECS",
        ),
        (
            Env::base().set("SINCH_AUTH_TOKEN_TTL_SECS", "100000"),
            None,
            api_key_mode(),
            "registration_tokens.default_ttl_secs (SINCH_AUTH_TOKEN_TTL_SECS)",
        ),
        (
            Env::base().set("SINCH_AUTH_TICKET_MIN_TTL_SECS", "5"),
            None,
            api_key_mode(),
            "tickets.min_ttl_secs",
        ),
        (
            Env::base().set("SINCH_AUTH_CALLER_AUTH", "magic"),
            None,
            Overrides::default(),
            "caller_auth (SINCH_AUTH_CALLER_AUTH)",
        ),
        (
            Env::base().set("SINCH_AUTH_LOG_FORMAT", "xml"),
            None,
            api_key_mode(),
            "log_format",
        ),
        (
            Env::base().set("SINCH_AUTH_TRUSTED_PROXIES", "10.0.0.0/40"),
            None,
            api_key_mode(),
            "trusted_proxies",
        ),
        (
            Env::base().set("SINCH_AUTH_CORS_ORIGINS", "https://a.example/path"),
            None,
            api_key_mode(),
            "cors_origins",
        ),
        (
            Env::base().set("SINCH_AUTH_RATE_LIMIT_PER_IP", "99999999999"),
            None,
            api_key_mode(),
            "rate_limit.per_ip_per_minute",
        ),
        (
            Env::base().unset("SINCH_AUTH_API_KEYS"),
            None,
            api_key_mode(),
            "SINCH_AUTH_API_KEYS",
        ),
        (
            Env::base().unset("SINCH_APPLICATION_KEY"),
            None,
            api_key_mode(),
            "SINCH_APPLICATION_KEY",
        ),
        (
            Env::base().set("SINCH_APPLICATION_SECRET_FILE", "/x"),
            None,
            api_key_mode(),
            "SINCH_APPLICATION_SECRET",
        ),
        (
            Env::base(),
            Some(temp_file("typo.toml", "listn = \"127.0.0.1:1\"\n")),
            api_key_mode(),
            "listn",
        ),
        (
            Env::base(),
            Some(temp_file("section-typo.toml", "[jwt]\nissuer = 5\n")),
            api_key_mode(),
            "issuer",
        ),
        (
            Env::base(),
            Some(PathBuf::from("/nonexistent/sinch-auth.toml")),
            api_key_mode(),
            "--config (SINCH_AUTH_CONFIG)",
        ),
        (
            Env::base(),
            Some(temp_file(
                "digest.toml",
                "[[api_key.keys]]\nname = \"php\"\nsha256 = \"abc\"\n",
            )),
            api_key_mode(),
            "api_key.keys",
        ),
        (
            Env::base(),
            Some(temp_file(
                "app.toml",
                "[applications.eu]\nkey = \"eu-key\"\n",
            )),
            api_key_mode(),
            "applications.eu",
        ),
    ];
    for (env, file, overrides, expected) in cases {
        let message = error_of(env.load(file.as_ref(), &overrides));
        assert!(
            message.contains(expected),
            "{expected:?} not in {message:?}"
        );
    }
}

fn jwt_env() -> Env {
    Env::base()
        .unset("SINCH_AUTH_API_KEYS")
        .set("SINCH_AUTH_JWT_ISSUER", ISSUER)
        .set("SINCH_AUTH_JWT_AUDIENCE", AUDIENCE)
        .set(
            "SINCH_AUTH_JWT_JWKS_URL",
            "https://idp.test/.well-known/jwks.json",
        )
}

fn jwt_mode() -> Overrides {
    Overrides::default().with_caller_auth(CallerAuthMode::Jwt)
}

#[test]
fn jwt_settings_are_checked() {
    let s = jwt_env().load(None, &jwt_mode()).unwrap();
    let jwt = s.jwt.unwrap();
    assert_eq!(jwt.issuer, ISSUER);
    assert_eq!(jwt.user_id_claim, "sub");
    for (env, expected) in [
        (
            jwt_env().unset("SINCH_AUTH_JWT_ISSUER"),
            "jwt.issuer (SINCH_AUTH_JWT_ISSUER)",
        ),
        (
            jwt_env().unset("SINCH_AUTH_JWT_AUDIENCE"),
            "jwt.audience (SINCH_AUTH_JWT_AUDIENCE)",
        ),
        (jwt_env().unset("SINCH_AUTH_JWT_JWKS_URL"), "jwt.jwks_url"),
        (
            jwt_env().set("SINCH_AUTH_JWT_JWKS_URL", "http://idp.test/jwks"),
            "jwt.jwks_url (SINCH_AUTH_JWT_JWKS_URL)",
        ),
        (
            jwt_env().set("SINCH_AUTH_JWT_JWKS_FILE", "/tmp/x.json"),
            "only one of",
        ),
        (
            jwt_env().set("SINCH_AUTH_JWT_ALGORITHMS", "RS256,HS256"),
            "jwt.algorithms (SINCH_AUTH_JWT_ALGORITHMS)",
        ),
        (
            jwt_env().set("SINCH_AUTH_JWT_ALGORITHMS", "none"),
            "jwt.algorithms",
        ),
        (
            jwt_env().set("SINCH_AUTH_JWT_USER_ID_ENCODING", "hex"),
            "jwt.user_id_encoding",
        ),
        (
            jwt_env().set("SINCH_AUTH_JWT_LEEWAY_SECS", "3600"),
            "jwt.leeway_secs",
        ),
    ] {
        let message = error_of(env.load(None, &jwt_mode()));
        assert!(
            message.contains(expected),
            "{expected:?} not in {message:?}"
        );
    }
}

#[tokio::test]
async fn a_jwks_file_that_does_not_parse_stops_start_up() {
    let path = temp_file("bad-jwks.json", "{\"keys\": []}");
    let env = jwt_env()
        .unset("SINCH_AUTH_JWT_JWKS_URL")
        .set("SINCH_AUTH_JWT_JWKS_FILE", path.to_str().unwrap());
    let settings = env.load(None, &jwt_mode()).unwrap();
    let err = settings.build_service().await.unwrap_err().to_string();
    assert!(err.contains("jwt.jwks_file"), "{err}");
}

#[tokio::test]
async fn accounts_mode_builds_with_its_database() {
    // More in accounts_config.rs; here: the default mode starts.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("accounts.db").display());
    let settings = Env::base()
        .set("SINCH_AUTH_DATABASE_URL", url)
        .load(None, &Overrides::default())
        .unwrap();
    let built = settings.build().await.unwrap();
    assert_eq!(built.service.authenticator().mode(), "accounts");
    assert!(dir.path().join("accounts.db").exists());
}

#[test]
fn secrets_are_never_echoed() {
    let bad_secret = "c2VjcmV0LWJ1dC1ub3QtYmFzZTY0!!";
    let message = error_of(
        Env::base()
            .set("SINCH_APPLICATION_SECRET", bad_secret)
            .load(None, &api_key_mode()),
    );
    assert!(!message.contains(bad_secret), "{message}");
    let weak = "short-key";
    let message = error_of(
        Env::base()
            .set("SINCH_AUTH_API_KEYS", weak)
            .load(None, &api_key_mode()),
    );
    assert!(message.contains("SINCH_AUTH_API_KEYS"), "{message}");
    assert!(!message.contains(weak), "{message}");

    let s = Env::base().load(None, &api_key_mode()).unwrap();
    let debug = format!("{s:?}");
    for secret in [APP_SECRET, API_KEY, OTHER_API_KEY] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
}

#[tokio::test]
async fn secrets_come_from_files_and_digests_from_the_config() {
    let secret_file = temp_file("secret", &format!("{APP_SECRET}\n"));
    let keys_file = temp_file("keys", &format!("{API_KEY}\n{OTHER_API_KEY}\n"));
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(b"config-file-key-0123456789"))
    };
    let config = temp_file(
        "digests.toml",
        &format!("[[api_key.keys]]\nname = \"php-backend\"\nsha256 = \"{digest}\"\n"),
    );
    let env = Env::base()
        .unset("SINCH_APPLICATION_SECRET")
        .unset("SINCH_AUTH_API_KEYS")
        .set(
            "SINCH_APPLICATION_SECRET_FILE",
            secret_file.to_str().unwrap(),
        )
        .set("SINCH_AUTH_API_KEYS_FILE", keys_file.to_str().unwrap());
    let settings = env.load(Some(&config), &api_key_mode()).unwrap();
    assert_eq!(settings.api_keys.len(), 3);
    let service = settings.build_service().await.unwrap();
    let router = service.router();
    for key in ["config-file-key-0123456789", API_KEY, OTHER_API_KEY] {
        let reply = send(&router, post("/v1/tickets", Some(key), r#"{"userId":"a"}"#)).await;
        assert_eq!(reply.status, 200, "{key}: {}", reply.text);
    }
}

#[tokio::test]
async fn named_applications_come_from_the_file() {
    let eu_secret = temp_file("eu-secret", "oYdgGRXoxEuJhGDY2KQ/HQ==");
    let config = temp_file(
        "apps.toml",
        &format!(
            "[applications.eu]\nkey = \"eu-key\"\nsecret_file = \"{}\"\n\n[applications.us]\nkey = \"us-key\"\nsecret_env = \"US_SECRET\"\n",
            eu_secret.display()
        ),
    );
    let env = Env::base().set("US_SECRET", "ax8hTTQJF0OPXL32r1LHMA==");
    let settings = env.load(Some(&config), &api_key_mode()).unwrap();
    let applications = settings.applications.expect("configured applications");
    let names: Vec<&str> = applications.names().collect();
    assert_eq!(names, ["default", "eu", "us"]);
    let (_, eu) = applications.get(Some("eu")).unwrap();
    assert_eq!(eu.key().as_str(), "eu-key");
}

#[test]
fn every_variable_is_documented() {
    let doc_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/service.md");
    let doc = std::fs::read_to_string(&doc_path).expect("docs/service.md exists");
    let mut missing = Vec::new();
    for s in ENV_SETTINGS {
        if !doc.contains(s.var) || !doc.contains(s.setting) {
            missing.push(format!("{} / {}", s.var, s.setting));
        }
    }
    for var in [
        "SINCH_AUTH_API_KEYS",
        "SINCH_AUTH_API_KEYS_FILE",
        "SINCH_AUTH_CONFIG",
        "SINCH_APPLICATION_KEY",
        "SINCH_APPLICATION_SECRET",
        "SINCH_APPLICATION_SECRET_FILE",
    ] {
        if !doc.contains(var) {
            missing.push(var.to_owned());
        }
    }
    assert!(missing.is_empty(), "not in docs/service.md: {missing:?}");
}
