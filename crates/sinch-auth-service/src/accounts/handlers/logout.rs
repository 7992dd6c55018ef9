//! `POST /v1/logout`: revokes the session in the database and clears the
//! cookie. Idempotent: without a live session it only clears the cookie.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::SET_COOKIE;

use super::{AccountsState, client_ip};
use crate::accounts::audit::{Username, audit};
use crate::accounts::{Strictness, store_problem};
use crate::problem::Problem;

/// Log out
///
/// Revokes the session in the database and clears the cookie. Without a
/// live session it only clears the cookie.
#[utoipa::path(post, path = "/v1/logout", responses((status = 204, description = "Signed out")))]
pub(crate) async fn log_out(State(state): State<AccountsState>, request: Request) -> Response {
    let (parts, _body) = request.into_parts();
    let ip = client_ip(&parts);
    let accounts = &state.accounts.inner;
    let metrics = state.service.metrics();
    let cleared = [(SET_COOKIE, accounts.cookie.clear())];

    let Some(cookie) = accounts.cookie.read(&parts.headers) else {
        metrics.logout("no_session");
        return (StatusCode::NO_CONTENT, cleared).into_response();
    };
    if let Err(problem) = accounts.origins.check(
        &parts.method,
        &parts.uri,
        &parts.headers,
        Strictness::CookieAuthenticated,
    ) {
        metrics.logout("cross_site");
        return problem.into_response();
    }
    let Some(token) = cookie else {
        metrics.logout("no_session");
        return (StatusCode::NO_CONTENT, cleared).into_response();
    };
    let result: Result<Option<String>, Problem> = async {
        let store = accounts.database.store().map_err(store_problem)?;
        let hash = token.hash();
        let now = time::OffsetDateTime::now_utc();
        let session = store
            .find_session(&hash, now)
            .await
            .map_err(store_problem)?;
        store.revoke_session(&hash).await.map_err(store_problem)?;
        accounts.sessions.forget(&hash);
        Ok(session.map(|s| s.username))
    }
    .await;
    match result {
        Ok(Some(username)) => {
            metrics.logout("success");
            audit("logout", Username::Shown(&username), "success", ip);
            (StatusCode::NO_CONTENT, cleared).into_response()
        }
        Ok(None) => {
            metrics.logout("no_session");
            (StatusCode::NO_CONTENT, cleared).into_response()
        }
        // The cookie stays: the session is still live, and the client
        // should retry rather than believe it signed out.
        Err(problem) => {
            metrics.logout("unavailable");
            problem.into_response()
        }
    }
}
