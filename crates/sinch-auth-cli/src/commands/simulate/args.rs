//! The flags of `sinch-auth simulate voice|numbers|conversation`.

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser as _};
use clap::{Args, Subcommand};
use sinch_auth::simulate::{ConversationEvent, NumbersEvent, VoiceEvent};
use time::OffsetDateTime;

use crate::cli;

#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(subcommand)]
    pub api: Api,
}

#[derive(Debug, Subcommand)]
pub enum Api {
    /// A Voice callback signed with the application secret (ICE, ACE, DiCE, PIE, Notify)
    Voice(VoiceArgs),
    /// A Numbers API callback signed with the number's callback secret
    Numbers(NumbersArgs),
    /// A Conversation API webhook signed with the webhook's secret
    Conversation(ConversationArgs),
}

const VOICE_EVENTS: [&str; 5] = ["ice", "ace", "dice", "pie", "notify"];
const NUMBERS_EVENTS: [&str; 6] = [
    "provisioning-to-sms-platform",
    "deprovisioning-from-sms-platform",
    "provisioning-to-campaign",
    "deprovisioning-from-campaign",
    "provisioning-to-voice-platform",
    "deprovisioning-from-voice-platform",
];
const CONVERSATION_EVENTS: [&str; 7] = [
    "message-inbound",
    "message-delivery",
    "message-submit",
    "event-inbound",
    "conversation-start",
    "conversation-stop",
    "contact-create",
];

#[derive(Debug, Args)]
pub struct VoiceArgs {
    /// The event to send
    #[arg(value_parser = PossibleValuesParser::new(VOICE_EVENTS)
        .map(|s| s.parse::<VoiceEvent>().expect("listed names parse")))]
    pub event: VoiceEvent,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct NumbersArgs {
    /// The event type to send
    #[arg(value_parser = PossibleValuesParser::new(NUMBERS_EVENTS)
        .map(|s| s.parse::<NumbersEvent>().expect("listed names parse")))]
    pub event: NumbersEvent,

    /// File holding the number's callback secret, as configured at Sinch
    #[arg(long, value_name = "PATH")]
    pub callback_secret_file: PathBuf,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct ConversationArgs {
    /// The webhook trigger to send
    #[arg(value_parser = PossibleValuesParser::new(CONVERSATION_EVENTS)
        .map(|s| s.parse::<ConversationEvent>().expect("listed names parse")))]
    pub event: ConversationEvent,

    /// File holding the webhook's secret, as configured at Sinch
    #[arg(long, value_name = "PATH")]
    pub webhook_secret_file: PathBuf,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Your handler's URL; its path (the one Sinch would call) is signed
    #[arg(long, value_name = "URL")]
    pub url: String,

    /// Set or add a body field before signing: dotted path, JSON value or
    /// plain text (menuResult.value=support). header:NAME=VALUE changes a
    /// header AFTER signing, to forge a request. Repeatable
    #[arg(long, value_name = "FIELD=VALUE")]
    pub set: Vec<String>,

    /// Send this file's bytes verbatim as the body (still signed); - reads stdin
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,

    /// Print a ready curl command instead of sending
    #[arg(long)]
    pub print: bool,

    /// Pretend Sinch sends at this time, e.g. an hour ago for a stale request [default: now]
    #[arg(long, value_name = "RFC3339", value_parser = cli::timestamp)]
    pub timestamp: Option<OffsetDateTime>,

    /// Derive ids (call id, event ids, nonce) from this seed instead of randomly
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Seconds to wait for the handler's answer
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub timeout: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_library_event_has_a_command_line_name() {
        let voice: Vec<VoiceEvent> = VOICE_EVENTS.iter().map(|s| s.parse().unwrap()).collect();
        assert!(VoiceEvent::ALL.iter().all(|e| voice.contains(e)));
        let numbers: Vec<NumbersEvent> =
            NUMBERS_EVENTS.iter().map(|s| s.parse().unwrap()).collect();
        assert!(NumbersEvent::ALL.iter().all(|e| numbers.contains(e)));
        let conversation: Vec<ConversationEvent> = CONVERSATION_EVENTS
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert!(
            ConversationEvent::ALL
                .iter()
                .all(|e| conversation.contains(e))
        );
    }
}
