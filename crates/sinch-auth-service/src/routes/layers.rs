//! Middleware of the API router, outermost first: observe (client IP,
//! metrics, access log), timeout, per-IP limit.

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::Method;

use crate::client_ip::{ClientIp, ClientIpResolver};
use crate::problem::{AuthFailureReason, Problem, ProblemCode};
use crate::rate_limit::retry_after_secs;
use crate::service::TokenService;

fn method_label(method: &Method) -> &'static str {
    // Bounded label values: arbitrary methods must not grow the metrics.
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        _ => "OTHER",
    }
}

/// Resolves the client IP, then records metrics and one access-log line
/// per request: method, route template (never the raw URI), status, code,
/// latency, client IP. Never headers or bodies.
pub(crate) async fn observe(
    State(service): State<TokenService>,
    mut request: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let peer = ClientIpResolver::peer(request.extensions());
    let client_ip = service.inner.client_ip.resolve(peer, request.headers());
    request.extensions_mut().insert(ClientIp(client_ip));
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();

    let response = next.run(request).await;

    let elapsed = start.elapsed();
    let status = response.status().as_u16();
    let metrics = &service.inner.metrics;
    metrics.request(method, &route, status, elapsed.as_secs_f64());
    let reason = response
        .extensions()
        .get::<AuthFailureReason>()
        .map(|r| r.0);
    if let Some(reason) = reason {
        metrics.auth_failure(reason);
    }
    let code = response
        .extensions()
        .get::<ProblemCode>()
        .map(|c| c.as_str());
    let latency_us = elapsed.as_micros() as u64;
    let client_ip = client_ip.map(|ip| ip.to_string());
    if status >= 400 {
        tracing::info!(
            target: "sinch_auth::access",
            method, route, status, code, reason, latency_us, client_ip,
            "request refused"
        );
    } else {
        tracing::debug!(
            target: "sinch_auth::access",
            method, route, status, latency_us, client_ip,
            "request"
        );
    }
    response
}

/// Bounds the whole request, body upload included.
pub(crate) async fn timeout(
    State(service): State<TokenService>,
    request: Request,
    next: Next,
) -> Response {
    let limit = service.options().request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::new(
            ProblemCode::RequestTimeout,
            format!("the request took longer than {} s", limit.as_secs_f64()),
        )
        .into_response(),
    }
}

/// Admin requests get a fixed bound (readiness may wait for a JWKS fetch).
pub(crate) async fn admin_timeout(request: Request, next: Next) -> Response {
    const ADMIN_TIMEOUT: Duration = Duration::from_secs(10);
    match tokio::time::timeout(ADMIN_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            Problem::new(ProblemCode::RequestTimeout, "the admin request timed out").into_response()
        }
    }
}

/// The per-IP limit, before authentication.
pub(crate) async fn client_ip_and_limit(
    State(service): State<TokenService>,
    request: Request,
    next: Next,
) -> Response {
    if let (Some(limiter), Some(ClientIp(Some(ip)))) = (
        &service.inner.limits.per_ip,
        request.extensions().get::<ClientIp>(),
    ) {
        if let Err(wait) = limiter.check(ip) {
            service.inner.metrics.rate_limited("ip");
            return Problem::rate_limited(
                retry_after_secs(wait),
                "too many requests from this address; retry later",
            )
            .into_response();
        }
    }
    next.run(request).await
}
