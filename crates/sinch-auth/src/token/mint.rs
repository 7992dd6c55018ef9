//! Minting: deterministic bytes in sorted claim order, which reproduces
//! Sinch's reference tokens exactly.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::time::Duration;

use hmac::Mac;
use time::OffsetDateTime;

use super::jwt::write_json_string;
use crate::application::Application;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind};
use crate::user_id::validate_token_user_id;

mod claims_head;
mod nonce;
use claims_head::ClaimsHead;
use nonce::push_uuid_v4;

/// The shortest device-registration lifetime Sinch accepts: 48 hours.
pub const MIN_INSTANCE_TTL: Duration = Duration::from_secs(48 * 3600);

/// The issuer prefix of `iss` and `sub` (no scheme, by design of Sinch).
pub(crate) const ISSUER_PREFIX: &str = "//rtc.sinch.com/applications/";

/// Allowed token lifetimes (`exp - iat`), inclusive, whole seconds.
///
/// ```
/// use std::time::Duration;
/// use sinch_auth::token::TtlBounds;
/// let b = TtlBounds::new(Duration::from_secs(60), Duration::from_secs(3600)).unwrap();
/// assert!(b.contains(Duration::from_secs(600)));
/// assert!(TtlBounds::new(Duration::from_secs(59), Duration::from_secs(3600)).is_err());
/// assert_eq!(TtlBounds::default().max(), Duration::from_secs(86_400));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TtlBounds {
    min: Duration,
    max: Duration,
}

impl Default for TtlBounds {
    /// 60 s … 24 h (FORMATS §2).
    fn default() -> Self {
        TtlBounds {
            min: Self::FLOOR,
            max: Duration::from_secs(24 * 3600),
        }
    }
}

impl TtlBounds {
    /// No token may live less than 60 s (FORMATS §2).
    pub const FLOOR: Duration = Duration::from_secs(60);

    /// Bounds from `min` to `max`; `min` at least [`FLOOR`](Self::FLOOR),
    /// both whole seconds, `max` at most 2³¹−1 s.
    pub fn new(min: Duration, max: Duration) -> Result<Self, Error> {
        let bad = |m: String| Err(ErrorKind::InvalidTtlBounds(m).into());
        if min.subsec_nanos() != 0 || max.subsec_nanos() != 0 {
            return bad("bounds must be whole seconds".into());
        }
        if min < Self::FLOOR {
            return bad(format!(
                "minimum {} s is below the 60 s floor",
                min.as_secs()
            ));
        }
        if max < min {
            return bad(format!(
                "maximum {} s is below the minimum {} s",
                max.as_secs(),
                min.as_secs()
            ));
        }
        if max.as_secs() > i32::MAX as u64 {
            return bad("maximum must be at most 2147483647 s".into());
        }
        Ok(TtlBounds { min, max })
    }

    /// The lower bound.
    pub fn min(&self) -> Duration {
        self.min
    }

    /// The upper bound.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// Whether `ttl` is within the bounds and whole seconds.
    pub fn contains(&self, ttl: Duration) -> bool {
        ttl.subsec_nanos() == 0 && (self.min..=self.max).contains(&ttl)
    }
}

/// A minted registration token: the compact JWT the SDK's
/// `clientRegistration.register(jwt)` takes. `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistrationToken {
    text: String,
    // Unix seconds, both checked to be within years 1970-9999 when minted;
    // turned into dates only when asked, which minting need not pay for.
    iat: i64,
    exp: i64,
}

impl RegistrationToken {
    /// The compact JWT.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Takes the compact JWT.
    pub fn into_string(self) -> String {
        self.text
    }

    /// `iat`.
    pub fn issued_at(&self) -> OffsetDateTime {
        unix_time(self.iat)
    }

    /// `exp`.
    pub fn expires_at(&self) -> OffsetDateTime {
        unix_time(self.exp)
    }
}

impl fmt::Debug for RegistrationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistrationToken")
            .field("text", &"[redacted]")
            .field("issued_at", &self.issued_at())
            .field("expires_at", &self.expires_at())
            .finish()
    }
}

/// Builds one registration token; start from
/// [`Application::registration_token`].
///
/// ```
/// use sinch_auth::Application;
/// use time::macros::datetime;
/// let app = Application::from_base64(
///     "a32e5a8d-f7d8-411c-9645-9038e8dd051d",
///     "ax8hTTQJF0OPXL32r1LHMA==",
/// ).unwrap();
/// let token = app
///     .registration_token("foo")
///     .with_issued_at(datetime!(2018-01-02 03:04:05 UTC)) // default: now
///     .with_nonce("6b438bda-2d5c-4e8c-92b0-39f20a94b34e")  // default: random UUIDv4
///     .mint()
///     .unwrap();
/// assert!(token.as_str().ends_with(".10N-QAvRK0-dacox5X5YusK7C0AWb-kZLiNNTKLQw8I"));
/// ```
#[must_use = "a builder does nothing until .mint() is called"]
#[derive(Debug, Clone)]
pub struct TokenBuilder<'a> {
    app: &'a Application,
    user_id: Cow<'a, str>,
    ttl: Duration,
    bounds: TtlBounds,
    instance_ttl: Option<Duration>,
    issued_at: Option<OffsetDateTime>,
    nonce: Option<String>,
}

impl Application {
    /// Starts a registration token for `user_id`, which must use only
    /// `A–Z a–z 0–9 - _ =` (see
    /// [`encode_user_id_for_token`](crate::encode_user_id_for_token)).
    pub fn registration_token<'a>(&'a self, user_id: impl Into<Cow<'a, str>>) -> TokenBuilder<'a> {
        TokenBuilder {
            app: self,
            user_id: user_id.into(),
            ttl: TokenBuilder::DEFAULT_TTL,
            bounds: TtlBounds::default(),
            instance_ttl: None,
            issued_at: None,
            nonce: None,
        }
    }
}

impl<'a> TokenBuilder<'a> {
    /// Default lifetime: 600 s, as in Sinch's samples.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(600);

    /// Lifetime, `exp - iat`. Default: [`DEFAULT_TTL`](Self::DEFAULT_TTL).
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Bounds the lifetime must fall in. Default: [`TtlBounds::default`].
    pub fn with_ttl_bounds(mut self, bounds: TtlBounds) -> Self {
        self.bounds = bounds;
        self
    }

    /// Adds `sinch:rtc:instance:exp = iat + ttl`, limiting how long the
    /// device registration lasts; at least [`MIN_INSTANCE_TTL`].
    /// Default: absent.
    pub fn with_instance_ttl(mut self, ttl: Duration) -> Self {
        self.instance_ttl = Some(ttl);
        self
    }

    /// `iat` (whole seconds; its UTC date picks the signing key).
    /// Default: the system clock when [`mint`](Self::mint) runs (on Linux
    /// its coarse reading, which can lag by one timer tick, a few
    /// milliseconds).
    pub fn with_issued_at(mut self, issued_at: OffsetDateTime) -> Self {
        self.issued_at = Some(issued_at);
        self
    }

    /// Reads `iat` from `clock`, now.
    pub fn with_clock(self, clock: &dyn Clock) -> Self {
        self.with_issued_at(clock.now())
    }

    /// The `nonce`: 1–255 bytes, no control characters.
    /// Default: a random UUIDv4 from a CSPRNG seeded by the operating system
    /// (`rand`'s thread-local generator).
    pub fn with_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// Validates everything and signs the token.
    pub fn mint(self) -> Result<RegistrationToken, Error> {
        validate_token_user_id(&self.user_id)?;
        if !self.bounds.contains(self.ttl) {
            return Err(ErrorKind::TtlOutOfRange {
                ttl_secs: self.ttl.as_secs(),
                min_secs: self.bounds.min.as_secs(),
                max_secs: self.bounds.max.as_secs(),
            }
            .into());
        }
        // `iat` keeps whole seconds: with no time given, read them the cheap
        // way, as tickets do (clock.rs).
        let iat = match self.issued_at {
            None => SystemClock::unix_seconds(),
            Some(t) => t.unix_timestamp(),
        };
        if !(0..=253_402_300_799 - 2 * i64::from(i32::MAX)).contains(&iat) {
            return Err(
                ErrorKind::TimeOutOfRange("iat must be between 1970 and 9931".into()).into(),
            );
        }
        let exp = iat + self.ttl.as_secs() as i64;
        let instance_exp = match self.instance_ttl {
            None => None,
            Some(t)
                if t < MIN_INSTANCE_TTL
                    || t.subsec_nanos() != 0
                    || t.as_secs() > i32::MAX as u64 =>
            {
                return Err(ErrorKind::InstanceTtlTooShort {
                    ttl_secs: t.as_secs(),
                }
                .into());
            }
            Some(t) => Some(iat + t.as_secs() as i64),
        };
        if let Some(n) = &self.nonce {
            if n.is_empty() || n.len() > 255 || n.chars().any(char::is_control) {
                return Err(ErrorKind::InvalidClaim {
                    credential: crate::CredentialKind::RegistrationToken,
                    reason: "nonce must be 1-255 bytes without control characters".into(),
                }
                .into());
            }
        }

        SCRATCH.with_borrow_mut(|scratch| {
            let MintScratch { head, rest } = scratch;
            head.refresh(self.app, iat, exp);
            self.write_claims_rest(rest, head.unaligned_json(), instance_exp);
            // Header, then the claims' base64url in two pieces cut at a
            // multiple of 3 bytes: the head's (encoded once per head) and
            // the rest's (encoded now). The vectors, the jsonwebtoken
            // cross-check and the unit tests of `claims_head` check it byte
            // for byte.
            let claims_b64_len = head.aligned_base64().len() + rest.len().div_ceil(3) * 4;
            let mut text = String::new();
            let mut mac = self.app.day_keys.with_signer(
                self.app.secret(),
                iat.div_euclid(SECONDS_PER_DAY),
                |signer| {
                    let header = signer.header_b64_dot();
                    text.reserve_exact(header.len() + claims_b64_len + 1 + 43);
                    text.push_str(header);
                    signer.mac()
                },
            );
            text.push_str(head.aligned_base64());
            base64_simd::URL_SAFE_NO_PAD.encode_append(&rest, &mut text);
            scratch.let_go_if_large();
            mac.update(text.as_bytes());
            text.push('.');
            base64_simd::URL_SAFE_NO_PAD.encode_append(mac.finalize().into_bytes(), &mut text);
            Ok(RegistrationToken { text, iat, exp })
        })
    }

    /// Writes the claims after the head's aligned bytes into `rest`
    /// (emptied first): the head's `unaligned` 0-2 bytes, then the nonce
    /// and the claims after it, in sorted key order.
    fn write_claims_rest(&self, rest: &mut String, unaligned: &str, instance_exp: Option<i64>) {
        rest.clear();
        rest.push_str(unaligned);
        match &self.nonce {
            Some(n) => write_json_string(rest, n),
            None => {
                rest.push('"');
                push_uuid_v4(rest);
                rest.push('"');
            }
        }
        if let Some(ie) = instance_exp {
            rest.push_str(r#","sinch:rtc:instance:exp":"#);
            rest.push_str(itoa::Buffer::new().format(ie));
        }
        rest.push_str(&self.app.day_keys.key_claims(self.app.key()).sub_prefix);
        rest.push_str(&self.user_id); // its alphabet needs no JSON escaping
        rest.push_str("\"}");
    }
}

/// What minting reuses from call to call on one thread, so that it
/// allocates only the token text. Nothing secret: every token carries the
/// same bytes in base64url.
struct MintScratch {
    head: ClaimsHead,
    /// The claims of the token being minted after the head's aligned bytes.
    rest: String,
}

impl MintScratch {
    const EMPTY: Self = MintScratch {
        head: ClaimsHead::EMPTY,
        rest: String::new(),
    };

    /// Frees what an unusually long application key, user id or nonce made
    /// grow.
    #[inline]
    fn let_go_if_large(&mut self) {
        if self.capacity() > MAX_KEPT_CAPACITY {
            *self = MintScratch::EMPTY;
        }
    }

    fn capacity(&self) -> usize {
        self.head.capacity() + self.rest.capacity()
    }
}

thread_local! {
    static SCRATCH: RefCell<MintScratch> = const { RefCell::new(MintScratch::EMPTY) };
}

/// The scratch of normal application keys, user ids and nonces stays well
/// under this many bytes (under 1 KiB for a UUID key).
const MAX_KEPT_CAPACITY: usize = 4096;

const SECONDS_PER_DAY: i64 = 86_400;

/// A Unix time that minting checked to be within years 1970-9999.
fn unix_time(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).expect("checked when minted")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::VerifyOptions;

    #[test]
    fn an_outsized_key_mints_right_and_is_not_kept() {
        let t0 = OffsetDateTime::from_unix_timestamp(1_795_852_800).unwrap();
        let secret = "ax8hTTQJF0OPXL32r1LHMA==";
        // Long enough to outgrow the scratch cap, short enough to verify (8 KiB).
        let long = Application::from_base64(&"k".repeat(2000), secret).unwrap();
        let normal =
            Application::from_base64("a32e5a8d-f7d8-411c-9645-9038e8dd051d", secret).unwrap();
        for app in [&long, &normal, &long, &normal] {
            let token = app
                .registration_token("alice")
                .with_issued_at(t0)
                .mint()
                .unwrap();
            let claims = app
                .verify_token(token.as_str(), &VerifyOptions::default().with_now(t0))
                .unwrap();
            assert_eq!(claims.application_key(), app.key().as_str());
            let kept = SCRATCH.with_borrow(MintScratch::capacity);
            assert!(kept <= MAX_KEPT_CAPACITY, "{kept}");
        }
    }
}
