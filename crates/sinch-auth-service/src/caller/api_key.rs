//! `api-key` mode: server-to-server callers with `Authorization: Bearer
//! <key>`, who name the user in the body.
//!
//! Only SHA-256 digests of the keys are kept in memory; a presented key is
//! hashed and compared with every configured digest in constant time, so
//! neither timing nor early exit tells how much of a key was right.

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;
use http::request::Parts;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::{AuthError, Authenticator, BoxFuture, Caller, Via, bearer_token};

/// Shortest API key accepted in plain text: shorter ones are guessable.
pub const MIN_API_KEY_LEN: usize = 16;

/// Why an API key or key list is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiKeyError {
    /// Shorter than [`MIN_API_KEY_LEN`].
    #[error("an API key is shorter than {MIN_API_KEY_LEN} characters")]
    TooShort,
    /// A space, comma or non-printable character.
    #[error("an API key contains a character outside printable ASCII, a space or a comma")]
    BadCharacter,
    /// A configured digest that is not 64 hex digits.
    #[error("a SHA-256 digest must be 64 hex digits")]
    BadDigest,
    /// No key at all.
    #[error("api-key mode needs at least one key")]
    NoKeys,
}

/// A plain-text API key, as read from `SINCH_AUTH_API_KEYS`. Zeroized on
/// drop; `Debug` does not show it.
#[derive(Clone)]
pub struct ApiKey(Zeroizing<String>);

impl ApiKey {
    /// Checks a key: at least [`MIN_API_KEY_LEN`] characters of printable
    /// ASCII without spaces or commas (the list separator).
    pub fn new(key: impl Into<String>) -> Result<Self, ApiKeyError> {
        let key = Zeroizing::new(key.into());
        if key.len() < MIN_API_KEY_LEN {
            return Err(ApiKeyError::TooShort);
        }
        if !key.bytes().all(|b| b.is_ascii_graphic() && b != b',') {
            return Err(ApiKeyError::BadCharacter);
        }
        Ok(ApiKey(key))
    }

    /// The key (to send it, in tests and clients).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// A named SHA-256 digest of an API key.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeyDigest {
    name: String,
    digest: [u8; 32],
}

impl ApiKeyDigest {
    /// The digest of a plain-text key, named for the audit log.
    pub fn of_key(name: impl Into<String>, key: &ApiKey) -> Self {
        ApiKeyDigest {
            name: name.into(),
            digest: Sha256::digest(key.expose().as_bytes()).into(),
        }
    }

    /// A digest given as 64 hex digits (`printf %s "$KEY" | sha256sum`).
    pub fn from_hex(name: impl Into<String>, hex_digest: &str) -> Result<Self, ApiKeyError> {
        let mut digest = [0u8; 32];
        hex::decode_to_slice(hex_digest.trim(), &mut digest).map_err(|_| ApiKeyError::BadDigest)?;
        Ok(ApiKeyDigest {
            name: name.into(),
            digest,
        })
    }

    /// The name shown in the audit log.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Debug for ApiKeyDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyDigest")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The `api-key` authenticator. Several keys may be valid at once, for
/// rotation. Clones share the key list: [`replace_keys`] on one (a SIGHUP
/// reload) changes what all of them accept, at once.
///
/// [`replace_keys`]: Self::replace_keys
#[derive(Debug, Clone)]
pub struct ApiKeyAuthenticator {
    keys: Arc<ArcSwap<Vec<ApiKeyDigest>>>,
}

impl ApiKeyAuthenticator {
    /// An authenticator accepting any of `keys` (at least one).
    pub fn new(keys: Vec<ApiKeyDigest>) -> Result<Self, ApiKeyError> {
        if keys.is_empty() {
            return Err(ApiKeyError::NoKeys);
        }
        Ok(ApiKeyAuthenticator {
            keys: Arc::new(ArcSwap::from_pointee(keys)),
        })
    }

    /// Accepts `keys` (at least one) from now on instead of the current
    /// ones; a request being checked sees either list whole, never a mix.
    pub fn replace_keys(&self, keys: Vec<ApiKeyDigest>) -> Result<(), ApiKeyError> {
        if keys.is_empty() {
            return Err(ApiKeyError::NoKeys);
        }
        self.keys.store(Arc::new(keys));
        Ok(())
    }

    /// The digests accepted now.
    pub fn keys(&self) -> Vec<ApiKeyDigest> {
        self.keys.load().as_ref().clone()
    }

    /// The name of the key that `presented` is, if any.
    pub fn check(&self, presented: &str) -> Option<String> {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let keys = self.keys.load();
        let mut matched = None;
        // Compare with every key, even after a match.
        for key in keys.iter() {
            let equal: bool = key.digest.ct_eq(&digest).into();
            if equal && matched.is_none() {
                matched = Some(key.name.clone());
            }
        }
        matched
    }
}

impl Authenticator for ApiKeyAuthenticator {
    fn mode(&self) -> &'static str {
        "api-key"
    }

    fn authenticate<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Result<Caller, AuthError>> {
        let result = bearer_token(&request.headers).and_then(|key| {
            self.check(key)
                .map(|name| Caller::service(Via::new("api-key", name)))
                .ok_or_else(|| AuthError::rejected("invalid_api_key", "the API key is not valid"))
        });
        Box::pin(std::future::ready(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_digests_agree() {
        let key = ApiKey::new("k-0123456789abcdef").unwrap();
        let from_key = ApiKeyDigest::of_key("a", &key);
        // printf %s k-0123456789abcdef | sha256sum
        let hex_digest = hex::encode(Sha256::digest(b"k-0123456789abcdef"));
        let from_hex = ApiKeyDigest::from_hex("b", &hex_digest).unwrap();
        assert_eq!(from_key.digest, from_hex.digest);
        let auth = ApiKeyAuthenticator::new(vec![from_hex, from_key]).unwrap();
        assert_eq!(auth.check("k-0123456789abcdef").as_deref(), Some("b"));
        assert_eq!(auth.check("k-0123456789abcdeF"), None);
        assert!(!format!("{key:?}").contains("0123"));
    }

    #[test]
    fn weak_keys_are_refused() {
        assert!(ApiKey::new("short").is_err());
        assert!(ApiKey::new("has a space in it!!").is_err());
        assert!(ApiKey::new("has,a,comma,in,it,ok").is_err());
        assert!(ApiKeyDigest::from_hex("x", "abc").is_err());
        assert!(ApiKeyAuthenticator::new(vec![]).is_err());
    }
}
