//! The per-day signing key, `HMAC-SHA256(secret, "YYYYMMDD")`, and a
//! one-slot cache of it.
//!
//! Despite the `hkdfv1` name Sinch gives it, this is one HMAC, not RFC 5869
//! HKDF (FORMATS §2).

use std::sync::RwLock;

use hmac::Mac;
use time::Date;
use zeroize::Zeroizing;

use crate::credentials::{ApplicationSecret, HmacSha256};

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

/// Remembers the MAC keyed with one day's signing key. Minting asks for the
/// date of its `iat`; a different date replaces the slot, so a stale day is
/// never used and a token for another day (tests, `--now`) is still right.
#[derive(Default)]
pub(crate) struct DayKeyCache {
    slot: RwLock<Option<(Date, HmacSha256)>>,
}

impl DayKeyCache {
    /// A MAC keyed with the signing key of `date`.
    pub(crate) fn mac_for(&self, secret: &ApplicationSecret, date: Date) -> HmacSha256 {
        {
            let slot = self.slot.read().unwrap_or_else(|p| p.into_inner());
            if let Some((cached, mac)) = slot.as_ref() {
                if *cached == date {
                    return mac.clone();
                }
            }
        }
        let key = derive_signing_key(secret, date);
        let mac = HmacSha256::new_from_slice(&*key).expect("HMAC-SHA256 accepts any key length");
        *self.slot.write().unwrap_or_else(|p| p.into_inner()) = Some((date, mac.clone()));
        mac
    }
}

impl Clone for DayKeyCache {
    fn clone(&self) -> Self {
        // A cache is cheap to refill; cloning it empty avoids copying keys.
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
        }
    }

    #[test]
    fn digits() {
        assert_eq!(date_digits(date!(0987 - 03 - 09)), "09870309");
        assert_eq!(date_digits(date!(2026 - 12 - 31)), "20261231");
    }
}
