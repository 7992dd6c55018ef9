//! Legacy user tickets for the Sinch JavaScript SDK 1.x (FORMATS §1).
//!
//! `base64(json) ":" base64(HMAC-SHA256(secret, json))`, with the JSON written
//! exactly as the seed PHP class writes it, minus its whitespace stripping.

mod claims;
mod mint;
mod php_json;
mod verify;

pub use claims::TicketClaims;
pub use mint::{TicketBuilder, UserTicket};
pub(crate) use verify::split_and_check;
