//! `GET /v1/accounts/me`: who the session belongs to, so a page can tell
//! whether it is signed in after a reload (the cookie is `HttpOnly`).

use axum::Json;
use axum::extract::State;
use http::{HeaderMap, Method, Uri};
use serde::Serialize;

use super::AccountsState;
use crate::problem::Problem;

/// The signed-in account: who the session belongs to, and until when.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Me {
    /// The username.
    username: String,
    /// The same, as the Sinch user id.
    user_id: String,
    /// When the session ends (RFC 3339, UTC).
    #[schema(format = DateTime)]
    session_expires_at: String,
}

/// The signed-in account
///
/// Who the session belongs to, and when the session ends.
#[utoipa::path(get, path = "/v1/accounts/me", responses((status = 200, description = "The account", body = Me)))]
pub(crate) async fn me(
    State(state): State<AccountsState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Json<Me>, Problem> {
    let current = state
        .accounts
        .current_session(&method, &uri, &headers, false)
        .await?;
    let username = current.session.username;
    Ok(Json(Me {
        user_id: username.clone(),
        username,
        session_expires_at: sinch_auth::rfc3339_seconds(current.session.expires_at),
    }))
}
