//! Voice callback bodies: ICE, ACE, DiCE, PIE and Notify.
//!
//! Field lists: Sinch's Voice API reference, "Callbacks"
//! (developers.sinch.com/docs/voice/api-reference/voice/tag/Callbacks/) and
//! the official Node SDK's types (`@sinch/voice`,
//! `packages/voice/src/models/v1/mod-callbacks/*-request.ts` in
//! github.com/sinch/sinch-sdk-node). Values follow the shapes in that SDK's
//! test fixtures (`tests/rest/v1/callbacks/callbacks-webhook.test.ts`).

use std::fmt;
use std::str::FromStr;

use super::ids::Ids;
use super::ordered::{Json, obj};
use crate::timestamp::rfc3339_seconds;
use time::OffsetDateTime;

/// A Voice API callback event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VoiceEvent {
    /// Incoming Call Event: a call reached your number; answer with SVAML.
    Ice,
    /// Answered Call Event: the callee picked up; answer with SVAML.
    Ace,
    /// Disconnected Call Event: the call ended; the answer is ignored.
    Dice,
    /// Prompt Input Event: the caller answered a `runMenu`; answer with SVAML.
    Pie,
    /// Notify Event: recordings, transcriptions, AMD results; the answer is ignored.
    Notify,
}

impl VoiceEvent {
    /// Every event, in call order.
    pub const ALL: [VoiceEvent; 5] = [
        VoiceEvent::Ice,
        VoiceEvent::Ace,
        VoiceEvent::Pie,
        VoiceEvent::Dice,
        VoiceEvent::Notify,
    ];

    /// The `event` field's value: `ice`, `ace`, `dice`, `pie`, `notify`.
    pub fn as_str(self) -> &'static str {
        match self {
            VoiceEvent::Ice => "ice",
            VoiceEvent::Ace => "ace",
            VoiceEvent::Dice => "dice",
            VoiceEvent::Pie => "pie",
            VoiceEvent::Notify => "notify",
        }
    }

    /// Whether Sinch acts on the response: ICE, ACE and PIE expect SVAML.
    ///
    /// ```
    /// use sinch_auth::simulate::VoiceEvent;
    /// assert!(VoiceEvent::Ice.expects_svaml());
    /// assert!(!VoiceEvent::Dice.expects_svaml());
    /// ```
    pub fn expects_svaml(self) -> bool {
        matches!(self, VoiceEvent::Ice | VoiceEvent::Ace | VoiceEvent::Pie)
    }
}

impl fmt::Display for VoiceEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VoiceEvent {
    type Err = String;

    /// Reads `ice`, `ace`, `dice`, `pie` or `notify`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VoiceEvent::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown Voice event {s:?}: expected ice, ace, dice, pie or notify")
            })
    }
}

/// The caller (`cli`, DiCE `from`) in every simulated call.
pub(crate) const CALLER: &str = "+46700000001";
/// Your Sinch number, the one the caller dialled (ICE `to`).
pub(crate) const SINCH_NUMBER: &str = "+46700000000";
/// Where the example connects calls (DiCE `to`).
pub(crate) const CALLEE: &str = "+46700000002";
/// Custom data, as an SDK client or callout would pass it.
const CUSTOM: &str = "customData";

fn rate() -> Json {
    obj! {"currencyId": "EUR", "amount": 0.0095}
}

/// The body Sinch sends for `event`, members in the order of Sinch's API
/// reference. One simulated call: a PSTN call from [`CALLER`] to your Sinch
/// number, connected on to [`CALLEE`].
pub(crate) fn body(event: VoiceEvent, key: &str, now: OffsetDateTime, ids: &mut Ids) -> Json {
    let callid = ids.uuid_v4();
    let timestamp = rfc3339_seconds(now);
    match event {
        VoiceEvent::Ice => obj! {
            "event": "ice",
            "callid": callid.as_str(),
            "callResourceUrl": format!("https://calling-euc1.api.sinch.com/calling/v1/calls/id/{callid}"),
            "timestamp": timestamp,
            "version": 1,
            "custom": CUSTOM,
            "userRate": rate(),
            "cli": CALLER,
            "to": obj! {"type": "did", "endpoint": SINCH_NUMBER},
            "domain": "pstn",
            "applicationKey": key,
            "originationType": "PSTN",
            "duration": 0,
            "rdnis": "",
            "callHeaders": Json::empty_array(),
        },
        VoiceEvent::Ace => obj! {
            "event": "ace",
            "callid": callid,
            "timestamp": timestamp,
            "version": 1,
            "custom": CUSTOM,
            "amd": obj! {"status": "human", "reason": "n/a", "duration": 2},
            "applicationKey": key,
        },
        VoiceEvent::Dice => obj! {
            "event": "dice",
            "callid": callid,
            "timestamp": timestamp,
            "reason": "CALLERHANGUP",
            "result": "ANSWERED",
            "version": 1,
            "custom": CUSTOM,
            "debit": obj! {"currencyId": "EUR", "amount": 0.0095},
            "userRate": rate(),
            "to": obj! {"type": "number", "endpoint": CALLEE},
            "applicationKey": key,
            "duration": 42,
            "from": CALLER,
            "callHeaders": Json::empty_array(),
        },
        VoiceEvent::Pie => obj! {
            "event": "pie",
            "callid": callid,
            "timestamp": timestamp,
            "menuResult": obj! {"menuId": "main", "type": "return", "value": "sales", "inputMethod": "dtmf"},
            "version": 1,
            "custom": CUSTOM,
            "applicationKey": key,
        },
        VoiceEvent::Notify => obj! {
            "event": "notify",
            "callid": callid.as_str(),
            "version": 1,
            "type": "recording_available",
            "custom": CUSTOM,
            "destination": format!("https://recordings.example.com/{callid}.mp3"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn names_round_trip() {
        for event in VoiceEvent::ALL {
            assert_eq!(event.as_str().parse::<VoiceEvent>().unwrap(), event);
            assert_eq!(
                event
                    .to_string()
                    .to_uppercase()
                    .parse::<VoiceEvent>()
                    .unwrap(),
                event
            );
        }
        assert!(
            "icy"
                .parse::<VoiceEvent>()
                .unwrap_err()
                .contains("expected ice")
        );
    }

    #[test]
    fn bodies_name_their_event_and_carry_fresh_call_ids() {
        let now = datetime!(2026-11-28 08:00:00.5 UTC);
        let mut ids = Ids::Seeded(1);
        let mut seen = std::collections::HashSet::new();
        for event in VoiceEvent::ALL {
            let body = Json::into_value(body(event, "app-key", now, &mut ids));
            assert_eq!(body["event"], event.as_str());
            assert_eq!(body["version"], 1);
            assert!(seen.insert(body["callid"].as_str().unwrap().to_owned()));
            if event != VoiceEvent::Notify {
                assert_eq!(body["timestamp"], "2026-11-28T08:00:00Z");
                assert_eq!(body["applicationKey"], "app-key");
            }
        }
    }

    #[test]
    fn ice_is_a_pstn_call_to_your_number() {
        let ice = body(
            VoiceEvent::Ice,
            "k",
            datetime!(2026-11-28 08:00 UTC),
            &mut Ids::Seeded(2),
        );
        // Members in the order of Sinch's API reference, not alphabetical.
        let text = serde_json::to_string(&ice).unwrap();
        assert!(text.starts_with(r#"{"event":"ice","callid":"#), "{text}");
        let body = ice.into_value();
        assert_eq!(body["to"], json!({"type": "did", "endpoint": SINCH_NUMBER}));
        assert_eq!(body["cli"], CALLER);
        let callid = body["callid"].as_str().unwrap();
        assert!(body["callResourceUrl"].as_str().unwrap().ends_with(callid));
        assert!(body["userRate"]["amount"].is_f64());
    }
}
