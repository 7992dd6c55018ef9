//! What a registration token says.

use serde::Serialize;
use time::OffsetDateTime;

/// The contents of a registration token, from
/// [`Application::verify_token`](crate::Application::verify_token).
///
/// Serializes to camelCase JSON with RFC 3339 times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenClaims {
    pub(crate) key_id: String,
    pub(crate) application_key: String,
    pub(crate) user_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) issued_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) expires_at: OffsetDateTime,
    pub(crate) nonce: String,
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) instance_expires_at: Option<OffsetDateTime>,
}

impl TokenClaims {
    /// The header's `kid`, `hkdfv1-YYYYMMDD`.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The application key named by `iss` and `sub`.
    pub fn application_key(&self) -> &str {
        &self.application_key
    }

    /// The user id at the end of `sub`.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// `iat`.
    pub fn issued_at(&self) -> OffsetDateTime {
        self.issued_at
    }

    /// `exp`.
    pub fn expires_at(&self) -> OffsetDateTime {
        self.expires_at
    }

    /// `nonce`.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// `sinch:rtc:instance:exp`, when present.
    pub fn instance_expires_at(&self) -> Option<OffsetDateTime> {
        self.instance_expires_at
    }
}
