//! Who is asking: caller authentication, the security core of the service.
//!
//! The Sinch user id always comes from an authenticated caller. An
//! [`Authenticator`] turns the request's headers into a [`Caller`]: either a
//! user (a JWT from the app's identity provider, a session cookie) or a
//! trusted backend that may name any user (an API key). The routes only see
//! the trait, so a new mode plugs in without touching them.

mod api_key;
mod bearer;
pub mod jwt;

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use http::request::Parts;

pub use api_key::{ApiKey, ApiKeyAuthenticator, ApiKeyDigest, ApiKeyError, MIN_API_KEY_LEN};
pub use bearer::bearer_token;
pub use jwt::{
    JwksError, JwksSource, JwtAuthenticator, JwtConfigError, JwtSettings, UserIdEncoding,
};

use crate::problem::{Problem, ProblemCode};

/// A boxed, sendable future (the trait is used as `dyn Authenticator`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One caller-authentication mode.
///
/// Implementations must not log or echo the credential they check.
pub trait Authenticator: Send + Sync + 'static {
    /// Short mode name for logs and metrics: `api-key`, `jwt`, `accounts`.
    fn mode(&self) -> &'static str;

    /// Authenticates a request from its head (headers, extensions with the
    /// client IP). The body is not available: authentication happens before
    /// the body is parsed, so that unauthenticated callers learn nothing
    /// about validation.
    fn authenticate<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Result<Caller, AuthError>>;

    /// Whether the mode's dependencies (JWKS, database) are usable, for
    /// `/readyz`. `Err` carries a short reason without secrets.
    fn readiness(&self) -> BoxFuture<'_, Result<(), NotReady>> {
        Box::pin(std::future::ready(Ok(())))
    }
}

/// Why a mode's dependency (JWKS, database) is not usable, for `/readyz`:
/// a short reason without secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct NotReady {
    reason: Cow<'static, str>,
}

impl NotReady {
    /// Not ready because of `reason`.
    pub fn new(reason: impl Into<Cow<'static, str>>) -> Self {
        NotReady {
            reason: reason.into(),
        }
    }

    /// The reason.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// How a caller was authenticated, for the audit log: the mode and a
/// non-secret identifier (API key name, JWT issuer, session id hash…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    mode: &'static str,
    id: String,
}

impl Via {
    /// A mode name and a non-secret identifier.
    pub fn new(mode: &'static str, id: impl Into<String>) -> Self {
        Via {
            mode,
            id: id.into(),
        }
    }

    /// The mode name.
    pub fn mode(&self) -> &'static str {
        self.mode
    }

    /// The identifier within the mode.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.mode, self.id)
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    user_id: Option<String>,
    via: Via,
}

impl Caller {
    /// A caller that acts for exactly one user (JWT subject, session owner).
    pub fn user(user_id: impl Into<String>, via: Via) -> Self {
        Caller {
            user_id: Some(user_id.into()),
            via,
        }
    }

    /// A trusted backend that names the user in each request (API key).
    pub fn service(via: Via) -> Self {
        Caller { user_id: None, via }
    }

    /// The user this caller is bound to, if any.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// How the caller was authenticated.
    pub fn via(&self) -> &Via {
        &self.via
    }

    /// The Sinch user id a request is for: the bound user (the body may
    /// repeat it, but not name another), or, for a service caller, the
    /// user named in the body, which is then required.
    pub fn resolve_user(&self, requested: Option<&str>) -> Result<String, Problem> {
        match (&self.user_id, requested) {
            (Some(bound), None) => Ok(bound.clone()),
            (Some(bound), Some(requested)) if bound == requested => Ok(bound.clone()),
            (Some(_), Some(_)) => Err(Problem::new(
                ProblemCode::ForbiddenUser,
                "you are signed in as another user; omit userId or send your own",
            )),
            (None, Some(requested)) => Ok(requested.to_owned()),
            (None, None) => Err(Problem::new(
                ProblemCode::UserIdRequired,
                "name the user in the body: {\"userId\": \"...\"}",
            )),
        }
    }
}

/// Why authentication failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No usable credentials, or credentials that do not verify: 401.
    /// `reason` is a short stable label (`missing_credentials`,
    /// `invalid_api_key`, `token_expired`, `unknown_kid`…), also the
    /// metric label.
    Rejected {
        /// Stable label.
        reason: &'static str,
        /// Human-readable detail without the credential.
        detail: Cow<'static, str>,
    },
    /// A dependency needed to check credentials is unreachable: 503.
    Unavailable(Cow<'static, str>),
    /// Refused with a specific problem, e.g. `403 cross_site_request` for a
    /// session cookie sent from another site's page.
    Refused(Problem),
}

impl AuthError {
    /// A rejection with a reason label and a detail.
    pub fn rejected(reason: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        AuthError::Rejected {
            reason,
            detail: detail.into(),
        }
    }
}

impl From<AuthError> for Problem {
    fn from(e: AuthError) -> Problem {
        match e {
            AuthError::Rejected { reason, detail } => Problem::unauthenticated(reason, detail),
            AuthError::Unavailable(detail) => Problem::unavailable(5, detail),
            AuthError::Refused(problem) => problem,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_callers_cannot_name_other_users() {
        let c = Caller::user("alice", Via::new("jwt", "idp"));
        assert_eq!(c.resolve_user(None).unwrap(), "alice");
        assert_eq!(c.resolve_user(Some("alice")).unwrap(), "alice");
        assert_eq!(
            c.resolve_user(Some("bob")).unwrap_err().code(),
            ProblemCode::ForbiddenUser
        );
    }

    #[test]
    fn service_callers_must_name_the_user() {
        let c = Caller::service(Via::new("api-key", "k1"));
        assert_eq!(c.resolve_user(Some("bob")).unwrap(), "bob");
        assert_eq!(
            c.resolve_user(None).unwrap_err().code(),
            ProblemCode::UserIdRequired
        );
    }
}
