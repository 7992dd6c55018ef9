//! The accounts routes: sign-up, login, logout, the signed-in account and
//! its password. Each handler checks, in order: where the request comes
//! from, who may call, the attempt limits, and only then the body, so that
//! a refused caller learns nothing about validation.

mod login;
mod logout;
mod me;
mod password;
mod signup;

use std::fmt;
use std::net::IpAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::routing::{MethodRouter, get, post};
use http::request::Parts;
use serde::de::DeserializeOwned;

pub use login::LoginResponse;
pub use signup::SignUpResponse;

use super::Accounts;
use crate::client_ip::ClientIp;
use crate::extract::JsonBody;
use crate::problem::Problem;
use crate::rate_limit::retry_after_secs;
use crate::routes::{Listener, RouteInfo};
use crate::service::TokenService;

pub(crate) const fn route(method: &'static str, path: &'static str) -> RouteInfo {
    RouteInfo {
        listener: Listener::Api,
        method,
        path,
    }
}

/// What the handlers share: the token service (credentials, metrics) and
/// the accounts.
#[derive(Clone)]
pub(crate) struct AccountsState {
    pub(crate) service: TokenService,
    pub(crate) accounts: Accounts,
}

fn only(method: &'static str, route: MethodRouter<AccountsState>) -> MethodRouter<AccountsState> {
    route.fallback(move || async move { Problem::method_not_allowed(method) })
}

pub(crate) fn routes(service: TokenService, accounts: Accounts) -> Router {
    Router::new()
        .route("/v1/accounts", only("POST", post(signup::sign_up)))
        .route("/v1/login", only("POST", post(login::log_in)))
        .route("/v1/logout", only("POST", post(logout::log_out)))
        .route("/v1/accounts/me", only("GET", get(me::me)))
        .route(
            "/v1/accounts/me/password",
            only("POST", post(password::change_password)),
        )
        .with_state(AccountsState { service, accounts })
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
        let (Some(limiter), Some(ip)) = (&self.accounts.inner.login_per_ip, ip) else {
            return Ok(());
        };
        limiter.check(&ip).map_err(|wait| {
            self.service.inner.metrics.rate_limited("login_ip");
            Problem::rate_limited(
                retry_after_secs(wait),
                "too many sign-in attempts from this address; retry later",
            )
        })
    }

    /// One password attempt for `username` (logins, password changes).
    fn check_username_attempt(&self, username: &str) -> Result<(), Problem> {
        let Some(limiter) = &self.accounts.inner.login_per_username else {
            return Ok(());
        };
        limiter.check(&username.to_owned()).map_err(|wait| {
            self.service.inner.metrics.rate_limited("login_username");
            Problem::rate_limited(
                retry_after_secs(wait),
                "too many sign-in attempts for this username; retry later",
            )
        })
    }
}

/// A username for the audit log: shown only if it is a valid user id, so
/// that a password typed into the username field by mistake (which would
/// rarely fit the alphabet) is not written to the log.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if sinch_auth::validate_token_user_id(self.0).is_ok() {
            f.write_str(self.0)
        } else {
            f.write_str("<not a valid username>")
        }
    }
}

struct OptionalIp(Option<IpAddr>);

impl fmt::Display for OptionalIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(ip) => ip.fmt(f),
            None => f.write_str("unknown"),
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
        client_ip = %OptionalIp(ip),
    );
}
