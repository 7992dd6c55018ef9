//! Checking a handler's answer to ICE, ACE and PIE: is it SVAML that Sinch
//! will act on?
//!
//! The rules (which `action` and `instructions` each event allows, the
//! fields each takes, required ones and limits) come from Sinch's Voice API
//! reference and the official Node SDK's types; `rules.rs` cites them.
//! Every problem found is reported, each with where it is and what to do.
//!
//! ```
//! use sinch_auth::simulate::VoiceEvent;
//! use sinch_auth::simulate::svaml::SvamlChecker;
//! let checker = SvamlChecker::new(VoiceEvent::Ace);
//! assert!(checker.check(br#"{"action":{"name":"continue"}}"#).is_empty());
//!
//! let problems = checker.check(br#"{"action":{"name":"connectPstn","number":"+46700000002"}}"#);
//! assert_eq!(problems.len(), 1);
//! assert_eq!(problems[0].at(), "action.name");
//! assert!(problems[0].message().contains("not allowed in an answer to ACE"));
//! ```

mod check;
mod rules;

use std::fmt;

use serde_json::Value;

use super::VoiceEvent;

/// One thing wrong with a SVAML answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvamlProblem {
    at: String,
    message: String,
}

impl SvamlProblem {
    pub(crate) fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        SvamlProblem {
            at: at.into(),
            message: message.into(),
        }
    }

    /// Where: `body`, `action`, `action.number`, `instructions[1].name`, ...
    pub fn at(&self) -> &str {
        &self.at
    }

    /// What is wrong, and what Sinch expects instead.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SvamlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// Checks answers to one Voice event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SvamlChecker {
    event: VoiceEvent,
    dialled_a_phone_number: bool,
}

impl SvamlChecker {
    /// A checker for answers to `event`. For DiCE and Notify, whose answers
    /// Sinch ignores, every answer passes.
    ///
    /// Without the request, a `connectPstn` must name its `number` (see
    /// [`for_request`](Self::for_request)).
    pub fn new(event: VoiceEvent) -> Self {
        SvamlChecker {
            event,
            dialled_a_phone_number: false,
        }
    }

    /// A checker for answers to this callback body: the event is read from
    /// its `event` field. `None` when the body is not a Voice event.
    ///
    /// An ICE whose `to` is a phone number (`"type": "number"`: an app
    /// called a phone) may answer `connectPstn` without `number`: Sinch
    /// then dials what the caller dialled. For a call **to** your Sinch
    /// number (`"type": "did"`) that would be your own number, so `number`
    /// is required.
    ///
    /// ```
    /// use sinch_auth::simulate::svaml::SvamlChecker;
    /// let app_to_phone = br#"{"event":"ice","to":{"type":"number","endpoint":"+46700000002"}}"#;
    /// let checker = SvamlChecker::for_request(app_to_phone).unwrap();
    /// assert!(checker.check(br#"{"action":{"name":"connectPstn"}}"#).is_empty());
    /// assert!(SvamlChecker::for_request(b"{}").is_none());
    /// ```
    pub fn for_request(request_body: &[u8]) -> Option<Self> {
        let request: Value = serde_json::from_slice(request_body).ok()?;
        let event = request.get("event")?.as_str()?.parse().ok()?;
        let dialled_a_phone_number = request
            .pointer("/to/type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("number"));
        Some(SvamlChecker {
            event,
            dialled_a_phone_number,
        })
    }

    /// The event whose answers are checked.
    pub fn event(&self) -> VoiceEvent {
        self.event
    }

    /// Every problem with `response` (the raw body of the handler's
    /// answer); empty when Sinch will act on it.
    pub fn check(&self, response: &[u8]) -> Vec<SvamlProblem> {
        if !self.event.expects_svaml() {
            return Vec::new();
        }
        check::check(self.event, self.dialled_a_phone_number, response)
    }
}
