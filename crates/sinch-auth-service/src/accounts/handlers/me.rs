//! `GET /v1/accounts/me`: who the session belongs to, so a page can tell
//! whether it is signed in after a reload (the cookie is `HttpOnly`).

use axum::Json;
use axum::extract::State;
use http::{HeaderMap, Method, Uri};
use serde_json::{Value, json};

use super::AccountsState;
use crate::problem::Problem;

pub(super) async fn me(
    State(state): State<AccountsState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Json<Value>, Problem> {
    let current = state
        .accounts
        .current_session(&method, &uri, &headers, false)
        .await?;
    let username = current.session.username;
    Ok(Json(json!({
        "username": username,
        "userId": username,
        "sessionExpiresAt": sinch_auth::rfc3339_seconds(current.session.expires_at),
    })))
}
