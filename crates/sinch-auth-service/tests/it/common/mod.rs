//! Shared test helpers: a test application, services in each mode,
//! oneshot requests, keys generated at run time, a local JWKS server.

#![allow(dead_code)]

mod log_capture;
mod openapi_conformance;
pub mod process;
#[allow(unused_imports)] // not every test binary captures logs
pub use log_capture::LogCapture;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sinch_auth::Application;
use sinch_auth_service::caller::{
    ApiKey, ApiKeyAuthenticator, ApiKeyDigest, JwksSource, JwtAuthenticator, JwtSettings,
};
use sinch_auth_service::{Applications, RateLimitSettings, ServiceOptions, TokenService};
use tower::ServiceExt;

pub const APP_KEY: &str = "a32e5a8d-f7d8-411c-9645-9038e8dd051d";
pub const APP_SECRET: &str = "ax8hTTQJF0OPXL32r1LHMA==";
pub const API_KEY: &str = "test-api-key-0123456789abcdef";
pub const OTHER_API_KEY: &str = "rotated-api-key-fedcba9876543210";
pub const ISSUER: &str = "https://idp.test";
pub const AUDIENCE: &str = "sinch-auth-tests";

pub fn app() -> Application {
    Application::from_base64(APP_KEY, APP_SECRET).unwrap()
}

pub fn unlimited() -> ServiceOptions {
    ServiceOptions::default().with_rate_limits(RateLimitSettings::unlimited())
}

pub fn api_key_service(options: ServiceOptions) -> TokenService {
    let keys = vec![
        ApiKeyDigest::of_key("primary", &ApiKey::new(API_KEY).unwrap()),
        ApiKeyDigest::of_key("rotated", &ApiKey::new(OTHER_API_KEY).unwrap()),
    ];
    TokenService::new(
        Applications::single(app()),
        ApiKeyAuthenticator::new(keys).unwrap(),
        options,
    )
}

/// A response, decoded.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The problem `code`, after checking the problem+json shape.
    pub fn problem_code(&self) -> String {
        assert_eq!(
            self.headers["content-type"], "application/problem+json",
            "{}",
            self.text
        );
        let body = self.json();
        assert_eq!(body["status"], self.status.as_u16(), "{body}");
        assert!(
            body["title"].is_string() && body["detail"].is_string(),
            "{body}"
        );
        assert_eq!(
            body["type"],
            format!("urn:sinch-auth:problem:{}", body["code"].as_str().unwrap())
        );
        body["code"].as_str().unwrap().to_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> Reply {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let reply = send_unchecked(router, request).await;
    openapi_conformance::check(router, &method, &path, &reply).await;
    reply
}

/// [`send`] without the OpenAPI check (the check itself fetches the
/// document with it).
pub async fn send_unchecked(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let reply = Reply {
        status,
        headers,
        text: String::from_utf8(bytes.to_vec()).unwrap(),
    };
    assert_eq!(
        reply.header("cache-control"),
        Some("no-store"),
        "every response is no-store: {reply:?}"
    );
    reply
}

/// A POST with a JSON body, a bearer credential and a peer address.
pub fn post(path: &str, bearer: Option<&str>, body: &str) -> Request<Body> {
    let mut builder = Request::post(path).header("content-type", "application/json");
    if let Some(b) = bearer {
        builder = builder.header("authorization", format!("Bearer {b}"));
    }
    let mut request = builder.body(Body::from(body.to_owned())).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 1], 4000))));
    request
}

pub fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

// ---------------------------------------------------------------- keys

/// A signing key generated at run time, with its public JWK.
#[derive(Clone)]
pub struct TestKey {
    pub kid: String,
    pub alg: Algorithm,
    pub encoding: EncodingKey,
    pub jwk: Value,
}

impl TestKey {
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }

    pub fn sign_without_kid(&self, claims: &Value) -> String {
        jsonwebtoken::encode(&Header::new(self.alg), claims, &self.encoding).unwrap()
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// One RSA key, generated on first use and kept in Cargo's scratch folder
/// for the other test binaries: 2048-bit generation takes many seconds in
/// a debug build.
fn rsa_material() -> &'static (Vec<u8>, String, String) {
    static KEY: OnceLock<(Vec<u8>, String, String)> = OnceLock::new();
    KEY.get_or_init(|| {
        use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
        use rsa::traits::PublicKeyParts;
        let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-rsa-2048.der");
        let cached = std::fs::read(&path)
            .ok()
            .and_then(|der| rsa::RsaPrivateKey::from_pkcs1_der(&der).ok());
        let key = cached.unwrap_or_else(|| {
            let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
            let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
            std::fs::write(&tmp, key.to_pkcs1_der().unwrap().as_bytes()).unwrap();
            std::fs::rename(&tmp, &path).unwrap();
            key
        });
        let der = key.to_pkcs1_der().unwrap().as_bytes().to_vec();
        (
            der,
            b64(&key.n().to_bytes_be()),
            b64(&key.e().to_bytes_be()),
        )
    })
}

pub fn rsa_key(kid: &str) -> TestKey {
    let (der, n, e) = rsa_material();
    TestKey {
        kid: kid.to_owned(),
        alg: Algorithm::RS256,
        encoding: EncodingKey::from_rsa_der(der),
        jwk: json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": n, "e": e}),
    }
}

pub fn ec_key(kid: &str) -> TestKey {
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let point = pair.public_key().as_ref();
    assert_eq!(point.len(), 65);
    TestKey {
        kid: kid.to_owned(),
        alg: Algorithm::ES256,
        encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
        jwk: json!({"kty": "EC", "kid": kid, "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..])}),
    }
}

pub fn ed_key(kid: &str) -> TestKey {
    use ring::signature::{Ed25519KeyPair, KeyPair};
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    TestKey {
        kid: kid.to_owned(),
        alg: Algorithm::EdDSA,
        encoding: EncodingKey::from_ed_der(pkcs8.as_ref()),
        jwk: json!({"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": b64(pair.public_key().as_ref())}),
    }
}

pub fn jwks(keys: &[&TestKey]) -> String {
    json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()}).to_string()
}

/// Standard claims for `sub`, valid for 5 minutes.
pub fn claims(sub: &str) -> Value {
    json!({"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "iat": now(), "exp": now() + 300})
}

/// A JWT with any header, signed with nothing (for `alg: none` and such).
pub fn unsigned_jwt(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}.",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    )
}

// ------------------------------------------------------- JWKS server

/// A JWKS served on 127.0.0.1:0, replaceable, counting its requests.
pub struct JwksServer {
    pub url: String,
    pub document: Arc<Mutex<String>>,
    pub hits: Arc<AtomicUsize>,
}

impl JwksServer {
    pub async fn start(document: String) -> JwksServer {
        let document = Arc::new(Mutex::new(document));
        let hits = Arc::new(AtomicUsize::new(0));
        let (doc, count) = (document.clone(), hits.clone());
        let app = Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                let (doc, count) = (doc.clone(), count.clone());
                async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    let text = doc.lock().unwrap().clone();
                    ([("content-type", "application/json")], text)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        JwksServer {
            url: format!("http://{addr}/jwks.json"),
            document,
            hits,
        }
    }

    pub fn set(&self, document: String) {
        *self.document.lock().unwrap() = document;
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

pub fn jwt_settings(source: JwksSource) -> JwtSettings {
    let mut s = JwtSettings::new(ISSUER, vec![AUDIENCE.to_owned()], source);
    s.algorithms = vec![Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];
    s.jwks_min_refresh_interval = std::time::Duration::ZERO;
    s
}

pub async fn jwt_service(settings: JwtSettings, options: ServiceOptions) -> TokenService {
    let auth = JwtAuthenticator::new(settings).unwrap();
    auth.load_keys().await.unwrap();
    TokenService::new(Applications::single(app()), auth, options)
}
