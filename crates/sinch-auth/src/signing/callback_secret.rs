//! The secret of a Numbers or Conversation callback: text, not base64.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind};

/// The callback secret configured for a Numbers API number or a Conversation
/// API webhook (FORMATS §4).
///
/// Unlike an [`ApplicationSecret`](crate::ApplicationSecret) it is **not**
/// base64-decoded: the MAC is keyed with its UTF-8 bytes as typed. It is still
/// zeroized on drop, redacted in `Debug` and `Display`, and compared in
/// constant time.
///
/// ```
/// use sinch_auth::signing::CallbackSecret;
/// let secret = CallbackSecret::new("my-callback-secret")?;
/// assert_eq!(format!("{secret:?}"), "CallbackSecret([redacted])");
/// assert_eq!(secret.to_string(), "[redacted]");
/// assert!(CallbackSecret::new("").is_err());
/// # Ok::<(), sinch_auth::Error>(())
/// ```
#[derive(Clone)]
pub struct CallbackSecret(Zeroizing<String>);

impl CallbackSecret {
    /// Wraps a secret; it must not be empty (an empty HMAC key authenticates
    /// nothing anyone could not forge).
    pub fn new(secret: impl Into<String>) -> Result<Self, Error> {
        let secret = Zeroizing::new(secret.into());
        if secret.is_empty() {
            return Err(ErrorKind::InvalidCallbackSecret("it is empty").into());
        }
        Ok(CallbackSecret(secret))
    }

    /// The secret text. Handle with care.
    ///
    /// ```
    /// use sinch_auth::signing::CallbackSecret;
    /// assert_eq!(CallbackSecret::new("s3cret")?.expose_str(), "s3cret");
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn expose_str(&self) -> &str {
        &self.0
    }

    /// The HMAC key: the UTF-8 bytes of the secret.
    pub(crate) fn key_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl ConstantTimeEq for CallbackSecret {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.as_bytes().ct_eq(other.0.as_bytes())
    }
}

impl PartialEq for CallbackSecret {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for CallbackSecret {}

impl fmt::Debug for CallbackSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallbackSecret([redacted])")
    }
}

impl fmt::Display for CallbackSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_by_value_and_never_shows_itself() {
        let a = CallbackSecret::new("foo_secret1234").unwrap();
        let b = CallbackSecret::new(String::from("foo_secret1234")).unwrap();
        let c = CallbackSecret::new("foo_secret1235").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(!format!("{a:?} {a}").contains("foo"));
        let err = CallbackSecret::new("").unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidCallbackSecret(_)));
    }
}
