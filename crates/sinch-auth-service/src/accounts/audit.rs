//! The accounts audit line: one per sign-up, login, logout and password
//! change. Values that came from the request are recorded as strings, so
//! the text format quotes and escapes them (`username="bob caller=x"`
//! stays one field); the JSON format writes them as JSON strings.
//!
//! The username of a failed login is not written in clear: people type
//! their password into the username field. It is written as a short keyed
//! hash, which correlates the attempts on one name within this process and
//! tells an attacker who reads the log nothing.

use std::fmt::Write as _;
use std::net::IpAddr;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::client_ip::ClientIp;

/// A random key, made at start, for the hashes of failed-login usernames.
pub(crate) struct AuditKey(Zeroizing<[u8; 32]>);

impl AuditKey {
    pub(crate) fn random() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        // Without OS randomness the hashes are merely unkeyed: still no
        // username in clear.
        if let Err(e) = getrandom::fill(key.as_mut()) {
            tracing::warn!(error = %e, "no OS randomness for the audit key");
        }
        AuditKey(key)
    }

    /// `h:` and 12 hex digits of HMAC-SHA256(key, username).
    pub(crate) fn hash(&self, username: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.0.as_ref()).expect("HMAC takes any key length");
        mac.update(username.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut out = String::with_capacity(14);
        out.push_str("h:");
        for byte in &digest[..6] {
            let _ = write!(out, "{byte:02x}");
        }
        out
    }
}

/// How the username of an event is written.
pub(crate) enum Username<'a> {
    /// As is (it is the signed-in user's), unless it is not a valid
    /// username (then likely a password typed into the wrong field).
    Shown(&'a str),
    /// As a keyed hash (a failed login).
    Hashed(String),
}

impl Username<'_> {
    pub(crate) fn text(&self) -> &str {
        match self {
            Username::Shown(name) if sinch_auth::validate_token_user_id(name).is_ok() => name,
            Username::Shown(_) => "<not a valid username>",
            Username::Hashed(hash) => hash,
        }
    }
}

/// One audit line per account event: event, username, outcome, client IP.
/// Never a password, cookie, ticket or token.
pub(crate) fn audit(
    event: &'static str,
    username: Username<'_>,
    outcome: &'static str,
    ip: Option<IpAddr>,
) {
    tracing::info!(
        target: "sinch_auth::audit",
        event,
        username = username.text(),
        outcome,
        client_ip = %ClientIp(ip),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_keyed_short_and_stable_per_key() {
        let (a, b) = (AuditKey::random(), AuditKey::random());
        assert_eq!(a.hash("alice"), a.hash("alice"));
        assert_ne!(a.hash("alice"), a.hash("alicf"));
        assert_ne!(a.hash("alice"), b.hash("alice"), "keyed");
        assert_eq!(a.hash("alice").len(), 14);
        assert!(!a.hash("alice").contains("alice"));
        assert_eq!(Username::Shown("a b").text(), "<not a valid username>");
    }
}
