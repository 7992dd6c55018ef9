//! The session cookie: a random 256-bit token, sent as
//! `HttpOnly; SameSite=Strict; Path=/` (and `Secure` with the `__Host-`
//! name prefix unless plain-HTTP development is configured). The database
//! keeps only the token's SHA-256.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};
use sinch_auth_store::SessionTokenHash;
use zeroize::Zeroizing;

/// Cookie name with `Secure`: the `__Host-` prefix makes browsers refuse it
/// unless it is `Secure`, has `Path=/` and no `Domain`, so no subdomain or
/// plain-HTTP page can plant or overwrite it.
pub const SECURE_COOKIE_NAME: &str = "__Host-sinch-auth-session";
/// Cookie name in plain-HTTP development (`secure_cookies = false`).
pub const PLAIN_COOKIE_NAME: &str = "sinch-auth-session";

/// Base64url (no padding) of 32 bytes.
const TOKEN_CHARS: usize = 43;

/// A session token as the client holds it. Wiped on drop; `Debug` hides it.
pub(crate) struct SessionToken(Zeroizing<String>);

impl SessionToken {
    /// 32 bytes from the operating system's CSPRNG.
    pub(crate) fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut())?;
        Ok(SessionToken(Zeroizing::new(URL_SAFE_NO_PAD.encode(*bytes))))
    }

    /// A token read from a cookie, if it has the shape of ours (anything
    /// else cannot be a session and is refused without a database lookup).
    pub(crate) fn parse(value: &str) -> Option<Self> {
        let well_formed = value.len() == TOKEN_CHARS
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| SessionToken(Zeroizing::new(value.to_owned())))
    }

    /// What the database stores and searches by.
    pub(crate) fn hash(&self) -> SessionTokenHash {
        SessionTokenHash::from_sha256(Sha256::digest(self.0.as_bytes()).into())
    }

    /// A short identifier for logs: a hash of the stored hash, so that the
    /// lines of one session can be correlated without revealing anything
    /// usable.
    pub(crate) fn log_id(&self) -> String {
        let stored = Sha256::digest(self.0.as_bytes());
        hex::encode(&Sha256::digest(stored)[..6])
    }

    /// The token itself: for the `Set-Cookie` header, or the body of a
    /// bearer login. Never for a log.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

/// How the cookie is named and flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CookieSettings {
    secure: bool,
    max_age: Duration,
}

impl CookieSettings {
    pub(crate) fn new(secure: bool, max_age: Duration) -> Self {
        CookieSettings { secure, max_age }
    }

    pub(crate) fn name(&self) -> &'static str {
        if self.secure {
            SECURE_COOKIE_NAME
        } else {
            PLAIN_COOKIE_NAME
        }
    }

    fn attributes(&self) -> &'static str {
        if self.secure {
            "Path=/; HttpOnly; SameSite=Strict; Secure"
        } else {
            "Path=/; HttpOnly; SameSite=Strict"
        }
    }

    /// `Set-Cookie` for a new session (expiring with it).
    pub(crate) fn set(&self, token: &SessionToken) -> HeaderValue {
        let value = format!(
            "{}={}; {}; Max-Age={}",
            self.name(),
            token.expose(),
            self.attributes(),
            self.max_age.as_secs()
        );
        let mut header =
            HeaderValue::from_str(&value).expect("name, base64url token and attributes are ASCII");
        header.set_sensitive(true);
        header
    }

    /// `Set-Cookie` that makes the browser drop the cookie.
    pub(crate) fn clear(&self) -> HeaderValue {
        HeaderValue::from_str(&format!(
            "{}=; {}; Max-Age=0",
            self.name(),
            self.attributes()
        ))
        .expect("ASCII")
    }

    /// The value of our cookie in the request, if any: `Some(None)` when
    /// the cookie is present but cannot be one of our tokens.
    pub(crate) fn read(&self, headers: &HeaderMap) -> Option<Option<SessionToken>> {
        let name = self.name();
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, value)| SessionToken::parse(value.trim_matches('"')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_well_formed() {
        let a = SessionToken::generate().unwrap();
        let b = SessionToken::generate().unwrap();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), TOKEN_CHARS);
        assert!(SessionToken::parse(a.expose()).is_some());
        assert_eq!(a.hash(), SessionTokenHash::of_token(a.expose()));
        assert_ne!(a.log_id(), b.log_id());
        assert!(!a.log_id().contains(a.expose()));
        assert!(!format!("{a:?}").contains(a.expose()));
        for bad in [
            "",
            "short",
            &"a".repeat(44),
            &format!("{}!", &"a".repeat(42)),
        ] {
            assert!(SessionToken::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn cookies_are_strict_and_http_only() {
        let secure = CookieSettings::new(true, Duration::from_secs(43_200));
        let token = SessionToken::generate().unwrap();
        let set = secure.set(&token);
        assert!(set.is_sensitive());
        assert_eq!(
            set.to_str().unwrap(),
            format!(
                "__Host-sinch-auth-session={}; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=43200",
                token.expose()
            )
        );
        assert_eq!(
            secure.clear().to_str().unwrap(),
            "__Host-sinch-auth-session=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0"
        );
        let plain = CookieSettings::new(false, Duration::from_secs(60));
        assert!(!plain.set(&token).to_str().unwrap().contains("Secure"));
        assert_eq!(plain.name(), "sinch-auth-session");
    }

    #[test]
    fn reads_only_our_cookie() {
        let settings = CookieSettings::new(true, Duration::from_secs(60));
        let token = SessionToken::generate().unwrap();
        let mut headers = HeaderMap::new();
        assert!(settings.read(&headers).is_none());
        headers.insert(
            COOKIE,
            format!(
                "theme=dark; sinch-auth-session=x; __Host-sinch-auth-session={}",
                token.expose()
            )
            .parse()
            .unwrap(),
        );
        let read = settings.read(&headers).unwrap().unwrap();
        assert_eq!(read.expose(), token.expose());
        headers.insert(COOKIE, "__Host-sinch-auth-session=garbage".parse().unwrap());
        assert!(matches!(settings.read(&headers), Some(None)));
    }
}
