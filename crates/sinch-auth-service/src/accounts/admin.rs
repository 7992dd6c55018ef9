//! Account administration for operators (`sinch-auth accounts …`): the
//! same rules as sign-up (user-id alphabet, password policy, Argon2id),
//! straight on the database, so it works while `serve` runs. Every action
//! writes one audit line (target `sinch_auth::audit`, actor `cli`).
//!
//! Disabling and deleting revoke the account's sessions in the database;
//! a running `serve` stops accepting them at once on the next lookup, or
//! within `accounts.session_cache_ms` where it remembers a session.

use sinch_auth_store::{AccountSummary, Store, StoreError};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::password::{PasswordHasher, check_policy};

/// Why an administrative action failed. Messages never quote a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// The username is not a Sinch user id.
    #[error("usernames are Sinch user ids: 1 to 255 of A-Z a-z 0-9 - _ = ({0})")]
    InvalidUsername(String),
    /// The password breaks the policy.
    #[error("{0}")]
    InvalidPassword(String),
    /// No account has that username.
    #[error("no account is called {0:?}")]
    NoSuchAccount(String),
    /// Another account has that username.
    #[error("an account called {0:?} already exists")]
    UsernameTaken(String),
    /// The account changed while the action ran (a password change, a
    /// deletion); nothing was done.
    #[error("the account {0:?} changed meanwhile; nothing was done, run the command again")]
    Changed(String),
    /// The database failed or is unreachable.
    #[error("{0}")]
    Store(StoreError),
    /// Hashing the password failed (no OS randomness, …).
    #[error("the password could not be hashed: {0}")]
    Hashing(String),
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        AdminError::Store(e)
    }
}

/// What a disable, delete or revoke did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Revoked {
    /// Sessions revoked.
    pub sessions: u64,
}

/// Account administration on one store.
pub struct AccountAdmin {
    store: Store,
    hasher: PasswordHasher,
}

impl std::fmt::Debug for AccountAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountAdmin")
            .field("database", &self.store.location())
            .finish_non_exhaustive()
    }
}

impl AccountAdmin {
    /// Administration of the accounts in `store`.
    pub fn new(store: Store) -> Self {
        AccountAdmin {
            store,
            hasher: PasswordHasher::new(1, 1),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Every account, by username.
    pub async fn list(&self) -> Result<Vec<AccountSummary>, AdminError> {
        Ok(self.store.list_accounts(OffsetDateTime::now_utc()).await?)
    }

    /// One account.
    pub async fn show(&self, username: &str) -> Result<AccountSummary, AdminError> {
        self.store
            .account_summary(username, OffsetDateTime::now_utc())
            .await?
            .ok_or_else(|| AdminError::NoSuchAccount(username.to_owned()))
    }

    /// Creates an account, checked like a sign-up.
    pub async fn create(
        &self,
        username: &str,
        password: Zeroizing<String>,
    ) -> Result<AccountSummary, AdminError> {
        let outcome = async {
            sinch_auth::validate_token_user_id(username)
                .map_err(|e| AdminError::InvalidUsername(super::handlers::reason_of(&e)))?;
            check_policy(username, &password).map_err(AdminError::InvalidPassword)?;
            let hash = self.hash(password).await?;
            match self.store.create_account(username, &hash).await {
                Err(StoreError::UsernameTaken) => {
                    Err(AdminError::UsernameTaken(username.to_owned()))
                }
                other => Ok(other?),
            }
        }
        .await;
        audit("account_created", username, &outcome);
        outcome?;
        self.show(username).await
    }

    /// Replaces the password and revokes every session of the account.
    pub async fn set_password(
        &self,
        username: &str,
        password: Zeroizing<String>,
    ) -> Result<Revoked, AdminError> {
        let outcome = async {
            check_policy(username, &password).map_err(AdminError::InvalidPassword)?;
            let account = self.account(username).await?;
            let hash = self.hash(password).await?;
            let sessions = self
                .store
                .set_password(&account, &hash, None)
                .await
                .map_err(|e| changed(e, username))?;
            Ok(Revoked { sessions })
        }
        .await;
        audit("password_set", username, &outcome);
        outcome
    }

    /// Disables the account and revokes its sessions; its logins are
    /// refused like a wrong password's.
    pub async fn disable(&self, username: &str) -> Result<Revoked, AdminError> {
        let outcome = async {
            let account = self.account(username).await?;
            let sessions = self
                .store
                .disable_account(&account.id)
                .await?
                .ok_or_else(|| AdminError::NoSuchAccount(username.to_owned()))?;
            Ok(Revoked { sessions })
        }
        .await;
        audit("account_disabled", username, &outcome);
        outcome
    }

    /// Enables a disabled account.
    pub async fn enable(&self, username: &str) -> Result<(), AdminError> {
        let outcome = async {
            let account = self.account(username).await?;
            match self.store.enable_account(&account.id).await? {
                true => Ok(()),
                false => Err(AdminError::NoSuchAccount(username.to_owned())),
            }
        }
        .await;
        audit("account_enabled", username, &outcome);
        outcome
    }

    /// Deletes the account and its sessions.
    pub async fn delete(&self, username: &str) -> Result<Revoked, AdminError> {
        let outcome = async {
            let account = self.account(username).await?;
            let sessions = self
                .store
                .delete_account(&account)
                .await
                .map_err(|e| changed(e, username))?;
            Ok(Revoked { sessions })
        }
        .await;
        audit("account_deleted", username, &outcome);
        outcome
    }

    /// Revokes every session of the account (it can log in again).
    pub async fn revoke_sessions(&self, username: &str) -> Result<Revoked, AdminError> {
        let outcome = async {
            let account = self.account(username).await?;
            let sessions = self.store.revoke_all_sessions(&account.id).await?;
            Ok(Revoked { sessions })
        }
        .await;
        audit("sessions_revoked", username, &outcome);
        outcome
    }

    async fn account(&self, username: &str) -> Result<sinch_auth_store::Account, AdminError> {
        self.store
            .find_account_by_username(username)
            .await?
            .ok_or_else(|| AdminError::NoSuchAccount(username.to_owned()))
    }

    async fn hash(
        &self,
        password: Zeroizing<String>,
    ) -> Result<sinch_auth_store::PasswordHash, AdminError> {
        self.hasher
            .hash(password)
            .await
            .map_err(|e| AdminError::Hashing(e.to_string()))
    }
}

fn changed(error: StoreError, username: &str) -> AdminError {
    match error {
        StoreError::CredentialsChanged => AdminError::Changed(username.to_owned()),
        other => AdminError::Store(other),
    }
}

/// One audit line per action: event, username (if a valid user id),
/// outcome, actor. Never a password.
fn audit<T>(event: &'static str, username: &str, outcome: &Result<T, AdminError>) {
    let outcome = match outcome {
        Ok(_) => "success",
        Err(AdminError::InvalidUsername(_)) => "invalid_username",
        Err(AdminError::InvalidPassword(_)) => "invalid_password",
        Err(AdminError::NoSuchAccount(_)) => "no_such_account",
        Err(AdminError::UsernameTaken(_)) => "username_taken",
        Err(AdminError::Changed(_)) => "changed_meanwhile",
        Err(AdminError::Store(_)) => "database_error",
        Err(AdminError::Hashing(_)) => "hashing_failed",
    };
    tracing::info!(
        target: "sinch_auth::audit",
        event,
        username = super::audit::Username::Shown(username).text(),
        outcome,
        actor = "cli",
    );
}
