//! The two routers and the list of their routes (which `/openapi.json`
//! must describe, as a test checks).

mod admin;
mod credentials;
mod layers;
pub mod openapi;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{MethodRouter, get, post};
use http::{HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

pub use credentials::Authenticated;

use crate::extract::BODY_LIMIT;
use crate::problem::{Problem, ProblemCode};
use crate::service::TokenService;

/// Which listener a route is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// The public API port (`--listen`).
    Api,
    /// The private admin port (`--admin-listen`).
    Admin,
}

/// One route of the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteInfo {
    /// The listener.
    pub listener: Listener,
    /// The method.
    pub method: &'static str,
    /// The path.
    pub path: &'static str,
}

/// Every route, both listeners.
pub const ROUTES: &[RouteInfo] = &[
    RouteInfo {
        listener: Listener::Api,
        method: "POST",
        path: "/v1/tickets",
    },
    RouteInfo {
        listener: Listener::Api,
        method: "POST",
        path: "/v1/registration-tokens",
    },
    RouteInfo {
        listener: Listener::Api,
        method: "GET",
        path: "/openapi.json",
    },
    RouteInfo {
        listener: Listener::Admin,
        method: "GET",
        path: "/livez",
    },
    RouteInfo {
        listener: Listener::Admin,
        method: "GET",
        path: "/readyz",
    },
    RouteInfo {
        listener: Listener::Admin,
        method: "GET",
        path: "/metrics",
    },
];

fn only(method: &'static str, route: MethodRouter<TokenService>) -> MethodRouter<TokenService> {
    route.fallback(move || async move { Problem::method_not_allowed(method) })
}

async fn not_found() -> Problem {
    Problem::new(ProblemCode::NotFound, "no such endpoint; see /openapi.json")
}

fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    // Credentials must never sit in a browser or proxy cache.
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

/// Routes a caller-authentication mode adds to the public API (the
/// accounts mode: sign-up, login, logout…), with their OpenAPI paths. They
/// are served behind the same layers as the credential routes: client IP
/// and per-IP limit, timeout, metrics and access log, CORS, `no-store`.
#[derive(Debug, Clone, Default)]
pub struct ApiExtension {
    /// The routes, with their own state already applied.
    pub routes: Router,
    /// OpenAPI `paths` entries describing them, merged into `/openapi.json`.
    pub openapi_paths: serde_json::Map<String, serde_json::Value>,
}

pub(crate) fn api_router(service: TokenService, extension: ApiExtension) -> Router {
    let doc = Bytes::from(openapi::document_with(&extension.openapi_paths).to_string());
    let mut router = Router::new()
        .route("/v1/tickets", only("POST", post(credentials::post_ticket)))
        .route(
            "/v1/registration-tokens",
            only("POST", post(credentials::post_registration_token)),
        )
        .route(
            "/openapi.json",
            only("GET", get(move || openapi::respond(doc.clone()))),
        )
        .with_state(service.clone())
        .merge(extension.routes)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(from_fn_with_state(service.clone(), layers::api_middleware));
    if let Some(cors) = cors_layer(&service) {
        router = router.layer(cors);
    }
    router.layer(no_store())
}

pub(crate) fn admin_router(service: TokenService) -> Router {
    Router::new()
        .route("/livez", only("GET", get(admin::livez)))
        .route("/readyz", only("GET", get(admin::readyz)))
        .route("/metrics", only("GET", get(admin::metrics)))
        .fallback(not_found)
        .layer(from_fn(layers::admin_timeout))
        .layer(no_store())
        .with_state(service)
}

fn cors_layer(service: &TokenService) -> Option<CorsLayer> {
    let options = service.options();
    if options.cors_origins.is_empty() {
        return None;
    }
    // Origins were validated when the options were built; skip any that
    // a library user passed unparsable rather than panic.
    let origins: Vec<HeaderValue> = options
        .cors_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .allow_credentials(options.cors_allow_credentials)
            .max_age(std::time::Duration::from_secs(600)),
    )
}
