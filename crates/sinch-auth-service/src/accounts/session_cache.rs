//! A short-lived memory of sessions found in the database, so that a
//! client fetching credentials in a loop does not cost a database round
//! trip per request.
//!
//! Only live sessions are remembered, each for at most the configured time
//! (default 1 s) and never past its own expiry. This instance forgets a
//! session as soon as it logs it out or changes its account's password, so
//! on one instance a revocation takes effect at once; another instance
//! sharing the database may accept a revoked session until its memory of
//! it lapses (at most the configured time). Zero turns the memory off.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sinch_auth_store::{AccountId, Session, SessionTokenHash};
use time::OffsetDateTime;

/// Sessions remembered at most; past this, inserts first drop stale
/// entries and are skipped if that is not enough.
const MAX_ENTRIES: usize = 100_000;

struct Entry {
    session: Session,
    until: Instant,
}

pub(crate) struct SessionCache {
    ttl: Duration,
    entries: RwLock<HashMap<SessionTokenHash, Entry>>,
    /// Bumped by every revocation: a lookup that started before one may
    /// have read a session that no longer exists, so its result is not
    /// remembered.
    revocations: AtomicU64,
}

/// Taken before a database lookup, handed to [`SessionCache::insert`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Epoch(u64);

impl SessionCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        SessionCache {
            ttl,
            entries: RwLock::new(HashMap::new()),
            revocations: AtomicU64::new(0),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<SessionTokenHash, Entry>> {
        self.entries.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<SessionTokenHash, Entry>> {
        self.entries.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The remembered session, if still fresh and not expired at `now`.
    pub(crate) fn get(&self, token: &SessionTokenHash, now: OffsetDateTime) -> Option<Session> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.read();
        let entry = entries.get(token)?;
        (entry.until > Instant::now() && entry.session.expires_at > now)
            .then(|| entry.session.clone())
    }

    /// Call before looking a session up in the database.
    pub(crate) fn epoch(&self) -> Epoch {
        Epoch(self.revocations.load(Ordering::SeqCst))
    }

    /// Remembers a session looked up since `epoch`, unless something was
    /// revoked meanwhile.
    pub(crate) fn insert(&self, epoch: Epoch, token: SessionTokenHash, session: Session) {
        if self.ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut entries = self.write();
        // Revocations bump the counter under the write lock, so this
        // check and the insert cannot straddle one.
        if self.revocations.load(Ordering::SeqCst) != epoch.0 {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| e.until > now);
            if entries.len() >= MAX_ENTRIES {
                return;
            }
        }
        let until = now + self.ttl;
        entries.insert(token, Entry { session, until });
    }

    /// Logged out here.
    pub(crate) fn forget(&self, token: &SessionTokenHash) {
        let mut entries = self.write();
        self.revocations.fetch_add(1, Ordering::SeqCst);
        entries.remove(token);
    }

    /// The account's password changed here: its other sessions are gone.
    pub(crate) fn forget_account(&self, account: &AccountId) {
        let mut entries = self.write();
        self.revocations.fetch_add(1, Ordering::SeqCst);
        entries.retain(|_, e| &e.session.account_id != account);
    }

    /// Drops stale entries (called periodically).
    pub(crate) fn sweep(&self) {
        let now = Instant::now();
        self.write().retain(|_, e| e.until > now);
    }
}
