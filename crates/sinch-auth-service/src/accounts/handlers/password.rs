//! `POST /v1/accounts/me/password`: change the signed-in user's password
//! and revoke every other session of the account, in one transaction.

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::AccountsState;
use super::reauthenticate::{Operation, Reauthentication};
use crate::accounts::errors::hashing_problem;
use crate::accounts::password::check_policy;
use crate::accounts::store_problem;
use crate::metrics::Metrics;
use crate::problem::{Problem, ProblemCode};

/// The current password and the new one.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct PasswordChange {
    /// The password now.
    current_password: String,
    /// 8 to 128 characters, not trimmed.
    #[schema(min_length = 8, max_length = 128)]
    new_password: String,
}

/// How many other sessions the change signed out.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PasswordChanged {
    other_sessions_revoked: u64,
}

/// Change the password
///
/// Checks the current password, stores the new one and revokes every other
/// session of the account; this session stays signed in.
#[utoipa::path(
    post,
    path = "/v1/accounts/me/password",
    request_body = PasswordChange,
    responses((status = 200, description = "Changed", body = PasswordChanged)),
)]
pub(crate) async fn change_password(
    State(state): State<AccountsState>,
    request: Request,
) -> Response {
    let operation = Operation {
        event: "password_change",
        metric: Metrics::password_change,
    };
    let (attempt, request) = match state.reauthenticate(request, operation).await {
        Ok(started) => started,
        Err(problem) => return problem.into_response(),
    };
    let result = change(&state, &attempt, request).await;
    attempt.finish(&result);
    match result {
        Ok(revoked) => Json(PasswordChanged {
            other_sessions_revoked: revoked,
        })
        .into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn change(
    state: &AccountsState,
    attempt: &Reauthentication<'_>,
    request: PasswordChange,
) -> Result<u64, Problem> {
    let current_password = Zeroizing::new(request.current_password);
    let new_password = Zeroizing::new(request.new_password);
    let current = &attempt.current;
    check_policy(&current.session.username, &new_password)
        .map_err(|m| Problem::new(ProblemCode::InvalidPassword, m))?;
    let account = attempt.verify_password(current_password).await?;
    let accounts = &state.accounts.inner;
    let new_hash = accounts
        .hasher
        .hash(new_password)
        .await
        .map_err(hashing_problem)?;
    // Keeps this session; CredentialsChanged (409) when another change won.
    let store = accounts.database.store().map_err(store_problem)?;
    let revoked = store
        .set_password(&account, &new_hash, Some(&current.hash))
        .await
        .map_err(store_problem)?;
    accounts.sessions.forget_account(&account.id);
    Ok(revoked)
}
