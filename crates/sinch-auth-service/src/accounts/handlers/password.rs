//! `POST /v1/accounts/me/password`: change the signed-in user's password
//! and revoke every other session of the account, in one transaction.

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{AccountsState, json_body};
use crate::accounts::audit::{Username, audit};
use crate::accounts::errors::hashing_problem;
use crate::accounts::password::check_policy;
use crate::accounts::sessions::CurrentSession;
use crate::accounts::store_problem;
use crate::caller::AuthError;
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
    let (parts, body) = request.into_parts();
    let client = state.client(&parts);
    let ip = client.ip;
    let metrics = state.service.metrics();
    let current = match state
        .accounts
        // Straight from the database: a session revoked elsewhere must not
        // change the password.
        .current_session(&parts.method, &parts.uri, &parts.headers, true)
        .await
    {
        Ok(current) => current,
        Err(e) => {
            let problem = Problem::from(e);
            metrics.password_change(outcome_of(&problem));
            return problem.into_response();
        }
    };
    let username = current.session.username.clone();
    let attempt = match state.password_attempt(&username, client.network) {
        Ok(attempt) => attempt,
        Err(problem) => {
            metrics.password_change("rate_limited");
            audit(
                "password_change",
                Username::Shown(&username),
                "rate_limited",
                ip,
            );
            return problem.into_response();
        }
    };
    let request: PasswordChange = match json_body(parts, body).await {
        Ok(request) => request,
        Err(problem) => {
            metrics.password_change("invalid_body");
            return problem.into_response();
        }
    };
    let current_password = Zeroizing::new(request.current_password);
    let new_password = Zeroizing::new(request.new_password);
    let result = change(&state, &current, current_password, new_password).await;
    let outcome = match &result {
        Ok(_) => "success",
        Err(problem) => outcome_of(problem),
    };
    if outcome == "wrong_password" {
        attempt.failed();
    } else {
        drop(attempt);
    }
    metrics.password_change(outcome);
    audit("password_change", Username::Shown(&username), outcome, ip);
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
    current: &CurrentSession,
    current_password: Zeroizing<String>,
    new_password: Zeroizing<String>,
) -> Result<u64, Problem> {
    check_policy(&current.session.username, &new_password)
        .map_err(|m| Problem::new(ProblemCode::InvalidPassword, m))?;
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
        .verify(current_password, Some(&account.password_hash))
        .await
        .map_err(hashing_problem)?;
    if !verified {
        return Err(Problem::new(
            ProblemCode::WrongPassword,
            "the current password is wrong",
        ));
    }
    let new_hash = accounts
        .hasher
        .hash(new_password)
        .await
        .map_err(hashing_problem)?;
    // Keeps this session; CredentialsChanged (409) when another change won.
    let revoked = store
        .set_password(&account, &new_hash, Some(&current.hash))
        .await
        .map_err(store_problem)?;
    accounts.sessions.forget_account(&account.id);
    Ok(revoked)
}

fn outcome_of(problem: &Problem) -> &'static str {
    match problem.code() {
        ProblemCode::Unauthenticated => "unauthenticated",
        ProblemCode::CrossSiteRequest => "cross_site",
        ProblemCode::WrongPassword => "wrong_password",
        ProblemCode::InvalidPassword => "invalid_password",
        ProblemCode::CredentialsChanged => "credentials_changed",
        ProblemCode::RateLimited => "rate_limited",
        ProblemCode::Unavailable => "unavailable",
        ProblemCode::Overloaded => "overloaded",
        _ => "error",
    }
}
