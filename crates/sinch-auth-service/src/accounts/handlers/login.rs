//! `POST /v1/login`: password check, session cookie, and both credentials
//! at once, so that `sinchClient.start(response)` works on the reply.

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::header::SET_COOKIE;
use serde::{Deserialize, Serialize};
use sinch_auth::validate_token_user_id;
use sinch_auth_store::{Account, StoreError};
use zeroize::Zeroizing;

use super::signup::Credentials;
use super::{AccountsState, client_ip, client_network, json_body};
use crate::accounts::audit::{Username, audit};
use crate::accounts::errors::hashing_problem;
use crate::accounts::{SessionToken, Strictness, store_problem};
use crate::caller::{Caller, Via};
use crate::issue::{TicketRequest, TokenRequest};
use crate::problem::{Problem, ProblemCode};
use crate::rate_limit::ClientNetwork;

/// Both credentials for the signed-in user. The session itself travels in
/// the `Set-Cookie` header, never in the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    /// A user ticket (JS SDK 1.x: `sinchClient.start(response)`).
    pub user_ticket: String,
    /// A registration token (current SDKs: `clientRegistration.register(token)`).
    pub token: String,
    /// The user, which is the username.
    pub user_id: String,
    /// When the first of the two credentials expires (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// Seconds until then.
    pub expires_in: u64,
}

/// Every refused login gets this, whether the user is unknown or the
/// password wrong.
fn invalid_credentials() -> Problem {
    Problem::unauthenticated("invalid_credentials", "the username or password is wrong")
}

/// Log in
///
/// Checks the password and returns both credentials at once, so that
/// `sinchClient.start(response)` works on the reply, and sets the session
/// cookie. The same `401 unauthenticated` (reason `invalid_credentials`)
/// answers an unknown user and a wrong password.
#[utoipa::path(
    post,
    path = "/v1/login",
    request_body = Credentials,
    responses((status = 200, description = "Signed in; the session cookie is in `Set-Cookie`.", body = LoginResponse)),
)]
pub(crate) async fn log_in(State(state): State<AccountsState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let ip = client_ip(&parts);
    let network = client_network(&parts);
    let metrics = state.service.metrics();
    let admitted = state
        .accounts
        .inner
        .origins
        .check(
            &parts.method,
            &parts.uri,
            &parts.headers,
            Strictness::Credentials,
        )
        .and_then(|()| state.check_ip_attempt(network));
    if let Err(problem) = admitted {
        metrics.login(outcome_of(&problem));
        return problem.into_response();
    }
    let request: Credentials = match json_body(parts, body).await {
        Ok(request) => request,
        Err(problem) => {
            metrics.login("invalid_body");
            return problem.into_response();
        }
    };
    let username = request.username;
    let password = Zeroizing::new(request.password);
    let result = log_in_checked(&state, &username, password, network).await;
    let (outcome, shown) = match &result {
        Ok(_) => ("success", Username::Shown(&username)),
        Err(problem) => (
            outcome_of(problem),
            Username::Hashed(state.accounts.inner.audit_key.hash(&username)),
        ),
    };
    metrics.login(outcome);
    audit("login", shown, outcome, ip);
    match result {
        Ok((body, token)) => {
            let cookie = state.accounts.inner.cookie.set(&token);
            ([(SET_COOKIE, cookie)], Json(body)).into_response()
        }
        Err(problem) => problem.into_response(),
    }
}

async fn log_in_checked(
    state: &AccountsState,
    username: &str,
    password: Zeroizing<String>,
    network: Option<ClientNetwork>,
) -> Result<(LoginResponse, SessionToken), Problem> {
    let accounts = &state.accounts.inner;
    // A name outside the alphabet cannot have an account: no lookup, but
    // the same hash work and the same answer as for any unknown user.
    let valid_name = validate_token_user_id(username).is_ok();
    let attempt = if valid_name {
        Some(state.password_attempt(username, network)?)
    } else {
        None
    };
    let account: Option<Account> = if valid_name {
        let store = accounts.database.store().map_err(store_problem)?;
        store
            .find_account_by_username(username)
            .await
            .map_err(store_problem)?
    } else {
        None
    };
    let verified = accounts
        .hasher
        .verify(password, account.as_ref().map(|a| &a.password_hash))
        .await
        .map_err(hashing_problem)?;
    let account = match account {
        Some(account) if verified => account,
        _ => {
            if let Some(attempt) = attempt {
                attempt.failed();
            }
            return Err(invalid_credentials());
        }
    };
    drop(attempt);

    let token = SessionToken::generate().map_err(|e| {
        tracing::error!(error = %e, "no OS randomness for a session token");
        Problem::new(ProblemCode::Internal, "the session could not be created")
    })?;
    let caller = Caller::user(
        account.username.clone(),
        Via::new("accounts", token.log_id()),
    );
    // Credentials first: a refusal here (the per-user limit) leaves no
    // session behind.
    let ticket = state
        .service
        .issue_ticket(&caller, &TicketRequest::default())?;
    let registration = state
        .service
        .issue_registration_token(&caller, &TokenRequest::default())?;

    let expires_at = time::OffsetDateTime::now_utc() + accounts.options.session_ttl;
    let store = accounts.database.store().map_err(store_problem)?;
    match store
        .create_session(&account, &token.hash(), expires_at)
        .await
    {
        Ok(()) => {}
        // The password changed between the check and the session: the
        // password just verified is no longer the account's.
        Err(StoreError::CredentialsChanged) => return Err(invalid_credentials()),
        Err(other) => return Err(store_problem(other)),
    }

    let (expires_at, expires_in) = if ticket.expires_in <= registration.expires_in {
        (ticket.expires_at, ticket.expires_in)
    } else {
        (registration.expires_at, registration.expires_in)
    };
    Ok((
        LoginResponse {
            user_ticket: ticket.user_ticket,
            token: registration.token,
            user_id: ticket.user_id,
            expires_at,
            expires_in,
        },
        token,
    ))
}

fn outcome_of(problem: &Problem) -> &'static str {
    match problem.code() {
        ProblemCode::Unauthenticated => "invalid_credentials",
        ProblemCode::CrossSiteRequest => "cross_site",
        ProblemCode::RateLimited => "rate_limited",
        ProblemCode::Unavailable => "unavailable",
        ProblemCode::Overloaded => "overloaded",
        _ => "error",
    }
}
