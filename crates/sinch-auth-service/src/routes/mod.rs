//! The two routers, assembled from route tables (which `/openapi.json`
//! must describe, as a test checks).

mod admin;
mod config;
mod credentials;
mod layers;
mod openapi;

use axum::middleware::from_fn;
use axum::routing::{get, post};
use axum::{Extension, Router};
use http::{HeaderValue, Method, header};
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

pub use crate::api_extension::{ApiExtension, Listener, RouteInfo, RouteTable};
pub use credentials::Authenticated;

use crate::accounts::Accounts;
use crate::problem::{Problem, ProblemCode};
use crate::service::TokenService;

/// The API's own routes; `document` is what `/openapi.json` serves (an
/// extension on that route alone: a router-wide one would be put into
/// every request).
fn api_table(document: openapi::Document) -> RouteTable<TokenService> {
    RouteTable::new(Listener::Api)
        .route("POST", "/v1/tickets", post(credentials::post_ticket))
        .route(
            "POST",
            "/v1/registration-tokens",
            post(credentials::post_registration_token),
        )
        .route("GET", "/v1/config", get(config::client_config))
        .route(
            "GET",
            "/openapi.json",
            get(openapi::respond).layer(Extension(document)),
        )
}

fn admin_table() -> RouteTable<TokenService> {
    RouteTable::new(Listener::Admin)
        .route("GET", "/livez", get(admin::livez))
        .route("GET", "/readyz", get(admin::readyz))
        .route("GET", "/metrics", get(admin::metrics))
}

/// The service's own routes on both listeners (an [`ApiExtension`] adds
/// its own).
pub fn base_routes() -> Vec<RouteInfo> {
    let mut routes = api_table(openapi::Document::default()).list().to_vec();
    routes.extend_from_slice(admin_table().list());
    routes
}

async fn not_found() -> Problem {
    Problem::new(ProblemCode::NotFound, "no such endpoint; see /openapi.json")
}

fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    // Credentials must never sit in a browser or proxy cache.
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

impl TokenService {
    /// The public API: `POST /v1/tickets`, `POST /v1/registration-tokens`,
    /// `GET /v1/config`, `GET /openapi.json`. Serve it with
    /// `into_make_service_with_connect_info::<SocketAddr>()` so that per-IP
    /// limits apply; without connect info the client IP is unknown and only
    /// per-user limits apply.
    pub fn router(&self) -> Router {
        self.router_with(ApiExtension::default())
    }

    /// [`router`](Self::router) with more routes (a caller-auth mode's)
    /// behind the same layers, and described in `/openapi.json`.
    pub fn router_with(&self, extension: ApiExtension) -> Router {
        let table = api_table(openapi::Document::new(self, extension.openapi()));
        let labels: Vec<&'static str> = table
            .list()
            .iter()
            .chain(extension.routes())
            .map(|route| route.path)
            .collect();
        let (own, _) = table.with_state(self.clone());
        // One `layer` call with every layer in it: each call wraps every
        // route in one more boxed service, cloned and called per request.
        // (No `DefaultBodyLimit`: `JsonBody` applies the limit itself.)
        own.merge(extension.into_router())
            .fallback(not_found)
            .layer(
                ServiceBuilder::new()
                    .layer(no_store())
                    .option_layer(cors_layer(self))
                    .layer(layers::ApiLayer::new(self.clone(), labels)),
            )
    }

    /// The admin API for a separate, private port: `GET /livez`,
    /// `GET /readyz`, `GET /metrics`.
    pub fn admin_router(&self) -> Router {
        let (router, _) = admin_table().with_state(self.clone());
        router
            .fallback(not_found)
            .layer(from_fn(layers::admin_timeout))
            .layer(no_store())
    }
}

impl Accounts {
    /// The whole public API in accounts mode: [`TokenService::router`]'s
    /// routes plus [`extension`](Accounts::extension)'s.
    pub fn router(&self, service: &TokenService) -> Router {
        service.router_with(self.extension(service))
    }
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
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .allow_credentials(options.cors_allow_credentials)
            .max_age(std::time::Duration::from_secs(600)),
    )
}
