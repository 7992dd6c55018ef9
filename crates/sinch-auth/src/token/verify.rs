//! Verification: header, key of the `kid` date, MAC in constant time, then
//! claims in any order.

use hmac::Mac;
use serde::Deserialize;
use serde::de::IgnoredAny;
use time::{Date, Month, OffsetDateTime};

use super::claims::TokenClaims;
use super::jwt::split_token;
use super::mint::{ISSUER_PREFIX, MIN_INSTANCE_TTL, TtlBounds};
use crate::application::Application;
use crate::error::{CredentialKind, Error, ErrorKind, excerpt, json_reason};
use crate::user_id::validate_token_user_id;
use crate::verified::Verified;
use crate::verify_options::{VerifyOptions, check_window};

const KIND: CredentialKind = CredentialKind::RegistrationToken;

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    #[allow(dead_code)] // accepted, not required (FORMATS §2)
    typ: Option<IgnoredAny>,
    crit: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct Claims {
    exp: i64,
    iat: i64,
    iss: String,
    sub: String,
    nonce: String,
    #[serde(rename = "sinch:rtc:instance:exp")]
    instance_exp: Option<i64>,
}

/// Reads `hkdfv1-YYYYMMDD` into its date.
fn parse_kid(kid: &str) -> Result<Date, Error> {
    let bad = || Error::from(ErrorKind::InvalidKeyId(excerpt(kid)));
    let digits = kid.strip_prefix("hkdfv1-").ok_or_else(bad)?;
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n = |r: std::ops::Range<usize>| digits[r].parse::<u16>().map_err(|_| bad());
    let month = Month::try_from(n(4..6)? as u8).map_err(|_| bad())?;
    Date::from_calendar_date(i32::from(n(0..4)?), month, n(6..8)? as u8).map_err(|_| bad())
}

fn timestamp(value: i64, claim: &str) -> Result<OffsetDateTime, Error> {
    OffsetDateTime::from_unix_timestamp(value)
        .map_err(|_| Error::claim(KIND, format!("{claim} is out of range")))
}

impl Application {
    /// Verifies a registration token signed for this application.
    ///
    /// Checks, in order: shape and strict base64url; `alg` is HS256 (never
    /// `none`); no `crit`; `kid` is `hkdfv1-YYYYMMDD`; the MAC under that
    /// day's key, in constant time; integer `iat`/`exp`; `iss` and `sub`
    /// name this application; the `kid` date is the UTC date of `iat`;
    /// `exp - iat` at least 60 s; the validity window with the leeway;
    /// `sinch:rtc:instance:exp` at least 48 h after `iat`. Claim order and a
    /// `typ` header do not matter.
    ///
    /// ```
    /// use sinch_auth::{Application, ErrorKind, VerifyOptions};
    /// use time::macros::datetime;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
    /// let t0 = datetime!(2026-11-28 08:00 UTC);
    /// let token = app.registration_token("alice").with_issued_at(t0).mint().unwrap();
    /// let claims = app.verify_token(token.as_str(), &VerifyOptions::default().with_now(t0)).unwrap();
    /// assert_eq!(claims.user_id(), "alice");
    ///
    /// let other = Application::from_base64("my-key", "AAAAAAAAAAAAAAAAAAAAAA==").unwrap();
    /// let err = other.verify_token(token.as_str(), &VerifyOptions::default().with_now(t0)).unwrap_err();
    /// assert!(matches!(err.kind(), ErrorKind::InvalidSignature(_)));
    /// ```
    pub fn verify_token(
        &self,
        token: &str,
        options: &VerifyOptions,
    ) -> Result<Verified<TokenClaims>, Error> {
        let parts = split_token(token)?;
        let header: Header = serde_json::from_slice(&parts.header)
            .map_err(|e| Error::malformed(KIND, format!("header JSON: {}", json_reason(&e))))?;
        if header.alg != "HS256" {
            return Err(ErrorKind::UnsupportedAlgorithm(excerpt(&header.alg)).into());
        }
        if header.crit.is_some() {
            return Err(Error::malformed(
                KIND,
                "critical header extensions are not supported",
            ));
        }
        let kid = header
            .kid
            .ok_or_else(|| Error::malformed(KIND, "header has no kid"))?;
        let key_date = parse_kid(&kid)?;

        let mut mac = self.day_keys.mac_for(self.secret(), key_date);
        mac.update(parts.signing_input.as_bytes());
        mac.verify_slice(&parts.signature)
            .map_err(|_| Error::from(ErrorKind::InvalidSignature(KIND)))?;

        let c: Claims = serde_json::from_slice(&parts.claims)
            .map_err(|e| Error::malformed(KIND, format!("claims JSON: {}", json_reason(&e))))?;
        let app_key = c
            .iss
            .strip_prefix(ISSUER_PREFIX)
            .ok_or_else(|| Error::claim(KIND, format!("iss must start with {ISSUER_PREFIX}")))?;
        if !self.key().matches(app_key) {
            return Err(ErrorKind::ApplicationKeyMismatch {
                credential: KIND,
                expected: self.key().to_string(),
                found: excerpt(app_key),
            }
            .into());
        }
        let user_id = c
            .sub
            .strip_prefix(c.iss.as_str())
            .and_then(|rest| rest.strip_prefix("/users/"))
            .ok_or_else(|| Error::claim(KIND, "sub must be iss + \"/users/\" + user id"))?;
        validate_token_user_id(user_id).map_err(|e| Error::claim(KIND, e.to_string()))?;

        let issued_at = timestamp(c.iat, "iat")?;
        let expires_at = timestamp(c.exp, "exp")?;
        if issued_at.date() != key_date {
            return Err(Error::claim(
                KIND,
                format!("kid {kid} does not match the UTC date of iat"),
            ));
        }
        if (c.exp as i128) - (c.iat as i128) < TtlBounds::FLOOR.as_secs() as i128 {
            return Err(Error::claim(KIND, "exp must be at least 60 s after iat"));
        }
        let instance_expires_at = match c.instance_exp {
            None => None,
            Some(ie) => {
                if (ie as i128) - (c.iat as i128) < MIN_INSTANCE_TTL.as_secs() as i128 {
                    return Err(Error::claim(
                        KIND,
                        "sinch:rtc:instance:exp must be at least 48 h after iat",
                    ));
                }
                Some(timestamp(ie, "sinch:rtc:instance:exp")?)
            }
        };
        check_window(KIND, issued_at, expires_at, options)?;
        Ok(Verified::new(TokenClaims {
            key_id: kid,
            application_key: app_key.to_owned(),
            user_id: user_id.to_owned(),
            issued_at,
            expires_at,
            nonce: c.nonce,
            instance_expires_at,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn kid_parsing() {
        assert_eq!(parse_kid("hkdfv1-20180102").unwrap(), date!(2018 - 01 - 02));
        for bad in [
            "hkdfv1-2018010",
            "hkdfv2-20180102",
            "hkdfv1-20180230",
            "hkdfv1-2018010x",
            "hkdfv1-+2018012",
        ] {
            assert!(parse_kid(bad).is_err(), "{bad}");
        }
    }
}
