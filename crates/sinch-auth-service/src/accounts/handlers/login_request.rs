//! The body of `POST /v1/login`: a username and a password (as at sign-up),
//! and how the client will hold its session.

use serde::Deserialize;

/// How the client holds its session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SessionMode {
    /// Browsers: an `HttpOnly; SameSite=Strict` cookie (the default).
    #[default]
    Cookie,
    /// Native apps: a `sessionToken` in the body, sent back as
    /// `Authorization: Bearer <sessionToken>`; no cookie.
    Bearer,
}

impl SessionMode {
    pub(crate) fn kind(self) -> sinch_auth_store::SessionKind {
        match self {
            SessionMode::Cookie => sinch_auth_store::SessionKind::Cookie,
            SessionMode::Bearer => sinch_auth_store::SessionKind::Bearer,
        }
    }
}

/// A username and a password, how to hold the session, and for which
/// Sinch application the credentials are.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginRequest {
    /// The Sinch user id: `A-Z a-z 0-9 - _ =`, 1 to 255.
    #[schema(pattern = "^[A-Za-z0-9_=-]{1,255}$")]
    pub(crate) username: String,
    /// 8 to 128 characters, not trimmed.
    #[schema(min_length = 8, max_length = 128)]
    pub(crate) password: String,
    /// `cookie` (default; browsers) or `bearer` (native apps).
    #[serde(default)]
    pub(crate) session: SessionMode,
    /// The Sinch application of the credentials, by configured name.
    /// Default `default`.
    pub(crate) application: Option<String>,
}
