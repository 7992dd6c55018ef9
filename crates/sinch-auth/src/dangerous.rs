//! Reading credentials **without verifying them**.
//!
//! For debugging and display only: nothing here checks a MAC, an application
//! or a time, so nothing returned here may decide who a user is. The result
//! is [`Unverified`], a different type from [`Verified`](crate::Verified),
//! so it cannot be passed where verified claims are expected.

use serde_json::Value;

use crate::error::{CredentialKind, Error, json_reason};
use crate::ticket::split_and_check;
use crate::token::split_token;

/// A credential's decoded, **unverified** contents as raw JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Unverified {
    kind: CredentialKind,
    header: Option<Value>,
    payload: Value,
}

impl Unverified {
    /// Which kind of credential it looked like.
    pub fn kind(&self) -> CredentialKind {
        self.kind
    }

    /// The JWT header (registration tokens only).
    pub fn header(&self) -> Option<&Value> {
        self.header.as_ref()
    }

    /// The ticket payload or the JWT claims, unverified.
    pub fn payload_unverified(&self) -> &Value {
        &self.payload
    }
}

/// Tells a ticket (`base64:base64`) from a registration token (`a.b.c`).
///
/// ```
/// use sinch_auth::{CredentialKind, dangerous::detect};
/// assert_eq!(detect("eyJh.eyJl.sig"), Some(CredentialKind::RegistrationToken));
/// assert_eq!(detect("eyJp:h9nM"), Some(CredentialKind::UserTicket));
/// assert_eq!(detect("neither"), None);
/// ```
pub fn detect(credential: &str) -> Option<CredentialKind> {
    if credential.contains(':') {
        Some(CredentialKind::UserTicket)
    } else if credential.contains('.') {
        Some(CredentialKind::RegistrationToken)
    } else {
        None
    }
}

/// Decodes a ticket or token **without verification**.
///
/// ```
/// use sinch_auth::dangerous::decode_without_verification;
/// let t = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImhrZGZ2MS0yMDE4MDEwMiJ9.eyJzdWIiOiJ4In0.AAAA";
/// let d = decode_without_verification(t).unwrap();
/// assert_eq!(d.header().unwrap()["kid"], "hkdfv1-20180102");
/// assert_eq!(d.payload_unverified()["sub"], "x");
/// ```
pub fn decode_without_verification(credential: &str) -> Result<Unverified, Error> {
    let credential = credential.trim();
    match detect(credential) {
        Some(CredentialKind::UserTicket) => {
            let (payload, _) = split_and_check(credential)?;
            Ok(Unverified {
                kind: CredentialKind::UserTicket,
                header: None,
                payload: parse(CredentialKind::UserTicket, &payload, "payload")?,
            })
        }
        _ => {
            let parts = split_token(credential)?;
            let kind = CredentialKind::RegistrationToken;
            Ok(Unverified {
                kind,
                header: Some(parse(kind, &parts.header, "header")?),
                payload: parse(kind, &parts.claims, "claims")?,
            })
        }
    }
}

fn parse(kind: CredentialKind, bytes: &[u8], what: &str) -> Result<Value, Error> {
    serde_json::from_slice(bytes)
        .map_err(|e| Error::malformed(kind, format!("{what} JSON: {}", json_reason(&e))))
}
