//! The application key and secret every credential is made from.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind};

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// A Sinch application key: an opaque, non-empty string of printable ASCII
/// without whitespace or `:` (FORMATS "Common ground").
///
/// UUID keys are the norm, but old keys are upper-case hex without hyphens,
/// so the UUID shape is not required.
///
/// ```
/// use sinch_auth::ApplicationKey;
/// let key = ApplicationKey::new("a32e5a8d-f7d8-411c-9645-9038e8dd051d").unwrap();
/// assert_eq!(key.as_str(), "a32e5a8d-f7d8-411c-9645-9038e8dd051d");
/// assert!(ApplicationKey::new("has:colon").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ApplicationKey(String);

impl ApplicationKey {
    /// Validates and wraps a key.
    pub fn new(key: impl Into<String>) -> Result<Self, Error> {
        let key = key.into();
        if key.is_empty() {
            return Err(ErrorKind::InvalidApplicationKey("it is empty").into());
        }
        if key.bytes().any(|b| b == b':') {
            return Err(ErrorKind::InvalidApplicationKey(
                "it contains ':', the separator of Authorization headers",
            )
            .into());
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ErrorKind::InvalidApplicationKey(
                "it must be printable ASCII without whitespace",
            )
            .into());
        }
        Ok(ApplicationKey(key))
    }

    /// The key as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the key has the UUID shape (8-4-4-4-12 hex digits, any case).
    ///
    /// ```
    /// use sinch_auth::ApplicationKey;
    /// assert!(ApplicationKey::new("669E367E-6BBA-48AB-AF15-266871C28135").unwrap().is_uuid());
    /// assert!(!ApplicationKey::new("5F5C418A0F914BBC8234A9BF5EDDAD97").unwrap().is_uuid());
    /// ```
    pub fn is_uuid(&self) -> bool {
        let b = self.0.as_bytes();
        b.len() == 36
            && b.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            })
    }

    /// Whether `other` names this key: exact match, or case-insensitive when
    /// both are UUIDs (Sinch's docs show the same UUID key in both cases).
    ///
    /// ```
    /// use sinch_auth::ApplicationKey;
    /// let key = ApplicationKey::new("669E367E-6BBA-48AB-AF15-266871C28135").unwrap();
    /// assert!(key.matches("669e367e-6bba-48ab-af15-266871c28135"));
    /// assert!(!key.matches("669E367E"));
    /// ```
    pub fn matches(&self, other: &str) -> bool {
        if self.0 == other {
            return true;
        }
        self.is_uuid()
            && ApplicationKey(other.to_owned()).is_uuid()
            && self.0.eq_ignore_ascii_case(other)
    }
}

impl fmt::Debug for ApplicationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ApplicationKey").field(&self.0).finish()
    }
}

impl fmt::Display for ApplicationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Sinch application secret, decoded.
///
/// Decoding is strict: standard base64 alphabet, padding required, no
/// whitespace, at least 16 bytes. The decoded bytes are zeroized on drop,
/// never printed (`Debug` and `Display` say `[redacted]`), and compared in
/// constant time.
///
/// Every HMAC scheme of FORMATS §1–3 keys the MAC with the decoded bytes; the
/// secret keeps a MAC already keyed with them so that each credential costs
/// only the MAC over its message.
///
/// ```
/// use sinch_auth::ApplicationSecret;
/// let secret = ApplicationSecret::from_base64("ax8hTTQJF0OPXL32r1LHMA==").unwrap();
/// assert_eq!(format!("{secret:?}"), "ApplicationSecret([redacted])");
/// assert!(ApplicationSecret::from_base64("ax8hTTQJF0OPXL32r1LHMA").is_err()); // no padding
/// assert!(ApplicationSecret::from_base64("c2hvcnQ=").is_err()); // 5 bytes
/// ```
#[derive(Clone)]
pub struct ApplicationSecret {
    bytes: Zeroizing<Vec<u8>>,
    keyed_mac: HmacSha256,
}

impl ApplicationSecret {
    /// The shortest secret accepted, in decoded bytes.
    pub const MIN_LEN: usize = 16;

    /// Decodes a secret as Sinch's dashboard shows it.
    pub fn from_base64(encoded: &str) -> Result<Self, Error> {
        if encoded.is_empty() {
            return Err(ErrorKind::InvalidApplicationSecret("it is empty").into());
        }
        if encoded.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(ErrorKind::InvalidApplicationSecret(
                "it contains whitespace (copy it without spaces or line breaks)",
            )
            .into());
        }
        let bytes = Zeroizing::new(STANDARD.decode(encoded).map_err(|_| {
            Error::from(ErrorKind::InvalidApplicationSecret(
                "it is not standard base64 with padding",
            ))
        })?);
        Self::from_bytes(bytes)
    }

    /// Wraps raw secret bytes (at least [`MIN_LEN`](Self::MIN_LEN)).
    ///
    /// ```
    /// use sinch_auth::ApplicationSecret;
    /// assert!(ApplicationSecret::from_bytes(vec![7u8; 16]).is_ok());
    /// assert!(ApplicationSecret::from_bytes(vec![7u8; 15]).is_err());
    /// ```
    pub fn from_bytes(bytes: impl Into<Zeroizing<Vec<u8>>>) -> Result<Self, Error> {
        let bytes = bytes.into();
        if bytes.len() < Self::MIN_LEN {
            return Err(
                ErrorKind::InvalidApplicationSecret("it decodes to fewer than 16 bytes").into(),
            );
        }
        let keyed_mac =
            HmacSha256::new_from_slice(&bytes).expect("HMAC-SHA256 accepts keys of any length");
        Ok(ApplicationSecret { bytes, keyed_mac })
    }

    /// The decoded bytes. Handle with care: this is the secret.
    pub fn expose_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The secret re-encoded as standard base64. Handle with care.
    pub fn expose_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(&*self.bytes))
    }

    /// A fresh HMAC-SHA256 keyed with the decoded secret.
    pub(crate) fn mac(&self) -> HmacSha256 {
        self.keyed_mac.clone()
    }
}

impl ConstantTimeEq for ApplicationSecret {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.bytes.as_slice().ct_eq(other.bytes.as_slice())
    }
}

impl PartialEq for ApplicationSecret {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for ApplicationSecret {}

impl fmt::Debug for ApplicationSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApplicationSecret([redacted])")
    }
}

impl fmt::Display for ApplicationSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_errors_never_echo_the_secret() {
        for bad in [
            "ax8hTTQJF0OPXL32r1LHMA",
            "ax8hTTQJF0OPXL32r1LHMA==\n",
            "ax8h TTQJF0OPXL32r1LHMA==",
            "ax8hTTQJ_0OPXL32r1LHMA==",
            "YWJj",
        ] {
            let err = ApplicationSecret::from_base64(bad).unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(bad.trim()), "{shown}");
            assert!(matches!(err.kind(), ErrorKind::InvalidApplicationSecret(_)));
        }
    }

    #[test]
    fn non_canonical_trailing_bits_are_rejected() {
        // "ax8hTTQJF0OPXL32r1LHMB==" differs only in bits that padding drops.
        assert!(ApplicationSecret::from_base64("ax8hTTQJF0OPXL32r1LHMB==").is_err());
    }

    #[test]
    fn secrets_compare_by_value() {
        let a = ApplicationSecret::from_base64("ax8hTTQJF0OPXL32r1LHMA==").unwrap();
        let b = ApplicationSecret::from_bytes(a.expose_bytes().to_vec()).unwrap();
        let c = ApplicationSecret::from_bytes(vec![0u8; 16]).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(&*a.expose_base64(), "ax8hTTQJF0OPXL32r1LHMA==");
    }

    #[test]
    fn key_rules() {
        assert!(ApplicationKey::new("").is_err());
        assert!(ApplicationKey::new("a b").is_err());
        assert!(ApplicationKey::new("clé").is_err());
        assert!(ApplicationKey::new("5F5C418A0F914BBC8234A9BF5EDDAD97").is_ok());
        let k = ApplicationKey::new("5F5C418A0F914BBC8234A9BF5EDDAD97").unwrap();
        assert!(!k.matches("5f5c418a0f914bbc8234a9bf5eddad97"));
    }
}
