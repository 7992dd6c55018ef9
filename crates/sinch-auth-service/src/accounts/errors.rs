//! Storage errors as problems: conflicts are the client's to resolve (409),
//! an unavailable database is a 503 to retry, and nothing the client sent
//! ever becomes a 500.

use sinch_auth_store::StoreError;

use super::password::HashingError;
use crate::problem::{Problem, ProblemCode};

/// Seconds a client should wait before retrying while the database is down.
const RETRY_AFTER_SECS: u64 = 5;

pub(crate) fn store_problem(error: StoreError) -> Problem {
    match error {
        StoreError::UsernameTaken => Problem::new(
            ProblemCode::UsernameTaken,
            "that username is already taken; choose another",
        ),
        StoreError::CredentialsChanged => Problem::new(
            ProblemCode::CredentialsChanged,
            "the password was changed by another request meanwhile; sign in again",
        ),
        StoreError::Unavailable(why) => {
            tracing::warn!(error = %why, "accounts database unavailable");
            Problem::unavailable(
                RETRY_AFTER_SECS,
                "the accounts database is unavailable; retry later",
            )
        }
        StoreError::InvalidInput(why) => Problem::new(ProblemCode::InvalidBody, why),
        other => {
            tracing::error!(error = %other, "accounts database error");
            Problem::new(ProblemCode::Internal, "the accounts database failed")
        }
    }
}

/// Seconds a client should wait before retrying while hashes are queued.
const OVERLOADED_RETRY_AFTER_SECS: u64 = 2;

pub(crate) fn hashing_problem(error: HashingError) -> Problem {
    match error {
        HashingError::Overloaded => Problem::overloaded(
            OVERLOADED_RETRY_AFTER_SECS,
            "too many password checks are waiting; retry in a moment",
        ),
        HashingError::Failed(_) => {
            tracing::error!(error = %error, "password hashing failed");
            Problem::new(ProblemCode::Internal, "the password could not be checked")
        }
    }
}
