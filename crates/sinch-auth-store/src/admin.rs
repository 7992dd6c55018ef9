//! Account administration: what an operator sees of the accounts, and
//! disabling, enabling and deleting them. Each write is one transaction
//! that also revokes the account's sessions.

use time::OffsetDateTime;

use crate::StoreError;
use crate::accounts::{Account, AccountId};
use crate::store::{Store, on_pool};
use crate::timestamps::{from_unix, now, to_unix};

/// An account as an operator sees it: no password hash, but its history
/// and how many sessions are live.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountSummary {
    /// Stable identifier.
    pub id: AccountId,
    /// The username (the Sinch user id).
    pub username: String,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When its password was last set.
    pub password_changed_at: OffsetDateTime,
    /// When it last logged in, if ever.
    pub last_login_at: Option<OffsetDateTime>,
    /// When it was disabled; `None` while enabled.
    pub disabled_at: Option<OffsetDateTime>,
    /// Sessions not yet expired.
    pub live_sessions: u64,
}

type SummaryRow = (String, String, i64, i64, Option<i64>, Option<i64>, i64);

const SELECT_SUMMARY: &str = "SELECT a.id, a.username, a.created_at, a.password_changed_at, \
     a.last_login_at, a.disabled_at, \
     (SELECT COUNT(*) FROM sessions s WHERE s.account_id = a.id AND s.expires_at > $1) \
     FROM accounts a";

fn summary_from_row(
    (id, username, created_at, changed_at, last_login_at, disabled_at, live): SummaryRow,
) -> Result<AccountSummary, StoreError> {
    Ok(AccountSummary {
        id: AccountId::from_store(id),
        username,
        created_at: from_unix(created_at)?,
        password_changed_at: from_unix(changed_at)?,
        last_login_at: last_login_at.map(from_unix).transpose()?,
        disabled_at: disabled_at.map(from_unix).transpose()?,
        live_sessions: u64::try_from(live).unwrap_or(0),
    })
}

impl Store {
    /// Every account, by username (byte order), with its sessions live at
    /// `now`.
    pub async fn list_accounts(
        &self,
        now: OffsetDateTime,
    ) -> Result<Vec<AccountSummary>, StoreError> {
        let sql = format!("{SELECT_SUMMARY} ORDER BY a.username");
        let rows: Vec<SummaryRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(to_unix(now)).fetch_all(pool).await
        })
        .map_err(|err| self.error(err))?;
        rows.into_iter().map(summary_from_row).collect()
    }

    /// The account with this exact username, with its sessions live at
    /// `now`.
    pub async fn account_summary(
        &self,
        username: &str,
        now: OffsetDateTime,
    ) -> Result<Option<AccountSummary>, StoreError> {
        let sql = format!("{SELECT_SUMMARY} WHERE a.username = $2");
        let row: Option<SummaryRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(to_unix(now)).bind(username).fetch_optional(pool).await
        })
        .map_err(|err| self.error(err))?;
        row.map(summary_from_row).transpose()
    }

    /// Disables the account and, in the same transaction, revokes all its
    /// sessions; from then on it cannot log in
    /// ([`create_session`](Self::create_session) refuses it) and
    /// [`find_session`](Self::find_session) finds none of its sessions.
    /// Disabling a disabled account keeps the first time. Returns how many
    /// sessions were revoked, or `None` when there is no such account.
    pub async fn disable_account(&self, id: &AccountId) -> Result<Option<u64>, StoreError> {
        const DISABLE: &str = "UPDATE accounts SET disabled_at = COALESCE(disabled_at, $1) \
                               WHERE id = $2";
        const REVOKE: &str = "DELETE FROM sessions WHERE account_id = $1";
        let at = now();
        let outcome: Result<Option<u64>, sqlx::Error> = on_pool!(self, pool => async {
            // The UPDATE first: SQLite takes the write lock, PostgreSQL locks
            // the account row, so a login racing this either commits its
            // session before (and it is revoked here) or finds the account
            // disabled.
            let mut tx = pool.begin().await?;
            let found = sqlx::query(DISABLE)
                .bind(at)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if found == 0 {
                tx.rollback().await?;
                return Ok(None);
            }
            let revoked = sqlx::query(REVOKE)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(Some(revoked))
        }
        .await);
        outcome.map_err(|err| self.error(err))
    }

    /// Enables a disabled account (its password is unchanged). Returns
    /// whether the account exists.
    pub async fn enable_account(&self, id: &AccountId) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE accounts SET disabled_at = NULL WHERE id = $1";
        let found = on_pool!(self, pool => {
            sqlx::query(SQL).bind(id.as_str()).execute(pool).await.map(|done| done.rows_affected())
        })
        .map_err(|err| self.error(err))?;
        Ok(found > 0)
    }

    /// Deletes `account` and its sessions in one transaction, provided its
    /// password hash is still `account.password_hash` (the caller verified
    /// a password against it, or just read it). Returns how many sessions
    /// were revoked; [`StoreError::CredentialsChanged`] (nothing deleted)
    /// when the password changed meanwhile or the account is gone.
    pub async fn delete_account(&self, account: &Account) -> Result<u64, StoreError> {
        const LOCK: &str = "UPDATE accounts SET password_changed_at = password_changed_at \
                            WHERE id = $1 AND password_hash = $2";
        const REVOKE: &str = "DELETE FROM sessions WHERE account_id = $1";
        const DELETE: &str = "DELETE FROM accounts WHERE id = $1";
        let outcome: Result<Option<u64>, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let current = sqlx::query(LOCK)
                .bind(account.id.as_str())
                .bind(account.password_hash.as_phc_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if current == 0 {
                tx.rollback().await?;
                return Ok(None);
            }
            let revoked = sqlx::query(REVOKE)
                .bind(account.id.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(DELETE).bind(account.id.as_str()).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(Some(revoked))
        }
        .await);
        outcome
            .map_err(|err| self.error(err))?
            .ok_or(StoreError::CredentialsChanged)
    }
}
