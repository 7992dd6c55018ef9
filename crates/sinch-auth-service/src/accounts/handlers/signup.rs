//! `POST /v1/accounts`: sign-up.

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{AccountsState, json_body};
use crate::accounts::audit::{Username, audit};
use crate::accounts::errors::hashing_problem;
use crate::accounts::password::check_policy;
use crate::accounts::{SignupPolicy, Strictness, store_problem};
use crate::caller::{AuthError, bearer_token};
use crate::problem::{Problem, ProblemCode};

/// A username and a password.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Credentials {
    /// The Sinch user id: `A-Z a-z 0-9 - _ =`, 1 to 255.
    #[schema(pattern = "^[A-Za-z0-9_=-]{1,255}$")]
    pub(crate) username: String,
    /// 8 to 128 characters, not trimmed.
    #[schema(min_length = 8, max_length = 128)]
    pub(crate) password: String,
}

/// The account created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignUpResponse {
    /// The username, which is the Sinch user id.
    pub username: String,
    /// The same, under the name the credential responses use.
    pub user_id: String,
    /// RFC 3339, UTC, whole seconds.
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// Sign up
///
/// Creates an account; the username is the Sinch user id. Depending on
/// configuration sign-up is open, closed (`403 signup_closed`) or needs the
/// admin API key (`Authorization: Bearer`).
#[utoipa::path(
    post,
    path = "/v1/accounts",
    request_body = Credentials,
    responses((status = 201, description = "Created", body = SignUpResponse)),
)]
pub(crate) async fn sign_up(State(state): State<AccountsState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let client = state.client(&parts);
    let ip = client.ip;
    let metrics = state.service.metrics();
    let accounts = &state.accounts.inner;

    let admitted = accounts
        .origins
        .check(
            &parts.method,
            &parts.uri,
            &parts.headers,
            Strictness::Credentials,
        )
        .and_then(|()| admit(&accounts.options.signup, &parts.headers))
        .and_then(|()| state.check_ip_attempt(client.network));
    if let Err(problem) = admitted {
        metrics.signup(outcome_of(&problem));
        return problem.into_response();
    }
    let request: Credentials = match json_body(parts, body).await {
        Ok(request) => request,
        Err(problem) => {
            metrics.signup("invalid_body");
            return problem.into_response();
        }
    };
    let username = request.username;
    let password = Zeroizing::new(request.password);
    let result = create(&state, &username, password).await;
    let outcome = match &result {
        Ok(_) => "created",
        Err(problem) => outcome_of(problem),
    };
    metrics.signup(outcome);
    audit("signup", Username::Shown(&username), outcome, ip);
    match result {
        Ok(created) => (StatusCode::CREATED, Json(created)).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// The sign-up policy.
fn admit(policy: &SignupPolicy, headers: &http::HeaderMap) -> Result<(), Problem> {
    match policy {
        SignupPolicy::Open => Ok(()),
        SignupPolicy::Closed => Err(Problem::new(
            ProblemCode::SignupClosed,
            "sign-up is closed on this service; ask its operator for an account",
        )),
        SignupPolicy::AdminKey(keys) => {
            let key = bearer_token(headers)?;
            match keys.check(key) {
                Some(_) => Ok(()),
                None => Err(AuthError::rejected(
                    "invalid_admin_key",
                    "sign-up needs the admin API key: Authorization: Bearer <key>",
                )
                .into()),
            }
        }
    }
}

async fn create(
    state: &AccountsState,
    username: &str,
    password: Zeroizing<String>,
) -> Result<SignUpResponse, Problem> {
    sinch_auth::validate_token_user_id(username).map_err(|e| {
        Problem::new(
            ProblemCode::InvalidUserId,
            format!(
                "usernames are Sinch user ids: 1 to 255 of A-Z a-z 0-9 - _ = ({})",
                reason_of(&e)
            ),
        )
    })?;
    check_policy(username, &password).map_err(|m| Problem::new(ProblemCode::InvalidPassword, m))?;
    let accounts = &state.accounts.inner;
    // Hashing first and letting the unique constraint decide keeps two
    // sign-ups for one name from both succeeding.
    let hash = accounts
        .hasher
        .hash(password)
        .await
        .map_err(hashing_problem)?;
    let store = accounts.database.store().map_err(store_problem)?;
    let account = store
        .create_account(username, &hash)
        .await
        .map_err(store_problem)?;
    Ok(SignUpResponse {
        username: account.username.clone(),
        user_id: account.username,
        created_at: sinch_auth::rfc3339_seconds(account.created_at),
    })
}

/// The core's message names the offending character or the length; keep
/// that part, without the advice about encoding ids for tokens.
pub(crate) fn reason_of(e: &sinch_auth::Error) -> String {
    let text = e.to_string();
    let reason = text.split_once(": ").map_or(text.as_str(), |(_, r)| r);
    reason.split(';').next().unwrap_or(reason).trim().to_owned()
}

fn outcome_of(problem: &Problem) -> &'static str {
    match problem.code() {
        ProblemCode::SignupClosed => "closed",
        ProblemCode::Unauthenticated => "forbidden",
        ProblemCode::CrossSiteRequest => "cross_site",
        ProblemCode::RateLimited => "rate_limited",
        ProblemCode::InvalidUserId => "invalid_username",
        ProblemCode::InvalidPassword => "invalid_password",
        ProblemCode::UsernameTaken => "username_taken",
        ProblemCode::Unavailable => "unavailable",
        ProblemCode::Overloaded => "overloaded",
        _ => "error",
    }
}
