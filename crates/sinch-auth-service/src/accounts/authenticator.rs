//! `accounts` mode: the session cookie set by `POST /v1/login`. The caller
//! is the session's user; state-changing requests must also come from an
//! allowed origin (cross-site request forgery defence).

use http::request::Parts;

use super::Accounts;
use crate::caller::{AuthError, Authenticator, BoxFuture, Caller, NotReady, Via};

/// The `accounts` authenticator; get one from
/// [`Accounts::authenticator`](super::Accounts::authenticator).
#[derive(Debug, Clone)]
pub struct SessionAuthenticator {
    accounts: Accounts,
}

impl SessionAuthenticator {
    pub(crate) fn new(accounts: Accounts) -> Self {
        SessionAuthenticator { accounts }
    }

    /// The accounts whose sessions it checks.
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }
}

impl Authenticator for SessionAuthenticator {
    fn mode(&self) -> &'static str {
        "accounts"
    }

    fn authenticate<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Result<Caller, AuthError>> {
        Box::pin(async move {
            let current = self
                .accounts
                .current_session(&request.method, &request.uri, &request.headers, false)
                .await?;
            // The audit log names the session by a hash, never the cookie.
            let via = Via::new("accounts", current.token.log_id());
            Ok(Caller::user(current.session.username, via))
        })
    }

    fn readiness(&self) -> BoxFuture<'_, Result<(), NotReady>> {
        Box::pin(self.accounts.readiness())
    }
}
