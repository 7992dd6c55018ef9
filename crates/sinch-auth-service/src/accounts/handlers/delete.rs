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

use super::AccountsState;
use super::reauthenticate::{Operation, Reauthentication};
use crate::accounts::store_problem;
use crate::metrics::Metrics;
use crate::problem::Problem;

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
    let operation = Operation {
        event: "account_deletion",
        metric: Metrics::account_deletion,
    };
    let (attempt, request) = match state.reauthenticate(request, operation).await {
        Ok(started) => started,
        Err(problem) => return problem.into_response(),
    };
    let result = delete(&state, &attempt, request).await;
    let current = attempt.finish(&result);
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
    attempt: &Reauthentication<'_>,
    request: AccountDeletion,
) -> Result<(), Problem> {
    let account = attempt
        .verify_password(Zeroizing::new(request.current_password))
        .await?;
    // CredentialsChanged (409) when a password change won meanwhile.
    let accounts = &state.accounts.inner;
    let store = accounts.database.store().map_err(store_problem)?;
    store
        .delete_account(&account)
        .await
        .map_err(store_problem)?;
    accounts.sessions.forget_account(&account.id);
    Ok(())
}
