//! Conversation API webhook bodies.
//!
//! Fields: Sinch's Conversation API reference, "Callbacks"
//! (developers.sinch.com/docs/conversation/callbacks/) and the official Node
//! SDK's types (`packages/conversation/src/models/v1/mod-callback-events/` in
//! github.com/sinch/sinch-sdk-node). Every webhook shares the envelope
//! `app_id`, `accepted_time`, `event_time`, `project_id`, `message_metadata`,
//! `correlation_id`; the trigger is told by which one member follows (the
//! SDK's `ConversationCallbackWebhooks.parseEvent` reads it the same way).

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

use super::clock_text::with_fraction;
use super::ids::Ids;
use super::ordered::{Json, obj};

/// A Conversation API webhook trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConversationEvent {
    /// `MESSAGE_INBOUND`: a contact sent a message (member `message`).
    MessageInbound,
    /// `MESSAGE_DELIVERY`: status of a message you sent (`message_delivery_report`).
    MessageDelivery,
    /// `MESSAGE_SUBMIT`: your message was handed to a channel (`message_submit_notification`).
    MessageSubmit,
    /// `EVENT_INBOUND`: a contact event such as "composing" (`event`).
    EventInbound,
    /// `CONVERSATION_START` (`conversation_start_notification`).
    ConversationStart,
    /// `CONVERSATION_STOP` (`conversation_stop_notification`).
    ConversationStop,
    /// `CONTACT_CREATE` (`contact_create_notification`).
    ContactCreate,
}

impl ConversationEvent {
    /// Every trigger simulated.
    pub const ALL: [ConversationEvent; 7] = [
        ConversationEvent::MessageInbound,
        ConversationEvent::MessageDelivery,
        ConversationEvent::MessageSubmit,
        ConversationEvent::EventInbound,
        ConversationEvent::ConversationStart,
        ConversationEvent::ConversationStop,
        ConversationEvent::ContactCreate,
    ];

    /// The trigger's name, e.g. `MESSAGE_INBOUND`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationEvent::MessageInbound => "MESSAGE_INBOUND",
            ConversationEvent::MessageDelivery => "MESSAGE_DELIVERY",
            ConversationEvent::MessageSubmit => "MESSAGE_SUBMIT",
            ConversationEvent::EventInbound => "EVENT_INBOUND",
            ConversationEvent::ConversationStart => "CONVERSATION_START",
            ConversationEvent::ConversationStop => "CONVERSATION_STOP",
            ConversationEvent::ContactCreate => "CONTACT_CREATE",
        }
    }
}

impl fmt::Display for ConversationEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ConversationEvent {
    type Err = String;

    /// Reads `MESSAGE_INBOUND` or `message-inbound`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.replace('-', "_");
        ConversationEvent::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(&wanted))
            .ok_or_else(|| format!("unknown Conversation event {s:?}"))
    }
}

/// The contact's phone number, their identity on the SMS channel.
const CONTACT_NUMBER: &str = "+46700000001";

/// The body Sinch sends for `event`: a contact on SMS talking to your app.
pub(crate) fn body(event: ConversationEvent, now: OffsetDateTime, ids: &mut Ids) -> Json {
    let time = with_fraction(now, 3, true);
    let app_id = ids.ulid(now);
    let contact_id = ids.ulid(now);
    let conversation_id = ids.ulid(now);
    let message_id = ids.ulid(now);
    let identity = || obj! {"channel": "SMS", "identity": CONTACT_NUMBER, "app_id": ""};
    let conversation = |active: bool| {
        obj! {
            "id": conversation_id.as_str(),
            "app_id": app_id.as_str(),
            "contact_id": contact_id.as_str(),
            "last_received": time.as_str(),
            "active_channel": "SMS",
            "active": active,
            "metadata": "",
            "metadata_json": obj! {},
            "correlation_id": "",
        }
    };
    let (member, content) = match event {
        ConversationEvent::MessageInbound => (
            "message",
            obj! {
                "id": message_id.as_str(),
                "direction": "TO_APP",
                "contact_message": obj! {"text_message": obj! {"text": "Hello from a simulated contact"}},
                "channel_identity": identity(),
                "conversation_id": conversation_id.as_str(),
                "contact_id": contact_id.as_str(),
                "metadata": "",
                "accept_time": time.as_str(),
                "sender_id": "+46700000000",
                "processing_mode": "CONVERSATION",
                "injected": false,
            },
        ),
        ConversationEvent::MessageDelivery => (
            "message_delivery_report",
            obj! {
                "message_id": message_id.as_str(),
                "conversation_id": conversation_id.as_str(),
                "status": "DELIVERED",
                "channel_identity": identity(),
                "contact_id": contact_id.as_str(),
                "metadata": "",
                "processing_mode": "CONVERSATION",
            },
        ),
        ConversationEvent::MessageSubmit => (
            "message_submit_notification",
            obj! {
                "message_id": message_id.as_str(),
                "conversation_id": conversation_id.as_str(),
                "channel_identity": identity(),
                "contact_id": contact_id.as_str(),
                "submitted_message": obj! {"text_message": obj! {"text": "Hello from your app"}},
                "metadata": "",
                "processing_mode": "CONVERSATION",
            },
        ),
        ConversationEvent::EventInbound => (
            "event",
            obj! {
                "id": message_id.as_str(),
                "direction": "TO_APP",
                "contact_event": obj! {"composing_event": obj! {}},
                "channel_identity": identity(),
                "contact_id": contact_id.as_str(),
                "conversation_id": conversation_id.as_str(),
                "accept_time": time.as_str(),
                "processing_mode": "CONVERSATION",
            },
        ),
        ConversationEvent::ConversationStart => (
            "conversation_start_notification",
            obj! {"conversation": conversation(true)},
        ),
        ConversationEvent::ConversationStop => (
            "conversation_stop_notification",
            obj! {"conversation": conversation(false)},
        ),
        ConversationEvent::ContactCreate => (
            "contact_create_notification",
            obj! {
                "contact": obj! {
                    "id": contact_id.as_str(),
                    "channel_identities": Json::Array(vec![identity()]),
                    "channel_priority": Json::Array(vec![Json::from("SMS")]),
                    "display_name": "Simulated Contact",
                    "email": "",
                    "external_id": "",
                    "metadata": "",
                    "language": "EN_US",
                }
            },
        ),
    };
    let mut body = obj! {
        "app_id": app_id.as_str(),
        "accepted_time": time.as_str(),
        "event_time": time.as_str(),
        "project_id": ids.uuid_v4(),
        "message_metadata": "",
        "correlation_id": "",
    };
    body.insert(member, content);
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn names_parse_both_ways() {
        for event in ConversationEvent::ALL {
            assert_eq!(event.as_str().parse::<ConversationEvent>().unwrap(), event);
            let kebab = event.as_str().to_lowercase().replace('_', "-");
            assert_eq!(kebab.parse::<ConversationEvent>().unwrap(), event);
        }
    }

    #[test]
    fn each_trigger_has_its_member_and_the_envelope() {
        let now = datetime!(2020-11-17 15:09:11.659 UTC);
        for (event, member) in [
            (ConversationEvent::MessageInbound, "message"),
            (
                ConversationEvent::MessageDelivery,
                "message_delivery_report",
            ),
            (
                ConversationEvent::MessageSubmit,
                "message_submit_notification",
            ),
            (ConversationEvent::EventInbound, "event"),
            (
                ConversationEvent::ConversationStart,
                "conversation_start_notification",
            ),
            (
                ConversationEvent::ConversationStop,
                "conversation_stop_notification",
            ),
            (
                ConversationEvent::ContactCreate,
                "contact_create_notification",
            ),
        ] {
            let body = body(event, now, &mut Ids::Seeded(1)).into_value();
            assert!(body[member].is_object(), "{event}");
            assert_eq!(body["accepted_time"], "2020-11-17T15:09:11.659Z");
            assert_eq!(body["app_id"].as_str().unwrap().len(), 26);
            // Exactly one trigger member besides the six envelope fields.
            assert_eq!(body.as_object().unwrap().len(), 7, "{event}");
        }
        let inbound =
            body(ConversationEvent::MessageInbound, now, &mut Ids::Seeded(1)).into_value();
        assert_eq!(inbound["message"]["contact_id"].as_str().unwrap().len(), 26);
        assert_eq!(
            inbound["message"]["channel_identity"]["identity"],
            CONTACT_NUMBER
        );
    }
}
