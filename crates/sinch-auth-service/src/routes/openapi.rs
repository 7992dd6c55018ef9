//! `GET /openapi.json`: the OpenAPI 3.1 description of both listeners,
//! written by hand (the API is small) and checked against the route list
//! by the tests.

use axum::Extension;
use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};
use serde_json::{Value, json};

use crate::problem::ProblemCode;

/// The rendered document, made once when the router is built.
#[derive(Debug, Clone)]
pub(crate) struct Document(Bytes);

impl Document {
    pub(crate) fn new(document: Value) -> Self {
        Document(Bytes::from(document.to_string()))
    }
}

/// Serves the document.
pub(crate) async fn respond(Extension(Document(doc)): Extension<Document>) -> Response {
    let mut response = doc.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The document with `extra` paths added (an [`ApiExtension`]'s).
///
/// [`ApiExtension`]: super::ApiExtension
pub fn document_with(extra: &serde_json::Map<String, Value>) -> Value {
    let mut doc = document();
    if let Some(paths) = doc["paths"].as_object_mut() {
        for (path, item) in extra {
            paths.insert(path.clone(), item.clone());
        }
    }
    doc
}

fn problem_responses(codes: &[ProblemCode]) -> Value {
    let mut responses = serde_json::Map::new();
    for code in codes {
        let status = code.status().as_u16().to_string();
        let entry = responses.entry(status).or_insert_with(|| {
            json!({
                "description": "",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
            })
        });
        let description = entry["description"].as_str().unwrap_or("").to_owned();
        let joined = if description.is_empty() {
            format!("`{}`", code.as_str())
        } else {
            format!("{description}, `{}`", code.as_str())
        };
        entry["description"] = Value::String(joined);
    }
    Value::Object(responses)
}

fn credential_operation(summary: &str, description: &str, request: &str, response: &str) -> Value {
    let mut responses = problem_responses(&[
        ProblemCode::Unauthenticated,
        ProblemCode::ForbiddenUser,
        ProblemCode::CrossSiteRequest,
        ProblemCode::InvalidUserId,
        ProblemCode::UserIdRequired,
        ProblemCode::TtlOutOfRange,
        ProblemCode::UnknownApplication,
        ProblemCode::InvalidBody,
        ProblemCode::MalformedJson,
        ProblemCode::PayloadTooLarge,
        ProblemCode::UnsupportedMediaType,
        ProblemCode::RateLimited,
        ProblemCode::RequestTimeout,
        ProblemCode::Unavailable,
    ]);
    responses["200"] = json!({
        "description": "The credential. `Cache-Control: no-store`.",
        "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{response}")}}}
    });
    json!({
        "post": {
            "summary": summary,
            "description": description,
            "security": [{"bearer": []}, {"session": []}],
            "requestBody": {
                "required": false,
                "description": "JSON (at most 16 KiB). May be empty when no field is needed.",
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{request}")}}}
            },
            "responses": responses
        }
    })
}

fn admin_operation(summary: &str, description: &str, content_type: &str) -> Value {
    json!({
        "get": {
            "summary": summary,
            "description": format!("{description} Served on the admin listener (`--admin-listen`), not the API port."),
            "x-listener": "admin",
            "servers": [{"url": "http://127.0.0.1:9090", "description": "admin listener (default address)"}],
            "responses": {
                "200": {"description": "OK", "content": {content_type: {}}},
                "503": {"description": "Not ready (readiness only)", "content": {"application/json": {}}}
            }
        }
    })
}

/// The whole document.
pub fn document() -> Value {
    let codes: Vec<&str> = ProblemCode::ALL.iter().map(|c| c.as_str()).collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "sinch-auth token service",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Hands authenticated users their Sinch credentials: user tickets for the JS SDK 1.x and registration tokens for the current SDKs. Every response carries `Cache-Control: no-store`."
        },
        "servers": [{"url": "http://127.0.0.1:8080", "description": "API listener (default address)"}],
        "paths": {
            "/v1/tickets": credential_operation(
                "Issue a user ticket",
                "Returns an object that can be passed straight to the JS SDK's `sinchClient.start()`. With an API key the body must name the user; with a JWT or session cookie the user is the caller.",
                "TicketRequest",
                "TicketResponse",
            ),
            "/v1/registration-tokens": credential_operation(
                "Issue a registration token",
                "Returns a registration token (HS256 JWT) for `clientRegistration.register(token)`. The user id must use only `A-Z a-z 0-9 - _ =`.",
                "TokenRequest",
                "TokenResponse",
            ),
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}}
                }
            },
            "/livez": admin_operation("Liveness", "Answers 200 while the process serves.", "application/json"),
            "/readyz": admin_operation("Readiness", "200 when configuration and secrets are loaded and the caller-auth dependencies (JWKS) are reachable; 503 otherwise and while draining.", "application/json"),
            "/metrics": admin_operation("Metrics", "Prometheus/OpenMetrics text: requests, latencies, credentials issued by kind, auth failures by reason, rate-limited requests.", "application/openmetrics-text")
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`api-key` mode: an API key. `jwt` mode: a JWT from the configured identity provider."
                },
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "__Host-sinch-auth-session",
                    "description": "`accounts` mode: the session cookie set by `POST /v1/login` (named `sinch-auth-session` when plain-HTTP development is configured). Requests that change state must come from the service's own origin (`Origin` header), or get `403 cross_site_request`."
                }
            },
            "schemas": {
                "TicketRequest": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "userId": {"type": "string", "description": "Required with an API key; otherwise optional and must be the caller's own id."},
                        "ttl": {"type": "integer", "description": "Lifetime in seconds within the configured ticket bounds (default 3600)."},
                        "application": {"type": "string", "description": "Configured application name (default `default`)."}
                    }
                },
                "TokenRequest": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "userId": {"type": "string", "pattern": "^[A-Za-z0-9_=-]{1,255}$"},
                        "ttl": {"type": "integer", "description": "Lifetime in seconds within the configured token bounds (default 600)."},
                        "instanceTtl": {"type": "integer", "minimum": 172800, "description": "Device registration lifetime in seconds; adds `sinch:rtc:instance:exp`."},
                        "application": {"type": "string"}
                    }
                },
                "TicketResponse": {
                    "type": "object",
                    "required": ["userTicket", "userId", "expiresAt", "expiresIn"],
                    "properties": {
                        "userTicket": {"type": "string"},
                        "userId": {"type": "string"},
                        "expiresAt": {"type": "string", "format": "date-time"},
                        "expiresIn": {"type": "integer"}
                    }
                },
                "TokenResponse": {
                    "type": "object",
                    "required": ["token", "userId", "expiresAt", "expiresIn"],
                    "properties": {
                        "token": {"type": "string"},
                        "userId": {"type": "string"},
                        "expiresAt": {"type": "string", "format": "date-time"},
                        "expiresIn": {"type": "integer"}
                    }
                },
                "Problem": {
                    "type": "object",
                    "description": "RFC 9457 problem details (`application/problem+json`). `Retry-After` accompanies `rate_limited` and `unavailable`.",
                    "required": ["type", "title", "status", "detail", "code"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "code": {"type": "string", "enum": codes},
                        "reason": {"type": "string", "description": "Why authentication failed (`missing_credentials`, `invalid_api_key`, `token_expired`, `bad_signature`, `unknown_kid`, `disallowed_algorithm`, `wrong_issuer`, `wrong_audience`, …)."}
                    }
                }
            }
        }
    })
}
