//! A Sinch Voice callback handler, as small as it can be while doing the
//! job properly: one URL for every event (as Sinch calls it), the
//! [`VerifiedCallback`] extractor in front so that nothing unsigned, altered
//! or replayed reaches the code below, and SVAML answers that
//! `sinch-auth simulate` checks.
//!
//! - ICE (someone called your Sinch number): connect them to [`AGENT`].
//! - ACE (the agent picked up): continue.
//! - PIE (the caller chose in a menu): `sales` → [`AGENT`], `support` → a
//!   conference, anything else (timeout, hang-up, bad input) → goodbye.
//! - DiCE (the call ended): log it, answer nothing.
//! - Notify: acknowledge.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use sinch_auth::axum::{CallbackAuth, VerifiedCallback};
use sinch_auth::signing::CallbackVerifier;

/// Where calls are connected.
pub const AGENT: &str = "+46700000002";
/// The one callback URL path, as configured for the application at Sinch.
pub const CALLBACK_PATH: &str = "/sinch/callback";

/// The handler's routes, verifying callbacks with `verifier`.
pub fn router(verifier: CallbackVerifier) -> Router {
    Router::new()
        .route(CALLBACK_PATH, post(callback))
        .with_state(CallbackAuth::new(verifier))
}

fn svaml(value: Value) -> Response {
    ([("content-type", "application/json")], value.to_string()).into_response()
}

async fn callback(callback: VerifiedCallback) -> Response {
    let Ok(event) = callback.json::<Value>() else {
        return (StatusCode::BAD_REQUEST, "the body is not JSON").into_response();
    };
    let text = |pointer: &str| event.pointer(pointer).and_then(Value::as_str).unwrap_or("");
    match text("/event") {
        "ice" => svaml(json!({
            "instructions": [{"name": "say", "text": "Connecting you now.", "locale": "en-US"}],
            "action": {"name": "connectPstn", "number": AGENT, "cli": text("/cli"), "maxDuration": 3600},
        })),
        "ace" => svaml(json!({"action": {"name": "continue"}})),
        "pie" => match (text("/menuResult/type"), text("/menuResult/value")) {
            ("return", "sales") => {
                svaml(json!({"action": {"name": "connectPstn", "number": AGENT}}))
            }
            ("return", "support") => {
                svaml(json!({"action": {"name": "connectConf", "conferenceId": "support"}}))
            }
            _ => svaml(json!({
                "instructions": [{"name": "say", "text": "Goodbye.", "locale": "en-US"}],
                "action": {"name": "hangup"},
            })),
        },
        "dice" => {
            // The body is verified and holds no secret; a real handler
            // would record the call here.
            eprintln!(
                "call {} ended: {} / {} after {} s",
                text("/callid"),
                text("/reason"),
                text("/result"),
                event["duration"]
            );
            StatusCode::OK.into_response()
        }
        "notify" => StatusCode::OK.into_response(),
        _ => (StatusCode::BAD_REQUEST, "unknown Voice event").into_response(),
    }
}
