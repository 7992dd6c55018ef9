//! `jwt` mode: the app's own identity provider (OIDC). The caller sends
//! `Authorization: Bearer <JWT>`; the JWT is verified against the provider's
//! JWKS with a pinned issuer and audience and an explicit list of asymmetric
//! algorithms, and the Sinch user id is read from one claim.

mod header;
mod jwks;
mod keys;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use http::request::Parts;
use jsonwebtoken::errors::ErrorKind as JwtErrorKind;
use jsonwebtoken::{Algorithm, Validation};

pub use jwks::JwksSource;

pub(crate) use self::header::read_header;
use self::jwks::{KeyStore, Refresh};
use super::{AuthError, Authenticator, BoxFuture, Caller, NotReady, Via, bearer_token};

/// How the claim's value becomes the Sinch user id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserIdEncoding {
    /// Used as is; registration tokens then need it to fit
    /// `A–Z a–z 0–9 - _ =`.
    #[default]
    None,
    /// URL-safe base64 of the value, which always fits (Sinch's advice for
    /// e-mail addresses and other ids).
    Base64Url,
}

/// Why jwt-mode settings are refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JwtConfigError {
    /// An HMAC algorithm: a JWKS holds public keys.
    #[error("{0} is a shared-secret algorithm; only RS*, PS*, ES256, ES384 and EdDSA are allowed")]
    SharedSecretAlgorithm(String),
    /// Not an algorithm name.
    #[error(
        "unknown algorithm {0:?}; use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 or EdDSA"
    )]
    UnknownAlgorithm(String),
    /// The JWKS URL does not parse.
    #[error("not a URL: {0}")]
    NotAUrl(#[from] url::ParseError),
    /// Plain `http://` to a host that is not loopback.
    #[error("must be https:// (plain http:// is allowed for loopback hosts only)")]
    InsecureUrl,
    /// Neither `https` nor `http`.
    #[error("unsupported scheme {0}; use https://")]
    UnsupportedScheme(String),
    /// A required setting is empty.
    #[error("{0} is required and must not be empty")]
    Missing(&'static str),
    /// The HTTP client for the JWKS could not be built.
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}

/// Why the keys could not be loaded now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwksError {
    /// A fetch ran moments ago (fetches are rate-limited).
    #[error("a JWKS refresh ran moments ago")]
    TooSoon,
    /// The fetch or the key set failed; the reason names no secret.
    #[error("{0}")]
    Failed(String),
}

/// Settings of the `jwt` mode.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JwtSettings {
    /// The exact `iss` required.
    pub issuer: String,
    /// Accepted `aud` values (a token must name at least one).
    pub audiences: Vec<String>,
    /// Where the keys are.
    pub jwks: JwksSource,
    /// Accepted algorithms; asymmetric only (see [`parse_algorithm`]).
    pub algorithms: Vec<Algorithm>,
    /// The claim holding the user id. Default `sub`.
    pub user_id_claim: String,
    /// Encoding of the user id. Default none.
    pub user_id_encoding: UserIdEncoding,
    /// Clock skew allowed on `exp` and `nbf`. Default 30 s.
    pub leeway: Duration,
    /// Keys older than this are refetched on next use. Default 5 min.
    pub jwks_max_age: Duration,
    /// Minimum time between two fetches, whatever triggers them. Default
    /// 30 s (the configuration refuses less than 5 s).
    pub jwks_min_refresh_interval: Duration,
    /// Timeout of one fetch. Default 5 s.
    pub jwks_fetch_timeout: Duration,
}

impl JwtSettings {
    /// Settings with the defaults above.
    pub fn new(issuer: impl Into<String>, audiences: Vec<String>, jwks: JwksSource) -> Self {
        JwtSettings {
            issuer: issuer.into(),
            audiences,
            jwks,
            algorithms: vec![Algorithm::RS256, Algorithm::ES256],
            user_id_claim: "sub".into(),
            user_id_encoding: UserIdEncoding::None,
            leeway: Duration::from_secs(30),
            jwks_max_age: Duration::from_secs(300),
            jwks_min_refresh_interval: Duration::from_secs(30),
            jwks_fetch_timeout: Duration::from_secs(5),
        }
    }

    /// With the accepted algorithms.
    pub fn with_algorithms(mut self, algorithms: Vec<Algorithm>) -> Self {
        self.algorithms = algorithms;
        self
    }

    /// With the claim holding the user id, and its encoding.
    pub fn with_user_id_claim(
        mut self,
        claim: impl Into<String>,
        encoding: UserIdEncoding,
    ) -> Self {
        self.user_id_claim = claim.into();
        self.user_id_encoding = encoding;
        self
    }

    /// With the clock skew allowed on `exp` and `nbf`.
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// With the JWKS cache age, the minimum time between fetches, and the
    /// timeout of one fetch.
    pub fn with_jwks_timing(
        mut self,
        max_age: Duration,
        min_refresh_interval: Duration,
        fetch_timeout: Duration,
    ) -> Self {
        self.jwks_max_age = max_age;
        self.jwks_min_refresh_interval = min_refresh_interval;
        self.jwks_fetch_timeout = fetch_timeout;
        self
    }
}

/// An algorithm name from configuration; HMAC algorithms and `none` are
/// refused, since a JWKS holds public keys.
pub fn parse_algorithm(name: &str) -> Result<Algorithm, JwtConfigError> {
    match name.trim().parse::<Algorithm>() {
        Ok(Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) => {
            Err(JwtConfigError::SharedSecretAlgorithm(name.to_owned()))
        }
        Ok(alg) => Ok(alg),
        Err(_) => Err(JwtConfigError::UnknownAlgorithm(name.to_owned())),
    }
}

/// Checks a JWKS URL: `https://`, or `http://` to a loopback host only.
pub fn validate_jwks_url(url: &str) -> Result<(), JwtConfigError> {
    let parsed = reqwest::Url::parse(url)?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match parsed.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if loopback {
                Ok(())
            } else {
                Err(JwtConfigError::InsecureUrl)
            }
        }
        other => Err(JwtConfigError::UnsupportedScheme(other.to_owned())),
    }
}

/// A key set read but not yet in use.
pub(crate) struct PreparedKeys(keys::KeySet);

/// The `jwt` authenticator.
pub struct JwtAuthenticator {
    issuer: String,
    allowed: Vec<Algorithm>,
    user_id_claim: String,
    user_id_encoding: UserIdEncoding,
    store: Arc<KeyStore>,
}

impl std::fmt::Debug for JwtAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtAuthenticator")
            .field("issuer", &self.issuer)
            .field("allowed", &self.allowed)
            .field("jwks", self.store.source())
            .finish_non_exhaustive()
    }
}

impl JwtAuthenticator {
    /// Checks the settings; no I/O (call [`load_keys`](Self::load_keys)).
    pub fn new(settings: JwtSettings) -> Result<Self, JwtConfigError> {
        if settings.issuer.is_empty() {
            return Err(JwtConfigError::Missing("the issuer"));
        }
        if settings.audiences.is_empty() || settings.audiences.iter().any(String::is_empty) {
            return Err(JwtConfigError::Missing("an audience"));
        }
        if settings.algorithms.is_empty() {
            return Err(JwtConfigError::Missing("an algorithm"));
        }
        for alg in &settings.algorithms {
            parse_algorithm(&format!("{alg:?}"))?;
        }
        if settings.user_id_claim.is_empty() {
            return Err(JwtConfigError::Missing("the user id claim name"));
        }
        if let JwksSource::Url(url) = &settings.jwks {
            validate_jwks_url(url)?;
        }
        let mut base = Validation::new(settings.algorithms[0]);
        base.algorithms = settings.algorithms.clone();
        base.set_issuer(&[&settings.issuer]);
        base.set_audience(&settings.audiences);
        base.set_required_spec_claims(&["exp", "iss", "aud"]);
        base.leeway = settings.leeway.as_secs();
        base.validate_nbf = true;
        let store = Arc::new(KeyStore::new(
            settings.jwks,
            settings.algorithms.clone(),
            base,
            settings.jwks_max_age,
            settings.jwks_min_refresh_interval,
            settings.jwks_fetch_timeout,
        )?);
        Ok(JwtAuthenticator {
            issuer: settings.issuer,
            allowed: settings.algorithms,
            user_id_claim: settings.user_id_claim,
            user_id_encoding: settings.user_id_encoding,
            store,
        })
    }

    /// Loads the keys now (at start-up). Later refreshes happen on demand.
    pub async fn load_keys(&self) -> Result<(), JwksError> {
        match self.store.refresh(&self.store.snapshot()).await {
            Refresh::Done => Ok(()),
            Refresh::TooSoon => Err(JwksError::TooSoon),
            Refresh::Failed(reason) => Err(JwksError::Failed(reason)),
        }
    }

    /// Reads the JWKS again, outside the refresh schedule, without using
    /// it yet: a reload checks everything before it changes anything.
    pub(crate) async fn read_keys(&self) -> Result<PreparedKeys, JwksError> {
        self.store
            .load()
            .await
            .map(PreparedKeys)
            .map_err(JwksError::Failed)
    }

    /// Uses keys read by [`read_keys`](Self::read_keys) from now on.
    pub(crate) fn install_keys(&self, keys: PreparedKeys) {
        self.store.install(keys.0);
    }

    /// Where the keys come from.
    pub fn jwks_source(&self) -> &JwksSource {
        self.store.source()
    }

    async fn verify(&self, token: &str) -> Result<Caller, AuthError> {
        let header = read_header(token, &self.allowed)?;
        let mut snapshot = self.store.snapshot();
        if self.store.is_stale(&snapshot) {
            if snapshot.is_loaded() {
                // Stale keys still verify, during the refresh and if it
                // fails: a slow or down provider must not hold up or lock
                // out every user at once.
                self.store.refresh_in_background(snapshot.clone());
            } else {
                self.store.refresh(&snapshot).await;
                snapshot = self.store.snapshot();
            }
        }
        let kid = header.kid.as_deref();
        if snapshot.keys.candidates(kid, header.alg).next().is_none() {
            // A new kid usually means the provider rotated its keys.
            let outcome = if kid.is_some() || !snapshot.is_loaded() {
                self.store.refresh(&snapshot).await
            } else {
                Refresh::TooSoon
            };
            snapshot = self.store.snapshot();
            if !snapshot.is_loaded() {
                return Err(AuthError::Unavailable(
                    match outcome {
                        Refresh::Failed(_) => "the identity provider's keys cannot be fetched",
                        _ => "the identity provider's keys are not loaded yet",
                    }
                    .into(),
                ));
            }
        }
        let mut last_error = None;
        for key in snapshot.keys.candidates(kid, header.alg).take(4) {
            match jsonwebtoken::decode::<HashMap<String, serde_json::Value>>(
                token,
                &key.key,
                &key.validation,
            ) {
                Ok(data) => return self.caller_from_claims(&data.claims),
                Err(e) => last_error = Some(e),
            }
        }
        Err(match last_error {
            None => AuthError::rejected(
                "unknown_kid",
                "no key of the identity provider matches the token's kid and algorithm",
            ),
            Some(e) => rejection(e.kind()),
        })
    }

    fn caller_from_claims(
        &self,
        claims: &HashMap<String, serde_json::Value>,
    ) -> Result<Caller, AuthError> {
        let raw = match claims.get(&self.user_id_claim) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => s,
            _ => {
                return Err(AuthError::rejected(
                    "missing_user_claim",
                    format!(
                        "the token has no non-empty string claim {:?}",
                        self.user_id_claim
                    ),
                ));
            }
        };
        let user_id = match self.user_id_encoding {
            UserIdEncoding::None => raw.clone(),
            UserIdEncoding::Base64Url => {
                sinch_auth::encode_user_id_for_token(raw).map_err(|e| {
                    AuthError::rejected("invalid_user_claim", format!("the user id claim: {e}"))
                })?
            }
        };
        Ok(Caller::user(user_id, Via::new("jwt", self.issuer.clone())))
    }
}

fn rejection(kind: &JwtErrorKind) -> AuthError {
    let (reason, detail) = match kind {
        JwtErrorKind::ExpiredSignature => ("token_expired", "the token has expired"),
        JwtErrorKind::ImmatureSignature => {
            ("token_not_yet_valid", "the token is not valid yet (nbf)")
        }
        JwtErrorKind::InvalidIssuer => (
            "wrong_issuer",
            "the token's issuer is not the configured one",
        ),
        JwtErrorKind::InvalidAudience => (
            "wrong_audience",
            "the token is not meant for this service (aud)",
        ),
        JwtErrorKind::InvalidSignature | JwtErrorKind::Crypto(_) => {
            ("bad_signature", "the token's signature does not verify")
        }
        JwtErrorKind::InvalidAlgorithm => (
            "disallowed_algorithm",
            "the token's algorithm is not allowed for its key",
        ),
        JwtErrorKind::MissingRequiredClaim(_) => (
            "missing_claim",
            "the token lacks a required claim (exp, iss or aud)",
        ),
        JwtErrorKind::InvalidToken
        | JwtErrorKind::Base64(_)
        | JwtErrorKind::Json(_)
        | JwtErrorKind::Utf8(_) => ("malformed_token", "the token is not a well-formed JWT"),
        _ => ("invalid_token", "the token is not valid"),
    };
    AuthError::rejected(reason, detail)
}

impl Authenticator for JwtAuthenticator {
    fn mode(&self) -> &'static str {
        "jwt"
    }

    fn authenticate<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Result<Caller, AuthError>> {
        Box::pin(async move {
            let token = bearer_token(&request.headers)?;
            self.verify(token).await
        })
    }

    fn readiness(&self) -> BoxFuture<'_, Result<(), NotReady>> {
        Box::pin(async move {
            let snapshot = self.store.snapshot();
            if snapshot.is_loaded() {
                return Ok(());
            }
            // Not loaded yet: try now (rate-limited), so readiness recovers
            // by itself once the provider answers.
            self.store.refresh(&snapshot).await;
            if self.store.snapshot().is_loaded() {
                Ok(())
            } else {
                Err(NotReady::new(format!(
                    "JWKS not loaded from {}",
                    self.store.source()
                )))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_asymmetric_algorithms() {
        assert_eq!(parse_algorithm("RS256").unwrap(), Algorithm::RS256);
        assert_eq!(parse_algorithm("EdDSA").unwrap(), Algorithm::EdDSA);
        assert!(
            parse_algorithm("HS256")
                .unwrap_err()
                .to_string()
                .contains("shared-secret")
        );
        assert!(
            parse_algorithm("none")
                .unwrap_err()
                .to_string()
                .contains("unknown")
        );
    }

    #[test]
    fn jwks_urls_must_be_https_unless_loopback() {
        assert!(validate_jwks_url("https://idp.example.com/.well-known/jwks.json").is_ok());
        assert!(validate_jwks_url("http://127.0.0.1:8080/jwks").is_ok());
        assert!(validate_jwks_url("http://[::1]/jwks").is_ok());
        assert!(validate_jwks_url("http://localhost/jwks").is_ok());
        assert!(validate_jwks_url("http://idp.example.com/jwks").is_err());
        assert!(validate_jwks_url("file:///etc/jwks").is_err());
        assert!(validate_jwks_url("jwks.json").is_err());
    }

    #[test]
    fn settings_are_checked() {
        let ok = || {
            JwtSettings::new(
                "https://idp",
                vec!["aud".into()],
                JwksSource::File("/nonexistent".into()),
            )
        };
        assert!(JwtAuthenticator::new(ok()).is_ok());
        let mut s = ok();
        s.audiences.clear();
        assert!(JwtAuthenticator::new(s).is_err());
        let mut s = ok();
        s.algorithms = vec![Algorithm::HS256];
        assert!(JwtAuthenticator::new(s).is_err());
        let mut s = ok();
        s.jwks = JwksSource::Url("http://idp.example.com/jwks".into());
        assert!(JwtAuthenticator::new(s).is_err());
    }
}
