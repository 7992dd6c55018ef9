//! Passwords: the policy (8–128 characters, counted as characters, never
//! trimmed) and Argon2id hashing off the async runtime, a few at a time.
//!
//! A hash costs tens of milliseconds of CPU and 19 MiB of memory by design.
//! Run on the runtime's worker threads, a burst of logins would stall every
//! other request; run unbounded on the blocking pool, it would take all the
//! cores and memory. So each hash runs on `spawn_blocking` while holding one
//! of a fixed number of permits (default: one per CPU), and waiting logins
//! queue for a permit without occupying a thread.
//!
//! The 19 MiB of Argon2 memory are allocated once per permit and reused:
//! allocating and freeing them per hash, as `argon2`'s convenience methods
//! do, made the allocator keep ever more of them (a load test saw the
//! resident size pass 500 MiB after a thousand logins).

use std::sync::{Arc, Mutex};

use argon2::password_hash::{Output, ParamsString, PasswordHash as Phc, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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

/// Length of the hash output, in bytes (argon2's default).
const OUTPUT_LEN: usize = 32;

fn params() -> Params {
    Params::new(MEMORY_KIB, PASSES, LANES, Some(OUTPUT_LEN))
        .expect("the OWASP parameters are valid Argon2 parameters")
}

/// Argon2 working memory, reused from hash to hash.
type Memory = Vec<Block>;

/// `argon2`'s `hash_password`, into reused memory: the same PHC string.
fn hash_into(memory: &mut Memory, password: &[u8], salt: &SaltString) -> Result<String, String> {
    let params = params();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_buf)
        .map_err(|e| e.to_string())?;
    grow(memory, params.block_count());
    let hash = Output::init_with(OUTPUT_LEN, |out| {
        Ok(argon2.hash_password_into_with_memory(password, salt_bytes, out, &mut memory[..])?)
    })
    .map_err(|e| e.to_string())?;
    let phc = Phc {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(hash),
    };
    Ok(phc.to_string())
}

/// `argon2`'s `verify_password`, into reused memory: the stored hash's own
/// algorithm, version and parameters, compared in constant time.
fn verify_into(memory: &mut Memory, password: &[u8], phc: &str) -> Result<bool, String> {
    let parsed = Phc::new(phc).map_err(|e| e.to_string())?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|e| e.to_string())?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(|e| e.to_string())?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(|e| e.to_string())?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err("the hash has no salt or no output".into());
    };
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(|e| e.to_string())?;
    grow(memory, params.block_count());
    let argon2 = Argon2::new(algorithm, version, params);
    let computed = Output::init_with(expected.len(), |out| {
        Ok(argon2.hash_password_into_with_memory(password, salt_bytes, out, &mut memory[..])?)
    })
    .map_err(|e| e.to_string())?;
    // `Output`'s equality is constant-time.
    Ok(computed == expected)
}

fn grow(memory: &mut Memory, blocks: usize) {
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
}

/// Hashing failed for a reason that is ours (the blocking pool is gone, the
/// OS has no randomness): the request gets a 500, never a wrong answer.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub(crate) struct HashingFailed(String);

/// Argon2id with bounded concurrency.
pub(crate) struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Working memory of finished hashes, at most one per permit.
    memories: Arc<Mutex<Vec<Memory>>>,
}

impl PasswordHasher {
    /// At most `concurrency` hashes at once (at least 1).
    pub(crate) fn new(concurrency: usize) -> Self {
        PasswordHasher {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            memories: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Runs `work` on the blocking pool once a permit is free, with a
    /// reused working memory. The permit moves into the blocking task, so
    /// it is held until the hash is done even if the request is cancelled
    /// meanwhile (client gone, timeout): cancelled logins cannot pile up
    /// unbounded work.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, HashingFailed> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| HashingFailed("the hasher was shut down".into()))?;
        let memories = self.memories.clone();
        tokio::task::spawn_blocking(move || {
            let pool = || memories.lock().unwrap_or_else(|p| p.into_inner());
            let mut memory = pool().pop().unwrap_or_default();
            let result = work(&mut memory);
            pool().push(memory);
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
        getrandom::fill(&mut salt)
            .map_err(|e| HashingFailed(format!("no randomness for the salt: {e}")))?;
        let phc = self
            .run(move |memory| {
                let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
                hash_into(memory, password.as_bytes(), &salt)
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
        self.run(move |memory| {
            // The hash's own parameters are used, so accounts hashed with
            // older parameters still verify.
            let matches = match verify_into(memory, password.as_bytes(), &phc) {
                Ok(matches) => matches,
                Err(e) => {
                    tracing::error!(error = %e, "a stored password hash cannot be checked");
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

    /// The reused-memory paths agree with `argon2`'s own `PasswordHasher`
    /// and `PasswordVerifier`, both ways, including hashes with other
    /// parameters.
    #[test]
    fn reused_memory_hashing_matches_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let library = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let expected = library
            .hash_password(b"hunter2 hunter2", &salt)
            .unwrap()
            .to_string();
        let mut memory = Memory::new();
        assert_eq!(
            hash_into(&mut memory, b"hunter2 hunter2", &salt).unwrap(),
            expected
        );
        assert!(verify_into(&mut memory, b"hunter2 hunter2", &expected).unwrap());
        assert!(!verify_into(&mut memory, b"hunter2 hunter3", &expected).unwrap());
        assert_eq!(memory.len(), params().block_count(), "allocated once");

        let light = Params::new(1024, 1, 1, None).unwrap();
        let older = Argon2::new(Algorithm::Argon2id, Version::V0x13, light)
            .hash_password(b"older account", &salt)
            .unwrap()
            .to_string();
        assert!(verify_into(&mut memory, b"older account", &older).unwrap());
        let mine = hash_into(&mut memory, b"mine", &salt).unwrap();
        let parsed = Phc::new(&mine).unwrap();
        assert!(library.verify_password(b"mine", &parsed).is_ok());
        assert!(verify_into(&mut memory, b"x", "$argon2id$v=19$broken").is_err());
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
