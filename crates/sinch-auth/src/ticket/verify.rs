//! Verification: MAC over the decoded bytes first, JSON second.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac;
use serde::Deserialize;

use super::claims::TicketClaims;
use crate::application::Application;
use crate::error::{CredentialKind, Error, ErrorKind, excerpt, json_reason};
use crate::timestamp::parse_timestamp;
use crate::user_id::validate_ticket_user_id;
use crate::verified::Verified;
use crate::verify_options::{VerifyOptions, check_window};

const KIND: CredentialKind = CredentialKind::UserTicket;

/// Longest ticket text accepted before any decoding, so that hostile input
/// cannot make us allocate much.
pub(crate) const MAX_TICKET_LEN: usize = 8 * 1024;

/// Splits a ticket into its decoded payload and signature, checking only the
/// shape (one `:`, strict base64, a 32-byte signature).
pub(crate) fn split_and_check(ticket: &str) -> Result<(Vec<u8>, Vec<u8>), Error> {
    if ticket.len() > MAX_TICKET_LEN {
        return Err(Error::malformed(
            KIND,
            format!("longer than {MAX_TICKET_LEN} bytes"),
        ));
    }
    let mut parts = ticket.split(':');
    let (Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(Error::malformed(
            KIND,
            "expected base64(payload):base64(signature) with exactly one ':'",
        ));
    };
    let payload = STANDARD
        .decode(payload)
        .map_err(|_| Error::malformed(KIND, "payload is not standard base64 with padding"))?;
    let signature = STANDARD
        .decode(signature)
        .map_err(|_| Error::malformed(KIND, "signature is not standard base64 with padding"))?;
    if signature.len() != 32 {
        return Err(Error::malformed(
            KIND,
            format!(
                "signature is {} bytes, HMAC-SHA256 gives 32",
                signature.len()
            ),
        ));
    }
    Ok((payload, signature))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    identity: Identity,
    expires_in: i64,
    application_key: String,
    created: String,
}

#[derive(Deserialize)]
struct Identity {
    #[serde(rename = "type")]
    kind: String,
    endpoint: String,
}

impl Application {
    /// Verifies a user ticket made with this application's secret, by this
    /// crate or any other generator, and returns its claims.
    ///
    /// Order of checks: shape; HMAC over the decoded payload bytes, in
    /// constant time, before any JSON is parsed; ASCII payload; JSON (any key
    /// order); application key; identity; `created`/`expiresIn` against now
    /// with the leeway.
    ///
    /// ```
    /// use sinch_auth::{Application, ErrorKind, VerifyOptions};
    /// use time::macros::datetime;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
    /// let t0 = datetime!(2026-11-28 08:00 UTC);
    /// let ticket = app.user_ticket("alice").with_created(t0).mint().unwrap();
    ///
    /// let ok = app.verify_ticket(ticket.as_str(), &VerifyOptions::default().with_now(t0)).unwrap();
    /// assert_eq!(ok.user_id(), "alice");
    ///
    /// let late = VerifyOptions::default().with_now(datetime!(2026-11-28 10:00 UTC));
    /// let err = app.verify_ticket(ticket.as_str(), &late).unwrap_err();
    /// assert!(matches!(err.kind(), ErrorKind::Expired { .. }));
    /// ```
    pub fn verify_ticket(
        &self,
        ticket: &str,
        options: &VerifyOptions,
    ) -> Result<Verified<TicketClaims>, Error> {
        let (payload, signature) = split_and_check(ticket)?;
        let mut mac = self.secret().mac();
        mac.update(&payload);
        mac.verify_slice(&signature)
            .map_err(|_| Error::from(ErrorKind::InvalidSignature(KIND)))?;

        if !payload.is_ascii() {
            return Err(Error::malformed(
                KIND,
                "payload is not ASCII; the JS SDK decodes it with atob and would corrupt it",
            ));
        }
        let p: Payload = serde_json::from_slice(&payload)
            .map_err(|e| Error::malformed(KIND, format!("payload JSON: {}", json_reason(&e))))?;

        if !self.key().matches(&p.application_key) {
            return Err(ErrorKind::ApplicationKeyMismatch {
                credential: KIND,
                expected: self.key().to_string(),
                found: excerpt(&p.application_key),
            }
            .into());
        }
        let identity_type = p.identity.kind.parse().map_err(|_| {
            Error::claim(
                KIND,
                format!("unknown identity type {}", excerpt(&p.identity.kind)),
            )
        })?;
        validate_ticket_user_id(&p.identity.endpoint, identity_type, false)
            .map_err(|e| Error::claim(KIND, e.to_string()))?;
        let expires_in = u32::try_from(p.expires_in)
            .ok()
            .filter(|s| (1..=i32::MAX as u32).contains(s))
            .ok_or_else(|| Error::claim(KIND, "expiresIn must be between 1 and 2147483647"))?;
        let created =
            parse_timestamp(&p.created).map_err(|e| Error::claim(KIND, format!("created: {e}")))?;
        let expires_at = created
            .checked_add(time::Duration::seconds(i64::from(expires_in)))
            .ok_or_else(|| Error::claim(KIND, "created + expiresIn is out of range"))?;
        check_window(KIND, created, expires_at, options)?;
        Ok(Verified::new(TicketClaims {
            identity_type,
            user_id: p.identity.endpoint,
            application_key: p.application_key,
            created,
            expires_in,
            expires_at,
        }))
    }
}
