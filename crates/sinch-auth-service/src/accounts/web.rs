//! The web page of accounts mode (`GET /`): sign up, log in, fetch and
//! decode credentials, log out. Three static files compiled into the
//! binary; no build step, no external resources, so a strict
//! Content-Security-Policy holds.

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::HeaderValue;
use http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};

use crate::api_extension::{Listener, RouteTable};

const INDEX_HTML: &str = include_str!("../../web/index.html");
const APP_JS: &str = include_str!("../../web/app.js");
const STYLE_CSS: &str = include_str!("../../web/style.css");

/// Only the page's own files: no inline script or style, no framing, no
/// plugins, forms and `<base>` locked down.
pub(crate) const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

fn file(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
    );
    response
}

/// The web page
///
/// Sign up, log in, get and decode credentials. Served from the binary with
/// a strict Content-Security-Policy.
#[utoipa::path(get, path = "/", responses((status = 200, description = "The page", content_type = "text/html", body = String)))]
pub(crate) async fn index() -> Response {
    file("text/html; charset=utf-8", INDEX_HTML)
}

/// The page's script
#[utoipa::path(get, path = "/app.js", responses((status = 200, description = "The script", content_type = "text/javascript", body = String)))]
pub(crate) async fn app_js() -> Response {
    // Module scripts are refused under any other type.
    file("text/javascript; charset=utf-8", APP_JS)
}

/// The page's style sheet
#[utoipa::path(get, path = "/style.css", responses((status = 200, description = "The style sheet", content_type = "text/css", body = String)))]
pub(crate) async fn style_css() -> Response {
    file("text/css; charset=utf-8", STYLE_CSS)
}

pub(crate) fn routes() -> RouteTable {
    RouteTable::new(Listener::Api)
        .route("GET", "/", get(index))
        .route("GET", "/app.js", get(app_js))
        .route("GET", "/style.css", get(style_css))
}
