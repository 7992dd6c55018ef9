//! The admin listener: liveness, readiness, metrics.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::json;

use crate::metrics::METRICS_CONTENT_TYPE;
use crate::service::TokenService;

/// Liveness
///
/// Answers 200 while the process serves.
#[utoipa::path(get, path = "/livez", responses((status = 200, description = "Serving", body = Object)))]
pub(crate) async fn livez() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Readiness
///
/// Ready for traffic: configuration and secrets were loaded (or the
/// service would not exist), the caller authenticator's dependencies (JWKS,
/// database) are reachable, and the service is not draining.
#[utoipa::path(get, path = "/readyz", responses(
    (status = 200, description = "Ready", body = Object),
    (status = 503, description = "Not ready, or draining", body = Object),
))]
pub(crate) async fn readyz(State(service): State<TokenService>) -> Response {
    let auth = service.authenticator().readiness().await;
    let draining = service.is_shutting_down();
    let ready = auth.is_ok() && !draining;
    let body = json!({
        "status": if ready { "ready" } else { "not_ready" },
        "checks": {
            "config": "ok",
            "applications": service.applications().names().collect::<Vec<_>>(),
            "callerAuth": {
                "mode": service.authenticator().mode(),
                "status": match &auth { Ok(()) => "ok".to_owned(), Err(reason) => reason.to_string() },
            },
            "draining": draining,
        }
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Metrics
///
/// Prometheus / OpenMetrics text: requests, latencies, credentials issued
/// by kind, auth failures by reason, rate-limited requests.
#[utoipa::path(get, path = "/metrics", responses(
    (status = 200, description = "OpenMetrics text", content_type = "application/openmetrics-text", body = String),
))]
pub(crate) async fn metrics(State(service): State<TokenService>) -> Response {
    let mut response = service.metrics().render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(METRICS_CONTENT_TYPE),
    );
    response
}
