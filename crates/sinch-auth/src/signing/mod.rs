//! Signed REST requests and the callbacks Sinch sends (FORMATS §3–4).
//!
//! - **Outgoing**: [`Application::sign_request`](crate::Application::sign_request)
//!   signs a call to the Voice or Verification REST APIs and gives the
//!   `Authorization` and `x-timestamp` header values.
//! - **Incoming, application-signed** (ICE/ACE/DiCE/PIE, Verification
//!   events): [`CallbackVerifier`].
//! - **Numbers API callbacks**: [`NumbersCallbackVerifier`].
//! - **Conversation API webhooks**: [`ConversationWebhookVerifier`].
//!
//! Everything here works on plain parts (method, path, header values, raw
//! body bytes); with the `http` feature the same works on `http::Request`s,
//! and the `axum` feature adds an extractor (`sinch_auth::axum`).
//!
//! What this gets right that Sinch's SDKs each get wrong somewhere: MACs are
//! compared in constant time, the body is the raw bytes (never re-serialized
//! JSON), the scheme is accepted in any case, and the string-to-sign uses
//! single LFs on every platform.
//!
//! ```
//! use sinch_auth::Application;
//! use sinch_auth::signing::{CallbackRequest, CallbackVerifier};
//!
//! let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
//! let body = br#"{"event":"ice"}"#;
//! // What Sinch does when it calls you...
//! let signed = app
//!     .sign_request("POST", "/sinch/callback")
//!     .with_content_type("application/json")
//!     .with_body(body)
//!     .sign()?;
//! // ...and what your callback handler does before trusting the body.
//! let verifier = CallbackVerifier::new(app);
//! let verified = verifier.verify(
//!     CallbackRequest::new("POST", "/sinch/callback")
//!         .with_content_type("application/json")
//!         .with_authorization(signed.authorization())
//!         .with_x_timestamp(signed.x_timestamp())
//!         .with_body(body),
//! )?;
//! assert_eq!(verified.application_key(), "my-key");
//! # Ok::<(), sinch_auth::Error>(())
//! ```

mod authorization;
mod callback_secret;
mod callback_verifier;
mod conversation;
#[cfg(feature = "http")]
pub(crate) mod http_support;
mod numbers;
mod request_signer;
mod string_to_sign;
mod window;

pub use authorization::SCHEME;
pub use callback_secret::CallbackSecret;
pub use callback_verifier::{CallbackClaims, CallbackRequest, CallbackVerifier};
pub use conversation::{
    ConversationWebhook, ConversationWebhookVerifier, WEBHOOK_ALGORITHM,
    WEBHOOK_ALGORITHM_HMAC_SHA256, WEBHOOK_NONCE, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP,
};
pub use numbers::{NumbersCallbackVerifier, X_SINCH_SIGNATURE};
pub use request_signer::{SignRequest, SignedRequest};
pub use string_to_sign::{StringToSign, content_md5, signed_path};
pub use window::DEFAULT_MAX_SKEW;

/// The `Authorization` header name, lower-case as HTTP/2 writes it.
pub const AUTHORIZATION: &str = "authorization";
/// The `x-timestamp` header name.
pub const X_TIMESTAMP: &str = "x-timestamp";
/// The `Content-Type` header name, lower-case.
pub const CONTENT_TYPE: &str = "content-type";
