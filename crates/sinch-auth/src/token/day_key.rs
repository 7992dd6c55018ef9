//! The per-day signing key, `HMAC-SHA256(secret, "YYYYMMDD")`, and the
//! cache that lets minting skip everything it can compute ahead: the current
//! day's keyed MAC and encoded header, and the JSON fixed by the application
//! key (docs/performance.md).
//!
//! Despite the `hkdfv1` name Sinch gives it, this is one HMAC, not RFC 5869
//! HKDF (FORMATS §2).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{OnceLock, PoisonError, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac;
use time::Date;
use zeroize::Zeroizing;

use super::jwt::write_json_string;
use super::mint::ISSUER_PREFIX;
use crate::credentials::{ApplicationKey, ApplicationSecret, HmacSha256};

/// `YYYYMMDD` of a UTC date.
fn date_digits(date: Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The JWT `kid` for tokens issued on `date`: `hkdfv1-YYYYMMDD`.
///
/// ```
/// use time::macros::date;
/// assert_eq!(sinch_auth::token::key_id(date!(2018-01-02)), "hkdfv1-20180102");
/// ```
pub fn key_id(date: Date) -> String {
    format!("hkdfv1-{}", date_digits(date))
}

/// The signing key of `date` (a UTC date), zeroized on drop.
///
/// ```
/// use base64::Engine as _;
/// use sinch_auth::ApplicationSecret;
/// use time::macros::date;
/// let secret = ApplicationSecret::from_base64("ax8hTTQJF0OPXL32r1LHMA==").unwrap();
/// let key = sinch_auth::token::derive_signing_key(&secret, date!(2018-01-02));
/// let b64 = base64::engine::general_purpose::STANDARD.encode(&*key);
/// assert_eq!(b64, "AZj5EsS8S7wb06xr5jERqPHsraQt3w/+Ih5EfrhisBQ=");
/// ```
pub fn derive_signing_key(secret: &ApplicationSecret, date: Date) -> Zeroizing<[u8; 32]> {
    let mut mac = secret.mac();
    mac.update(date_digits(date).as_bytes());
    Zeroizing::new(mac.finalize().into_bytes().into())
}

/// The Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// Days since 1970-01-01.
fn day_number(date: Date) -> i64 {
    i64::from(date.to_julian_day() - UNIX_EPOCH_JULIAN_DAY)
}

/// What minting needs for one UTC day: the MAC keyed with that day's
/// signing key, and the header, which names the day in its `kid`, already
/// base64url-encoded and followed by the `.`.
pub(crate) struct DaySigner {
    /// Days since 1970-01-01 (UTC), which minting gets from `iat` by one
    /// division.
    day: i64,
    mac: HmacSha256,
    header_b64_dot: String,
}

impl DaySigner {
    fn new(secret: &ApplicationSecret, date: Date) -> Self {
        let key = derive_signing_key(secret, date);
        let mac = HmacSha256::new_from_slice(&*key).expect("HMAC-SHA256 accepts any key length");
        let header = format!(r#"{{"alg":"HS256","kid":"{}"}}"#, key_id(date));
        let mut header_b64_dot = URL_SAFE_NO_PAD.encode(header);
        header_b64_dot.push('.');
        DaySigner {
            day: day_number(date),
            mac,
            header_b64_dot,
        }
    }

    /// A fresh MAC keyed with the day's signing key.
    pub(crate) fn mac(&self) -> HmacSha256 {
        self.mac.clone()
    }

    /// `b64url({"alg":"HS256","kid":"hkdfv1-YYYYMMDD"}) "."`.
    pub(crate) fn header_b64_dot(&self) -> &str {
        &self.header_b64_dot
    }
}

/// The JSON of the claims that depend only on the application key, written
/// once per [`Application`](crate::Application).
pub(crate) struct KeyClaims {
    /// `,"iss":"//rtc.sinch.com/applications/KEY"`.
    pub(crate) iss: String,
    /// `,"sub":"//rtc.sinch.com/applications/KEY/users/`, which the user id
    /// (from an alphabet that needs no escaping) and `"` complete.
    pub(crate) sub_prefix: String,
}

impl KeyClaims {
    fn new(key: &ApplicationKey) -> Self {
        let iss_value = format!("{ISSUER_PREFIX}{}", key.as_str());
        let mut iss = String::from(r#","iss":"#);
        write_json_string(&mut iss, &iss_value);
        let mut sub_prefix = String::from(r#","sub":"#);
        write_json_string(&mut sub_prefix, &format!("{iss_value}/users/"));
        sub_prefix.pop(); // the closing quote comes after the user id
        KeyClaims { iss, sub_prefix }
    }
}

/// What minting derives from the application's key and secret, computed
/// once: the [`DaySigner`] of one day and the token [`KeyClaims`]; and the
/// number that tells this cache from every other in the process, which
/// per-thread caches of derived data use as the application's name.
///
/// Minting asks for the signer of its `iat` date; a different date replaces
/// the slot, so a stale day is never used and a token for another day
/// (tests, `--now`) is still right.
pub(crate) struct DayKeyCache {
    instance: u64,
    slot: RwLock<Option<DaySigner>>,
    key_claims: OnceLock<KeyClaims>,
}

impl Default for DayKeyCache {
    fn default() -> Self {
        // Starts at 1: per-thread caches use 0 for "no application yet".
        static NEXT_INSTANCE: AtomicU64 = AtomicU64::new(1);
        DayKeyCache {
            instance: NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed),
            slot: RwLock::default(),
            key_claims: OnceLock::new(),
        }
    }
}

impl DayKeyCache {
    /// Runs `f` on the signer of `day`, in days since 1970-01-01 (UTC),
    /// under the slot's read lock: minting only copies the header and clones
    /// the MAC there, so the lock is held briefly, and no reference count is
    /// touched (two atomic operations per token fewer than handing out an
    /// `Arc`).
    pub(crate) fn with_signer<R>(
        &self,
        secret: &ApplicationSecret,
        day: i64,
        f: impl FnOnce(&DaySigner) -> R,
    ) -> R {
        {
            let slot = self.slot.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(signer) = slot.as_ref().filter(|s| s.day == day) {
                return f(signer);
            }
        }
        let date = Date::from_julian_day(UNIX_EPOCH_JULIAN_DAY + day as i32)
            .expect("days of years 1970-9999 are valid dates");
        let signer = DaySigner::new(secret, date);
        let mut slot = self.slot.write().unwrap_or_else(PoisonError::into_inner);
        f(slot.insert(signer))
    }

    /// A MAC keyed with the signing key of `date` (a UTC date).
    pub(crate) fn mac_for(&self, secret: &ApplicationSecret, date: Date) -> HmacSha256 {
        self.with_signer(secret, day_number(date), DaySigner::mac)
    }

    /// The claims JSON fixed by `key`, which must be the owning
    /// application's key (the cache lives inside that application).
    pub(crate) fn key_claims(&self, key: &ApplicationKey) -> &KeyClaims {
        self.key_claims.get_or_init(|| KeyClaims::new(key))
    }

    /// A number no other cache of this process has (u64: creating one per
    /// nanosecond would take centuries to wrap). A clone gets its own.
    pub(crate) fn instance(&self) -> u64 {
        self.instance
    }
}

impl Clone for DayKeyCache {
    fn clone(&self) -> Self {
        // A cache is cheap to refill; cloning it empty avoids copying keys.
        // (Its new instance number makes per-thread caches refill too, which
        // they could have skipped: a clone has the same key.)
        DayKeyCache::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn cache_never_serves_another_day() {
        let secret = ApplicationSecret::from_base64("ax8hTTQJF0OPXL32r1LHMA==").unwrap();
        let cache = DayKeyCache::default();
        for day in [
            date!(2018 - 01 - 02),
            date!(2018 - 01 - 03),
            date!(2018 - 01 - 02),
        ] {
            let from_cache = cache
                .mac_for(&secret, day)
                .chain_update(b"m")
                .finalize()
                .into_bytes();
            let fresh = HmacSha256::new_from_slice(&*derive_signing_key(&secret, day))
                .unwrap()
                .chain_update(b"m")
                .finalize()
                .into_bytes();
            assert_eq!(from_cache, fresh, "{day}");
            let header = URL_SAFE_NO_PAD
                .decode(
                    cache
                        .with_signer(&secret, day_number(day), |s| s.header_b64_dot().to_owned())
                        .trim_end_matches('.'),
                )
                .unwrap();
            let want = format!(r#"{{"alg":"HS256","kid":"{}"}}"#, key_id(day));
            assert_eq!(header, want.as_bytes(), "{day}");
        }
    }

    #[test]
    fn every_cache_and_clone_has_its_own_instance() {
        let a = DayKeyCache::default();
        let b = DayKeyCache::default();
        let c = a.clone();
        assert_ne!(a.instance(), 0);
        assert_ne!(a.instance(), b.instance());
        assert_ne!(a.instance(), c.instance());
        assert_ne!(b.instance(), c.instance());
    }

    #[test]
    fn key_claims_escape_the_key() {
        let key = ApplicationKey::new(r#"k"e\y"#).unwrap();
        let claims = KeyClaims::new(&key);
        assert_eq!(
            claims.iss,
            r#","iss":"//rtc.sinch.com/applications/k\"e\\y""#
        );
        assert_eq!(
            claims.sub_prefix,
            r#","sub":"//rtc.sinch.com/applications/k\"e\\y/users/"#
        );
    }

    #[test]
    fn digits() {
        assert_eq!(date_digits(date!(0987 - 03 - 09)), "09870309");
        assert_eq!(date_digits(date!(2026 - 12 - 31)), "20261231");
    }
}
