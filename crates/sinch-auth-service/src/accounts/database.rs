//! The accounts database as the service sees it: possibly not connected yet
//! (the service starts, and stays not ready, while the database is down),
//! and with a memory of recent failures, so that `/readyz` reports a
//! database that fails requests even when a trivial query still works (a
//! SQLite file locked by another writer, a full disk).

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use sinch_auth_store::{Store, StoreError};

use crate::caller::NotReady;

/// How long a failed request keeps `/readyz` not ready. Long enough for a
/// load balancer's health check to notice, short enough that readiness
/// comes back on its own once requests succeed again.
const RECENT_FAILURE: Duration = Duration::from_secs(5);

#[derive(Default)]
struct Health {
    /// Why the store is not connected yet (the last connection error).
    connecting: Option<String>,
    /// The last time a request found the database unavailable, and why.
    last_failure: Option<(Instant, String)>,
}

pub(crate) struct Database {
    store: OnceLock<Store>,
    health: Mutex<Health>,
}

impl Database {
    pub(crate) fn connected(store: Store) -> Self {
        let database = Database::connecting("");
        let _ = database.store.set(store);
        database
    }

    pub(crate) fn connecting(reason: impl Into<String>) -> Self {
        Database {
            store: OnceLock::new(),
            health: Mutex::new(Health {
                connecting: Some(reason.into()),
                last_failure: None,
            }),
        }
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The background connection succeeded.
    pub(crate) fn set(&self, store: Store) {
        let _ = self.store.set(store);
        self.health().connecting = None;
    }

    /// The background connection failed again.
    pub(crate) fn still_connecting(&self, reason: String) {
        self.health().connecting = Some(reason);
    }

    /// The store, once connected.
    pub(crate) fn store(&self) -> Result<&Store, StoreError> {
        self.store.get().ok_or_else(|| {
            StoreError::Unavailable("the database is not connected yet; retrying".into())
        })
    }

    pub(crate) fn get(&self) -> Option<&Store> {
        self.store.get()
    }

    /// Passes a store result through, remembering unavailability.
    pub(crate) fn observe<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if let Err(StoreError::Unavailable(why)) = &result {
            self.health().last_failure = Some((Instant::now(), why.clone()));
        }
        result
    }

    /// For `/readyz`: connected, no request failed for lack of the
    /// database in the last few seconds, and a query answers now.
    pub(crate) async fn readiness(&self) -> Result<(), NotReady> {
        let Some(store) = self.store.get() else {
            let why = self.health().connecting.clone().unwrap_or_default();
            return Err(NotReady::new(format!("database not connected yet: {why}")));
        };
        if let Some((when, why)) = &self.health().last_failure {
            if when.elapsed() < RECENT_FAILURE {
                return Err(NotReady::new(format!("database unavailable: {why}")));
            }
        }
        self.observe(store.ping().await)
            .map_err(|e| NotReady::new(format!("database unavailable: {e}")))
    }
}
