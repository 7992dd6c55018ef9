//! # sinch-auth
//!
//! Mint and verify the credentials a backend needs with Sinch, byte-exact
//! with Sinch's formats and without the bugs of the samples everyone copied.
//! This crate is pure: no network, no files (except the explicit
//! [`Application::from_env`] loader), and time is always injectable.
//!
//! ## A user ticket for the JavaScript SDK 1.x
//!
//! ```
//! use sinch_auth::{Application, VerifyOptions};
//! let app = Application::from_base64(
//!     "a32e5a8d-f7d8-411c-9645-9038e8dd051d",
//!     "ax8hTTQJF0OPXL32r1LHMA==",
//! )?;
//! let ticket = app.user_ticket("John Smith").mint()?;     // whitespace kept, unlike the seed
//! let claims = app.verify_ticket(ticket.as_str(), &VerifyOptions::default())?;
//! assert_eq!(claims.user_id(), "John Smith");
//! # Ok::<(), sinch_auth::Error>(())
//! ```
//!
//! ## A registration token for the current SDKs
//!
//! ```
//! use std::time::Duration;
//! use sinch_auth::{Application, VerifyOptions};
//! let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
//! let token = app.registration_token("alice").with_ttl(Duration::from_secs(600)).mint()?;
//! let claims = app.verify_token(token.as_str(), &VerifyOptions::default())?;
//! assert_eq!(claims.user_id(), "alice");
//! # Ok::<(), sinch_auth::Error>(())
//! ```
//!
//! ## A signed request, and a callback checked before it is trusted
//!
//! ```
//! use sinch_auth::Application;
//! use sinch_auth::signing::{CallbackRequest, CallbackVerifier};
//! let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
//! let signed = app.sign_request("GET", "/calling/v1/calls/id/abc").sign()?;
//! let callback = CallbackRequest::new("GET", "/calling/v1/calls/id/abc")
//!     .with_authorization(signed.authorization())
//!     .with_x_timestamp(signed.x_timestamp());
//! assert!(CallbackVerifier::new(app).verify(callback).is_ok());
//! # Ok::<(), sinch_auth::Error>(())
//! ```
//!
//! See [`signing`] for Numbers and Conversation callbacks, and the `axum`
//! feature for an extractor that rejects forged callbacks before your
//! handler runs.
//!
//! Formats are specified in `FORMATS.md` (kept beside the test vectors in
//! `tests/vectors/`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod application;
#[cfg(feature = "axum")]
pub mod axum;
mod clock;
mod credentials;
pub mod dangerous;
mod env;
mod error;
pub mod signing;
#[cfg(feature = "simulate")]
pub mod simulate;
pub mod ticket;
mod timestamp;
pub mod token;
mod user_id;
mod verified;
mod verify_options;

pub use application::Application;
pub use clock::{Clock, FixedClock, SystemClock};
pub use credentials::{ApplicationKey, ApplicationSecret};
pub use env::{KEY_VAR, SECRET_FILE_VAR, SECRET_VAR};
pub use error::{CredentialKind, Error, ErrorKind};
pub use ticket::{TicketBuilder, TicketClaims, UserTicket};
pub use timestamp::{parse_timestamp, rfc3339_seconds};
pub use token::{RegistrationToken, TokenBuilder, TokenClaims, TtlBounds, write_json_string};
pub use user_id::{
    IdentityType, MAX_USER_ID_BYTES, encode_user_id_for_token, validate_ticket_user_id,
    validate_token_user_id,
};
pub use verified::{Verified, VerifiedCredential};
pub use verify_options::VerifyOptions;

/// The README's Rust examples, compiled and run as doctests so they cannot
/// rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
