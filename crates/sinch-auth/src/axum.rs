//! axum 0.8 integration (feature `axum`): reject forged Sinch callbacks
//! before the handler runs.
//!
//! Put [`VerifiedCallback`] last in a handler's arguments (it consumes the
//! body). It buffers the body up to a limit, verifies it with the
//! [`CallbackAuth`] found in the router state, and hands the handler the
//! exact bytes that were verified. A forged, altered, replayed or unsigned
//! request never reaches the handler: it gets `401 Unauthorized` with an
//! `application/problem+json` body naming the failure (`413` when the body
//! is over the limit, `400` when it cannot be read).
//!
//! ```
//! use axum::{Router, routing::post};
//! use sinch_auth::Application;
//! use sinch_auth::axum::{CallbackAuth, VerifiedCallback};
//! use sinch_auth::signing::CallbackVerifier;
//!
//! async fn ice(callback: VerifiedCallback) -> &'static str {
//!     let event: serde_json::Value = callback.json().unwrap_or_default();
//!     // ... act on a callback that Sinch really sent ...
//!     # let _ = event;
//!     "{}"
//! }
//!
//! let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
//! let router: Router = Router::new()
//!     .route("/sinch/callback", post(ice))
//!     .with_state(CallbackAuth::new(CallbackVerifier::new(app)));
//! # Ok::<(), sinch_auth::Error>(())
//! ```
//!
//! With a state of your own, implement `FromRef` for [`CallbackAuth`] (or
//! derive it with axum's `macros` feature).
//!
//! Numbers callbacks and Conversation webhooks work the same way with
//! `VerifiedCallback<NumbersCallbackVerifier>` and
//! `VerifiedCallback<ConversationWebhookVerifier>`.
//!
//! ## The path that is verified, and reverse proxies
//!
//! Application-signed callbacks sign the path **as Sinch was told it**
//! (FORMATS §3). The extractor takes the path from axum's `OriginalUri`, so
//! routes inside [`Router::nest`](axum::Router::nest) verify their full path.
//! When a reverse proxy strips a prefix (Sinch calls
//! `https://example.com/api/sinch/callback`, the proxy forwards
//! `/sinch/callback`), tell the extractor what was stripped:
//!
//! ```
//! use sinch_auth::Application;
//! use sinch_auth::axum::CallbackAuth;
//! use sinch_auth::signing::CallbackVerifier;
//! let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
//! let auth = CallbackAuth::new(CallbackVerifier::new(app)).with_external_path_prefix("/api");
//! assert_eq!(auth.external_path("/sinch/callback"), "/api/sinch/callback");
//! # Ok::<(), sinch_auth::Error>(())
//! ```
//!
//! Headers such as `X-Forwarded-Prefix` are deliberately not read: anyone
//! can send them, and a forged prefix would let a signature made for one
//! path be replayed against another.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRef, FromRequest, OriginalUri, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

use crate::error::{Error, ErrorKind};
use crate::signing::http_support::path_and_query;
use crate::signing::{
    CallbackRequest, CallbackVerifier, ConversationWebhook, ConversationWebhookVerifier,
    NumbersCallbackVerifier,
};

/// One buffered request, as a [`CallbackCheck`] sees it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct CallbackParts<'a> {
    /// The request method.
    pub method: &'a Method,
    /// The external path and query (see the module documentation).
    pub path: &'a str,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The raw body bytes.
    pub body: &'a [u8],
}

/// A way of verifying a buffered callback; implemented for the three Sinch
/// schemes, and open to your own.
///
/// ```
/// use sinch_auth::axum::{CallbackCheck, CallbackParts};
/// use sinch_auth::{Error, ErrorKind};
/// struct RequireJson;
/// impl CallbackCheck for RequireJson {
///     fn check(&self, request: &CallbackParts<'_>) -> Result<(), Error> {
///         match request.headers.get("content-type") {
///             Some(_) => Ok(()),
///             None => Err(ErrorKind::MissingHeader("content-type").into()),
///         }
///     }
/// }
/// ```
pub trait CallbackCheck: Send + Sync + 'static {
    /// `Ok` when the request may reach the handler.
    fn check(&self, request: &CallbackParts<'_>) -> Result<(), Error>;
}

impl CallbackCheck for CallbackVerifier {
    fn check(&self, request: &CallbackParts<'_>) -> Result<(), Error> {
        let callback = CallbackRequest::new(request.method.as_str(), request.path)
            .with_body(request.body)
            .with_headers_from(request.headers)?;
        self.verify(callback).map(drop)
    }
}

impl CallbackCheck for NumbersCallbackVerifier {
    fn check(&self, request: &CallbackParts<'_>) -> Result<(), Error> {
        self.verify_http_headers(request.headers, request.body)
    }
}

impl CallbackCheck for ConversationWebhookVerifier {
    fn check(&self, request: &CallbackParts<'_>) -> Result<(), Error> {
        self.verify(ConversationWebhook::from_http_headers(
            request.headers,
            request.body,
        )?)
    }
}

/// What [`VerifiedCallback`] needs from the router state: the verifier, the
/// body limit, and the prefix a reverse proxy strips. Cheap to clone.
///
/// Defaults: body limit [`DEFAULT_BODY_LIMIT`](Self::DEFAULT_BODY_LIMIT)
/// (256 KiB), no external prefix.
///
/// ```
/// use sinch_auth::axum::CallbackAuth;
/// use sinch_auth::signing::{CallbackSecret, NumbersCallbackVerifier};
/// let auth = CallbackAuth::new(NumbersCallbackVerifier::new(CallbackSecret::new("s3cret")?))
///     .with_body_limit(64 * 1024);
/// assert_eq!(auth.body_limit(), 64 * 1024);
/// assert!(!format!("{auth:?}").contains("s3cret"));
/// # Ok::<(), sinch_auth::Error>(())
/// ```
pub struct CallbackAuth<V = CallbackVerifier> {
    verifier: Arc<V>,
    body_limit: usize,
    external_prefix: Arc<str>,
}

impl<V> Clone for CallbackAuth<V> {
    fn clone(&self) -> Self {
        CallbackAuth {
            verifier: Arc::clone(&self.verifier),
            body_limit: self.body_limit,
            external_prefix: Arc::clone(&self.external_prefix),
        }
    }
}

impl<V: fmt::Debug> fmt::Debug for CallbackAuth<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackAuth")
            .field("verifier", &self.verifier)
            .field("body_limit", &self.body_limit)
            .field("external_prefix", &self.external_prefix)
            .finish()
    }
}

impl<V: CallbackCheck> CallbackAuth<V> {
    /// Largest body buffered by default: 256 KiB, far above any Sinch
    /// callback, far below what would hurt a server.
    pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

    /// Verifies with `verifier`.
    pub fn new(verifier: V) -> Self {
        CallbackAuth {
            verifier: Arc::new(verifier),
            body_limit: Self::DEFAULT_BODY_LIMIT,
            external_prefix: Arc::from(""),
        }
    }

    /// Largest body accepted, in bytes; longer ones get `413`.
    /// Default: [`DEFAULT_BODY_LIMIT`](Self::DEFAULT_BODY_LIMIT).
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The path prefix a reverse proxy removes before forwarding, so that
    /// the path Sinch signed can be rebuilt. A missing leading `/` is added
    /// and a trailing `/` removed. Default: none.
    ///
    /// ```
    /// use sinch_auth::axum::CallbackAuth;
    /// use sinch_auth::signing::{CallbackSecret, NumbersCallbackVerifier};
    /// let auth = CallbackAuth::new(NumbersCallbackVerifier::new(CallbackSecret::new("s")?))
    ///     .with_external_path_prefix("api/v2/");
    /// assert_eq!(auth.external_path("/numbers?x=1"), "/api/v2/numbers?x=1");
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn with_external_path_prefix(mut self, prefix: &str) -> Self {
        let trimmed = prefix.trim_end_matches('/');
        self.external_prefix = if trimmed.is_empty() || trimmed.starts_with('/') {
            Arc::from(trimmed)
        } else {
            Arc::from(format!("/{trimmed}"))
        };
        self
    }

    /// The configured body limit.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// The verifier.
    pub fn verifier(&self) -> &V {
        &self.verifier
    }

    /// The path Sinch called for a request that reached this server at
    /// `internal_path`.
    pub fn external_path(&self, internal_path: &str) -> String {
        format!("{}{internal_path}", self.external_prefix)
    }
}

/// A callback whose signature was checked; holds the exact body bytes that
/// were verified. Put it last in the handler's arguments.
///
/// ```
/// use sinch_auth::axum::VerifiedCallback;
/// use sinch_auth::signing::NumbersCallbackVerifier;
/// async fn numbers_event(event: VerifiedCallback<NumbersCallbackVerifier>) -> String {
///     format!("{} bytes", event.body().len())
/// }
/// ```
pub struct VerifiedCallback<V = CallbackVerifier> {
    body: Bytes,
    // `fn() -> V` keeps the extractor Send + Sync whatever V is.
    verifier: PhantomData<fn() -> V>,
}

impl<V> VerifiedCallback<V> {
    /// The verified raw body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Takes the verified raw body.
    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// Parses the verified body as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

impl<V> fmt::Debug for VerifiedCallback<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedCallback")
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl<S, V> FromRequest<S> for VerifiedCallback<V>
where
    S: Send + Sync,
    V: CallbackCheck,
    CallbackAuth<V>: FromRef<S>,
{
    type Rejection = CallbackRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let auth = CallbackAuth::<V>::from_ref(state);
        let (parts, body) = request.into_parts();
        let body = read_limited(&parts.headers, body, auth.body_limit).await?;
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(&parts.uri, |original| &original.0);
        let path = auth.external_path(path_and_query(uri));
        let request = CallbackParts {
            method: &parts.method,
            path: &path,
            headers: &parts.headers,
            body: &body,
        };
        auth.verifier
            .check(&request)
            .map_err(|e| CallbackRejection::from_error(&e))?;
        Ok(VerifiedCallback {
            body,
            verifier: PhantomData,
        })
    }
}

async fn read_limited(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, CallbackRejection> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(CallbackRejection::too_large(limit));
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(CallbackRejection::too_large(limit))
        }
        Err(_) => Err(CallbackRejection::new(
            StatusCode::BAD_REQUEST,
            "unreadable_body",
            "Unreadable body",
            "the request body could not be read".to_owned(),
        )),
    }
}

/// Why a callback was turned away; answers with RFC 9457
/// `application/problem+json`.
///
/// | failure | status | `code` |
/// |---|---|---|
/// | `Authorization`/`x-timestamp`/signature header absent | 401 | `missing_header` |
/// | header present but malformed | 401 | `malformed_header` |
/// | method or path that cannot have been signed | 401 | `malformed_request` |
/// | another application's key | 401 | `wrong_application_key` |
/// | timestamp outside the window | 401 | `timestamp_outside_window` |
/// | signature does not match | 401 | `invalid_signature` |
/// | body over the limit | 413 | `body_too_large` |
/// | body could not be read | 400 | `unreadable_body` |
///
/// The `detail` is the crate's error message, which never contains a secret
/// or a whole signature.
///
/// ```
/// use axum::http::StatusCode;
/// use sinch_auth::ErrorKind;
/// use sinch_auth::axum::CallbackRejection;
/// let r = CallbackRejection::from_error(&ErrorKind::MissingHeader("x-timestamp").into());
/// assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
/// assert_eq!(r.code(), "missing_header");
/// assert_eq!(r.detail(), "missing header x-timestamp");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackRejection {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
}

impl CallbackRejection {
    fn new(status: StatusCode, code: &'static str, title: &'static str, detail: String) -> Self {
        CallbackRejection {
            status,
            code,
            title,
            detail,
        }
    }

    fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "Body too large",
            format!("the request body is larger than {limit} bytes"),
        )
    }

    /// The `401` answer for a verification error.
    pub fn from_error(error: &Error) -> Self {
        let (code, title) = match error.kind() {
            ErrorKind::MissingHeader(_) => ("missing_header", "Missing header"),
            ErrorKind::MalformedHeader { .. } => ("malformed_header", "Malformed header"),
            ErrorKind::Malformed { .. } => ("malformed_request", "Malformed request"),
            ErrorKind::ApplicationKeyMismatch { .. } => {
                ("wrong_application_key", "Wrong application key")
            }
            ErrorKind::TimestampOutsideWindow { .. } => {
                ("timestamp_outside_window", "Timestamp outside the window")
            }
            ErrorKind::InvalidSignature(_) => ("invalid_signature", "Invalid signature"),
            _ => ("invalid_callback", "Invalid callback"),
        };
        Self::new(StatusCode::UNAUTHORIZED, code, title, error.to_string())
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable failure, also in the problem's `type`
    /// (`urn:sinch-auth:problem:<code>`) and `code` members.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The human-readable explanation.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for CallbackRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.title, self.status, self.detail)
    }
}

impl std::error::Error for CallbackRejection {}

impl IntoResponse for CallbackRejection {
    fn into_response(self) -> Response {
        let problem = serde_json::json!({
            "type": format!("urn:sinch-auth:problem:{}", self.code),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "code": self.code,
        });
        let mut response = (self.status, problem.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Application"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Application;
    use crate::signing::CallbackSecret;
    use time::macros::datetime;

    fn auth() -> CallbackAuth {
        let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
        CallbackAuth::new(CallbackVerifier::new(app).with_now(datetime!(2026-11-28 08:00 UTC)))
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn prefix_is_normalized() {
        assert_eq!(auth().external_path("/a"), "/a");
        for prefix in ["/api", "api", "/api/", "api/"] {
            assert_eq!(
                auth().with_external_path_prefix(prefix).external_path("/a"),
                "/api/a",
                "{prefix}"
            );
        }
        assert_eq!(
            auth().with_external_path_prefix("/").external_path("/a"),
            "/a"
        );
    }

    #[test]
    fn declared_oversize_is_refused_before_reading() {
        let request = Request::post("/cb")
            .header(CONTENT_LENGTH, "1000")
            .body(Body::from(vec![b'x'; 10]))
            .unwrap();
        let auth = auth().with_body_limit(100);
        let rejection = block_on(VerifiedCallback::<CallbackVerifier>::from_request(
            request, &auth,
        ))
        .unwrap_err();
        assert_eq!(rejection.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn nested_routes_verify_the_original_uri() {
        let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
        let now = datetime!(2026-11-28 08:00 UTC);
        let signed = app
            .sign_request("POST", "/outer/cb")
            .with_timestamp(now)
            .sign()
            .unwrap();
        let mut request = Request::post("/cb")
            .header("authorization", signed.authorization())
            .header("x-timestamp", signed.x_timestamp())
            .body(Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(OriginalUri("/outer/cb".parse().unwrap()));
        let auth = CallbackAuth::new(CallbackVerifier::new(app).with_now(now));
        assert!(
            block_on(VerifiedCallback::<CallbackVerifier>::from_request(
                request, &auth
            ))
            .is_ok()
        );
    }

    #[test]
    fn rejection_is_problem_json_with_www_authenticate() {
        let secret = CallbackSecret::new("s").unwrap();
        let auth = CallbackAuth::new(NumbersCallbackVerifier::new(secret));
        let request = Request::post("/n").body(Body::from("{}")).unwrap();
        let rejection = block_on(VerifiedCallback::<NumbersCallbackVerifier>::from_request(
            request, &auth,
        ))
        .unwrap_err();
        assert_eq!(rejection.code(), "missing_header");
        let response = rejection.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/problem+json");
        assert_eq!(response.headers()[WWW_AUTHENTICATE], "Application");
        let body = block_on(response.into_body().collect()).unwrap().to_bytes();
        let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["status"], 401);
        assert_eq!(problem["type"], "urn:sinch-auth:problem:missing_header");
        assert_eq!(problem["detail"], "missing header x-sinch-signature");
    }
}
