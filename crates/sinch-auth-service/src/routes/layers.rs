//! Middleware: the API router's (client IP, per-IP limit, timeout,
//! metrics, access log) and the admin router's timeout.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::Method;

use super::ROUTES;
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

/// The route template of a request, as a static label (the metrics
/// allocate nothing per request): `unmatched` for 404s.
fn route_label(matched: Option<&MatchedPath>) -> &'static str {
    let Some(matched) = matched else {
        return "unmatched";
    };
    let mut known = ROUTES.iter().chain(crate::accounts::ACCOUNTS_ROUTES);
    match known.find(|r| r.path == matched.as_str()) {
        Some(route) => route.path,
        None => intern_route(matched.as_str()),
    }
}

/// A static copy of a route template from an [`ApiExtension`]. Templates
/// come from code, not requests, so there are few; past 64, `other`.
///
/// [`ApiExtension`]: super::ApiExtension
fn intern_route(template: &str) -> &'static str {
    static SEEN: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(known) = seen.iter().find(|t| **t == template) {
        return known;
    }
    if seen.len() >= 64 {
        return "other";
    }
    let leaked: &'static str = Box::leak(template.to_owned().into_boxed_str());
    seen.push(leaked);
    leaked
}

struct OptionalIp(Option<std::net::IpAddr>);

impl std::fmt::Display for OptionalIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(ip) => ip.fmt(f),
            None => f.write_str("unknown"),
        }
    }
}

/// The API router's one middleware (one layer, not three: every layer
/// costs a service clone per request). In order: resolve the client IP,
/// apply the per-IP limit (before authentication, so it also slows down
/// key guessing), bound the request's time (body upload included), then
/// record metrics and one access-log line: method, route template (never
/// the raw URI), status, code, latency, client IP. Never headers or bodies.
pub(crate) async fn api_middleware(
    State(service): State<TokenService>,
    mut request: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let peer = ClientIpResolver::peer(request.extensions());
    let client_ip = service.inner.client_ip.resolve(peer, request.headers());
    request.extensions_mut().insert(ClientIp(client_ip));
    let method = method_label(request.method());
    let route = route_label(request.extensions().get::<MatchedPath>());

    let response = match per_ip_limit(&service, client_ip) {
        Some(refusal) => refusal,
        None => {
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
    };

    let elapsed = start.elapsed();
    let status = response.status().as_u16();
    let metrics = &service.inner.metrics;
    metrics.request(method, route, status, elapsed.as_secs_f64());
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
    // Field values are only evaluated when the level is enabled.
    if status >= 400 {
        tracing::info!(
            target: "sinch_auth::access",
            method, route, status, code, reason, latency_us,
            client_ip = %OptionalIp(client_ip),
            "request refused"
        );
    } else {
        tracing::debug!(
            target: "sinch_auth::access",
            method, route, status, latency_us,
            client_ip = %OptionalIp(client_ip),
            "request"
        );
    }
    response
}

fn per_ip_limit(service: &TokenService, client_ip: Option<IpAddr>) -> Option<Response> {
    let limiter = service.inner.limits.per_ip.as_ref()?;
    let ip = client_ip?;
    let wait = limiter.check(&ip).err()?;
    service.inner.metrics.rate_limited("ip");
    Some(
        Problem::rate_limited(
            retry_after_secs(wait),
            "too many requests from this address; retry later",
        )
        .into_response(),
    )
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
