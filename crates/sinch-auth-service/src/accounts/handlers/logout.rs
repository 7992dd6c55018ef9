//! `POST /v1/logout`: revokes the session in the database and clears the
//! cookie. Idempotent: without a live session it only clears the cookie.
//! A bearer session (`Authorization: Bearer`) is revoked the same way, and
//! no cookie is touched.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::SET_COOKIE;

use super::AccountsState;
use crate::accounts::audit::{Username, audit};
use crate::accounts::{SessionToken, Strictness, bearer_session, store_problem};
use crate::problem::Problem;

/// Log out
///
/// Revokes the session in the database and clears the cookie. Without a
/// live session it only clears the cookie. With `Authorization: Bearer
/// <sessionToken>` it revokes that session and sets no cookie.
#[utoipa::path(post, path = "/v1/logout", responses((status = 204, description = "Signed out")))]
pub(crate) async fn log_out(State(state): State<AccountsState>, request: Request) -> Response {
    let (parts, _body) = request.into_parts();
    let ip = state.client(&parts).ip;
    let accounts = &state.accounts.inner;
    let metrics = state.service.metrics();

    if let Some(bearer) = bearer_session::read(&parts.headers) {
        let result = match bearer {
            Some(token) => revoke(&state, &token).await,
            None => Ok(None),
        };
        return finish(&state, result, ip, StatusCode::NO_CONTENT.into_response());
    }

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
    let result = revoke(&state, &token).await;
    finish(
        &state,
        result,
        ip,
        (StatusCode::NO_CONTENT, cleared).into_response(),
    )
}

/// Revokes the session of `token` if there is one; its username.
async fn revoke(state: &AccountsState, token: &SessionToken) -> Result<Option<String>, Problem> {
    let accounts = &state.accounts.inner;
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

/// The answer, metric and audit line of a logout: `signed_out` when it
/// went through.
fn finish(
    state: &AccountsState,
    result: Result<Option<String>, Problem>,
    ip: Option<std::net::IpAddr>,
    signed_out: Response,
) -> Response {
    let metrics = state.service.metrics();
    match result {
        Ok(Some(username)) => {
            metrics.logout("success");
            audit("logout", Username::Shown(&username), "success", ip);
            signed_out
        }
        Ok(None) => {
            metrics.logout("no_session");
            signed_out
        }
        // The cookie stays: the session is still live, and the client
        // should retry rather than believe it signed out.
        Err(problem) => {
            metrics.logout("unavailable");
            problem.into_response()
        }
    }
}
