//! What a client needs to build `SinchClient`: `applicationKey` and
//! `environmentHost` with every credential, for the application asked for,
//! and `GET /v1/config` before anyone signs in. From configuration to
//! response.

use crate::common;

use std::collections::HashMap;

use common::*;
use sinch_auth_service::TokenService;
use sinch_auth_service::config::{CallerAuthMode, Overrides, Settings};

const EU_KEY: &str = "5f5c418a-0f91-4bbc-8234-a9bf5eddad97";

fn settings(file: &str, vars: &[(&str, &str)]) -> Result<Settings, String> {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, file).unwrap();
    let mut env: HashMap<String, String> = [
        ("SINCH_APPLICATION_KEY", APP_KEY),
        ("SINCH_APPLICATION_SECRET", APP_SECRET),
        ("SINCH_AUTH_API_KEYS", API_KEY),
        ("EU_SECRET", "oYdgGRXoxEuJhGDY2KQ/HQ=="),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in vars {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    let overrides = Overrides::default().with_caller_auth(CallerAuthMode::ApiKey);
    Settings::load(Some(&config), &|k| env.get(k).cloned(), &overrides).map_err(|e| e.to_string())
}

fn two_regions(vars: &[(&str, &str)]) -> TokenService {
    let file = format!(
        "[applications.eu]\nkey = \"{EU_KEY}\"\nsecret_env = \"EU_SECRET\"\nenvironment_host = \"ocra-euc1.api.sinch.com\"\n"
    );
    let settings = settings(&file, vars).unwrap();
    let applications = settings.applications.clone().unwrap();
    let keys = sinch_auth_service::caller::ApiKeyAuthenticator::new(settings.api_keys.clone());
    TokenService::new(applications, keys.unwrap(), unlimited())
}

#[tokio::test]
async fn every_credential_names_its_application_and_environment() {
    let router = two_regions(&[]).router();
    for (path, body, key, host) in [
        (
            "/v1/tickets",
            r#"{"userId":"alice"}"#,
            APP_KEY,
            "ocra.api.sinch.com",
        ),
        (
            "/v1/registration-tokens",
            r#"{"userId":"alice"}"#,
            APP_KEY,
            "ocra.api.sinch.com",
        ),
        (
            "/v1/tickets",
            r#"{"userId":"alice","application":"eu"}"#,
            EU_KEY,
            "ocra-euc1.api.sinch.com",
        ),
        (
            "/v1/registration-tokens",
            r#"{"userId":"alice","application":"eu"}"#,
            EU_KEY,
            "ocra-euc1.api.sinch.com",
        ),
    ] {
        let reply = send(&router, post(path, Some(API_KEY), body)).await;
        assert_eq!(reply.status, 200, "{path} {body}: {}", reply.text);
        assert_eq!(reply.json()["applicationKey"], key, "{path} {body}");
        assert_eq!(reply.json()["environmentHost"], host, "{path} {body}");
    }
}

#[tokio::test]
async fn the_config_endpoint_needs_no_credentials() {
    let service = two_regions(&[("SINCH_AUTH_ENVIRONMENT_HOST", "ocra-use1.api.sinch.com")]);
    let reply = send(&service.router(), get("/v1/config")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert_eq!(
        body["applications"],
        serde_json::json!([
            {"name": "default", "applicationKey": APP_KEY, "environmentHost": "ocra-use1.api.sinch.com"},
            {"name": "eu", "applicationKey": EU_KEY, "environmentHost": "ocra-euc1.api.sinch.com"},
        ]),
        "the top-level host is the default application's; eu keeps its own"
    );
    assert_eq!(body["defaultApplication"], "default");
    assert_eq!(
        body["tickets"],
        serde_json::json!({"defaultTtl": 3600, "minTtl": 60, "maxTtl": 86400})
    );
    assert_eq!(body["registrationTokens"]["defaultTtl"], 600);
    assert_eq!(body["minInstanceTtl"], 172_800);
    assert!(
        !reply.text.contains(APP_SECRET) && !reply.text.contains("oYdgGRXoxEuJhGDY2KQ"),
        "no secret"
    );
    // Documented as public in the OpenAPI document.
    let doc = send(&service.router(), get("/openapi.json")).await.json();
    assert_eq!(
        doc["paths"]["/v1/config"]["get"]["security"],
        serde_json::json!([{}])
    );
}

#[test]
fn environment_hosts_are_checked_and_named_when_wrong() {
    for (file, vars, setting) in [
        (
            "",
            vec![("SINCH_AUTH_ENVIRONMENT_HOST", "https://ocra.api.sinch.com")],
            "SINCH_AUTH_ENVIRONMENT_HOST",
        ),
        (
            "[applications.eu]\nkey = \"k\"\nsecret_env = \"EU_SECRET\"\nenvironment_host = \"ocra/x\"\n",
            vec![],
            "applications.eu.environment_host",
        ),
    ] {
        let error = settings(file, &vars).unwrap_err();
        assert!(error.contains(setting), "{error}");
        assert!(error.contains("host name"), "{error}");
    }
    let defaults = settings("", &[]).unwrap();
    assert_eq!(defaults.environment_host, "ocra.api.sinch.com");
}
