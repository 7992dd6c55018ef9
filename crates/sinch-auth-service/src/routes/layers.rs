//! Middleware: the API router's (client IP, per-IP limit, timeout,
//! metrics, access log) and the admin router's timeout.

use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::future::{Either, FutureExt, ready};
use http::Method;
use tower::{Layer, Service};

use crate::client_ip::ClientIp;
use crate::problem::{AuthFailureReason, Problem, ProblemCode};
use crate::rate_limit::admit;
use crate::service::{Client, TokenService};
use crate::telemetry::lines_written_first;

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

/// The API middleware's layer: the service, and the route templates it
/// serves (static strings: the metrics allocate nothing per request).
#[derive(Clone)]
pub(crate) struct ApiLayer {
    service: TokenService,
    routes: Arc<[&'static str]>,
}

impl ApiLayer {
    pub(crate) fn new(service: TokenService, routes: Vec<&'static str>) -> Self {
        ApiLayer {
            service,
            routes: routes.into(),
        }
    }

    /// The route template of a request as a metrics label: `unmatched`
    /// for 404s.
    fn route_label(&self, matched: Option<&MatchedPath>) -> &'static str {
        let Some(matched) = matched else {
            return "unmatched";
        };
        self.routes
            .iter()
            .find(|path| **path == matched.as_str())
            .copied()
            .unwrap_or("other")
    }
}

impl<S> Layer<S> for ApiLayer {
    type Service = ApiService<S>;

    fn layer(&self, inner: S) -> ApiService<S> {
        ApiService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The API router's one middleware, a plain tower service: axum's
/// `from_fn` clones and boxes the inner service for every request. In
/// order: resolve the client IP, apply the per-IP limit (before
/// authentication, so it also slows down key guessing), bound the
/// request's time (body upload included), then record metrics and one
/// access-log line: method, route template (never the raw URI), status,
/// code, latency, client IP. Never headers or bodies.
///
/// The lines a request logs (its audit line above all) are written, in a
/// write shared with concurrent requests, before its response leaves.
#[derive(Clone)]
pub(crate) struct ApiService<S> {
    inner: S,
    layer: ApiLayer,
}

impl<S> Service<Request> for ApiService<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let start = Instant::now();
        let service = &self.layer.service;
        let Client {
            ip: client_ip,
            network,
        } = service.client_of(request.extensions(), request.headers());
        let labels = (
            method_label(request.method()),
            self.layer
                .route_label(request.extensions().get::<MatchedPath>()),
        );
        let per_ip = match &network {
            Some(network) => admit(service.limits().per_ip.as_ref(), network, service.metrics()),
            None => Ok(()),
        };
        // The inner service is ready (polled above) and its future owns
        // what it needs: call it now rather than clone it into the future.
        // The future is put together from parts, not written as an `async`
        // block, which would hold the inner future twice (the captured one
        // and the awaited one, rust-lang/rust#62958): it is moved and
        // allocated on every request.
        let handling = match per_ip {
            Err(refusal) => Either::Left(ready(refusal.into_response())),
            Ok(()) => {
                let limit = service.options().request_timeout;
                let timed = tokio::time::timeout(limit, self.inner.call(request));
                Either::Right(timed.map(move |outcome| {
                    match outcome {
                        Ok(Ok(response)) => response,
                        Ok(Err(never)) => match never {},
                        Err(_) => Problem::new(
                            ProblemCode::RequestTimeout,
                            format!("the request took longer than {} s", limit.as_secs_f64()),
                        )
                        .into_response(),
                    }
                }))
            }
        };
        let service = service.clone();
        Box::pin(lines_written_first(handling.map(move |response| {
            record(&service, labels, client_ip, start.elapsed(), &response);
            Ok(response)
        })))
    }
}

/// Metrics and the access-log line of one request.
fn record(
    service: &TokenService,
    (method, route): (&'static str, &'static str),
    client_ip: Option<IpAddr>,
    elapsed: Duration,
    response: &Response,
) {
    let status = response.status().as_u16();
    let metrics = service.metrics();
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
            client_ip = %ClientIp(client_ip),
            "request refused"
        );
    } else {
        tracing::debug!(
            target: "sinch_auth::access",
            method, route, status, latency_us,
            client_ip = %ClientIp(client_ip),
            "request"
        );
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::Router;
    use axum::body::Body;
    use axum::routing::{Route, post};
    use sinch_auth::Application;
    use tower::ServiceExt;
    use tower::layer::layer_fn;

    use super::*;
    use crate::caller::{ApiKey, ApiKeyAuthenticator, ApiKeyDigest};
    use crate::{Applications, ServiceOptions};

    /// The largest block glibc serves from its per-thread cache (tcache):
    /// above it, every request's allocation takes the allocator's slower,
    /// locked path.
    const GLIBC_TCACHE_MAX: usize = 1032;

    /// Wraps the middleware as `Router::layer` applies it (around each
    /// route's `Route`) and keeps the size of the largest future it boxed.
    #[derive(Clone)]
    struct Probe(ApiService<Route>, &'static AtomicUsize);

    impl Service<Request> for Probe {
        type Response = Response;
        type Error = Infallible;
        type Future = <ApiService<Route> as Service<Request>>::Future;

        fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            self.0.poll_ready(cx)
        }

        fn call(&mut self, request: Request) -> Self::Future {
            let future = self.0.call(request);
            self.1
                .fetch_max(std::mem::size_of_val(&*future), Ordering::Relaxed);
            future
        }
    }

    fn layer() -> ApiLayer {
        let app = Application::from_base64("key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
        let key = ApiKey::new("a-long-random-api-key-0123").unwrap();
        let auth = ApiKeyAuthenticator::new(vec![ApiKeyDigest::of_key("k", &key)]).unwrap();
        let service = TokenService::new(Applications::single(app), auth, ServiceOptions::default());
        ApiLayer::new(service, vec!["/probe"])
    }

    /// The number of extensions the handler finds in its request.
    async fn extensions_seen(router: Router) -> String {
        let request = Request::post("/probe").body(Body::empty()).unwrap();
        let response = router.oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200);
        let body = axum::body::to_bytes(response.into_body(), 64)
            .await
            .unwrap();
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn the_request_future_fits_the_allocators_thread_cache() {
        static LARGEST: AtomicUsize = AtomicUsize::new(0);
        let layer = layer();
        // A route's future has one type whatever its handler (`Route`
        // boxes the handler's), so any handler measures the real size.
        let router = Router::new()
            .route("/probe", post(|| async { "ok" }))
            .layer(layer_fn(move |inner: Route| {
                Probe(layer.layer(inner), &LARGEST)
            }));
        extensions_seen(router).await;
        let largest = LARGEST.load(Ordering::Relaxed);
        assert!(
            (1..=GLIBC_TCACHE_MAX).contains(&largest),
            "the middleware boxes a {largest}-byte future per request (limit {GLIBC_TCACHE_MAX})"
        );
    }

    #[tokio::test]
    async fn the_middleware_adds_no_request_extension() {
        // Each extension is a boxed value in a map, allocated per request.
        let count =
            || post(|request: Request| async move { request.extensions().len().to_string() });
        let bare = Router::new().route("/probe", count());
        let layered = Router::new().route("/probe", count()).layer(layer());
        assert_eq!(extensions_seen(layered).await, extensions_seen(bare).await);
    }
}
