//! Accounts and sessions for `sinch-auth serve`'s accounts mode.
//!
//! An embedded SQLite file by default; PostgreSQL when several instances share
//! one database. Both run the same versioned migrations, applied automatically
//! by [`Store::connect`]. This crate knows nothing of HTTP, and it never sees
//! a password or a session token: only PHC password hashes ([`PasswordHash`])
//! and SHA-256 token hashes ([`SessionTokenHash`]), and it never shows those
//! in `Debug` output or error messages either.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), sinch_auth_store::StoreError> {
//! # let dir = tempfile::tempdir().unwrap();
//! # let url = sinch_auth_store::sqlite_url(&dir.path().join("accounts.db"));
//! use sinch_auth_store::{PasswordHash, SessionTokenHash, Store, StoreError};
//! use time::{Duration, OffsetDateTime};
//!
//! let store = Store::connect(&url).await?; // e.g. "sqlite:///var/lib/sinch-auth/accounts.db"
//!
//! // Sign-up: the service hashed the password with Argon2id.
//! let hash = PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo")?;
//! store.create_account("alice", &hash).await?;
//! assert_eq!(store.create_account("alice", &hash).await, Err(StoreError::UsernameTaken));
//!
//! // Login: after verifying the password against `account.password_hash`.
//! let account = store.find_account_by_username("alice").await?.expect("just created");
//! let token = SessionTokenHash::of_token("random-cookie-value");
//! let now = OffsetDateTime::now_utc();
//! store.create_session(&account, &token, now + Duration::hours(12)).await?;
//!
//! // Each request with the cookie:
//! let session = store.find_session(&token, now).await?.expect("live session");
//! assert_eq!(session.username, "alice");
//!
//! // Logout:
//! assert!(store.revoke_session(&token).await?);
//! assert_eq!(store.find_session(&token, now).await?, None);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod accounts;
mod admin;
mod connect;
mod development;
mod error;
mod migrations;
mod sessions;
mod store;
mod timestamps;
mod url;

pub use accounts::{Account, AccountId, PasswordHash};
pub use admin::AccountSummary;
pub use connect::{Backend, StoreOptions};
pub use development::{DevelopmentCredentials, StoredDevelopmentCredentials};
pub use error::StoreError;
pub use sessions::{Session, SessionKind, SessionTokenHash};
pub use store::{PoolStatus, SchemaVersion, Store};
pub use url::{DatabaseUrl, default_database_path, default_database_url, sqlite_url};
