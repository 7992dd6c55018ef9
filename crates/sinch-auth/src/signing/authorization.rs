//! Reading `Authorization: Application KEY:SIGNATURE` (FORMATS §3).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::{Error, ErrorKind, excerpt};

use super::AUTHORIZATION;

/// The scheme this crate sends. Sinch's clients and docs write it both as
/// `Application` and `application`, so it is accepted in any case.
pub const SCHEME: &str = "Application";

/// Longest `Authorization` value looked at: a key and a 44-character
/// signature fit many times over, and hostile input stays cheap.
const MAX_LEN: usize = 1024;

/// The two halves of an application `Authorization` value, not yet checked
/// against anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Authorization<'a> {
    pub(crate) key: &'a str,
    pub(crate) signature: &'a str,
}

fn malformed(reason: impl Into<String>) -> Error {
    ErrorKind::MalformedHeader {
        header: AUTHORIZATION,
        reason: reason.into(),
    }
    .into()
}

/// Splits `Application KEY:SIGNATURE`: scheme in any case, one or more
/// spaces after it, exactly one `:`.
pub(crate) fn parse_authorization(value: &str) -> Result<Authorization<'_>, Error> {
    if value.len() > MAX_LEN {
        return Err(malformed(format!("longer than {MAX_LEN} bytes")));
    }
    let is_ows = |c: char| c == ' ' || c == '\t';
    let value = value.trim_matches(is_ows);
    let Some((scheme, credentials)) = value.split_once(is_ows) else {
        return Err(malformed("expected \"Application KEY:SIGNATURE\""));
    };
    if !scheme.eq_ignore_ascii_case(SCHEME) {
        return Err(malformed(format!(
            "scheme must be Application (any case), got {}",
            excerpt(scheme)
        )));
    }
    let credentials = credentials.trim_start_matches(is_ows);
    let Some((key, signature)) = credentials.split_once(':') else {
        return Err(malformed("expected KEY:SIGNATURE after the scheme"));
    };
    if key.is_empty() {
        return Err(malformed("the application key is empty"));
    }
    if signature.contains(':') {
        return Err(malformed("more than one ':'"));
    }
    Ok(Authorization { key, signature })
}

/// Decodes a signature strictly (standard alphabet, padding, canonical
/// trailing bits) and insists on the 32 bytes of HMAC-SHA256.
pub(crate) fn decode_signature(header: &'static str, signature: &str) -> Result<[u8; 32], Error> {
    let bad = |reason: String| -> Error { ErrorKind::MalformedHeader { header, reason }.into() };
    // 32 bytes are 44 base64 characters; anything much longer is not worth decoding.
    if signature.len() > 64 {
        return Err(bad(format!(
            "signature is {} characters, HMAC-SHA256 in base64 is 44",
            signature.len()
        )));
    }
    let bytes = STANDARD
        .decode(signature)
        .map_err(|_| bad("signature is not standard base64 with padding".into()))?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
        bad(format!(
            "signature is {} bytes, HMAC-SHA256 gives 32",
            bytes.len()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(value: &str) -> String {
        match parse_authorization(value).unwrap_err().into_kind() {
            ErrorKind::MalformedHeader { header, reason } => {
                assert_eq!(header, "authorization");
                reason
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn scheme_in_any_case_and_extra_spaces() {
        for value in [
            "Application k:s",
            "application k:s",
            "APPLICATION k:s",
            "  Application \t k:s ",
        ] {
            let auth = parse_authorization(value).unwrap();
            assert_eq!(auth.key, "k", "{value}");
            assert_eq!(auth.signature, "s", "{value}");
        }
    }

    #[test]
    fn precise_reasons() {
        assert!(reason("Bearer k:s").contains("scheme"));
        assert!(reason("Applicationk:s").contains("expected"));
        assert!(reason("Application ks").contains("KEY:SIGNATURE"));
        assert!(reason("Application :s").contains("empty"));
        assert!(reason("Application k:s:t").contains("more than one"));
        assert!(reason(&"x".repeat(2000)).contains("longer"));
    }

    #[test]
    fn signature_is_strict() {
        let good = "qDXMwzfaxCRS849c/2R0hg0nphgdHciTo7OdM6MsdnM=";
        assert!(decode_signature("authorization", good).is_ok());
        for bad in [
            "qDXMwzfaxCRS849c/2R0hg0nphgdHciTo7OdM6MsdnM", // no padding
            "qDXMwzfaxCRS849c_2R0hg0nphgdHciTo7OdM6MsdnM=", // url-safe alphabet
            "qDXMwzfaxCRS849c/2R0hg0nphgdHciTo7OdM6MsdnN=", // non-canonical trailing bits
            "qDXMwzfaxCRS849c/2R0hg0nphgdHciTo7OdM6Msdn==", // 31 bytes
            "",
        ] {
            assert!(decode_signature("authorization", bad).is_err(), "{bad}");
        }
    }
}
