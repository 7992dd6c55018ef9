//! Numbers API callbacks: `X-Sinch-Signature`, hex HMAC-SHA1 over the raw
//! body, keyed with the callback secret's UTF-8 bytes (FORMATS §4).

use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::callback_secret::CallbackSecret;
use crate::error::{CredentialKind, Error, ErrorKind};

/// The header that carries a Numbers callback's signature.
pub const X_SINCH_SIGNATURE: &str = "x-sinch-signature";

type HmacSha1 = Hmac<Sha1>;

/// Checks Numbers API callbacks.
///
/// The signature must be exactly 40 hex digits; Sinch sends lower case,
/// upper case is accepted too. The comparison is constant-time.
///
/// ```
/// use sinch_auth::ErrorKind;
/// use sinch_auth::signing::{CallbackSecret, NumbersCallbackVerifier};
/// let verifier = NumbersCallbackVerifier::new(CallbackSecret::new("my-callback-secret")?);
/// let body = br#"{"eventId":"01hpa0mww4m79q8j2dwn3ggbgz"}"#;
/// let signature = verifier.signature_for(body);
/// assert!(verifier.verify(Some(&signature), body).is_ok());
/// assert!(verifier.verify(Some(&signature.to_uppercase()), body).is_ok());
///
/// let err = verifier.verify(Some(&signature), b"{}").unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::InvalidSignature(_)));
/// let err = verifier.verify(None, body).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::MissingHeader("x-sinch-signature")));
/// # Ok::<(), sinch_auth::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct NumbersCallbackVerifier {
    secret: CallbackSecret,
}

impl NumbersCallbackVerifier {
    /// A verifier for callbacks signed with `secret`.
    pub fn new(secret: CallbackSecret) -> Self {
        NumbersCallbackVerifier { secret }
    }

    fn mac(&self) -> HmacSha1 {
        HmacSha1::new_from_slice(self.secret.key_bytes())
            .expect("HMAC-SHA1 accepts keys of any length")
    }

    /// The lower-case hex signature Sinch would send for `body`: for tests
    /// and local stand-ins of Sinch.
    ///
    /// ```
    /// use sinch_auth::signing::{CallbackSecret, NumbersCallbackVerifier};
    /// let v = NumbersCallbackVerifier::new(CallbackSecret::new("k")?);
    /// assert_eq!(v.signature_for(b"").len(), 40);
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn signature_for(&self, body: &[u8]) -> String {
        let mut mac = self.mac();
        mac.update(body);
        let digest = mac.finalize().into_bytes();
        let mut hex = String::with_capacity(40);
        for byte in digest {
            hex.push(char::from(HEX[usize::from(byte >> 4)]));
            hex.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        hex
    }

    /// Verifies the `X-Sinch-Signature` value (`None` when the header is
    /// absent) against the raw body. Never panics.
    pub fn verify(&self, signature: Option<&str>, body: &[u8]) -> Result<(), Error> {
        let signature = signature.ok_or(ErrorKind::MissingHeader(X_SINCH_SIGNATURE))?;
        let expected = decode_hex_sha1(signature)?;
        let mut mac = self.mac();
        mac.update(body);
        mac.verify_slice(&expected)
            .map_err(|_| ErrorKind::InvalidSignature(CredentialKind::NumbersCallback).into())
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn decode_hex_sha1(text: &str) -> Result<[u8; 20], Error> {
    let malformed = |reason: String| -> Error {
        ErrorKind::MalformedHeader {
            header: X_SINCH_SIGNATURE,
            reason,
        }
        .into()
    };
    let bytes = text.as_bytes();
    if bytes.len() != 40 {
        return Err(malformed(format!(
            "expected 40 hex digits (HMAC-SHA1), got {} characters",
            text.chars().count()
        )));
    }
    let nibble = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    };
    let mut out = [0u8; 20];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let (Some(hi), Some(lo)) = (nibble(pair[0]), nibble(pair[1])) else {
            return Err(malformed("expected hex digits only".into()));
        };
        *slot = hi << 4 | lo;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_strict() {
        assert!(decode_hex_sha1(&"ab".repeat(20)).is_ok());
        assert!(decode_hex_sha1(&"AB".repeat(20)).is_ok());
        assert!(decode_hex_sha1(&"ab".repeat(19)).is_err());
        assert!(decode_hex_sha1(&format!("{}zz", "ab".repeat(19))).is_err());
        assert!(decode_hex_sha1(&format!("{}é", "a".repeat(38))).is_err());
        assert!(decode_hex_sha1(&format!(" {}", "a".repeat(39))).is_err());
    }
}
