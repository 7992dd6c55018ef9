//! Conversation API webhooks: base64 HMAC-SHA256 over
//! `body "." nonce "." timestamp`, keyed with the secret's UTF-8 bytes
//! (FORMATS §4), and a timestamp window against replays.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

use super::authorization::decode_signature;
use super::callback_secret::CallbackSecret;
use super::window::{DEFAULT_MAX_SKEW, check_window};
use crate::clock::{Clock, FixedClock, SystemClock};
use crate::error::{CredentialKind, Error, ErrorKind, excerpt};

/// Header: the base64 signature.
pub const WEBHOOK_SIGNATURE: &str = "x-sinch-webhook-signature";
/// Header: the nonce that is part of the signed message.
pub const WEBHOOK_NONCE: &str = "x-sinch-webhook-signature-nonce";
/// Header: Unix seconds, part of the signed message.
pub const WEBHOOK_TIMESTAMP: &str = "x-sinch-webhook-signature-timestamp";
/// Header: the algorithm; only [`WEBHOOK_ALGORITHM_HMAC_SHA256`] exists.
pub const WEBHOOK_ALGORITHM: &str = "x-sinch-webhook-signature-algorithm";
/// The one algorithm Sinch uses for Conversation webhooks.
pub const WEBHOOK_ALGORITHM_HMAC_SHA256: &str = "HmacSHA256";

/// Longest nonce accepted; Sinch sends 26-character ULIDs.
const MAX_NONCE_LEN: usize = 256;

type HmacSha256 = Hmac<Sha256>;

/// One received Conversation webhook, as plain parts. Headers default to
/// absent.
///
/// ```
/// use sinch_auth::signing::ConversationWebhook;
/// let webhook = ConversationWebhook::new(br#"{"app_id":""}"#)
///     .with_signature("6bpJoRmFoXVjfJIVglMoJzYXxnoxRujzR4k2GOXewOE=")
///     .with_nonce("01FJA8B4A7BM43YGWSG9GBV067")
///     .with_timestamp("1634579353")
///     .with_algorithm("HmacSHA256");
/// assert_eq!(webhook.body(), br#"{"app_id":""}"#);
/// ```
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationWebhook<'a> {
    body: &'a [u8],
    signature: Option<&'a str>,
    nonce: Option<&'a str>,
    timestamp: Option<&'a str>,
    algorithm: Option<&'a str>,
}

impl<'a> ConversationWebhook<'a> {
    /// The raw body bytes as received.
    pub fn new(body: &'a [u8]) -> Self {
        ConversationWebhook {
            body,
            signature: None,
            nonce: None,
            timestamp: None,
            algorithm: None,
        }
    }

    /// Replaces the body, keeping the headers.
    ///
    /// ```
    /// use sinch_auth::signing::ConversationWebhook;
    /// let w = ConversationWebhook::new(b"a").with_nonce("n").with_body(b"b");
    /// assert_eq!(w.body(), b"b");
    /// ```
    pub fn with_body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// The [`WEBHOOK_SIGNATURE`] header.
    pub fn with_signature(mut self, signature: &'a str) -> Self {
        self.signature = Some(signature);
        self
    }

    /// The [`WEBHOOK_NONCE`] header.
    pub fn with_nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// The [`WEBHOOK_TIMESTAMP`] header, Unix seconds as text.
    pub fn with_timestamp(mut self, timestamp: &'a str) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// The [`WEBHOOK_ALGORITHM`] header. Optional; when present it must be
    /// `HmacSHA256` (any case).
    pub fn with_algorithm(mut self, algorithm: &'a str) -> Self {
        self.algorithm = Some(algorithm);
        self
    }

    /// The body.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }
}

/// Checks Conversation API webhooks.
///
/// Defaults: timestamp window ±[`DEFAULT_MAX_SKEW`](super::DEFAULT_MAX_SKEW)
/// (10 minutes) around the system clock.
///
/// Beyond FORMATS §4 the nonce may not contain `.`: the signed message is
/// `body "." nonce "." timestamp`, so a nonce with a dot would let an attacker
/// move bytes from the end of a signed body into the nonce, and have a
/// truncated body verify.
///
/// ```
/// use sinch_auth::ErrorKind;
/// use sinch_auth::signing::{CallbackSecret, ConversationWebhook, ConversationWebhookVerifier};
/// use time::macros::datetime;
/// let verifier = ConversationWebhookVerifier::new(CallbackSecret::new("foo_secret1234")?)
///     .with_now(datetime!(2021-10-18 17:50 UTC));
/// let body = br#"{"app_id":"","message_metadata":""}"#;
/// let signature = verifier.signature_for(body, "01FJA8B4A7BM43YGWSG9GBV067", "1634579353");
/// let webhook = ConversationWebhook::new(body)
///     .with_signature(&signature)
///     .with_nonce("01FJA8B4A7BM43YGWSG9GBV067")
///     .with_timestamp("1634579353");
/// assert!(verifier.verify(webhook).is_ok());
///
/// let replayed_later = webhook.with_timestamp("1634589353");
/// assert!(verifier.verify(replayed_later).is_err());
/// # Ok::<(), sinch_auth::Error>(())
/// ```
#[derive(Clone)]
pub struct ConversationWebhookVerifier {
    secret: CallbackSecret,
    max_skew: Duration,
    clock: Arc<dyn Clock>,
}

impl ConversationWebhookVerifier {
    /// A verifier for webhooks signed with `secret`.
    pub fn new(secret: CallbackSecret) -> Self {
        ConversationWebhookVerifier {
            secret,
            max_skew: DEFAULT_MAX_SKEW,
            clock: Arc::new(SystemClock),
        }
    }

    /// Largest accepted distance between the webhook's timestamp and now,
    /// either way. Default: 10 minutes.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sinch_auth::signing::{CallbackSecret, ConversationWebhookVerifier};
    /// let v = ConversationWebhookVerifier::new(CallbackSecret::new("s")?)
    ///     .with_max_skew(Duration::from_secs(120));
    /// assert_eq!(v.max_skew(), Duration::from_secs(120));
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }

    /// Where "now" comes from. Default: [`SystemClock`].
    ///
    /// ```
    /// use sinch_auth::SystemClock;
    /// use sinch_auth::signing::{CallbackSecret, ConversationWebhookVerifier};
    /// let v = ConversationWebhookVerifier::new(CallbackSecret::new("s")?).with_clock(SystemClock);
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Verifies at one fixed instant.
    ///
    /// ```
    /// use sinch_auth::signing::{CallbackSecret, ConversationWebhookVerifier};
    /// use time::macros::datetime;
    /// let v = ConversationWebhookVerifier::new(CallbackSecret::new("s")?)
    ///     .with_now(datetime!(2021-10-18 17:50 UTC));
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn with_now(self, now: OffsetDateTime) -> Self {
        self.with_clock(FixedClock(now))
    }

    /// The configured window.
    pub fn max_skew(&self) -> Duration {
        self.max_skew
    }

    fn mac(&self, body: &[u8], nonce: &str, timestamp: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(self.secret.key_bytes())
            .expect("HMAC-SHA256 accepts keys of any length");
        mac.update(body);
        mac.update(b".");
        mac.update(nonce.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac
    }

    /// The signature Sinch would send: for tests and local stand-ins.
    ///
    /// ```
    /// use sinch_auth::signing::{CallbackSecret, ConversationWebhookVerifier};
    /// let v = ConversationWebhookVerifier::new(CallbackSecret::new("s")?);
    /// assert_eq!(v.signature_for(b"{}", "n", "1").len(), 44);
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn signature_for(&self, body: &[u8], nonce: &str, timestamp: &str) -> String {
        STANDARD.encode(self.mac(body, nonce, timestamp).finalize().into_bytes())
    }

    /// Verifies one webhook: headers present and well formed, algorithm
    /// `HmacSHA256` if named, timestamp within the window, then the MAC in
    /// constant time. Never panics.
    pub fn verify(&self, webhook: ConversationWebhook<'_>) -> Result<(), Error> {
        let signature = webhook
            .signature
            .ok_or(ErrorKind::MissingHeader(WEBHOOK_SIGNATURE))?;
        let nonce = webhook
            .nonce
            .ok_or(ErrorKind::MissingHeader(WEBHOOK_NONCE))?;
        let timestamp_text = webhook
            .timestamp
            .ok_or(ErrorKind::MissingHeader(WEBHOOK_TIMESTAMP))?;
        if let Some(algorithm) = webhook.algorithm {
            if !algorithm.eq_ignore_ascii_case(WEBHOOK_ALGORITHM_HMAC_SHA256) {
                return Err(malformed(
                    WEBHOOK_ALGORITHM,
                    format!("expected HmacSHA256, got {}", excerpt(algorithm)),
                ));
            }
        }
        let signature = decode_signature(WEBHOOK_SIGNATURE, signature)?;
        check_nonce(nonce)?;
        let timestamp = parse_unix_seconds(timestamp_text)?;
        check_window(timestamp, self.clock.now(), self.max_skew)?;
        self.mac(webhook.body, nonce, timestamp_text)
            .verify_slice(&signature)
            .map_err(|_| ErrorKind::InvalidSignature(CredentialKind::ConversationWebhook).into())
    }
}

impl fmt::Debug for ConversationWebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConversationWebhookVerifier")
            .field("secret", &self.secret)
            .field("max_skew", &self.max_skew)
            .finish_non_exhaustive()
    }
}

fn malformed(header: &'static str, reason: impl Into<String>) -> Error {
    ErrorKind::MalformedHeader {
        header,
        reason: reason.into(),
    }
    .into()
}

fn check_nonce(nonce: &str) -> Result<(), Error> {
    if nonce.is_empty() {
        return Err(malformed(WEBHOOK_NONCE, "it is empty"));
    }
    if nonce.len() > MAX_NONCE_LEN {
        return Err(malformed(
            WEBHOOK_NONCE,
            format!("longer than {MAX_NONCE_LEN} bytes"),
        ));
    }
    if nonce.contains('.') {
        return Err(malformed(
            WEBHOOK_NONCE,
            "contains '.', the separator of the signed message",
        ));
    }
    if !nonce.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(malformed(
            WEBHOOK_NONCE,
            "contains a character that is not visible ASCII",
        ));
    }
    Ok(())
}

fn parse_unix_seconds(text: &str) -> Result<OffsetDateTime, Error> {
    let bad = || {
        malformed(
            WEBHOOK_TIMESTAMP,
            format!("expected Unix seconds, got {}", excerpt(text)),
        )
    };
    // 12 digits reach year 33658, past anything `time` represents by default.
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let seconds: i64 = text.parse().map_err(|_| bad())?;
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_rules() {
        assert!(check_nonce("01FJA8B4A7BM43YGWSG9GBV067").is_ok());
        assert!(check_nonce("").is_err());
        assert!(check_nonce("a.b").is_err());
        assert!(check_nonce("a b").is_err());
        assert!(check_nonce(&"a".repeat(257)).is_err());
    }

    #[test]
    fn unix_seconds_rules() {
        assert_eq!(
            parse_unix_seconds("1634579353").unwrap().unix_timestamp(),
            1_634_579_353
        );
        for bad in ["", "-1", "+1", "1.5", " 1", "999999999999", "1e9"] {
            assert!(parse_unix_seconds(bad).is_err(), "{bad}");
        }
    }
}
