//! What a registration token says.

use serde::Serialize;
use time::OffsetDateTime;

/// The contents of a registration token, from
/// [`Application::verify_token`](crate::Application::verify_token).
///
/// Serializes to camelCase JSON with RFC 3339 times.
///
/// ```
/// use std::time::Duration;
/// use sinch_auth::{Application, VerifyOptions};
/// use time::macros::datetime;
/// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
/// let t0 = datetime!(2026-11-28 08:00 UTC);
/// let token = app.registration_token("alice")
///     .with_issued_at(t0)
///     .with_nonce("n-1")
///     .with_instance_ttl(Duration::from_secs(7 * 24 * 3600))
///     .mint()
///     .unwrap();
/// let claims = app.verify_token(token.as_str(), &VerifyOptions::default().with_now(t0))
///     .unwrap()
///     .into_claims();
/// assert_eq!(claims.key_id(), "hkdfv1-20261128");
/// assert_eq!(claims.application_key(), "my-key");
/// assert_eq!(claims.user_id(), "alice");
/// assert_eq!(claims.issued_at(), t0);
/// assert_eq!(claims.expires_at(), datetime!(2026-11-28 08:10 UTC));
/// assert_eq!(claims.nonce(), "n-1");
/// assert_eq!(claims.instance_expires_at(), Some(datetime!(2026-12-05 08:00 UTC)));
/// ```
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
