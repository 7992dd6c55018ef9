//! Shared by the edge-case test files: one application, and hand-built
//! credentials signed exactly as Sinch's formats say (FORMATS §1–2), so that
//! tests can present what this crate would never mint.

#![allow(dead_code)] // each test file uses its own part

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sinch_auth::{Application, ErrorKind, VerifyOptions, token};
use time::{Date, OffsetDateTime};

pub const KEY: &str = "a32e5a8d-f7d8-411c-9645-9038e8dd051d";
pub const SECRET: &str = "ax8hTTQJF0OPXL32r1LHMA==";
pub const ISS: &str = "//rtc.sinch.com/applications/a32e5a8d-f7d8-411c-9645-9038e8dd051d";

pub fn app() -> Application {
    Application::from_base64(KEY, SECRET).unwrap()
}

/// 2018-01-02T03:04:05Z, the reference tokens' `iat`.
pub fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_514_862_245).unwrap()
}

pub fn at(now: OffsetDateTime) -> VerifyOptions {
    VerifyOptions::default().with_now(now)
}

pub fn secs(n: i64) -> time::Duration {
    time::Duration::seconds(n)
}

/// `base64(payload):base64(HMAC(secret, payload))`, any payload bytes.
pub fn sign_ticket(payload: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app().secret().expose_bytes()).unwrap();
    mac.update(payload);
    format!(
        "{}:{}",
        STANDARD.encode(payload),
        STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// A JWS signed with the day key of `key_date`, whatever the header and
/// claims say.
pub fn sign_token(header: &str, claims: &str, key_date: Date) -> String {
    let key = token::derive_signing_key(app().secret(), key_date);
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(&*key).unwrap();
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

/// The header this crate writes, for `iat` = [`t0`].
pub fn header() -> String {
    r#"{"alg":"HS256","kid":"hkdfv1-20180102"}"#.to_owned()
}

/// Sorted claims for user `foo`, `iat` = [`t0`], TTL 600 s.
pub fn claims() -> String {
    claims_with(1_514_862_245, 1_514_862_845)
}

pub fn claims_with(iat: i64, exp: i64) -> String {
    format!(r#"{{"exp":{exp},"iat":{iat},"iss":"{ISS}","nonce":"n-1","sub":"{ISS}/users/foo"}}"#)
}

/// Signs `header`/`claims` with the day key of [`t0`] and verifies at `t0`.
pub fn verify_token_at_t0(header: &str, claims: &str) -> Result<String, sinch_auth::Error> {
    let token = sign_token(header, claims, t0().date());
    app()
        .verify_token(&token, &at(t0()))
        .map(|c| c.user_id().to_owned())
}

/// A seed-shaped ticket payload with the given pieces.
pub fn ticket_payload(user: &str, expires_in: &str, key: &str, created: &str) -> String {
    format!(
        r#"{{"identity":{{"type":"username","endpoint":"{user}"}},"expiresIn":{expires_in},"applicationKey":"{key}","created":"{created}"}}"#
    )
}

/// Fails with the error's text when it is not the expected kind.
#[track_caller]
pub fn assert_kind(err: &sinch_auth::Error, expected: fn(&ErrorKind) -> bool) {
    assert!(expected(err.kind()), "unexpected error: {err} ({err:?})");
}
