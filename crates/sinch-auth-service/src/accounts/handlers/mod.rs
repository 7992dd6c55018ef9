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
mod reauthenticate;
pub(crate) mod signup;

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::routing::{delete, get, post};
use http::request::Parts;
use serde::de::DeserializeOwned;

pub use login::LoginResponse;
pub use signup::SignUpResponse;
pub(crate) use signup::reason_of;

use super::{Accounts, Inner};
use crate::api_extension::{Listener, RouteTable};
use crate::extract::JsonBody;
use crate::problem::Problem;
use crate::rate_limit::{ClientNetwork, admit};
use crate::service::{Client, TokenService};

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

impl AccountsState {
    /// Who sent the request, as the service's middleware saw it.
    fn client(&self, parts: &Parts) -> Client {
        self.service.client_of(&parts.extensions, &parts.headers)
    }

    /// One password attempt from `network` (logins and sign-ups).
    fn check_ip_attempt(&self, network: Option<ClientNetwork>) -> Result<(), Problem> {
        match network {
            Some(network) => admit(
                self.accounts.inner.login_per_ip.as_ref(),
                &network,
                self.service.metrics(),
            ),
            None => Ok(()),
        }
    }

    /// A password check for `username` from `network` (logins, password
    /// changes): takes a unit from both of the username's failure budgets,
    /// given back unless the attempt is marked [`failed`](PasswordAttempt::failed).
    fn password_attempt(
        &self,
        username: &str,
        network: Option<ClientNetwork>,
    ) -> Result<PasswordAttempt<'_>, Problem> {
        let inner = &self.accounts.inner;
        let metrics = self.service.metrics();
        let per_network = (username.to_owned(), network);
        if let Some(budget) = &inner.failures_per_network {
            budget.take(&per_network, metrics)?;
        }
        let mut attempt = PasswordAttempt {
            inner,
            per_network,
            took_username_unit: false,
            failed: false,
        };
        if let Some(budget) = &inner.failures_per_username {
            // On refusal, dropping `attempt` gives the first unit back.
            budget.take(&attempt.per_network.0, metrics)?;
            attempt.took_username_unit = true;
        }
        Ok(attempt)
    }
}

/// A password check in progress; see [`AccountsState::password_attempt`].
pub(crate) struct PasswordAttempt<'a> {
    inner: &'a Inner,
    per_network: (String, Option<ClientNetwork>),
    took_username_unit: bool,
    failed: bool,
}

impl PasswordAttempt<'_> {
    /// The password was wrong: the units stay taken.
    fn failed(mut self) {
        self.failed = true;
    }
}

/// Anything but a wrong password (success, an unavailable database, a
/// cancelled request) gives the units back.
impl Drop for PasswordAttempt<'_> {
    fn drop(&mut self) {
        if self.failed {
            return;
        }
        if let Some(budget) = &self.inner.failures_per_network {
            budget.give_back(&self.per_network);
        }
        if let Some(budget) = &self.inner.failures_per_username {
            if self.took_username_unit {
                budget.give_back(&self.per_network.0);
            }
        }
    }
}
