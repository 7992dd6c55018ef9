//! Simulated Sinch callbacks (feature `simulate`): what Sinch would send to
//! your Voice, Numbers or Conversation callback URL, signed exactly as Sinch
//! signs it, without Sinch.
//!
//! - [`Simulation`] builds one event with every field Sinch documents,
//!   fresh ids and the current time, optional [`set_field`] overrides, and
//!   signs it with this crate's signers ([`crate::signing`]): the result, a
//!   [`SimulatedRequest`], is method, path, headers and body, ready for any
//!   HTTP client or for axum's `oneshot` (with the `http` feature,
//!   [`SimulatedRequest::into_http`]).
//! - [`svaml::SvamlChecker`] tells whether your answer to ICE, ACE or PIE
//!   is SVAML that Sinch will act on, problem by problem.
//!
//! Pure like the rest of the crate: nothing is sent; time comes from a
//! [`Clock`](crate::Clock) and ids from the OS CSPRNG or a seed.
//! `sinch-auth simulate` is the command-line shell over this module
//! (docs/simulate.md).
//!
//! ```
//! use sinch_auth::Application;
//! use sinch_auth::simulate::{Simulation, VoiceEvent, svaml::SvamlChecker};
//! let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
//! let ice = Simulation::voice(&app, VoiceEvent::Ice).with_path("/sinch/ice").build()?;
//! assert!(ice.header("authorization").unwrap().starts_with("Application my-key:"));
//!
//! // ...send it to your handler, then check what it answered:
//! let answer = br#"{"action":{"name":"connectPstn","number":"+46700000002"}}"#;
//! assert!(SvamlChecker::for_request(ice.body()).unwrap().check(answer).is_empty());
//! # Ok::<(), sinch_auth::Error>(())
//! ```

mod clock_text;
mod conversation;
mod ids;
mod numbers;
mod ordered;
mod overrides;
mod request;
mod simulation;
pub mod svaml;
mod voice;

pub use conversation::ConversationEvent;
pub use numbers::NumbersEvent;
pub use overrides::{parse_assignment, set_field};
pub use request::SimulatedRequest;
pub use simulation::{JSON_CONTENT_TYPE, Simulation, VOICE_CONTENT_TYPE};
pub use voice::VoiceEvent;
