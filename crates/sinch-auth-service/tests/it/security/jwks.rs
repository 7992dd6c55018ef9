//! Items 9 and 10: JWKS fetches never downgrade (redirects are not
//! followed), and stale keys are refreshed in the background: requests
//! keep verifying with the cached keys while one fetch runs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use serde_json::json;
use sinch_auth_service::Server;
use sinch_auth_service::caller::JwksSource;
use sinch_auth_service::config::Settings;

use super::{client, serve};
use crate::common::{
    APP_KEY, APP_SECRET, AUDIENCE, ISSUER, claims, jwks, jwt_service, jwt_settings, rsa_key,
    unlimited,
};

/// A JWKS on loopback: `/jwks.json` (answering after `delay_ms`), and
/// `/redirect.json`, a 302 to it. Counts the fetches of the document.
struct Provider {
    addr: SocketAddr,
    delay_ms: Arc<AtomicU64>,
    hits: Arc<AtomicUsize>,
}

impl Provider {
    async fn start(document: String) -> Provider {
        let delay_ms = Arc::new(AtomicU64::new(0));
        let hits = Arc::new(AtomicUsize::new(0));
        let (delay, count) = (delay_ms.clone(), hits.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new()
            .route(
                "/jwks.json",
                get(move || {
                    let (delay, count, document) = (delay.clone(), count.clone(), document.clone());
                    async move {
                        count.fetch_add(1, Ordering::SeqCst);
                        let ms = delay.load(Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                        ([("content-type", "application/json")], document).into_response()
                    }
                }),
            )
            .route(
                "/redirect.json",
                get(
                    move || async move { Redirect::temporary(&format!("http://{addr}/jwks.json")) },
                ),
            );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Provider {
            addr,
            delay_ms,
            hits,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwks_redirects_are_not_followed() {
    let key = rsa_key("k1");
    let provider = Provider::start(jwks(&[&key])).await;
    let url = provider.url("/redirect.json");
    let server = serve(&[
        ("SINCH_AUTH_CALLER_AUTH", "jwt"),
        ("SINCH_AUTH_JWT_ISSUER", ISSUER),
        ("SINCH_AUTH_JWT_AUDIENCE", AUDIENCE),
        ("SINCH_AUTH_JWT_JWKS_URL", &url),
        ("SINCH_APPLICATION_KEY", APP_KEY),
        ("SINCH_APPLICATION_SECRET", APP_SECRET),
    ])
    .await;
    let ready = client()
        .get(server.admin_url("/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503, "{}", ready.text().await.unwrap());
    let reply = client()
        .post(server.url("/v1/registration-tokens"))
        .bearer_auth(key.sign(&claims("alice")))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 503);
    assert_eq!(
        provider.hits.load(Ordering::SeqCst),
        0,
        "the redirect's target was never fetched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_keys_are_refreshed_in_the_background() {
    let key = rsa_key("k1");
    let provider = Provider::start(jwks(&[&key])).await;
    let settings = jwt_settings(JwksSource::Url(provider.url("/jwks.json"))).with_jwks_timing(
        Duration::from_secs(1),
        Duration::ZERO,
        Duration::from_secs(10),
    );
    let service = jwt_service(settings, unlimited()).await;
    let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let server = Server::bind(service, loopback, loopback, Duration::from_secs(1))
        .await
        .unwrap();
    let api = server.api_addr();
    tokio::spawn(server.run(std::future::pending()));
    assert_eq!(provider.hits.load(Ordering::SeqCst), 1, "loaded at start");

    // The provider turns slow, and the keys go stale.
    provider.delay_ms.store(5_000, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let token = Arc::new(key.sign(&claims("alice")));
    let mut requests = Vec::new();
    for _ in 0..20 {
        let token = token.clone();
        requests.push(tokio::spawn(async move {
            let started = Instant::now();
            let reply = client()
                .post(format!("http://{api}/v1/registration-tokens"))
                .bearer_auth(token.as_str())
                .header("content-type", "application/json")
                .body(json!({}).to_string())
                .send()
                .await
                .unwrap();
            (reply.status().as_u16(), started.elapsed())
        }));
    }
    for request in requests {
        let (status, took) = request.await.unwrap();
        assert_eq!(status, 200);
        assert!(took < Duration::from_secs(1), "a request took {took:?}");
    }
    assert_eq!(
        provider.hits.load(Ordering::SeqCst),
        2,
        "exactly one refresh runs, in the background"
    );
}

#[test]
fn a_minimum_refresh_interval_under_5_s_is_a_configuration_error() {
    let vars = |secs: &'static str| {
        move |name: &str| {
            match name {
                "SINCH_AUTH_CALLER_AUTH" => Some("jwt"),
                "SINCH_AUTH_JWT_ISSUER" => Some(ISSUER),
                "SINCH_AUTH_JWT_AUDIENCE" => Some(AUDIENCE),
                "SINCH_AUTH_JWT_JWKS_URL" => Some("https://idp.example.com/jwks.json"),
                "SINCH_AUTH_JWT_JWKS_MIN_REFRESH_SECS" => Some(secs),
                "SINCH_APPLICATION_KEY" => Some(APP_KEY),
                "SINCH_APPLICATION_SECRET" => Some(APP_SECRET),
                _ => None,
            }
            .map(str::to_owned)
        }
    };
    let overrides = Default::default();
    let err = Settings::load(None, &vars("4"), &overrides).unwrap_err();
    assert!(
        err.to_string()
            .contains("jwt.jwks_min_refresh_secs (SINCH_AUTH_JWT_JWKS_MIN_REFRESH_SECS)"),
        "{err}"
    );
    assert!(Settings::load(None, &vars("5"), &overrides).is_ok());
}
