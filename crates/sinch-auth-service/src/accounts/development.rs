//! The development default: with no Sinch credentials configured, a
//! throw-away application key and secret, generated once from the OS
//! CSPRNG and kept in the accounts database, so the whole flow runs
//! offline and every instance on that database (and every restart) signs
//! with the same secret. Never used in production.

use std::io::Write;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sinch_auth::Application;
use sinch_auth_store::{DevelopmentCredentials, Store, StoreError};
use zeroize::Zeroizing;

/// Every generated key starts with this, so it is recognizable anywhere it
/// shows up (a ticket's `applicationKey`, a token's `iss`).
pub const DEVELOPMENT_KEY_PREFIX: &str = "development-only-";

/// A new random candidate: `development-only-<uuid>` and 32 random bytes.
fn candidate() -> Result<DevelopmentCredentials, String> {
    let mut secret = Zeroizing::new([0u8; 32]);
    getrandom::fill(secret.as_mut()).map_err(|e| format!("no OS randomness: {e}"))?;
    let key = format!("{DEVELOPMENT_KEY_PREFIX}{}", uuid::Uuid::new_v4());
    let secret = Zeroizing::new(STANDARD.encode(*secret));
    DevelopmentCredentials::new(key, secret.as_str()).map_err(|e| e.to_string())
}

/// Why the development application could not be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevelopmentError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored credentials are unusable.
    #[error("{0}")]
    Invalid(String),
}

/// The database's development application, created (and announced on
/// stderr, once) if it has none yet.
pub(crate) async fn development_application(
    store: &Store,
) -> Result<Application, DevelopmentError> {
    let stored = store
        .development_credentials(candidate().map_err(DevelopmentError::Invalid)?)
        .await?;
    let credentials = &stored.credentials;
    let app = Application::from_base64(credentials.key(), credentials.secret()).map_err(|e| {
        DevelopmentError::Invalid(format!(
            "the stored development credentials are unusable: {e}"
        ))
    })?;
    if stored.newly_created {
        announce(credentials.key(), credentials.secret(), store.location());
    } else {
        tracing::warn!(
            application_key = credentials.key(),
            database = store.location(),
            "DEVELOPMENT: signing with the throw-away development application kept in the database; \
             Sinch will not accept its credentials"
        );
    }
    Ok(app)
}

/// Printed once, when the credentials are created: straight to stderr, not
/// through the log (which must never carry a secret). The secret protects
/// nothing real: it exists only in this database.
fn announce(key: &str, secret: &str, location: &str) {
    let banner = format!(
        "\n\
         ======================================================================\n\
         DEVELOPMENT ONLY: throw-away Sinch application generated\n\
         ======================================================================\n\
         No Sinch credentials are configured, so sinch-auth generated these\n\
         and stored them in {location}.\n\
         Tickets and tokens signed with them work with this service and\n\
         `sinch-auth verify`, but Sinch rejects them. Shown only this once.\n\
         \n\
         \x20 SINCH_APPLICATION_KEY={key}\n\
         \x20 SINCH_APPLICATION_SECRET={secret}\n\
         \n\
         For real calls set SINCH_APPLICATION_KEY and SINCH_APPLICATION_SECRET\n\
         (or SINCH_APPLICATION_SECRET_FILE) from the Sinch dashboard.\n\
         ======================================================================\n"
    );
    let _ = std::io::stderr().lock().write_all(banner.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_labelled_random_and_usable() {
        let a = candidate().unwrap();
        let b = candidate().unwrap();
        assert!(a.key().starts_with(DEVELOPMENT_KEY_PREFIX));
        assert_ne!(a.key(), b.key());
        assert_ne!(a.secret(), b.secret());
        let app = Application::from_base64(a.key(), a.secret()).unwrap();
        assert_eq!(app.secret().expose_bytes().len(), 32);
    }
}
