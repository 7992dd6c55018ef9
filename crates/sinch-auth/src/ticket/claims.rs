//! What a ticket says.

use serde::Serialize;
use time::OffsetDateTime;

use crate::user_id::IdentityType;

/// The contents of a user ticket. Obtained verified, from
/// [`Application::verify_ticket`](crate::Application::verify_ticket).
///
/// Serializes to camelCase JSON with RFC 3339 times.
///
/// ```
/// use sinch_auth::{Application, IdentityType, VerifyOptions};
/// use time::macros::datetime;
/// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
/// let t0 = datetime!(2026-11-28 08:00 UTC);
/// let ticket = app.user_ticket("+46700000000")
///     .with_identity_type(IdentityType::Number)
///     .with_created(t0)
///     .mint()
///     .unwrap();
/// let claims = app.verify_ticket(ticket.as_str(), &VerifyOptions::default().with_now(t0))
///     .unwrap()
///     .into_claims();
/// assert_eq!(claims.identity_type(), IdentityType::Number);
/// assert_eq!(claims.user_id(), "+46700000000");
/// assert_eq!(claims.application_key(), "my-key");
/// assert_eq!(claims.created(), t0);
/// assert_eq!(claims.expires_in(), 3600);
/// assert_eq!(claims.expires_at(), datetime!(2026-11-28 09:00 UTC));
/// let json = serde_json::to_value(&claims).unwrap();
/// assert_eq!(json["expiresAt"], "2026-11-28T09:00:00Z");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketClaims {
    #[serde(serialize_with = "serialize_identity_type")]
    pub(crate) identity_type: IdentityType,
    pub(crate) user_id: String,
    pub(crate) application_key: String,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) created: OffsetDateTime,
    pub(crate) expires_in: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) expires_at: OffsetDateTime,
}

fn serialize_identity_type<S: serde::Serializer>(
    t: &IdentityType,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.as_str())
}

impl TicketClaims {
    /// `identity.type`.
    pub fn identity_type(&self) -> IdentityType {
        self.identity_type
    }

    /// `identity.endpoint`: the user id.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// `applicationKey`.
    pub fn application_key(&self) -> &str {
        &self.application_key
    }

    /// `created`, in UTC.
    pub fn created(&self) -> OffsetDateTime {
        self.created
    }

    /// `expiresIn`, in seconds.
    pub fn expires_in(&self) -> u32 {
        self.expires_in
    }

    /// `created + expiresIn`.
    pub fn expires_at(&self) -> OffsetDateTime {
        self.expires_at
    }
}
