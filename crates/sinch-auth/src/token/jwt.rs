//! The JWS compact serialization pieces this crate needs, and no more:
//! one header shape, base64url without padding, HS256.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{CredentialKind, Error};

const KIND: CredentialKind = CredentialKind::RegistrationToken;

/// Longest token text accepted before any decoding.
pub(crate) const MAX_TOKEN_LEN: usize = 8 * 1024;

/// A token cut into its three parts, each decoded.
pub(crate) struct TokenParts<'a> {
    /// `b64url(header) "." b64url(claims)`, the bytes the MAC covers.
    pub signing_input: &'a str,
    pub header: Vec<u8>,
    pub claims: Vec<u8>,
    pub signature: Vec<u8>,
}

/// Splits `header.claims.signature` and decodes each part strictly.
pub(crate) fn split_token(token: &str) -> Result<TokenParts<'_>, Error> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Error::malformed(
            KIND,
            format!("longer than {MAX_TOKEN_LEN} bytes"),
        ));
    }
    let mut dots = token.match_indices('.').map(|(i, _)| i);
    let (Some(first), Some(second), None) = (dots.next(), dots.next(), dots.next()) else {
        return Err(Error::malformed(
            KIND,
            "expected three base64url parts separated by '.'",
        ));
    };
    let decode = |part: &str, name: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| Error::malformed(KIND, format!("{name} is not base64url without padding")))
    };
    Ok(TokenParts {
        signing_input: &token[..second],
        header: decode(&token[..first], "header")?,
        claims: decode(&token[first + 1..second], "claims")?,
        signature: decode(&token[second + 1..], "signature")?,
    })
}

/// Appends `value` as a JSON string (RFC 8259 escaping: quote, backslash,
/// control characters; everything else as UTF-8). Shared with the token
/// service's JSON log lines, so there is one escaper in the project.
pub fn write_json_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{0}'..='\u{1f}' => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}
