//! Passwords: the policy (NIST SP 800-63B: 8–128 characters, counted as
//! characters, never trimmed; not the username; not in a list of common or
//! breached passwords) and Argon2id hashing off the async runtime, a few at
//! a time.
//!
//! A hash costs tens of milliseconds of CPU and 19 MiB of memory by design.
//! Run on the runtime's worker threads, a burst of logins would stall every
//! other request; run unbounded on the blocking pool, it would take all the
//! cores and memory. So each hash runs on `spawn_blocking` while holding one
//! of a fixed number of permits (default: one per CPU), and waiting logins
//! queue for a permit without occupying a thread. The queue is bounded too:
//! past a configured number of waiting hashes a request is refused at once
//! (`503 overloaded`), rather than waiting until it times out.
//!
//! The 19 MiB of Argon2 memory are allocated once per permit and reused:
//! allocating and freeing them per hash, as `argon2`'s convenience methods
//! do, made the allocator keep ever more of them (a load test saw the
//! resident size pass 500 MiB after a thousand logins).

use std::sync::atomic::{AtomicUsize, Ordering};
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

/// Why `username`'s new password is refused at sign-up or change; safe to
/// show (it never quotes the password).
pub(crate) fn check_policy(username: &str, password: &str) -> Result<(), String> {
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
    let lowercase = password.to_lowercase();
    if lowercase == username.to_lowercase() {
        return Err(
            "the password is the username; choose one that cannot be guessed from it".into(),
        );
    }
    // The `passwords` crate's list: about 100,000 of the most common and
    // breached passwords, exact matches (case variants are checked here).
    if passwords::analyzer::is_common_password(password)
        || passwords::analyzer::is_common_password(&lowercase)
    {
        return Err(
            "the password is in a list of common or breached passwords; choose another \
             (a few unrelated words make a strong one)"
                .into(),
        );
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

/// Why no hash was computed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HashingError {
    /// Too many hashes wait already: the request gets `503 overloaded`.
    #[error("too many password hashes are waiting")]
    Overloaded,
    /// A reason that is ours (the blocking pool is gone, the OS has no
    /// randomness): the request gets a 500, never a wrong answer.
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Argon2id with bounded concurrency and a bounded queue.
pub(crate) struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Requests waiting for a permit, and how many may.
    waiting: AtomicUsize,
    max_waiting: usize,
    /// Working memory of finished hashes, at most one per permit.
    memories: Arc<Mutex<Vec<Memory>>>,
}

/// Counts one waiting request while it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl PasswordHasher {
    /// At most `concurrency` hashes at once (at least 1), and at most
    /// `max_waiting` more waiting for a turn.
    pub(crate) fn new(concurrency: usize, max_waiting: usize) -> Self {
        PasswordHasher {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
            memories: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// A permit now, or after waiting in a queue that has room.
    async fn permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, HashingError> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(permit);
        }
        let waiting = Waiting(&self.waiting);
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            return Err(HashingError::Overloaded);
        }
        let permit = self.permits.clone().acquire_owned().await;
        drop(waiting);
        permit.map_err(|_| HashingError::Failed("the hasher was shut down".into()))
    }

    /// Runs `work` on the blocking pool once a permit is free, with a
    /// reused working memory. The permit moves into the blocking task, so
    /// it is held until the hash is done even if the request is cancelled
    /// meanwhile (client gone, timeout): cancelled logins cannot pile up
    /// unbounded work.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, HashingError> {
        let permit = self.permit().await?;
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
        .map_err(|e| HashingError::Failed(format!("the hashing task failed: {e}")))
    }

    /// A new PHC hash of `password` with a random 128-bit salt.
    pub(crate) async fn hash(
        &self,
        password: Zeroizing<String>,
    ) -> Result<PasswordHash, HashingError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt)
            .map_err(|e| HashingError::Failed(format!("no randomness for the salt: {e}")))?;
        let phc = self
            .run(move |memory| {
                let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
                hash_into(memory, password.as_bytes(), &salt)
            })
            .await?
            .map_err(HashingError::Failed)?;
        PasswordHash::new(phc).map_err(|e| HashingError::Failed(e.to_string()))
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown
    /// user) the password is checked against a dummy hash and `false`
    /// returned, taking the same time as a wrong password.
    pub(crate) async fn verify(
        &self,
        password: Zeroizing<String>,
        stored: Option<&PasswordHash>,
    ) -> Result<bool, HashingError> {
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
        let check = |p: &str| check_policy("someone", p);
        assert!(check("7 chars").is_err());
        assert!(check("8 chars!").is_ok());
        assert!(check("      8x").is_ok(), "spaces count");
        // 8 characters, 16 bytes.
        assert!(check("éééééé7").is_err());
        assert!(check("éééééé8z").is_ok());
        assert!(check(&"xy".repeat(64)).is_ok());
        let err = check(&"xy".repeat(65)).unwrap_err();
        assert!(err.contains("130") && !err.contains("xyx"), "{err}");
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        let err = check_policy("Alice-2024", "alice-2024").unwrap_err();
        assert!(err.contains("username"), "{err}");
        for common in [
            "password",
            "12345678",
            "iloveyou",
            "Password1",
            "PASSWORD",
            "qwertyuiop",
        ] {
            let err = check_policy("alice", common).unwrap_err();
            assert!(err.contains("common or breached"), "{common}: {err}");
        }
        assert!(check_policy("alice", "correct horse battery staple").is_ok());
    }

    #[tokio::test]
    async fn the_queue_is_bounded() {
        let hasher = Arc::new(PasswordHasher::new(1, 1));
        let password = || Zeroizing::new("a long enough password".to_owned());
        // One hashing, one waiting: the third is refused at once.
        let first = tokio::spawn({
            let hasher = hasher.clone();
            async move { hasher.hash(password()).await }
        });
        tokio::task::yield_now().await;
        let second = tokio::spawn({
            let hasher = hasher.clone();
            async move { hasher.hash(password()).await }
        });
        while hasher.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(
            hasher.hash(password()).await,
            Err(HashingError::Overloaded)
        ));
        first.await.unwrap().unwrap();
        second.await.unwrap().unwrap();
        assert_eq!(hasher.waiting.load(Ordering::SeqCst), 0);
        hasher.hash(password()).await.unwrap();
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
        let hasher = PasswordHasher::new(2, 8);
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
