//! [`Simulation`]: builds one callback body and signs it exactly as Sinch
//! does, with the crate's own signers (FORMATS §3–4).

use std::fmt;
use std::sync::Arc;

use serde_json::Value;
use time::OffsetDateTime;

use super::clock_text::with_fraction;
use super::conversation::{self, ConversationEvent};
use super::ids::Ids;
use super::numbers::{self, NumbersEvent};
use super::ordered::Json;
use super::overrides::set_in;
use super::request::SimulatedRequest;
use super::voice::{self, VoiceEvent};
use crate::application::Application;
use crate::clock::{Clock, FixedClock, SystemClock};
use crate::error::{Error, ErrorKind};
use crate::signing::{
    AUTHORIZATION, CONTENT_TYPE, CallbackSecret, ConversationWebhookVerifier,
    NumbersCallbackVerifier, WEBHOOK_ALGORITHM, WEBHOOK_ALGORITHM_HMAC_SHA256, WEBHOOK_NONCE,
    WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP, X_SINCH_SIGNATURE, X_TIMESTAMP,
};

/// The `Content-Type` Sinch's Voice platform sends (as in the Node SDK's
/// callback tests); it is part of the signed string, so it matters.
pub const VOICE_CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// The `Content-Type` of Numbers callbacks and Conversation webhooks.
pub const JSON_CONTENT_TYPE: &str = "application/json";

#[derive(Clone, Copy)]
enum Target<'a> {
    Voice(&'a Application, VoiceEvent),
    Numbers(&'a CallbackSecret, NumbersEvent),
    Conversation(&'a CallbackSecret, ConversationEvent),
}

/// Builds one simulated Sinch callback and signs it. Start from
/// [`voice`](Self::voice), [`numbers`](Self::numbers) or
/// [`conversation`](Self::conversation); nothing is sent anywhere.
///
/// Defaults: path `/`, time = the system clock, fresh random ids (call id,
/// event ids, nonce), the body of the event with every documented field.
///
/// ```
/// use sinch_auth::Application;
/// use sinch_auth::signing::{CallbackRequest, CallbackVerifier};
/// use sinch_auth::simulate::{Simulation, VoiceEvent};
/// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
/// let request = Simulation::voice(&app, VoiceEvent::Pie)
///     .with_path("/sinch/callback")
///     .with_field("menuResult.value", serde_json::json!("support"))
///     .build()?;
/// let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
/// assert_eq!(body["menuResult"]["value"], "support");
///
/// // It verifies like a callback from Sinch.
/// let verified = CallbackVerifier::new(app).verify(
///     CallbackRequest::new(request.method(), request.path())
///         .with_content_type(request.header("content-type").unwrap())
///         .with_authorization(request.header("authorization").unwrap())
///         .with_x_timestamp(request.header("x-timestamp").unwrap())
///         .with_body(request.body()),
/// );
/// assert!(verified.is_ok());
/// # Ok::<(), sinch_auth::Error>(())
/// ```
#[must_use = "a builder does nothing until .build() is called"]
#[derive(Clone)]
pub struct Simulation<'a> {
    target: Target<'a>,
    path: String,
    clock: Arc<dyn Clock>,
    ids: Ids,
    fields: Vec<(String, Value)>,
    body: Option<Vec<u8>>,
}

impl<'a> Simulation<'a> {
    fn new(target: Target<'a>) -> Self {
        Simulation {
            target,
            path: "/".to_owned(),
            clock: Arc::new(SystemClock),
            ids: Ids::Os,
            fields: Vec::new(),
            body: None,
        }
    }

    /// A Voice callback from `app`: signed with its secret, `applicationKey`
    /// set to its key.
    pub fn voice(app: &'a Application, event: VoiceEvent) -> Self {
        Self::new(Target::Voice(app, event))
    }

    /// A Numbers API callback, signed with the number's callback secret.
    pub fn numbers(secret: &'a CallbackSecret, event: NumbersEvent) -> Self {
        Self::new(Target::Numbers(secret, event))
    }

    /// A Conversation API webhook, signed with the webhook's secret.
    pub fn conversation(secret: &'a CallbackSecret, event: ConversationEvent) -> Self {
        Self::new(Target::Conversation(secret, event))
    }

    /// The path of your callback URL, starting with `/` (it is signed for
    /// Voice callbacks). Default: `/`.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// The simulated Sinch's clock: body timestamps and signature
    /// timestamps. A time in the past makes a stale (replayed) request.
    /// Default: [`SystemClock`].
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Simulates the callback at one fixed instant.
    pub fn with_now(self, now: OffsetDateTime) -> Self {
        self.with_clock(FixedClock(now))
    }

    /// Takes ids (call ids, event ids, nonces) from a seeded sequence
    /// instead of the operating system's CSPRNG: the same seed and time
    /// give the same request, byte for byte.
    ///
    /// ```
    /// use sinch_auth::Application;
    /// use sinch_auth::simulate::{Simulation, VoiceEvent};
    /// use time::macros::datetime;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let at = datetime!(2026-11-28 08:00 UTC);
    /// let a = Simulation::voice(&app, VoiceEvent::Ice).with_now(at).with_seed(7).build()?;
    /// let b = Simulation::voice(&app, VoiceEvent::Ice).with_now(at).with_seed(7).build()?;
    /// assert_eq!(a, b);
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.ids = Ids::Seeded(seed);
        self
    }

    /// Sets or adds one body field before signing: a dotted path and a
    /// JSON value (see [`set_field`](super::set_field)). Applied in order;
    /// an impossible path fails [`build`](Self::build).
    pub fn with_field(mut self, field: impl Into<String>, value: Value) -> Self {
        self.fields.push((field.into(), value));
        self
    }

    /// Sends these bytes verbatim as the body (still signed) instead of the
    /// event's; [`with_field`](Self::with_field) cannot apply to it.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// The event body, fields applied, before it is serialized.
    fn event_body(&mut self, now: OffsetDateTime) -> Result<Json, Error> {
        let mut body = match self.target {
            Target::Voice(app, event) => voice::body(event, app.key().as_str(), now, &mut self.ids),
            Target::Numbers(_, event) => numbers::body(event, now, &mut self.ids),
            Target::Conversation(_, event) => conversation::body(event, now, &mut self.ids),
        };
        for (field, value) in &self.fields {
            set_in(&mut body, field, Json::from(value.clone()))?;
        }
        Ok(body)
    }

    /// Builds the body and signs it. Fails when the path cannot be signed,
    /// the time is outside years 1970–9999, a field override cannot be
    /// applied, or overrides were combined with a verbatim body.
    pub fn build(mut self) -> Result<SimulatedRequest, Error> {
        let now = self.clock.now();
        if !(1970..=9999).contains(&now.year()) {
            return Err(ErrorKind::TimeOutOfRange(
                "simulated callbacks are dated between 1970 and 9999".into(),
            )
            .into());
        }
        let body = match self.body.take() {
            Some(_) if !self.fields.is_empty() => {
                return Err(ErrorKind::InvalidOverride {
                    field: self.fields[0].0.clone(),
                    reason: "fields cannot be set in a verbatim body".into(),
                }
                .into());
            }
            Some(body) => body,
            None => serde_json::to_vec(&self.event_body(now)?)
                .expect("a serde_json::Value always serializes"),
        };
        let headers = match self.target {
            Target::Voice(app, _) => {
                // Sinch's own x-timestamps carry 7 fraction digits.
                let x_timestamp = with_fraction(now, 7, true);
                let signed = app
                    .sign_request("POST", &self.path)
                    .with_content_type(VOICE_CONTENT_TYPE)
                    .with_body(&body)
                    .with_timestamp_text(&x_timestamp)
                    .sign()?;
                vec![
                    (CONTENT_TYPE, VOICE_CONTENT_TYPE.to_owned()),
                    (X_TIMESTAMP, x_timestamp),
                    (AUTHORIZATION, signed.authorization().to_owned()),
                ]
            }
            Target::Numbers(secret, _) => {
                check_path(&self.path)?;
                let signature = NumbersCallbackVerifier::new(secret.clone()).signature_for(&body);
                vec![
                    (CONTENT_TYPE, JSON_CONTENT_TYPE.to_owned()),
                    (X_SINCH_SIGNATURE, signature),
                ]
            }
            Target::Conversation(secret, _) => {
                check_path(&self.path)?;
                let nonce = self.ids.ulid(now);
                let timestamp = now.unix_timestamp().to_string();
                let signature = ConversationWebhookVerifier::new(secret.clone())
                    .signature_for(&body, &nonce, &timestamp);
                vec![
                    (CONTENT_TYPE, JSON_CONTENT_TYPE.to_owned()),
                    (WEBHOOK_SIGNATURE, signature),
                    (WEBHOOK_NONCE, nonce),
                    (WEBHOOK_TIMESTAMP, timestamp),
                    (WEBHOOK_ALGORITHM, WEBHOOK_ALGORITHM_HMAC_SHA256.to_owned()),
                ]
            }
        };
        Ok(SimulatedRequest {
            method: "POST",
            path: self.path,
            headers: headers
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
            body,
        })
    }
}

/// Numbers and Conversation signatures do not cover the path, but the
/// request still has to be sendable.
fn check_path(path: &str) -> Result<(), Error> {
    if !path.starts_with('/') || path.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(ErrorKind::InvalidRequestPart {
            part: "path",
            reason: "must start with '/' and hold no space or control character".into(),
        }
        .into());
    }
    Ok(())
}

impl fmt::Debug for Simulation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let event = match self.target {
            Target::Voice(_, e) => e.as_str(),
            Target::Numbers(_, e) => e.as_str(),
            Target::Conversation(_, e) => e.as_str(),
        };
        f.debug_struct("Simulation")
            .field("event", &event)
            .field("path", &self.path)
            .field("fields", &self.fields)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::{CallbackRequest, CallbackVerifier, ConversationWebhook};
    use serde_json::json;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-28 08:00:00.123456789 UTC);

    fn app() -> Application {
        Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap()
    }

    fn verify_voice(
        app: &Application,
        r: &SimulatedRequest,
        now: OffsetDateTime,
    ) -> Result<(), Error> {
        CallbackVerifier::new(app.clone())
            .with_now(now)
            .verify(
                CallbackRequest::new(r.method(), r.path())
                    .with_content_type(r.header("content-type").unwrap())
                    .with_authorization(r.header("authorization").unwrap())
                    .with_x_timestamp(r.header("x-timestamp").unwrap())
                    .with_body(r.body()),
            )
            .map(drop)
    }

    #[test]
    fn every_voice_event_verifies_and_a_stale_one_does_not() {
        let app = app();
        for event in VoiceEvent::ALL {
            let r = Simulation::voice(&app, event)
                .with_path("/cb")
                .with_now(NOW)
                .build()
                .unwrap();
            assert_eq!(
                r.header("x-timestamp"),
                Some("2026-11-28T08:00:00.1234567Z")
            );
            verify_voice(&app, &r, NOW).unwrap();
            let stale = Simulation::voice(&app, event)
                .with_path("/cb")
                .with_now(NOW - time::Duration::hours(1))
                .build()
                .unwrap();
            let err = verify_voice(&app, &stale, NOW).unwrap_err();
            assert!(matches!(
                err.kind(),
                ErrorKind::TimestampOutsideWindow { .. }
            ));
        }
    }

    #[test]
    fn numbers_and_conversation_verify() {
        let secret = CallbackSecret::new("callback-secret").unwrap();
        for event in NumbersEvent::ALL {
            let r = Simulation::numbers(&secret, event)
                .with_now(NOW)
                .build()
                .unwrap();
            NumbersCallbackVerifier::new(secret.clone())
                .verify(r.header("x-sinch-signature"), r.body())
                .unwrap();
        }
        for event in ConversationEvent::ALL {
            let r = Simulation::conversation(&secret, event)
                .with_now(NOW)
                .build()
                .unwrap();
            let webhook = ConversationWebhook::new(r.body())
                .with_signature(r.header(WEBHOOK_SIGNATURE).unwrap())
                .with_nonce(r.header(WEBHOOK_NONCE).unwrap())
                .with_timestamp(r.header(WEBHOOK_TIMESTAMP).unwrap())
                .with_algorithm(r.header(WEBHOOK_ALGORITHM).unwrap());
            ConversationWebhookVerifier::new(secret.clone())
                .with_now(NOW)
                .verify(webhook)
                .unwrap();
            assert_eq!(r.header(WEBHOOK_TIMESTAMP), Some("1795852800"));
        }
    }

    #[test]
    fn fields_are_signed_and_verbatim_bodies_are_sent_as_is() {
        let app = app();
        let r = Simulation::voice(&app, VoiceEvent::Ice)
            .with_now(NOW)
            .with_field("custom", json!("vip"))
            .with_field("to.endpoint", json!("+15550100"))
            .build()
            .unwrap();
        let body: Value = serde_json::from_slice(r.body()).unwrap();
        assert_eq!(body["custom"], "vip");
        assert_eq!(body["to"]["endpoint"], "+15550100");
        verify_voice(&app, &r, NOW).unwrap();

        let raw = b"{ \"event\" : \"ice\" }\n";
        let r = Simulation::voice(&app, VoiceEvent::Ice)
            .with_now(NOW)
            .with_body(&raw[..])
            .build()
            .unwrap();
        assert_eq!(r.body(), raw);
        verify_voice(&app, &r, NOW).unwrap();

        let err = Simulation::voice(&app, VoiceEvent::Ice)
            .with_body(&raw[..])
            .with_field("custom", json!(1))
            .build()
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidOverride { .. }));
    }

    #[test]
    fn a_forged_header_is_refused() {
        let app = app();
        let r = Simulation::voice(&app, VoiceEvent::Ace)
            .with_now(NOW)
            .build()
            .unwrap();
        let forged = r.with_header("x-timestamp", "2026-11-28T08:00:01.0000000Z");
        let err = verify_voice(&app, &forged, NOW).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidSignature(_)));
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        let app = app();
        let secret = CallbackSecret::new("s").unwrap();
        assert!(
            Simulation::voice(&app, VoiceEvent::Ice)
                .with_path("cb")
                .build()
                .is_err()
        );
        assert!(
            Simulation::numbers(&secret, NumbersEvent::ALL[0])
                .with_path("no slash")
                .build()
                .is_err()
        );
        let ancient = datetime!(1960-01-01 00:00 UTC);
        let err = Simulation::conversation(&secret, ConversationEvent::ContactCreate)
            .with_now(ancient)
            .build()
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::TimeOutOfRange(_)));
        let err = Simulation::voice(&app, VoiceEvent::Ice)
            .with_field("custom.x", json!(1))
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("custom is a string"), "{err}");
    }

    #[test]
    fn debug_shows_no_secret() {
        let secret = CallbackSecret::new("topsecret").unwrap();
        let debug = format!("{:?}", Simulation::numbers(&secret, NumbersEvent::ALL[0]));
        assert!(!debug.contains("topsecret"), "{debug}");
    }
}
