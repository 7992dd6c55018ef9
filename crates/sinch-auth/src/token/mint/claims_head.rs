//! The start of a token's claims, `{"exp":E,"iat":I,"iss":"…","nonce":`,
//! and its base64url, kept per thread.
//!
//! Those bytes depend only on the application, `iat` and `exp`: a server
//! mints many tokens per second for one application with one lifetime, so
//! each thread keeps the last head it wrote and writes a new one when one of
//! the three changes, about once per second in steady use (the tickets'
//! payload tail does the same, `ticket/mint.rs`). base64 turns every 3
//! bytes into 4 characters on their own, so the head's longest prefix whose
//! length is a multiple of 3 always encodes to the same text; only the 0-2
//! bytes after it are encoded again with the rest of each token's claims.

use crate::application::Application;

/// One thread's last claims head.
pub(super) struct ClaimsHead {
    /// `(application instance, iat, exp)` of `json`; instance 0 is no
    /// application, so a fresh head is never taken for written.
    written_for: (u64, i64, i64),
    json: String,
    /// base64url of `json[..aligned_len()]`.
    aligned_base64: String,
}

impl ClaimsHead {
    pub(super) const EMPTY: Self = ClaimsHead {
        written_for: (0, 0, 0),
        json: String::new(),
        aligned_base64: String::new(),
    };

    /// Makes this the head of `app`'s tokens issued at `iat` and expiring
    /// at `exp` (Unix seconds).
    #[inline]
    pub(super) fn refresh(&mut self, app: &Application, iat: i64, exp: i64) {
        let written_for = (app.day_keys.instance(), iat, exp);
        if self.written_for != written_for {
            self.rewrite(app, written_for);
        }
    }

    #[cold]
    fn rewrite(&mut self, app: &Application, written_for: (u64, i64, i64)) {
        let (_, iat, exp) = written_for;
        let mut digits = itoa::Buffer::new();
        self.json.clear();
        self.json.push_str(r#"{"exp":"#);
        self.json.push_str(digits.format(exp));
        self.json.push_str(r#","iat":"#);
        self.json.push_str(digits.format(iat));
        self.json.push_str(&app.day_keys.key_claims(app.key()).iss);
        self.json.push_str(r#","nonce":"#);
        self.aligned_base64.clear();
        base64_simd::URL_SAFE_NO_PAD.encode_append(
            &self.json.as_bytes()[..self.aligned_len()],
            &mut self.aligned_base64,
        );
        self.written_for = written_for;
    }

    fn aligned_len(&self) -> usize {
        self.json.len() / 3 * 3
    }

    /// base64url of the head's first multiple of 3 bytes.
    pub(super) fn aligned_base64(&self) -> &str {
        &self.aligned_base64
    }

    /// The 0-2 bytes after them, which start the part of the claims each
    /// token encodes itself.
    pub(super) fn unaligned_json(&self) -> &str {
        &self.json[self.aligned_len()..]
    }

    /// Bytes held, for the scratch's size cap.
    pub(super) fn capacity(&self) -> usize {
        self.json.capacity() + self.aligned_base64.capacity()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use time::OffsetDateTime;

    use crate::{Application, VerifyOptions};

    /// Mints runs of tokens that share heads, changing one input at a time
    /// between runs (each change must be noticed), and checks every token's
    /// claims against the JSON they must carry and its signature.
    #[test]
    fn remembered_heads_never_serve_another_token() {
        let app = |key| Application::from_base64(key, "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
        // Keys one character apart, and keys one byte longer and shorter,
        // so that the head's length takes every value modulo 3.
        let a = app("a32e5a8d-f7d8-411c-9645-9038e8dd051d");
        let b = app("a32e5a8d-f7d8-411c-9645-9038e8dd051e");
        let c = app("a32e5a8d-f7d8-411c-9645-9038e8dd051");
        let d = app("a32e5a8d-f7d8-411c-9645-9038e8dd051de");
        let t0 = OffsetDateTime::from_unix_timestamp(1_795_852_800).unwrap();
        let t1 = t0 + time::Duration::SECOND;
        let runs = [
            (&a, t0, 600),
            (&b, t0, 600),
            (&a, t0, 600),
            (&a, t1, 600),
            (&a, t0, 600),
            (&a, t0, 601),
            (&c, t0, 600),
            (&d, t0, 600),
            (&a, t1, 3600),
        ];
        for (run, (app, iat, ttl)) in runs.into_iter().enumerate() {
            for (user, nonce) in [("alice", None), ("bob", Some("n")), ("carol", Some("nn"))] {
                let mut builder = app
                    .registration_token(user)
                    .with_issued_at(iat)
                    .with_ttl(Duration::from_secs(ttl));
                if let Some(n) = nonce {
                    builder = builder.with_nonce(n);
                }
                let token = builder.mint().unwrap();
                let claims = token.as_str().split('.').nth(1).unwrap();
                let claims = String::from_utf8(URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
                let nonce = match nonce {
                    Some(n) => n.to_owned(),
                    None => claims.split(r#""nonce":""#).nth(1).unwrap()[..36].to_owned(),
                };
                let key = app.key().as_str();
                let want = format!(
                    r#"{{"exp":{},"iat":{},"iss":"//rtc.sinch.com/applications/{key}","nonce":"{nonce}","sub":"//rtc.sinch.com/applications/{key}/users/{user}"}}"#,
                    iat.unix_timestamp() + ttl as i64,
                    iat.unix_timestamp(),
                );
                assert_eq!(claims, want, "run {run}");
                app.verify_token(token.as_str(), &VerifyOptions::default().with_now(iat))
                    .unwrap();
            }
        }
    }
}
