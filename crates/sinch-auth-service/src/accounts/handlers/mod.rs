//! The accounts routes: sign-up, login, logout, the signed-in account, its
//! password and its deletion. Each handler checks, in order: where the request comes
//! from, who may call, the attempt limits, and only then the body, so that
//! a refused caller learns nothing about validation.

pub(crate) mod delete;
pub(crate) mod login;
pub(crate) mod login_request;
pub(crate) mod logout;
pub(crate) mod me;
pub(crate) mod password;
pub(crate) mod signup;

use std::fmt;
use std::net::IpAddr;

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::routing::{delete, get, post};
use http::request::Parts;
use serde::de::DeserializeOwned;

pub use login::LoginResponse;
pub use signup::SignUpResponse;
pub(crate) use signup::reason_of;

use super::Accounts;
use crate::api_extension::{Listener, RouteTable};
use crate::client_ip::ClientIp;
use crate::extract::JsonBody;
use crate::problem::Problem;
use crate::rate_limit::admit;
use crate::service::TokenService;

/// What the handlers share: the token service (credentials, metrics) and
/// the accounts.
#[derive(Clone)]
pub(crate) struct AccountsState {
    pub(crate) service: TokenService,
    pub(crate) accounts: Accounts,
}

pub(crate) fn routes() -> RouteTable<AccountsState> {
    RouteTable::new(Listener::Api)
        .route("POST", "/v1/accounts", post(signup::sign_up))
        .route("POST", "/v1/login", post(login::log_in))
        .route("POST", "/v1/logout", post(logout::log_out))
        .route("GET", "/v1/accounts/me", get(me::me))
        .route("DELETE", "/v1/accounts/me", delete(delete::delete_account))
        .route(
            "POST",
            "/v1/accounts/me/password",
            post(password::change_password),
        )
}

/// Parses the JSON body once the head has been checked.
async fn json_body<T: DeserializeOwned>(parts: Parts, body: Body) -> Result<T, Problem> {
    let JsonBody(value) =
        JsonBody::<T>::from_request(Request::from_parts(parts, body), &()).await?;
    Ok(value)
}

/// The client IP the service's middleware resolved.
fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ClientIp>().and_then(|ip| ip.0)
}

impl AccountsState {
    /// One password attempt from `ip` (logins and sign-ups).
    fn check_ip_attempt(&self, ip: Option<IpAddr>) -> Result<(), Problem> {
        match ip {
            Some(ip) => admit(
                self.accounts.inner.login_per_ip.as_ref(),
                &ip,
                self.service.metrics(),
            ),
            None => Ok(()),
        }
    }

    /// One password attempt for `username` (logins, password changes).
    fn check_username_attempt(&self, username: &str) -> Result<(), Problem> {
        let Some(limiter) = &self.accounts.inner.login_per_username else {
            return Ok(());
        };
        limiter.admit(&username.to_owned(), self.service.metrics())
    }
}

/// A username for the audit log: shown only if it is a valid user id, so
/// that a password typed into the username field by mistake (which would
/// rarely fit the alphabet) is not written to the log.
pub(crate) struct Shown<'a>(pub(crate) &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if sinch_auth::validate_token_user_id(self.0).is_ok() {
            f.write_str(self.0)
        } else {
            f.write_str("<not a valid username>")
        }
    }
}

/// One audit line per account event: event, username, outcome, client IP.
/// Never a password, cookie, ticket or token.
fn audit(event: &'static str, username: &str, outcome: &'static str, ip: Option<IpAddr>) {
    tracing::info!(
        target: "sinch_auth::audit",
        event,
        username = %Shown(username),
        outcome,
        client_ip = %ClientIp(ip),
    );
}
