//! The crate's one error type.
//!
//! [`Error`] is a boxed [`ErrorKind`] so that `Result<T, Error>` stays one
//! pointer wide on the happy path. Every message says precisely what is wrong
//! and never contains a secret, a MAC, or a whole credential: values that come
//! from untrusted input are truncated and escaped before they are echoed.

use std::fmt;

use time::OffsetDateTime;

/// Which kind of credential an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialKind {
    /// A legacy user ticket (FORMATS §1).
    UserTicket,
    /// A registration token, an HS256 JWT (FORMATS §2).
    RegistrationToken,
    /// A signed request or callback (FORMATS §3).
    SignedRequest,
    /// A Numbers API callback (FORMATS §4).
    NumbersCallback,
    /// A Conversation API webhook (FORMATS §4).
    ConversationWebhook,
}

impl fmt::Display for CredentialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CredentialKind::UserTicket => "user ticket",
            CredentialKind::RegistrationToken => "registration token",
            CredentialKind::SignedRequest => "signed request",
            CredentialKind::NumbersCallback => "Numbers callback",
            CredentialKind::ConversationWebhook => "Conversation webhook",
        })
    }
}

/// What went wrong. Match on it through [`Error::kind`].
///
/// Variants fall in three groups: configuration (bad key or secret), input
/// (a value that cannot be minted), and verification (a credential that must
/// be rejected, see [`Error::is_verification_failure`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The application key is not a usable key.
    #[error("invalid application key: {0}")]
    InvalidApplicationKey(&'static str),
    /// The application secret does not decode (the secret itself is never shown).
    #[error("invalid application secret: {0}")]
    InvalidApplicationSecret(&'static str),
    /// A setting needed to load credentials is missing.
    #[error("missing configuration: {0}")]
    MissingSetting(String),
    /// A secret file could not be read.
    #[error("cannot read secret file {path}: {reason}")]
    UnreadableSecretFile {
        /// The path that was tried.
        path: String,
        /// The operating system's reason.
        reason: String,
    },

    /// The user id does not fit the credential's rules.
    #[error("invalid user id: {0}")]
    InvalidUserId(String),
    /// A ticket's `expiresIn` is outside 1…2147483647 seconds.
    #[error("expiresIn must be a whole number of seconds between 1 and 2147483647, got {0}")]
    InvalidExpiresIn(String),
    /// A registration token's TTL is outside the configured bounds.
    #[error("ttl {ttl_secs} s is outside the allowed range {min_secs}…{max_secs} s")]
    TtlOutOfRange {
        /// The requested TTL in seconds.
        ttl_secs: u64,
        /// Lower bound in seconds.
        min_secs: u64,
        /// Upper bound in seconds.
        max_secs: u64,
    },
    /// The TTL bounds themselves are inconsistent.
    #[error("invalid ttl bounds: {0}")]
    InvalidTtlBounds(String),
    /// `sinch:rtc:instance:exp` would be less than 48 h after `iat`.
    #[error("instance ttl {ttl_secs} s is shorter than the 172800 s (48 h) minimum")]
    InstanceTtlTooShort {
        /// The requested instance TTL in seconds.
        ttl_secs: u64,
    },
    /// A time that cannot be represented in the credential.
    #[error("time out of range: {0}")]
    TimeOutOfRange(String),
    /// A value that is not a valid timestamp.
    #[error("invalid timestamp {value}: {reason}")]
    InvalidTimestamp {
        /// The (truncated) value.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The credential is not well formed.
    #[error("malformed {credential}: {reason}")]
    Malformed {
        /// Which credential.
        credential: CredentialKind,
        /// What is wrong.
        reason: String,
    },
    /// The MAC does not match: the credential was forged, altered, or made
    /// with another secret.
    #[error("{0} signature does not match")]
    InvalidSignature(CredentialKind),
    /// The JWT header names an algorithm other than HS256.
    #[error("unsupported algorithm {0}, only HS256 is accepted")]
    UnsupportedAlgorithm(String),
    /// The JWT `kid` is not `hkdfv1-YYYYMMDD` with a real date.
    #[error("invalid kid {0}, expected hkdfv1-YYYYMMDD")]
    InvalidKeyId(String),
    /// The credential names another application.
    #[error("{credential} is for application {found}, expected {expected}")]
    ApplicationKeyMismatch {
        /// Which credential.
        credential: CredentialKind,
        /// Our application key.
        expected: String,
        /// The (truncated) key found in the credential.
        found: String,
    },
    /// A claim has the wrong value or type.
    #[error("invalid {credential} claim: {reason}")]
    InvalidClaim {
        /// Which credential.
        credential: CredentialKind,
        /// What is wrong.
        reason: String,
    },
    /// The credential has expired.
    #[error("{credential} expired at {} (now {})", rfc3339(*expired_at), rfc3339(*now))]
    Expired {
        /// Which credential.
        credential: CredentialKind,
        /// When it expired.
        expired_at: OffsetDateTime,
        /// The verification time.
        now: OffsetDateTime,
    },
    /// The credential was issued in the future (beyond the leeway).
    #[error("{credential} issued at {} is in the future (now {})", rfc3339(*issued_at), rfc3339(*now))]
    NotYetValid {
        /// Which credential.
        credential: CredentialKind,
        /// When it claims to have been issued.
        issued_at: OffsetDateTime,
        /// The verification time.
        now: OffsetDateTime,
    },
    /// A required header is missing from a signed request or webhook.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// A header is present but not in the expected form.
    #[error("malformed header {header}: {reason}")]
    MalformedHeader {
        /// The header name.
        header: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A signed request's timestamp is outside the allowed window.
    #[error(
        "timestamp {} is outside the allowed window of ±{max_skew_secs} s around now ({})",
        rfc3339(*timestamp), rfc3339(*now)
    )]
    TimestampOutsideWindow {
        /// The request's timestamp.
        timestamp: OffsetDateTime,
        /// The verification time.
        now: OffsetDateTime,
        /// The allowed skew in seconds.
        max_skew_secs: u64,
    },
    /// A part of an outgoing request cannot go into the string-to-sign
    /// (FORMATS §3), for example a path without a leading `/` or a content
    /// type with a line break.
    #[error("cannot sign request: {part} {reason}")]
    InvalidRequestPart {
        /// Which part: `method`, `path`, `content type`, `timestamp`.
        part: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A Numbers or Conversation callback secret is not usable (the secret
    /// itself is never shown).
    #[error("invalid callback secret: {0}")]
    InvalidCallbackSecret(&'static str),
    /// A `FIELD=VALUE` override of a simulated callback cannot be applied
    /// (feature `simulate`).
    #[error("cannot set {field}: {reason}")]
    InvalidOverride {
        /// The dotted field path as given.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The error returned by every fallible function of this crate.
///
/// ```
/// use sinch_auth::{ApplicationSecret, ErrorKind};
/// let err = ApplicationSecret::from_base64("not base64!").unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::InvalidApplicationSecret(_)));
/// assert!(!err.to_string().contains("not base64!"));
/// ```
pub struct Error {
    kind: Box<ErrorKind>,
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Takes the kind out of the box.
    pub fn into_kind(self) -> ErrorKind {
        *self.kind
    }

    /// True when a credential was presented and must be rejected (as opposed
    /// to a configuration or input error on the minting side).
    ///
    /// ```
    /// use sinch_auth::{Application, VerifyOptions};
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
    /// let err = app.verify_ticket("bm90IGEgdGlja2V0:AAAA", &VerifyOptions::default()).unwrap_err();
    /// assert!(err.is_verification_failure());
    /// ```
    pub fn is_verification_failure(&self) -> bool {
        matches!(
            *self.kind,
            ErrorKind::Malformed { .. }
                | ErrorKind::InvalidSignature(_)
                | ErrorKind::UnsupportedAlgorithm(_)
                | ErrorKind::InvalidKeyId(_)
                | ErrorKind::ApplicationKeyMismatch { .. }
                | ErrorKind::InvalidClaim { .. }
                | ErrorKind::Expired { .. }
                | ErrorKind::NotYetValid { .. }
                | ErrorKind::MissingHeader(_)
                | ErrorKind::MalformedHeader { .. }
                | ErrorKind::TimestampOutsideWindow { .. }
        )
    }

    pub(crate) fn malformed(credential: CredentialKind, reason: impl Into<String>) -> Self {
        ErrorKind::Malformed {
            credential,
            reason: reason.into(),
        }
        .into()
    }

    pub(crate) fn claim(credential: CredentialKind, reason: impl Into<String>) -> Self {
        ErrorKind::InvalidClaim {
            credential,
            reason: reason.into(),
        }
        .into()
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error {
            kind: Box::new(kind),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.kind, f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

impl std::error::Error for Error {}

/// Shortens and escapes untrusted text before it goes into an error message,
/// so that a whole credential is never echoed and control characters cannot
/// forge log lines.
pub(crate) fn excerpt(value: &str) -> String {
    const MAX_CHARS: usize = 40;
    let mut out: String = value.chars().take(MAX_CHARS).collect();
    if value.chars().nth(MAX_CHARS).is_some() {
        out.push('…');
    }
    format!("{out:?}")
}

/// serde_json's message, shortened: it can quote values from the payload.
pub(crate) fn json_reason(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.len() <= 160 {
        return msg;
    }
    let mut cut = 160;
    while !msg.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &msg[..cut])
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_truncates_and_escapes() {
        assert_eq!(excerpt("ab\ncd"), "\"ab\\ncd\"");
        let long = "x".repeat(100);
        let e = excerpt(&long);
        assert!(e.len() < 50, "{e}");
        assert!(e.contains('…'));
    }

    #[test]
    fn error_is_one_pointer_wide() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn expired_reports_both_times() {
        let err: Error = ErrorKind::Expired {
            credential: CredentialKind::UserTicket,
            expired_at: OffsetDateTime::from_unix_timestamp(1_000).unwrap(),
            now: OffsetDateTime::from_unix_timestamp(2_000).unwrap(),
        }
        .into();
        let msg = err.to_string();
        assert!(msg.contains("1970-01-01T00:16:40Z"), "{msg}");
        assert!(msg.contains("1970-01-01T00:33:20Z"), "{msg}");
    }
}
