//! The request's session: the bearer token or the cookie (with the
//! cross-site check), the lookup. Shared by the credential routes'
//! authenticator and the accounts routes.

use http::{HeaderMap, Method, Uri};
use sinch_auth_store::{Session, SessionKind, SessionTokenHash, StoreError};

use super::{Accounts, SessionToken, Strictness, bearer_session, store_problem};
use crate::caller::AuthError;
use crate::problem::Problem;

/// A live session and the token that proved it.
pub(crate) struct CurrentSession {
    pub(crate) token: SessionToken,
    pub(crate) hash: SessionTokenHash,
    pub(crate) session: Session,
}

/// Why a request has no usable session.
pub(crate) enum SessionError {
    /// No session cookie: 401.
    Missing,
    /// A cookie that is not, or no longer, a session: 401.
    Invalid,
    /// A cookie from another site's page: 403.
    CrossSite(Problem),
    /// The database could not answer.
    Store(StoreError),
}

impl From<SessionError> for AuthError {
    fn from(e: SessionError) -> AuthError {
        match e {
            SessionError::Missing => AuthError::rejected(
                "missing_session",
                "sign in first (POST /v1/login) and send the session cookie, or Authorization: Bearer <sessionToken>",
            ),
            SessionError::Invalid => AuthError::rejected(
                "invalid_session",
                "the session has expired or was revoked; sign in again",
            ),
            SessionError::CrossSite(problem) => AuthError::Refused(problem),
            SessionError::Store(StoreError::Unavailable(why)) => {
                tracing::warn!(error = %why, "accounts database unavailable");
                AuthError::Unavailable("the accounts database is unavailable; retry later".into())
            }
            SessionError::Store(other) => AuthError::Refused(store_problem(other)),
        }
    }
}

impl From<SessionError> for Problem {
    fn from(e: SessionError) -> Problem {
        match e {
            SessionError::Store(error) => store_problem(error),
            other => AuthError::from(other).into(),
        }
    }
}

impl Accounts {
    /// The session a request carries, checked: an `Authorization: Bearer`
    /// session token, or else the cookie (and then the request must come
    /// from an allowed origin, for state-changing methods); the token well
    /// formed; the session live in the database (or, unless `fresh`, found
    /// live there within the session cache's lifetime) and held the way it
    /// was issued (a cookie's token is no bearer token, and the reverse).
    pub(crate) async fn current_session(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        fresh: bool,
    ) -> Result<CurrentSession, SessionError> {
        let inner = &self.inner;
        let (token, kind) = match bearer_session::read(headers) {
            Some(token) => (token.ok_or(SessionError::Invalid)?, SessionKind::Bearer),
            None => {
                let cookie = inner.cookie.read(headers).ok_or(SessionError::Missing)?;
                inner
                    .origins
                    .check(method, uri, headers, Strictness::CookieAuthenticated)
                    .map_err(SessionError::CrossSite)?;
                (cookie.ok_or(SessionError::Invalid)?, SessionKind::Cookie)
            }
        };
        let hash = token.hash();
        let now = time::OffsetDateTime::now_utc();
        let remembered = if fresh {
            None
        } else {
            inner.sessions.get(&hash, now)
        };
        let session = match remembered {
            Some(session) => session,
            None => {
                let epoch = inner.sessions.epoch();
                let store = inner.database.store().map_err(SessionError::Store)?;
                let session = store
                    .find_session(&hash, now)
                    .await
                    .map_err(SessionError::Store)?
                    .ok_or(SessionError::Invalid)?;
                inner.sessions.insert(epoch, hash.clone(), session.clone());
                session
            }
        };
        if session.kind != kind {
            return Err(SessionError::Invalid);
        }
        Ok(CurrentSession {
            token,
            hash,
            session,
        })
    }
}
