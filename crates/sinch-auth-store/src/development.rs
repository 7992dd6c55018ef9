//! The throw-away development application: generated once, then shared by
//! every instance using the database.

use std::fmt;

use zeroize::Zeroizing;

use crate::StoreError;
use crate::store::{Store, on_pool};
use crate::timestamps::now;

/// A development application key and secret, as text (the service turns them
/// into the core library's credential types). `Debug` shows the key, never
/// the secret; the secret is wiped from memory on drop.
///
/// ```
/// use sinch_auth_store::DevelopmentCredentials;
///
/// let credentials = DevelopmentCredentials::new("dev-key", "c2VjcmV0").unwrap();
/// assert_eq!(credentials.key(), "dev-key");
/// assert!(!format!("{credentials:?}").contains("c2VjcmV0"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DevelopmentCredentials {
    key: String,
    secret: Zeroizing<String>,
}

impl DevelopmentCredentials {
    /// Both parts must be non-empty.
    pub fn new(key: impl Into<String>, secret: impl Into<String>) -> Result<Self, StoreError> {
        let (key, secret) = (key.into(), Zeroizing::new(secret.into()));
        if key.is_empty() || secret.is_empty() {
            return Err(StoreError::InvalidInput(
                "development credentials need a key and a secret".into(),
            ));
        }
        Ok(Self { key, secret })
    }

    /// The application key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The application secret (base64 text, as Sinch shows it).
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for DevelopmentCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevelopmentCredentials")
            .field("key", &self.key)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// What [`Store::development_credentials`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredDevelopmentCredentials {
    /// The credentials every instance on this database uses.
    pub credentials: DevelopmentCredentials,
    /// True only for the one call that stored the caller's candidate: the
    /// moment to print them.
    pub newly_created: bool,
}

impl Store {
    /// Returns the database's development credentials, storing `candidate`
    /// first if there are none.
    ///
    /// Any number of instances starting at once agree: each inserts its own
    /// candidate with insert-or-ignore on a single-row table, then reads
    /// whichever row won.
    pub async fn development_credentials(
        &self,
        candidate: DevelopmentCredentials,
    ) -> Result<StoredDevelopmentCredentials, StoreError> {
        const INSERT: &str = "INSERT INTO development_credentials \
                              (singleton, application_key, application_secret, created_at) \
                              VALUES (1, $1, $2, $3) ON CONFLICT (singleton) DO NOTHING";
        const SELECT: &str = "SELECT application_key, application_secret \
                              FROM development_credentials WHERE singleton = 1";
        let created_at = now();
        let inserted = on_pool!(self, pool => {
            sqlx::query(INSERT)
                .bind(candidate.key())
                .bind(candidate.secret())
                .bind(created_at)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(|err| self.error(err))?;
        let (key, secret): (String, String) =
            on_pool!(self, pool => sqlx::query_as(SELECT).fetch_one(pool).await)
                .map_err(|err| self.error(err))?;
        let secret = Zeroizing::new(secret);
        Ok(StoredDevelopmentCredentials {
            credentials: DevelopmentCredentials::new(key, secret.as_str())?,
            newly_created: inserted == 1,
        })
    }
}
