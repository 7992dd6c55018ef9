//! Passwords: the policy (8–128 characters, counted as characters, never
//! trimmed) and Argon2id hashing off the async runtime, a few at a time.
//!
//! A hash costs tens of milliseconds of CPU and 19 MiB of memory by design.
//! Run on the runtime's worker threads, a burst of logins would stall every
//! other request; run unbounded on the blocking pool, it would take all the
//! cores and memory. So each hash runs on `spawn_blocking` while holding one
//! of a fixed number of permits (default: one per CPU), and waiting logins
//! queue for a permit without occupying a thread.

use std::sync::Arc;

use argon2::password_hash::{
    PasswordHash as Phc, PasswordHasher as _, PasswordVerifier as _, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use sinch_auth_store::PasswordHash;
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

/// Shortest password accepted at sign-up, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted at sign-up, in characters.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// OWASP's Argon2id recommendation: 19 MiB, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19_456;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// A PHC string with the parameters above and a random salt and output, so
/// no known password matches it: unknown usernames are verified against it,
/// which takes as long as a wrong password for a real account.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$Qq+RSLy0Zj7l3HVvS1cfkg$5k6Rxm8ZEK9qa5OUhtBtDTRtXWl6VHS1n3zDxnWM+sE";

/// Why a password is refused at sign-up or change; safe to show (it never
/// quotes the password).
pub(crate) fn check_policy(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password is {chars} characters long; use at least {MIN_PASSWORD_CHARS}"
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(format!(
            "the password is {chars} characters long; use at most {MAX_PASSWORD_CHARS}"
        ));
    }
    Ok(())
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
        .expect("the OWASP parameters are valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashing failed for a reason that is ours (the blocking pool is gone, the
/// OS has no randomness): the request gets a 500, never a wrong answer.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub(crate) struct HashingFailed(String);

/// Argon2id with bounded concurrency.
pub(crate) struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl PasswordHasher {
    /// At most `concurrency` hashes at once (at least 1).
    pub(crate) fn new(concurrency: usize) -> Self {
        PasswordHasher {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    /// Runs `work` on the blocking pool once a permit is free. The permit
    /// moves into the blocking task, so it is held until the hash is done
    /// even if the request is cancelled meanwhile (client gone, timeout):
    /// cancelled logins cannot pile up unbounded work.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashingFailed> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| HashingFailed("the hasher was shut down".into()))?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(|e| HashingFailed(format!("the hashing task failed: {e}")))
    }

    /// A new PHC hash of `password` with a random 128-bit salt.
    pub(crate) async fn hash(
        &self,
        password: Zeroizing<String>,
    ) -> Result<PasswordHash, HashingFailed> {
        let mut salt = [0u8; 16];
        getrandom::getrandom(&mut salt)
            .map_err(|e| HashingFailed(format!("no randomness for the salt: {e}")))?;
        let phc = self
            .run(move || {
                let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
                argon2()
                    .hash_password(password.as_bytes(), &salt)
                    .map(|hash| hash.to_string())
                    .map_err(|e| e.to_string())
            })
            .await?
            .map_err(HashingFailed)?;
        PasswordHash::new(phc).map_err(|e| HashingFailed(e.to_string()))
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown
    /// user) the password is checked against a dummy hash and `false`
    /// returned, taking the same time as a wrong password.
    pub(crate) async fn verify(
        &self,
        password: Zeroizing<String>,
        stored: Option<&PasswordHash>,
    ) -> Result<bool, HashingFailed> {
        let known = stored.is_some();
        let phc = Zeroizing::new(
            stored
                .map(|h| h.as_phc_str().to_owned())
                .unwrap_or_else(|| DUMMY_HASH.to_owned()),
        );
        self.run(move || {
            let matches = match Phc::new(&phc) {
                // The hash's own parameters are used, so accounts hashed
                // with older parameters still verify.
                Ok(parsed) => argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
                Err(e) => {
                    tracing::error!(error = %e, "a stored password hash does not parse");
                    false
                }
            };
            known && matches
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_counts_characters_and_never_trims() {
        assert!(check_policy("1234567").is_err());
        assert!(check_policy("12345678").is_ok());
        assert!(check_policy("       8").is_ok(), "spaces count");
        // 8 characters, 16 bytes.
        assert!(check_policy("ééééééé").is_err());
        assert!(check_policy("éééééééé").is_ok());
        assert!(check_policy(&"x".repeat(128)).is_ok());
        let err = check_policy(&"x".repeat(129)).unwrap_err();
        assert!(err.contains("129") && !err.contains("xxx"), "{err}");
    }

    #[test]
    fn the_dummy_hash_has_the_parameters_of_real_hashes() {
        let dummy = Phc::new(DUMMY_HASH).unwrap();
        assert_eq!(dummy.algorithm.as_str(), "argon2id");
        let params = Params::try_from(&dummy).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (MEMORY_KIB, PASSES, LANES)
        );
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_never_match() {
        let hasher = PasswordHasher::new(2);
        let password = || Zeroizing::new("correct horse battery".to_owned());
        let hash = hasher.hash(password()).await.unwrap();
        assert!(
            hash.as_phc_str()
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
        );
        assert!(hasher.verify(password(), Some(&hash)).await.unwrap());
        let wrong = Zeroizing::new("correct horse battery ".to_owned());
        assert!(!hasher.verify(wrong, Some(&hash)).await.unwrap());
        assert!(!hasher.verify(password(), None).await.unwrap());
        let again = hasher.hash(password()).await.unwrap();
        assert_ne!(hash, again, "salts are random");
    }
}
