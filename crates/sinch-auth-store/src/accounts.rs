//! Accounts: a username (the Sinch user id) and a password hash.

use std::fmt;

use time::OffsetDateTime;

use crate::StoreError;
use crate::sessions::SessionTokenHash;
use crate::store::{Store, on_pool};
use crate::timestamps::{from_unix, now};

/// An account's stable identifier (a UUID chosen by the store).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountId(String);

impl AccountId {
    pub(crate) fn from_store(id: String) -> Self {
        Self(id)
    }

    /// The identifier as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password hash in PHC string format (`$argon2id$v=19$m=…$salt$hash`).
///
/// This crate never sees passwords: the service hashes them and hands over
/// only this. The constructor refuses anything that does not look like a PHC
/// string, so a plaintext password passed by mistake is not stored. `Debug`
/// shows the algorithm only.
///
/// ```
/// use sinch_auth_store::PasswordHash;
///
/// let hash = PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo").unwrap();
/// assert_eq!(format!("{hash:?}"), "PasswordHash { algorithm: \"argon2id\", .. }");
/// assert!(PasswordHash::new("correct horse battery staple").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

/// Longer than any real PHC string; keeps the column bounded.
const MAX_PHC_LEN: usize = 512;

impl PasswordHash {
    /// Checks the PHC shape (`$id$…`, printable ASCII, no spaces, at most 512
    /// bytes) without interpreting the parameters.
    pub fn new(phc: impl Into<String>) -> Result<Self, StoreError> {
        let phc = phc.into();
        let invalid = |why: &str| Err(StoreError::InvalidInput(format!("password hash {why}")));
        if phc.len() > MAX_PHC_LEN {
            return invalid("is longer than 512 bytes");
        }
        if !phc.bytes().all(|b| b.is_ascii_graphic()) {
            return invalid("must be printable ASCII without spaces (a PHC string)");
        }
        let mut fields = phc.split('$');
        let before = fields.next();
        let algorithm = fields.next().unwrap_or("");
        let has_value = fields.next().is_some();
        let algorithm_ok = !algorithm.is_empty()
            && algorithm
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if before != Some("") || !algorithm_ok || !has_value {
            return invalid("must be a PHC string such as $argon2id$v=19$…");
        }
        Ok(Self(phc))
    }

    /// The PHC string, for the password hasher to verify against.
    pub fn as_phc_str(&self) -> &str {
        &self.0
    }

    fn algorithm(&self) -> &str {
        self.0.split('$').nth(1).unwrap_or("")
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHash")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

/// A stored account. Obtained from the store only; handing one back (to
/// [`Store::create_session`] or [`Store::set_password`]) says "I verified a
/// password against *this* hash".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Account {
    /// Stable identifier.
    pub id: AccountId,
    /// The Sinch user id; unique, compared byte for byte.
    pub username: String,
    /// The current password hash.
    pub password_hash: PasswordHash,
    /// When the account was created (whole seconds).
    pub created_at: OffsetDateTime,
    /// When an operator disabled it; `None` while it is enabled. A disabled
    /// account cannot log in (see [`Store::disable_account`]).
    pub disabled_at: Option<OffsetDateTime>,
}

impl Account {
    /// Whether an operator disabled the account.
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }
}

/// Same limit as the Sinch user id alphabet (FORMATS §2), enforced again by a
/// CHECK constraint.
const MAX_USERNAME_BYTES: usize = 255;

fn check_username(username: &str) -> Result<(), StoreError> {
    if username.is_empty() || username.len() > MAX_USERNAME_BYTES {
        return Err(StoreError::InvalidInput(format!(
            "username must be 1 to {MAX_USERNAME_BYTES} bytes long"
        )));
    }
    if username.chars().any(char::is_control) {
        return Err(StoreError::InvalidInput(
            "username must not contain control characters".into(),
        ));
    }
    Ok(())
}

type AccountRow = (String, String, String, i64, Option<i64>);

const SELECT_ACCOUNT: &str =
    "SELECT id, username, password_hash, created_at, disabled_at FROM accounts";

fn account_from_row(
    (id, username, password_hash, created_at, disabled_at): AccountRow,
) -> Result<Account, StoreError> {
    Ok(Account {
        id: AccountId(id),
        username,
        password_hash: PasswordHash::new(password_hash).map_err(|_| {
            StoreError::Database("a stored password hash is not a PHC string".into())
        })?,
        created_at: from_unix(created_at)?,
        disabled_at: disabled_at.map(from_unix).transpose()?,
    })
}

impl Store {
    /// Creates an account. Exactly one of any number of concurrent sign-ups
    /// for one username succeeds; the others get
    /// [`StoreError::UsernameTaken`] (the database's unique constraint
    /// decides, not a check-then-insert). Usernames are compared byte for
    /// byte: the service validates and normalizes them first.
    pub async fn create_account(
        &self,
        username: &str,
        password_hash: &PasswordHash,
    ) -> Result<Account, StoreError> {
        check_username(username)?;
        let id = uuid::Uuid::new_v4().to_string();
        let created_at = now();
        const SQL: &str = "INSERT INTO accounts \
                           (id, username, password_hash, created_at, password_changed_at) \
                           VALUES ($1, $2, $3, $4, $5)";
        on_pool!(self, pool => {
            sqlx::query(SQL)
                .bind(&id)
                .bind(username)
                .bind(password_hash.as_phc_str())
                .bind(created_at)
                .bind(created_at)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(|err| self.error_or_conflict(err, StoreError::UsernameTaken))?;
        Ok(Account {
            id: AccountId(id),
            username: username.to_owned(),
            password_hash: password_hash.clone(),
            created_at: from_unix(created_at)?,
            disabled_at: None,
        })
    }

    /// The account with this exact username, if any.
    pub async fn find_account_by_username(
        &self,
        username: &str,
    ) -> Result<Option<Account>, StoreError> {
        let sql = format!("{SELECT_ACCOUNT} WHERE username = $1");
        let row: Option<AccountRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(username).fetch_optional(pool).await
        })
        .map_err(|err| self.error(err))?;
        row.map(account_from_row).transpose()
    }

    /// The account with this id, if any.
    pub async fn find_account(&self, id: &AccountId) -> Result<Option<Account>, StoreError> {
        let sql = format!("{SELECT_ACCOUNT} WHERE id = $1");
        let row: Option<AccountRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id.as_str()).fetch_optional(pool).await
        })
        .map_err(|err| self.error(err))?;
        row.map(account_from_row).transpose()
    }

    /// Replaces the password of `account` — whose current hash the caller has
    /// just verified — and, in the same transaction, revokes every session of
    /// that account except `keep_session` (the one making the change, if it
    /// should stay signed in). Returns how many sessions were revoked.
    ///
    /// Fails with [`StoreError::CredentialsChanged`] and changes nothing when
    /// the stored hash is no longer `account.password_hash` (a concurrent
    /// password change won) or the account is gone.
    pub async fn set_password(
        &self,
        account: &Account,
        new_hash: &PasswordHash,
        keep_session: Option<&SessionTokenHash>,
    ) -> Result<u64, StoreError> {
        const UPDATE: &str = "UPDATE accounts SET password_hash = $1, password_changed_at = $2 \
                              WHERE id = $3 AND password_hash = $4";
        const REVOKE_ALL: &str = "DELETE FROM sessions WHERE account_id = $1";
        const REVOKE_OTHERS: &str =
            "DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2";
        let keep = keep_session.map(SessionTokenHash::to_hex);
        let changed_at = now();
        let outcome: Result<Option<u64>, sqlx::Error> = on_pool!(self, pool => async {
            // The UPDATE comes first so SQLite takes the write lock (waiting
            // for it) at the start of the transaction, and PostgreSQL locks
            // the account row before the sessions are read.
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(UPDATE)
                .bind(new_hash.as_phc_str())
                .bind(changed_at)
                .bind(account.id.as_str())
                .bind(account.password_hash.as_phc_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 0 {
                tx.rollback().await?;
                return Ok(None);
            }
            let revoked = match &keep {
                Some(keep) => {
                    sqlx::query(REVOKE_OTHERS)
                        .bind(account.id.as_str())
                        .bind(keep)
                        .execute(&mut *tx)
                        .await?
                }
                None => sqlx::query(REVOKE_ALL).bind(account.id.as_str()).execute(&mut *tx).await?,
            }
            .rows_affected();
            tx.commit().await?;
            Ok(Some(revoked))
        }
        .await);
        outcome
            .map_err(|err| self.error(err))?
            .ok_or(StoreError::CredentialsChanged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phc_shapes() {
        for ok in [
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
            "$scrypt$ln=17,r=8,p=1$c2FsdA$aGFzaA",
        ] {
            assert!(PasswordHash::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "password",
            "$argon2id",
            "$$x",
            "$Argon2$x",
            "$argon2id$has space$x",
            "argon2id$v=19$x",
        ] {
            assert!(
                matches!(PasswordHash::new(bad), Err(StoreError::InvalidInput(_))),
                "{bad:?}"
            );
        }
        assert!(PasswordHash::new(format!("$argon2id${}", "a".repeat(600))).is_err());
    }

    #[test]
    fn debug_hides_the_hash() {
        let hash =
            PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$c2VjcmV0aGFzaA").unwrap();
        let account = Account {
            id: AccountId("id".into()),
            username: "alice".into(),
            password_hash: hash,
            created_at: OffsetDateTime::UNIX_EPOCH,
            disabled_at: None,
        };
        let shown = format!("{account:?} {account:#?}");
        assert!(!shown.contains("c2VjcmV0aGFzaA"), "{shown}");
        assert!(!shown.contains("c2FsdA"), "{shown}");
        assert!(shown.contains("argon2id"), "{shown}");
    }

    #[test]
    fn usernames_are_bounded() {
        assert!(check_username("alice").is_ok());
        assert!(check_username(&"a".repeat(255)).is_ok());
        assert!(check_username("").is_err());
        assert!(check_username(&"a".repeat(256)).is_err());
        assert!(check_username("a\0b").is_err());
    }
}
