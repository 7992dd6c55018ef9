//! `GET /openapi.json`: derived from the request and response types
//! (utoipa), then fitted to the running instance: the caller-auth mode
//! (security scheme, whether `userId` is required), the configured lifetime
//! bounds and applications, and the addresses the listeners really bound.
//! A test checks every response the suites produce against it, and
//! schemathesis fuzzes a running server with it in CI.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, header};
use serde_json::{Value, json};
use utoipa::OpenApi;

use super::config::{ApplicationInfo, ClientConfig, Lifetimes};
use super::{admin, config, credentials};
use crate::api_extension::LAYER_PROBLEMS;
use crate::issue::{TicketRequest, TicketResponse, TokenRequest, TokenResponse};
use crate::problem::{Body as ProblemBody, ProblemCode, add_openapi_problems};
use crate::service::TokenService;

/// What a JSON body can be refused for.
const BODY_PROBLEMS: &[ProblemCode] = &[
    ProblemCode::MalformedJson,
    ProblemCode::InvalidBody,
    ProblemCode::PayloadTooLarge,
    ProblemCode::UnsupportedMediaType,
];

/// The admin listener's operations (all `GET`).
const ADMIN_PATHS: &[&str] = &["/livez", "/readyz", "/metrics"];

/// What the credential endpoints can answer besides their credential.
const CREDENTIAL_PROBLEMS: &[ProblemCode] = &[
    ProblemCode::Unauthenticated,
    ProblemCode::ForbiddenUser,
    ProblemCode::CrossSiteRequest,
    ProblemCode::InvalidUserId,
    ProblemCode::UserIdRequired,
    ProblemCode::TtlOutOfRange,
    ProblemCode::UnknownApplication,
    ProblemCode::Unavailable,
];

#[derive(OpenApi)]
#[openapi(
    info(
        title = "sinch-auth token service",
        description = "Hands authenticated users their Sinch credentials: user tickets for the JS SDK 1.x and registration tokens for the current SDKs. Every response carries `Cache-Control: no-store`. Errors are `application/problem+json` with a stable `code`."
    ),
    paths(
        credentials::post_ticket,
        credentials::post_registration_token,
        config::client_config,
        respond,
        admin::livez,
        admin::readyz,
        admin::metrics
    ),
    components(schemas(
        TicketRequest,
        TokenRequest,
        TicketResponse,
        TokenResponse,
        ClientConfig,
        ApplicationInfo,
        Lifetimes,
        ProblemBody
    ))
)]
struct BaseApi;

/// The document, fitted to this instance, made once when the router is
/// built; the servers are filled in per request (see [`respond`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Document(std::sync::Arc<Value>);

impl Document {
    /// The service's document with an extension's `fragment` (its own
    /// `paths` and `components`) merged in.
    pub(crate) fn new(service: &TokenService, fragment: &Value) -> Self {
        let mut doc = serde_json::to_value(BaseApi::openapi()).unwrap_or_else(|_| json!({}));
        merge(&mut doc, fragment);
        add_openapi_problems(
            &mut doc,
            "post",
            "/v1/tickets",
            &[CREDENTIAL_PROBLEMS, BODY_PROBLEMS],
        );
        add_openapi_problems(
            &mut doc,
            "post",
            "/v1/registration-tokens",
            &[CREDENTIAL_PROBLEMS, BODY_PROBLEMS],
        );
        // Every API route, the extension's too, is behind the same layers.
        let api_paths: Vec<String> = doc["paths"]
            .as_object()
            .map(|paths| paths.keys().cloned().collect())
            .unwrap_or_default();
        for path in api_paths
            .iter()
            .filter(|p| !ADMIN_PATHS.contains(&p.as_str()))
        {
            add_openapi_problems(&mut doc, "*", path, &[LAYER_PROBLEMS]);
        }
        let codes: Vec<&str> = ProblemCode::ALL.iter().map(|c| c.as_str()).collect();
        doc["components"]["schemas"]["Problem"]["properties"]["code"]["enum"] = json!(codes);
        fit_to_instance(&mut doc, service);
        for path in ADMIN_PATHS {
            doc["paths"][path]["get"]["x-listener"] = json!("admin");
        }
        Document(std::sync::Arc::new(doc))
    }

    /// The document as served: API operations on the address the client
    /// used, admin operations on the admin listener's.
    fn render(&self, admin: Option<SocketAddr>, headers: &HeaderMap) -> Value {
        let mut doc = (*self.0).clone();
        doc["servers"] = json!([{"url": "/", "description": "this API listener"}]);
        if let Some(admin) = admin {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(|h| h.rsplit_once(':').map_or(h, |(name, _)| name).to_owned());
            let admin = admin_url(admin, host.as_deref());
            let servers = json!([{"url": admin, "description": "admin listener (--admin-listen)"}]);
            let paths = doc["paths"]
                .as_object_mut()
                .into_iter()
                .flat_map(|p| p.values_mut());
            for operation in paths
                .filter_map(|item| item.as_object_mut())
                .flat_map(|i| i.values_mut())
            {
                if operation["x-listener"] == "admin" {
                    operation["servers"] = servers.clone();
                }
            }
        }
        doc
    }
}

/// `http://IP:PORT` of the admin listener; an unspecified bind address
/// (`0.0.0.0`) is replaced by the host the client reached the API on.
fn admin_url(admin: SocketAddr, api_host: Option<&str>) -> String {
    match (admin.ip().is_unspecified(), api_host) {
        (true, Some(host)) => format!("http://{host}:{}", admin.port()),
        _ => format!("http://{admin}"),
    }
}

/// Adds `paths` and `components` of `fragment` to `doc`.
fn merge(doc: &mut Value, fragment: &Value) {
    if let Some(paths) = fragment["paths"].as_object() {
        for (path, item) in paths {
            doc["paths"][path] = item.clone();
        }
    }
    if let Some(components) = fragment["components"].as_object() {
        for (kind, entries) in components {
            if let Some(entries) = entries.as_object() {
                for (name, entry) in entries {
                    doc["components"][kind][name] = entry.clone();
                }
            }
        }
    }
}

/// The instance's own facts: who may call and how, which `userId` is
/// required, lifetimes and applications from the configuration.
fn fit_to_instance(doc: &mut Value, service: &TokenService) {
    let mode = service.authenticator().mode();
    let (scheme, description) = match mode {
        "accounts" => ("session", None),
        "api-key" => (
            "bearer",
            Some("An API key of this deployment (`api-key` mode)."),
        ),
        _ => (
            "bearer",
            Some("A JWT from the configured identity provider (`jwt` mode)."),
        ),
    };
    if let Some(description) = description {
        doc["components"]["securitySchemes"]["bearer"] = json!({
            "type": "http", "scheme": "bearer", "description": description
        });
    }
    let security = if mode == "accounts" {
        crate::accounts::session_security()
    } else {
        json!([{ scheme: [] }])
    };
    for path in ["/v1/tickets", "/v1/registration-tokens"] {
        doc["paths"][path]["post"]["security"] = security.clone();
    }
    let schemas = &mut doc["components"]["schemas"];
    let options = service.options();
    let applications: Vec<&str> = service.applications().names().collect();
    let tickets = options.tickets;
    let tokens = options.tokens;
    let bounds = [
        (
            "TicketRequest",
            tickets.min_ttl,
            tickets.max_ttl,
            tickets.default_ttl,
        ),
        (
            "TokenRequest",
            tokens.bounds.min(),
            tokens.bounds.max(),
            tokens.default_ttl,
        ),
    ];
    for (name, min, max, default) in bounds {
        let schema = &mut schemas[name];
        let ttl = &mut schema["properties"]["ttl"];
        ttl["minimum"] = json!(min.as_secs());
        ttl["maximum"] = json!(max.as_secs());
        ttl["description"] = json!(format!(
            "Lifetime in seconds, {}..={} on this deployment (default {}).",
            min.as_secs(),
            max.as_secs(),
            default.as_secs()
        ));
        schema["properties"]["application"]["enum"] = json!(applications);
        if mode == "api-key" {
            schema["required"] = json!(["userId"]);
        }
    }
    schemas["TicketRequest"]["properties"]["userId"] = ticket_user_id(mode);
    schemas["TokenRequest"]["properties"]["userId"] = json!({
        "type": "string",
        "pattern": "^[A-Za-z0-9_=-]{1,255}$",
        "description": user_id_description(mode),
    });
    if schemas.get("LoginRequest").is_some() {
        schemas["LoginRequest"]["properties"]["application"]["enum"] = json!(applications);
    }
    schemas["TokenRequest"]["properties"]["instanceTtl"]["minimum"] =
        json!(sinch_auth::token::MIN_INSTANCE_TTL.as_secs());
    schemas["TokenRequest"]["properties"]["instanceTtl"]["maximum"] = json!(i32::MAX);
}

fn user_id_description(mode: &str) -> &'static str {
    if mode == "api-key" {
        "The user the credential is for (required with an API key)."
    } else {
        "Optional: the caller's own user id (another user's is `403 forbidden_user`)."
    }
}

/// A ticket user id is at most 255 bytes of UTF-8 without control
/// characters. JSON Schema counts characters, so the schema admits every
/// printable-ASCII id up to 255 and any other id up to 63 characters (which
/// always fits in 255 bytes).
fn ticket_user_id(mode: &str) -> Value {
    json!({
        "description": user_id_description(mode),
        "anyOf": [
            {"type": "string", "pattern": "^[ -~]{1,255}$"},
            {"type": "string", "minLength": 1, "maxLength": 63, "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"}
        ]
    })
}

/// This document
///
/// The OpenAPI 3.1 description of both listeners, fitted to this instance.
#[utoipa::path(get, path = "/openapi.json", responses(
    (status = 200, description = "OpenAPI 3.1", body = Object),
))]
pub(crate) async fn respond(
    State(service): State<TokenService>,
    Extension(document): Extension<Document>,
    headers: HeaderMap,
) -> Response {
    // The admin address is known once a server has bound it.
    let doc = document.render(service.admin_address(), &headers);
    let mut response = doc.to_string().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
