//! Per-credential user id rules (FORMATS §1 and §2), and the explicit
//! base64url helper for ids that do not fit the token alphabet.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;

use crate::error::{Error, ErrorKind};

/// Longest user id of either credential, in bytes of UTF-8.
pub const MAX_USER_ID_BYTES: usize = 255;

/// Longest user id under the legacy mobile SDKs' strict rules, in characters.
pub const MAX_STRICT_TICKET_USER_ID_CHARS: usize = 40;

/// The identity types a user ticket can carry.
///
/// ```
/// use sinch_auth::IdentityType;
/// assert_eq!("email".parse::<IdentityType>().unwrap(), IdentityType::Email);
/// assert_eq!(IdentityType::Number.as_str(), "number");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum IdentityType {
    /// A user name; the only type the JS SDK reads its user id from. Default.
    #[default]
    Username,
    /// An e-mail address.
    Email,
    /// An E.164 phone number: `+` then 1 to 15 digits.
    Number,
}

impl IdentityType {
    /// The value written to `identity.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityType::Username => "username",
            IdentityType::Email => "email",
            IdentityType::Number => "number",
        }
    }
}

impl std::str::FromStr for IdentityType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "username" => Ok(IdentityType::Username),
            "email" => Ok(IdentityType::Email),
            "number" => Ok(IdentityType::Number),
            _ => Err(ErrorKind::InvalidUserId(
                "identity type must be username, email or number".into(),
            )
            .into()),
        }
    }
}

impl std::fmt::Display for IdentityType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn bad(msg: impl Into<String>) -> Error {
    ErrorKind::InvalidUserId(msg.into()).into()
}

fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// Checks a user ticket's endpoint for its identity type.
///
/// Every type: not empty, at most 255 bytes, no control characters.
/// `email`: one `@` with text on both sides, no whitespace. `number`: `+`
/// then 1–15 digits. `strict` adds the legacy mobile SDKs' rule for
/// usernames: printable ASCII, at most 40 characters.
///
/// ```
/// use sinch_auth::{IdentityType, validate_ticket_user_id};
/// assert!(validate_ticket_user_id("John Smith", IdentityType::Username, false).is_ok());
/// assert!(validate_ticket_user_id("Zoë", IdentityType::Username, true).is_err());
/// assert!(validate_ticket_user_id("+46700000000", IdentityType::Number, false).is_ok());
/// assert!(validate_ticket_user_id("46700000000", IdentityType::Number, false).is_err());
/// ```
pub fn validate_ticket_user_id(id: &str, kind: IdentityType, strict: bool) -> Result<(), Error> {
    if id.is_empty() {
        return Err(bad("it is empty"));
    }
    if id.len() > MAX_USER_ID_BYTES {
        return Err(bad(format!(
            "it is {} bytes long, the limit is {MAX_USER_ID_BYTES}",
            id.len()
        )));
    }
    // Nearly every id is printable ASCII, which holds no control character:
    // one test per byte decides it, and characters are decoded only for the
    // others (minting checks every id; docs/performance.md).
    let printable_ascii = id.bytes().all(|b| matches!(b, b' '..=b'~'));
    if !printable_ascii {
        if let Some((pos, c)) = id.char_indices().find(|&(_, c)| is_control(c)) {
            return Err(bad(format!(
                "control character U+{:04X} at byte {pos}",
                c as u32
            )));
        }
    }
    match kind {
        IdentityType::Username if strict => {
            if !printable_ascii {
                let pos = id.bytes().position(|b| !matches!(b, b' '..=b'~'));
                return Err(bad(format!(
                    "strict mode allows printable ASCII only; byte {} is not",
                    pos.unwrap_or_default()
                )));
            }
            if id.len() > MAX_STRICT_TICKET_USER_ID_CHARS {
                return Err(bad(format!(
                    "strict mode allows at most {MAX_STRICT_TICKET_USER_ID_CHARS} characters"
                )));
            }
        }
        IdentityType::Username => {}
        IdentityType::Email => {
            let mut parts = id.split('@');
            let ok = matches!(
                (parts.next(), parts.next(), parts.next()),
                (Some(local), Some(domain), None) if !local.is_empty() && !domain.is_empty()
            );
            if !ok || id.chars().any(char::is_whitespace) {
                return Err(bad(
                    "an email identity must be local@domain without whitespace",
                ));
            }
        }
        IdentityType::Number => {
            let digits = id.strip_prefix('+').unwrap_or("");
            if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(bad(
                    "a number identity must be E.164: '+' then 1 to 15 digits",
                ));
            }
        }
    }
    Ok(())
}

/// Checks a registration token's user id: 1–255 bytes from
/// `A–Z a–z 0–9 - _ =` (FORMATS §2). For other ids use
/// [`encode_user_id_for_token`], explicitly.
///
/// ```
/// use sinch_auth::validate_token_user_id;
/// assert!(validate_token_user_id("alice_01").is_ok());
/// let err = validate_token_user_id("alice@example.com").unwrap_err();
/// assert!(err.to_string().contains("'@'"));
/// ```
pub fn validate_token_user_id(id: &str) -> Result<(), Error> {
    if id.is_empty() {
        return Err(bad("it is empty"));
    }
    if id.len() > MAX_USER_ID_BYTES {
        return Err(bad(format!(
            "it is {} bytes long, the limit is {MAX_USER_ID_BYTES}",
            id.len()
        )));
    }
    if let Some((pos, c)) = id
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=')))
    {
        let shown = if c.is_control() {
            format!("U+{:04X}", c as u32)
        } else {
            format!("'{c}'")
        };
        return Err(bad(format!(
            "{shown} at byte {pos} is not allowed; registration token user ids use only A-Z a-z 0-9 - _ = \
             (encode other ids with base64url)"
        )));
    }
    Ok(())
}

/// URL-safe base64 (RFC 4648 §5, with padding) of a raw user id, which
/// always fits the registration token alphabet. Sinch's advice for ids such
/// as e-mail addresses; the ids must then be encoded the same way wherever
/// they are used.
///
/// ```
/// use sinch_auth::{encode_user_id_for_token, validate_token_user_id};
/// let id = encode_user_id_for_token("zoë@example.com").unwrap();
/// assert_eq!(id, "em_Dq0BleGFtcGxlLmNvbQ==");
/// assert!(validate_token_user_id(&id).is_ok());
/// ```
pub fn encode_user_id_for_token(raw: &str) -> Result<String, Error> {
    if raw.is_empty() {
        return Err(bad("it is empty"));
    }
    let encoded = URL_SAFE.encode(raw.as_bytes());
    if encoded.len() > MAX_USER_ID_BYTES {
        return Err(bad(format!(
            "its base64url form is {} bytes long, the limit is {MAX_USER_ID_BYTES} \
             (raw ids up to 189 bytes fit)",
            encoded.len()
        )));
    }
    Ok(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_rules() {
        let u = IdentityType::Username;
        assert!(validate_ticket_user_id("a\u{7}b", u, false).is_err());
        assert!(validate_ticket_user_id("a\u{85}b", u, false).is_err());
        assert!(validate_ticket_user_id(&"x".repeat(255), u, false).is_ok());
        assert!(validate_ticket_user_id(&"x".repeat(256), u, false).is_err());
        assert!(validate_ticket_user_id(&"x".repeat(41), u, true).is_err());
        assert!(validate_ticket_user_id("John Smith", u, true).is_ok());
        let e = IdentityType::Email;
        assert!(validate_ticket_user_id("bob@example.com", e, false).is_ok());
        for bad in ["bob", "@x", "x@", "a@b@c", "a b@c"] {
            assert!(validate_ticket_user_id(bad, e, false).is_err(), "{bad}");
        }
        let n = IdentityType::Number;
        assert!(validate_ticket_user_id("+123456789012345", n, false).is_ok());
        assert!(validate_ticket_user_id("+1234567890123456", n, false).is_err());
        assert!(validate_ticket_user_id("+", n, false).is_err());
    }

    #[test]
    fn token_rules() {
        assert!(validate_token_user_id(&"a".repeat(255)).is_ok());
        assert!(validate_token_user_id(&"a".repeat(256)).is_err());
        assert!(validate_token_user_id("a=b-c_D9").is_ok());
        for bad in ["", "a b", "a/b", "a+b", "é", "a.b", "a\n"] {
            assert!(validate_token_user_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn encode_limits() {
        assert!(encode_user_id_for_token(&"x".repeat(189)).is_ok());
        assert!(encode_user_id_for_token(&"x".repeat(190)).is_err());
    }
}
