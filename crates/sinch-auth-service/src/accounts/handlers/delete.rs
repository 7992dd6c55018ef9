//! `DELETE /v1/accounts/me`: the owner deletes their own account, proving
//! it with the current password as well as the session. The account and
//! every session of it go in one transaction.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::SET_COOKIE;
use serde::Deserialize;
use sinch_auth_store::SessionKind;
use zeroize::Zeroizing;

use super::{AccountsState, json_body};
use crate::accounts::audit::{Username, audit};
use crate::accounts::errors::hashing_problem;
use crate::accounts::sessions::CurrentSession;
use crate::accounts::store_problem;
use crate::caller::AuthError;
use crate::problem::{Problem, ProblemCode};

/// The current password, to confirm.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct AccountDeletion {
    /// The password now.
    current_password: String,
}

/// Delete the account
///
/// Checks the current password, then deletes the account and all its
/// sessions; the username becomes free. A cookie session's cookie is
/// cleared.
#[utoipa::path(
    delete,
    path = "/v1/accounts/me",
    request_body = AccountDeletion,
    responses((status = 204, description = "Deleted")),
)]
pub(crate) async fn delete_account(
    State(state): State<AccountsState>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let client = state.client(&parts);
    let ip = client.ip;
    let metrics = state.service.metrics();
    let current = match state
        .accounts
        .current_session(&parts.method, &parts.uri, &parts.headers, true)
        .await
    {
        Ok(current) => current,
        Err(e) => {
            let problem = Problem::from(e);
            metrics.account_deletion(outcome_of(&problem));
            return problem.into_response();
        }
    };
    let username = current.session.username.clone();
    let attempt = match state.password_attempt(&username, client.network) {
        Ok(attempt) => attempt,
        Err(problem) => {
            metrics.account_deletion("rate_limited");
            let shown = Username::Shown(&username);
            audit("account_deletion", shown, "rate_limited", ip);
            return problem.into_response();
        }
    };
    let request: AccountDeletion = match json_body(parts, body).await {
        Ok(request) => request,
        Err(problem) => {
            metrics.account_deletion("invalid_body");
            return problem.into_response();
        }
    };
    let password = Zeroizing::new(request.current_password);
    let result = delete(&state, &current, password).await;
    let outcome = match &result {
        Ok(()) => "success",
        Err(problem) => outcome_of(problem),
    };
    if outcome == "wrong_password" {
        attempt.failed();
    } else {
        drop(attempt);
    }
    metrics.account_deletion(outcome);
    audit("account_deletion", Username::Shown(&username), outcome, ip);
    match result {
        Ok(()) if current.session.kind == SessionKind::Cookie => {
            let cleared = state.accounts.inner.cookie.clear();
            (StatusCode::NO_CONTENT, [(SET_COOKIE, cleared)]).into_response()
        }
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn delete(
    state: &AccountsState,
    current: &CurrentSession,
    password: Zeroizing<String>,
) -> Result<(), Problem> {
    let accounts = &state.accounts.inner;
    let store = accounts.database.store().map_err(store_problem)?;
    let account = store
        .find_account(&current.session.account_id)
        .await
        .map_err(store_problem)?
        .ok_or_else(|| {
            Problem::from(AuthError::rejected(
                "invalid_session",
                "the account no longer exists; sign in again",
            ))
        })?;
    let verified = accounts
        .hasher
        .verify(password, Some(&account.password_hash))
        .await
        .map_err(hashing_problem)?;
    if !verified {
        return Err(Problem::new(
            ProblemCode::WrongPassword,
            "the current password is wrong",
        ));
    }
    // CredentialsChanged (409) when a password change won meanwhile.
    store
        .delete_account(&account)
        .await
        .map_err(store_problem)?;
    accounts.sessions.forget_account(&account.id);
    Ok(())
}

fn outcome_of(problem: &Problem) -> &'static str {
    match problem.code() {
        ProblemCode::Unauthenticated => "unauthenticated",
        ProblemCode::CrossSiteRequest => "cross_site",
        ProblemCode::WrongPassword => "wrong_password",
        ProblemCode::CredentialsChanged => "credentials_changed",
        ProblemCode::RateLimited => "rate_limited",
        ProblemCode::Unavailable => "unavailable",
        ProblemCode::Overloaded => "overloaded",
        _ => "error",
    }
}
