//! The accounts database as the service sees it: possibly not connected yet
//! (the service starts, and stays not ready, while the database is down).
//! Readiness is the probe's answer alone: one request that found the
//! database busy (a SQLite file locked by another writer for a moment)
//! must not take the instance out of a load balancer's rotation.

use std::sync::{Mutex, OnceLock};

use sinch_auth_store::{Store, StoreError};

use crate::caller::NotReady;

pub(crate) struct Database {
    store: OnceLock<Store>,
    /// Why the store is not connected yet (the last connection error).
    connecting: Mutex<Option<String>>,
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
            connecting: Mutex::new(Some(reason.into())),
        }
    }

    fn connection_error(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.connecting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The background connection succeeded.
    pub(crate) fn set(&self, store: Store) {
        let _ = self.store.set(store);
        *self.connection_error() = None;
    }

    /// The background connection failed again.
    pub(crate) fn still_connecting(&self, reason: String) {
        *self.connection_error() = Some(reason);
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

    /// For `/readyz`: connected, and a query answers now.
    pub(crate) async fn readiness(&self) -> Result<(), NotReady> {
        let Some(store) = self.store.get() else {
            let why = self.connection_error().clone().unwrap_or_default();
            return Err(NotReady::new(format!("database not connected yet: {why}")));
        };
        store
            .ping()
            .await
            .map_err(|e| NotReady::new(format!("database unavailable: {e}")))
    }
}
