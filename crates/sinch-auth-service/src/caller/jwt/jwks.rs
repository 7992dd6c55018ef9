//! Where the identity provider's keys come from, and the cache in front of
//! it: loaded at start-up, refreshed when stale (in the background: requests
//! keep verifying with the cached keys meanwhile) or when a token names an
//! unknown `kid` (key rotation), never more often than a configured minimum
//! interval, and one refresh at a time however many requests ask.
//!
//! Redirects are not followed: the configured URL was checked to be
//! `https://` (or loopback `http://`), and a redirect could lead anywhere,
//! plain `http://` included.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, Validation};

use super::JwtConfigError;
use super::keys::{KeySet, parse_jwks};

/// Largest JWKS document read, in bytes.
const MAX_JWKS_BYTES: usize = 1024 * 1024;

/// The JWKS location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// A local file (re-read on refresh, so replacing it rotates keys).
    File(PathBuf),
    /// An `https://` URL (or `http://` on a loopback host).
    Url(String),
}

impl std::fmt::Display for JwksSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JwksSource::File(p) => write!(f, "{}", p.display()),
            JwksSource::Url(u) => f.write_str(u),
        }
    }
}

/// The loaded keys and when they were loaded.
#[derive(Clone)]
pub(crate) struct Snapshot {
    pub(crate) keys: Arc<KeySet>,
    loaded_at: Option<Instant>,
}

impl Snapshot {
    pub(crate) fn is_loaded(&self) -> bool {
        self.loaded_at.is_some()
    }
}

/// What a refresh attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refresh {
    /// New keys are in place (by this call or a concurrent one).
    Done,
    /// Too soon after the previous attempt: nothing was fetched.
    TooSoon,
    /// The fetch failed; the previous keys stay.
    Failed(String),
}

pub(crate) struct KeyStore {
    source: JwksSource,
    client: reqwest::Client,
    allowed: Vec<Algorithm>,
    base: Validation,
    max_age: Duration,
    min_interval: Duration,
    current: RwLock<Snapshot>,
    last_attempt: tokio::sync::Mutex<Option<Instant>>,
    /// A background refresh is running.
    refreshing: AtomicBool,
}

impl KeyStore {
    pub(crate) fn new(
        source: JwksSource,
        allowed: Vec<Algorithm>,
        base: Validation,
        max_age: Duration,
        min_interval: Duration,
        fetch_timeout: Duration,
    ) -> Result<Self, JwtConfigError> {
        let client = reqwest::Client::builder()
            .timeout(fetch_timeout)
            .connect_timeout(fetch_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("sinch-auth-service/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(JwtConfigError::HttpClient)?;
        Ok(KeyStore {
            source,
            client,
            allowed,
            base,
            max_age,
            min_interval,
            current: RwLock::new(Snapshot {
                keys: Arc::new(KeySet::default()),
                loaded_at: None,
            }),
            last_attempt: tokio::sync::Mutex::new(None),
            refreshing: AtomicBool::new(false),
        })
    }

    pub(crate) fn source(&self) -> &JwksSource {
        &self.source
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub(crate) fn is_stale(&self, snapshot: &Snapshot) -> bool {
        snapshot
            .loaded_at
            .is_none_or(|at| at.elapsed() >= self.max_age)
    }

    /// Starts a [`refresh`](Self::refresh) on its own task unless one is
    /// running: the caller goes on with the keys it has.
    pub(crate) fn refresh_in_background(self: &Arc<Self>, seen: Snapshot) {
        if self.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let store = Arc::clone(self);
        tokio::spawn(async move {
            store.refresh(&seen).await;
            store.refreshing.store(false, Ordering::Release);
        });
    }

    /// Fetches new keys unless `seen` has already been replaced or the
    /// previous attempt was less than the minimum interval ago. Waits for a
    /// refresh already running instead of starting a second one.
    pub(crate) async fn refresh(&self, seen: &Snapshot) -> Refresh {
        let mut last = self.last_attempt.lock().await;
        if !Arc::ptr_eq(&self.snapshot().keys, &seen.keys) {
            return Refresh::Done;
        }
        if last.is_some_and(|at| at.elapsed() < self.min_interval) {
            return Refresh::TooSoon;
        }
        *last = Some(Instant::now());
        match self.load().await {
            Ok(set) => {
                *self
                    .current
                    .write()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = Snapshot {
                    keys: Arc::new(set),
                    loaded_at: Some(Instant::now()),
                };
                Refresh::Done
            }
            Err(reason) => {
                tracing::warn!(jwks = %self.source, %reason, "JWKS refresh failed; keeping the previous keys");
                Refresh::Failed(reason)
            }
        }
    }

    /// Uses `set` from now on (a reload checked it before).
    pub(crate) fn install(&self, set: KeySet) {
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Snapshot {
            keys: Arc::new(set),
            loaded_at: Some(Instant::now()),
        };
    }

    /// Reads and parses the JWKS now.
    pub(crate) async fn load(&self) -> Result<KeySet, String> {
        let text = match &self.source {
            JwksSource::File(path) => read_file(path).await?,
            JwksSource::Url(url) => self.fetch(url).await?,
        };
        let (set, skipped) = parse_jwks(&text, &self.allowed, &self.base)?;
        tracing::info!(jwks = %self.source, keys = set.keys.len(), skipped, "JWKS loaded");
        Ok(set)
    }

    async fn fetch(&self, url: &str) -> Result<String, String> {
        let mut response = self
            .client
            .get(url)
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("fetching the JWKS failed: {}", without_url(&e)))?;
        if response.status().is_redirection() {
            return Err(format!(
                "the JWKS URL answered {} (a redirect); redirects are not followed, so that none can lead to plain http://: configure the final https:// URL",
                response.status()
            ));
        }
        if !response.status().is_success() {
            return Err(format!("the JWKS URL answered {}", response.status()));
        }
        if response
            .content_length()
            .is_some_and(|len| len > MAX_JWKS_BYTES as u64)
        {
            return Err(format!("the JWKS is larger than {MAX_JWKS_BYTES} bytes"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("reading the JWKS failed: {}", without_url(&e)))?
        {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(format!("the JWKS is larger than {MAX_JWKS_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body).map_err(|_| "the JWKS is not UTF-8".to_owned())
    }
}

/// reqwest's message with the URL left out (it is logged separately).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "broken response body"
    } else {
        "request error"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} ({detail})")
    }
}

async fn read_file(path: &PathBuf) -> Result<String, String> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| format!("cannot read {}: {}", path.display(), e.kind()))?;
    if bytes.len() > MAX_JWKS_BYTES {
        return Err(format!(
            "{} is larger than {MAX_JWKS_BYTES} bytes",
            path.display()
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8", path.display()))
}
