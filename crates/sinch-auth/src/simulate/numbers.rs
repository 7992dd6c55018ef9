//! Numbers API callback bodies.
//!
//! Fields: Sinch's Numbers API reference, "Callbacks"
//! (developers.sinch.com/docs/numbers/api-reference/numbers/tag/Numbers-Callbacks/)
//! and the official Node SDK's `CallbackPayload`
//! (`packages/numbers/src/models/v1/callback-payload/callback-payload.ts` in
//! github.com/sinch/sinch-sdk-node). Sinch writes `timestamp` with nine
//! fraction digits and no time zone (the SDK's `parseEvent` works around it)
//! and lower-case ULIDs as event ids (its `callbacks-webhook.test.ts`).

use std::fmt;
use std::str::FromStr;

use serde_json::Value;
use time::OffsetDateTime;

use super::clock_text::with_fraction;
use super::ids::Ids;
use super::ordered::{Json, obj};

/// A Numbers API event type (`eventType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NumbersEvent {
    /// The number was provisioned to the SMS platform.
    ProvisioningToSmsPlatform,
    /// The number was removed from the SMS platform.
    DeprovisioningFromSmsPlatform,
    /// The number was linked to a 10DLC campaign.
    ProvisioningToCampaign,
    /// The number was unlinked from a 10DLC campaign.
    DeprovisioningFromCampaign,
    /// The number was provisioned to the Voice platform.
    ProvisioningToVoicePlatform,
    /// The number was removed from the Voice platform.
    DeprovisioningFromVoicePlatform,
}

impl NumbersEvent {
    /// Every event type.
    pub const ALL: [NumbersEvent; 6] = [
        NumbersEvent::ProvisioningToSmsPlatform,
        NumbersEvent::DeprovisioningFromSmsPlatform,
        NumbersEvent::ProvisioningToCampaign,
        NumbersEvent::DeprovisioningFromCampaign,
        NumbersEvent::ProvisioningToVoicePlatform,
        NumbersEvent::DeprovisioningFromVoicePlatform,
    ];

    /// The `eventType` value, e.g. `PROVISIONING_TO_VOICE_PLATFORM`.
    pub fn as_str(self) -> &'static str {
        match self {
            NumbersEvent::ProvisioningToSmsPlatform => "PROVISIONING_TO_SMS_PLATFORM",
            NumbersEvent::DeprovisioningFromSmsPlatform => "DEPROVISIONING_FROM_SMS_PLATFORM",
            NumbersEvent::ProvisioningToCampaign => "PROVISIONING_TO_CAMPAIGN",
            NumbersEvent::DeprovisioningFromCampaign => "DEPROVISIONING_FROM_CAMPAIGN",
            NumbersEvent::ProvisioningToVoicePlatform => "PROVISIONING_TO_VOICE_PLATFORM",
            NumbersEvent::DeprovisioningFromVoicePlatform => "DEPROVISIONING_FROM_VOICE_PLATFORM",
        }
    }
}

impl fmt::Display for NumbersEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NumbersEvent {
    type Err = String;

    /// Reads `PROVISIONING_TO_VOICE_PLATFORM` or
    /// `provisioning-to-voice-platform`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.replace('-', "_");
        NumbersEvent::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(&wanted))
            .ok_or_else(|| format!("unknown Numbers event {s:?}"))
    }
}

/// The number the simulated events are about.
const NUMBER: &str = "+17818510001";

/// The body Sinch sends for `event`: a successful operation on [`NUMBER`].
pub(crate) fn body(event: NumbersEvent, now: OffsetDateTime, ids: &mut Ids) -> Json {
    obj! {
        "eventId": ids.ulid(now).to_ascii_lowercase(),
        "timestamp": with_fraction(now, 9, false),
        "projectId": ids.uuid_v4(),
        "resourceId": NUMBER,
        "resourceType": "ACTIVE_NUMBER",
        "eventType": event.as_str(),
        "status": "SUCCEEDED",
        "failureCode": Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn names_parse_both_ways() {
        for event in NumbersEvent::ALL {
            assert_eq!(event.as_str().parse::<NumbersEvent>().unwrap(), event);
            let kebab = event.as_str().to_lowercase().replace('_', "-");
            assert_eq!(kebab.parse::<NumbersEvent>().unwrap(), event);
        }
        assert!("PROVISIONING".parse::<NumbersEvent>().is_err());
    }

    #[test]
    fn body_has_the_documented_fields() {
        let now = datetime!(2024-02-10 17:22:09.412722588 UTC);
        let body = body(
            NumbersEvent::ProvisioningToCampaign,
            now,
            &mut Ids::Seeded(1),
        )
        .into_value();
        assert_eq!(body["timestamp"], "2024-02-10T17:22:09.412722588");
        assert_eq!(body["eventType"], "PROVISIONING_TO_CAMPAIGN");
        let event_id = body["eventId"].as_str().unwrap();
        assert_eq!(event_id.len(), 26);
        assert_eq!(event_id, event_id.to_lowercase());
        assert!(body["failureCode"].is_null());
        for field in ["projectId", "resourceId", "resourceType", "status"] {
            assert!(body[field].is_string(), "{field}");
        }
    }
}
