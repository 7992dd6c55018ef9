//! What a ticket says.

use serde::Serialize;
use time::OffsetDateTime;

use crate::user_id::IdentityType;

/// The contents of a user ticket. Obtained verified, from
/// [`Application::verify_ticket`](crate::Application::verify_ticket).
///
/// Serializes to camelCase JSON with RFC 3339 times.
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
