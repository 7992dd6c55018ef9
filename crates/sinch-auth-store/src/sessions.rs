//! Sessions: looked up by the SHA-256 of the cookie's token, never the token.

use std::fmt;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::StoreError;
use crate::accounts::{Account, AccountId};
use crate::store::{Store, on_pool};
use crate::timestamps::{from_unix, now, to_unix};

/// The SHA-256 of a session token: what the store keeps and searches by.
///
/// A database leak then yields no usable cookie. (Tokens carry 128+ bits of
/// randomness, so an unsalted fast hash is enough: there is nothing to guess.)
/// `Debug` shows nothing of the value.
///
/// ```
/// use sinch_auth_store::SessionTokenHash;
///
/// let hash = SessionTokenHash::of_token("the-random-cookie-value");
/// assert_eq!(hash, SessionTokenHash::of_token("the-random-cookie-value"));
/// assert_eq!(format!("{hash:?}"), "SessionTokenHash(..)");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionTokenHash([u8; 32]);

impl SessionTokenHash {
    /// Hashes the token exactly as received (no trimming or decoding).
    pub fn of_token(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    /// Wraps a SHA-256 the caller computed.
    pub fn from_sha256(digest: [u8; 32]) -> Self {
        Self(digest)
    }

    /// Lowercase hex, the stored form.
    pub(crate) fn to_hex(&self) -> String {
        self.0
            .iter()
            .fold(String::with_capacity(64), |mut hex, byte| {
                let _ = write!(hex, "{byte:02x}");
                hex
            })
    }
}

impl fmt::Debug for SessionTokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionTokenHash(..)")
    }
}

/// How the client holds a session: the store keeps it so that a token is
/// accepted only the way it was handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionKind {
    /// A browser's `HttpOnly` cookie (ambient: cross-site checks apply).
    Cookie,
    /// A native app's `Authorization: Bearer` token (sent on purpose).
    Bearer,
}

impl SessionKind {
    /// The stored form: `cookie` or `bearer`.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Cookie => "cookie",
            SessionKind::Bearer => "bearer",
        }
    }

    fn from_stored(text: &str) -> Result<Self, StoreError> {
        match text {
            "cookie" => Ok(SessionKind::Cookie),
            "bearer" => Ok(SessionKind::Bearer),
            other => Err(StoreError::Database(format!(
                "unknown stored session kind {other:?}"
            ))),
        }
    }
}

/// A live session, as [`Store::find_session`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Session {
    /// Whose session it is.
    pub account_id: AccountId,
    /// That account's username: the Sinch user id to issue credentials for.
    pub username: String,
    /// When it was created (whole seconds).
    pub created_at: OffsetDateTime,
    /// When it stops being valid (whole seconds, rounded down).
    pub expires_at: OffsetDateTime,
    /// How the client holds it.
    pub kind: SessionKind,
}

type SessionRow = (String, String, i64, i64, String);

impl Store {
    /// Records a session for `account`, whose password the caller has just
    /// verified against `account.password_hash`.
    ///
    /// Stored only if that hash is still current, checked and written in one
    /// transaction that locks the account row: a login that verified the old
    /// password cannot slip a session in after a password change revoked the
    /// others. Otherwise fails with [`StoreError::CredentialsChanged`].
    ///
    /// `expires_at` is kept to the second, rounded down. The session is a
    /// [`SessionKind::Cookie`]; see
    /// [`create_session_of_kind`](Self::create_session_of_kind).
    pub async fn create_session(
        &self,
        account: &Account,
        token: &SessionTokenHash,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.create_session_of_kind(account, token, expires_at, SessionKind::Cookie)
            .await
    }

    /// [`create_session`](Self::create_session) for a session held as
    /// `kind`. A disabled account gets no session
    /// ([`StoreError::CredentialsChanged`], as for a changed password).
    pub async fn create_session_of_kind(
        &self,
        account: &Account,
        token: &SessionTokenHash,
        expires_at: OffsetDateTime,
        kind: SessionKind,
    ) -> Result<(), StoreError> {
        const TOUCH: &str = "UPDATE accounts SET last_login_at = $1 \
                             WHERE id = $2 AND password_hash = $3 AND disabled_at IS NULL";
        const INSERT: &str = "INSERT INTO sessions \
                              (token_hash, account_id, created_at, expires_at, kind) \
                              VALUES ($1, $2, $3, $4, $5)";
        let created_at = now();
        let token_hex = token.to_hex();
        let expires_at = to_unix(expires_at);
        let outcome = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let current = sqlx::query(TOUCH)
                .bind(created_at)
                .bind(account.id.as_str())
                .bind(account.password_hash.as_phc_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if current == 0 {
                tx.rollback().await?;
                return Ok::<_, sqlx::Error>(false);
            }
            sqlx::query(INSERT)
                .bind(&token_hex)
                .bind(account.id.as_str())
                .bind(created_at)
                .bind(expires_at)
                .bind(kind.as_str())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        }
        .await);
        let duplicate = StoreError::InvalidInput("this session token is already in use".into());
        match outcome.map_err(|err| self.error_or_conflict(err, duplicate))? {
            true => Ok(()),
            false => Err(StoreError::CredentialsChanged),
        }
    }

    /// The session for this token if it exists, `now` is before its expiry
    /// and its account is not disabled.
    pub async fn find_session(
        &self,
        token: &SessionTokenHash,
        now: OffsetDateTime,
    ) -> Result<Option<Session>, StoreError> {
        const SQL: &str = "SELECT s.account_id, a.username, s.created_at, s.expires_at, s.kind \
                           FROM sessions s JOIN accounts a ON a.id = s.account_id \
                           WHERE s.token_hash = $1 AND s.expires_at > $2 \
                           AND a.disabled_at IS NULL";
        let row: Option<SessionRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(token.to_hex()).bind(to_unix(now)).fetch_optional(pool).await
        })
        .map_err(|err| self.error(err))?;
        row.map(|(account_id, username, created_at, expires_at, kind)| {
            Ok(Session {
                account_id: AccountId::from_store(account_id),
                username,
                created_at: from_unix(created_at)?,
                expires_at: from_unix(expires_at)?,
                kind: SessionKind::from_stored(&kind)?,
            })
        })
        .transpose()
    }

    /// Ends one session (logout). Returns whether it existed.
    pub async fn revoke_session(&self, token: &SessionTokenHash) -> Result<bool, StoreError> {
        const SQL: &str = "DELETE FROM sessions WHERE token_hash = $1";
        let deleted = on_pool!(self, pool => {
            sqlx::query(SQL).bind(token.to_hex()).execute(pool).await.map(|done| done.rows_affected())
        })
        .map_err(|err| self.error(err))?;
        Ok(deleted > 0)
    }

    /// Ends every session of one account. Returns how many there were.
    pub async fn revoke_all_sessions(&self, account: &AccountId) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM sessions WHERE account_id = $1";
        on_pool!(self, pool => {
            sqlx::query(SQL).bind(account.as_str()).execute(pool).await.map(|done| done.rows_affected())
        })
        .map_err(|err| self.error(err))
    }

    /// Deletes sessions that expired at or before `now` (they are already
    /// ignored by [`find_session`](Self::find_session); this reclaims the
    /// space). Returns how many were deleted.
    pub async fn purge_expired_sessions(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM sessions WHERE expires_at <= $1";
        on_pool!(self, pool => {
            sqlx::query(SQL).bind(to_unix(now)).execute(pool).await.map(|done| done.rows_affected())
        })
        .map_err(|err| self.error(err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_sha256() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1
        assert_eq!(
            SessionTokenHash::of_token("abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn debug_shows_nothing_of_the_hash() {
        let hash = SessionTokenHash::of_token("abc");
        assert_eq!(
            format!("{hash:?}|{hash:#?}"),
            "SessionTokenHash(..)|SessionTokenHash(..)"
        );
    }
}
