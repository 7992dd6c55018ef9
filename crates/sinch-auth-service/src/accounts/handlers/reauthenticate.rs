//! What the operations on the signed-in account that ask for its current
//! password again (password change, account deletion) share: the session,
//! straight from the database (one revoked elsewhere must not act), the
//! account's password-attempt budget, the body, the password check, and
//! at the end one metric and one audit line with the outcome.

use std::net::IpAddr;

use axum::extract::Request;
use serde::de::DeserializeOwned;
use sinch_auth_store::Account;
use zeroize::Zeroizing;

use super::{AccountsState, PasswordAttempt, json_body};
use crate::accounts::audit::{Username, audit};
use crate::accounts::errors::hashing_problem;
use crate::accounts::sessions::CurrentSession;
use crate::accounts::store_problem;
use crate::caller::AuthError;
use crate::metrics::Metrics;
use crate::problem::{Problem, ProblemCode};

/// Which operation: its audit event and its outcome counter.
pub(super) struct Operation {
    pub(super) event: &'static str,
    pub(super) metric: fn(&Metrics, &'static str),
}

/// A request past the session, the attempt budget and the body; its
/// outcome is recorded by [`finish`](Self::finish).
pub(super) struct Reauthentication<'a> {
    pub(super) current: CurrentSession,
    state: &'a AccountsState,
    operation: Operation,
    attempt: PasswordAttempt<'a>,
    ip: Option<IpAddr>,
}

impl AccountsState {
    /// Checks the session, takes a password attempt and reads the body;
    /// a refusal is already counted (and audited once the user is known).
    pub(super) async fn reauthenticate<R: DeserializeOwned>(
        &self,
        request: Request,
        operation: Operation,
    ) -> Result<(Reauthentication<'_>, R), Problem> {
        let (parts, body) = request.into_parts();
        let client = self.client(&parts);
        let metrics = self.service.metrics();
        let current = self
            .accounts
            .current_session(&parts.method, &parts.uri, &parts.headers, true)
            .await
            .map_err(|e| {
                let problem = Problem::from(e);
                (operation.metric)(metrics, outcome_of(&problem));
                problem
            })?;
        let username = &current.session.username;
        let attempt = self
            .password_attempt(username, client.network)
            .inspect_err(|_| {
                (operation.metric)(metrics, "rate_limited");
                audit(
                    operation.event,
                    Username::Shown(username),
                    "rate_limited",
                    client.ip,
                );
            })?;
        let request = json_body(parts, body).await.inspect_err(|_| {
            (operation.metric)(metrics, "invalid_body");
        })?;
        let reauthentication = Reauthentication {
            current,
            state: self,
            operation,
            attempt,
            ip: client.ip,
        };
        Ok((reauthentication, request))
    }
}

impl Reauthentication<'_> {
    /// The signed-in account, if `password` is its password now.
    pub(super) async fn verify_password(
        &self,
        password: Zeroizing<String>,
    ) -> Result<Account, Problem> {
        let accounts = &self.state.accounts.inner;
        let store = accounts.database.store().map_err(store_problem)?;
        let account = store
            .find_account(&self.current.session.account_id)
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
            .verify(password, Some(&account.password_hash))
            .await
            .map_err(hashing_problem)?;
        if !verified {
            return Err(Problem::new(
                ProblemCode::WrongPassword,
                "the current password is wrong",
            ));
        }
        Ok(account)
    }

    /// Records the outcome: a wrong password keeps its attempt units,
    /// anything else gives them back; one metric, one audit line.
    pub(super) fn finish<T>(self, result: &Result<T, Problem>) -> CurrentSession {
        let outcome = match result {
            Ok(_) => "success",
            Err(problem) => outcome_of(problem),
        };
        if outcome == "wrong_password" {
            self.attempt.failed();
        } else {
            drop(self.attempt);
        }
        (self.operation.metric)(self.state.service.metrics(), outcome);
        let username = Username::Shown(&self.current.session.username);
        audit(self.operation.event, username, outcome, self.ip);
        self.current
    }
}

/// The outcome label of a refusal.
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
