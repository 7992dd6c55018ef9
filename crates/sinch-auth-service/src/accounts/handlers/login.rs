//! `POST /v1/login`: password check, session (a cookie, or for native apps
//! a bearer token in the body), and both credentials at once, so that
//! `sinchClient.start(response)` works on the reply.

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::header::SET_COOKIE;
use serde::{Deserialize, Serialize};
use sinch_auth::validate_token_user_id;
use sinch_auth_store::{Account, StoreError};
use zeroize::Zeroizing;

use super::login_request::{LoginRequest, SessionMode};
use super::{AccountsState, json_body};
use crate::accounts::audit::{Username, audit};
use crate::accounts::errors::hashing_problem;
use crate::accounts::{SessionToken, Strictness, store_problem};
use crate::caller::{Caller, Via};
use crate::issue::{TicketRequest, TokenRequest};
use crate::problem::{Problem, ProblemCode};
use crate::rate_limit::ClientNetwork;
use crate::service::Client;

/// Both credentials for the signed-in user, with what `SinchClient` is
/// built with. A cookie session travels in the `Set-Cookie` header, never in
/// the body; a bearer session (`"session": "bearer"`) in `sessionToken`.
/// `Debug` hides the credentials and the session token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// The Sinch application (`SinchClient`'s `applicationKey`).
    pub application_key: String,
    /// The Sinch environment (`SinchClient`'s `environmentHost`).
    pub environment_host: String,
    /// Bearer sessions only: send it as `Authorization: Bearer
    /// <sessionToken>` to the credential endpoints, `/v1/accounts/me…` and
    /// `/v1/logout`. A secret: keep it in the platform's secure storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
    /// Bearer sessions only: when the session ends (RFC 3339, UTC); log in
    /// again then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub session_expires_at: Option<String>,
}

impl std::fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginResponse")
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .field("application_key", &self.application_key)
            .field("environment_host", &self.environment_host)
            .field("session_expires_at", &self.session_expires_at)
            .finish_non_exhaustive()
    }
}

/// Every refused login gets this, whether the user is unknown or the
/// password wrong.
fn invalid_credentials() -> Problem {
    Problem::unauthenticated("invalid_credentials", "the username or password is wrong")
}

/// Log in
///
/// Checks the password and returns both credentials at once, so that
/// `sinchClient.start(response)` works on the reply, and starts a session:
/// a cookie by default (browsers), or with `"session": "bearer"` a
/// `sessionToken` in the body and no cookie (native apps). The same
/// `401 unauthenticated` (reason `invalid_credentials`) answers an unknown
/// user, a wrong password and a disabled account.
#[utoipa::path(
    post,
    path = "/v1/login",
    request_body = LoginRequest,
    responses((status = 200, description = "Signed in: the session cookie is in `Set-Cookie`, or with `\"session\": \"bearer\"` the session token in the body.", body = LoginResponse)),
)]
pub(crate) async fn log_in(State(state): State<AccountsState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Client { ip, network } = state.client(&parts);
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
    let request: LoginRequest = match json_body(parts, body).await {
        Ok(request) => request,
        Err(problem) => {
            metrics.login("invalid_body");
            return problem.into_response();
        }
    };
    let username = request.username;
    let password = Zeroizing::new(request.password);
    let mode = request.session;
    let application = request.application;
    let result = log_in_checked(&state, &username, password, network, mode, application).await;
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
        Ok((body, token)) if mode == SessionMode::Cookie => {
            let cookie = state.accounts.inner.cookie.set(&token);
            ([(SET_COOKIE, cookie)], Json(body)).into_response()
        }
        Ok((body, _)) => Json(body).into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn log_in_checked(
    state: &AccountsState,
    username: &str,
    password: Zeroizing<String>,
    network: Option<ClientNetwork>,
    mode: SessionMode,
    application: Option<String>,
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
    // A disabled account's password was checked all the same: its refusal
    // takes the time and has the words of a wrong password's.
    let account = match account {
        Some(account) if verified && !account.is_disabled() => account,
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
    let ticket_request = TicketRequest {
        application: application.clone(),
        ..TicketRequest::default()
    };
    let ticket = state.service.issue_ticket(&caller, &ticket_request)?;
    let token_request = TokenRequest {
        application,
        ..TokenRequest::default()
    };
    let registration = state
        .service
        .issue_registration_token(&caller, &token_request)?;

    let session_expires_at = time::OffsetDateTime::now_utc() + accounts.options.session_ttl;
    let store = accounts.database.store().map_err(store_problem)?;
    match store
        .create_session_of_kind(&account, &token.hash(), session_expires_at, mode.kind())
        .await
    {
        Ok(()) => {}
        // The password changed (or the account was disabled) between the
        // check and the session: the login is refused as if wrong.
        Err(StoreError::CredentialsChanged) => return Err(invalid_credentials()),
        Err(other) => return Err(store_problem(other)),
    }

    let (expires_at, expires_in) = if ticket.expires_in <= registration.expires_in {
        (ticket.expires_at, ticket.expires_in)
    } else {
        (registration.expires_at, registration.expires_in)
    };
    let bearer = mode == SessionMode::Bearer;
    Ok((
        LoginResponse {
            user_ticket: ticket.user_ticket,
            token: registration.token,
            user_id: ticket.user_id,
            expires_at,
            expires_in,
            application_key: ticket.application_key,
            environment_host: ticket.environment_host,
            session_token: bearer.then(|| token.expose().to_owned()),
            session_expires_at: bearer.then(|| sinch_auth::rfc3339_seconds(session_expires_at)),
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
