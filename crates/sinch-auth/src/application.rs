//! [`Application`]: a key and its secret, the starting point of every
//! credential.

use std::fmt;

use crate::credentials::{ApplicationKey, ApplicationSecret};
use crate::error::Error;
use crate::token::day_key::DayKeyCache;

/// A Sinch application: its key, its secret, and the registration-token
/// signing key of the current UTC day, cached.
///
/// Build one at start-up and share it (`Arc<Application>`); minting and
/// verifying take `&self` and are safe from many threads.
///
/// ```
/// use sinch_auth::Application;
/// let app = Application::from_base64(
///     "a32e5a8d-f7d8-411c-9645-9038e8dd051d",
///     "ax8hTTQJF0OPXL32r1LHMA==",
/// ).unwrap();
/// assert_eq!(app.key().as_str(), "a32e5a8d-f7d8-411c-9645-9038e8dd051d");
/// assert!(!format!("{app:?}").contains("ax8hTTQJ"));
/// ```
#[derive(Clone)]
pub struct Application {
    key: ApplicationKey,
    secret: ApplicationSecret,
    pub(crate) day_keys: DayKeyCache,
}

impl Application {
    /// Pairs a key with its secret.
    pub fn new(key: ApplicationKey, secret: ApplicationSecret) -> Self {
        Application {
            key,
            secret,
            day_keys: DayKeyCache::default(),
        }
    }

    /// Validates a key and decodes a base64 secret in one step.
    pub fn from_base64(key: &str, secret_base64: &str) -> Result<Self, Error> {
        Ok(Self::new(
            ApplicationKey::new(key)?,
            ApplicationSecret::from_base64(secret_base64)?,
        ))
    }

    /// The application key.
    pub fn key(&self) -> &ApplicationKey {
        &self.key
    }

    /// The application secret.
    pub fn secret(&self) -> &ApplicationSecret {
        &self.secret
    }
}

impl fmt::Debug for Application {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Application")
            .field("key", &self.key)
            .field("secret", &self.secret)
            .finish_non_exhaustive()
    }
}
