//! Registration tokens for the current Sinch SDKs (FORMATS §2): an HS256 JWT
//! signed with a key derived from the application secret per UTC day.

mod claims;
pub(crate) mod day_key;
mod jwt;
mod mint;
mod verify;

pub use claims::TokenClaims;
pub use day_key::{derive_signing_key, key_id};
pub(crate) use jwt::split_token;
pub use jwt::write_json_string;
pub use mint::{MIN_INSTANCE_TTL, RegistrationToken, TokenBuilder, TtlBounds};
