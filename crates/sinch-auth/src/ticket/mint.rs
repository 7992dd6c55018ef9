//! Minting: the seed's byte layout, the seed's bugs left out.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::time::Duration;

use hmac::Mac;
use time::OffsetDateTime;

use super::php_json::{write_string, write_string_contents};
use crate::application::Application;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind};
use crate::timestamp::write_seed_format_secs;
use crate::user_id::{IdentityType, validate_ticket_user_id};

/// A minted user ticket. `Debug` does not show it; use
/// [`as_str`](Self::as_str) to hand it to the client.
#[derive(Clone, PartialEq, Eq)]
pub struct UserTicket {
    text: String,
    // Unix seconds, checked to be within year 9999 when minted; turned into
    // a date only when asked.
    expires_at: i64,
}

impl UserTicket {
    /// The ticket text, `base64(json):base64(mac)`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Takes the ticket text.
    pub fn into_string(self) -> String {
        self.text
    }

    /// `created + expiresIn`.
    pub fn expires_at(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.expires_at).expect("checked when minted")
    }
}

impl fmt::Debug for UserTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserTicket")
            .field("text", &"[redacted]")
            .field("expires_at", &self.expires_at())
            .finish()
    }
}

/// Builds one user ticket; start from [`Application::user_ticket`].
///
/// ```
/// use std::time::Duration;
/// use sinch_auth::{Application, IdentityType};
/// use time::macros::datetime;
/// let app = Application::from_base64(
///     "a32e5a8d-f7d8-411c-9645-9038e8dd051d",
///     "ax8hTTQJF0OPXL32r1LHMA==",
/// ).unwrap();
/// let ticket = app
///     .user_ticket("alice")
///     .with_identity_type(IdentityType::Username) // the default
///     .with_expires_in(Duration::from_secs(3600))  // the default
///     .with_created(datetime!(2026-11-28 08:00 UTC)) // default: now
///     .mint()
///     .unwrap();
/// assert!(ticket.as_str().ends_with(":h9nM59pBnPXwdsE82KWQR/wvHxKzW+PnXmSs4JvleVo="));
/// ```
#[must_use = "a builder does nothing until .mint() is called"]
#[derive(Debug, Clone)]
pub struct TicketBuilder<'a> {
    app: &'a Application,
    user_id: Cow<'a, str>,
    identity_type: IdentityType,
    expires_in: Duration,
    created: Option<OffsetDateTime>,
    strict: bool,
}

impl Application {
    /// Starts a user ticket for `user_id` (the JS SDK's user id).
    pub fn user_ticket<'a>(&'a self, user_id: impl Into<Cow<'a, str>>) -> TicketBuilder<'a> {
        TicketBuilder {
            app: self,
            user_id: user_id.into(),
            identity_type: IdentityType::Username,
            expires_in: TicketBuilder::DEFAULT_EXPIRES_IN,
            created: None,
            strict: false,
        }
    }
}

impl<'a> TicketBuilder<'a> {
    /// Default lifetime: 3600 s, as in the seed's example.
    pub const DEFAULT_EXPIRES_IN: Duration = Duration::from_secs(3600);

    /// Identity type. Default: [`IdentityType::Username`].
    pub fn with_identity_type(mut self, identity_type: IdentityType) -> Self {
        self.identity_type = identity_type;
        self
    }

    /// Lifetime, whole seconds from 1 to 2147483647.
    /// Default: [`DEFAULT_EXPIRES_IN`](Self::DEFAULT_EXPIRES_IN).
    pub fn with_expires_in(mut self, expires_in: Duration) -> Self {
        self.expires_in = expires_in;
        self
    }

    /// Creation time (written in UTC, whole seconds). Default: the system
    /// clock when [`mint`](Self::mint) runs (on Linux its coarse reading,
    /// which can lag by one timer tick, a few milliseconds).
    pub fn with_created(mut self, created: OffsetDateTime) -> Self {
        self.created = Some(created);
        self
    }

    /// Reads the creation time from `clock`, now.
    pub fn with_clock(self, clock: &dyn Clock) -> Self {
        self.with_created(clock.now())
    }

    /// The legacy mobile SDKs' rule for usernames: printable ASCII, at most
    /// 40 characters. Default: off.
    pub fn strict_user_id(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Validates everything and signs the ticket.
    pub fn mint(self) -> Result<UserTicket, Error> {
        validate_ticket_user_id(&self.user_id, self.identity_type, self.strict)?;
        let secs = self.expires_in.as_secs();
        if self.expires_in.subsec_nanos() != 0 || !(1..=i32::MAX as u64).contains(&secs) {
            return Err(ErrorKind::InvalidExpiresIn(format!("{:?}", self.expires_in)).into());
        }
        // Whole seconds are all a ticket keeps of `created`. With no time
        // given, read them the cheap way (clock.rs): no date is built here,
        // and `created` is formatted once per second (`PayloadTail`).
        let created = match self.created {
            None => SystemClock::unix_seconds(),
            Some(t) => t.unix_timestamp(),
        };
        if !(FIRST_WRITABLE_SECOND..=LAST_WRITABLE_SECOND).contains(&created) {
            return Err(ErrorKind::TimeOutOfRange(
                "created must be in years 0000-9999 (UTC)".into(),
            )
            .into());
        }
        let expires_at = created + secs as i64;
        if expires_at > LAST_WRITABLE_SECOND {
            return Err(
                ErrorKind::TimeOutOfRange("created + expiresIn is after 9999".into()).into(),
            );
        }

        SCRATCH.with_borrow_mut(|scratch| {
            let MintScratch { payload, tail } = scratch;
            let head = PayloadHead::of(self.identity_type);
            tail.refresh(self.app, secs, created);
            payload.clear();
            payload.extend_from_slice(head.json.as_bytes());
            write_string_contents(payload, &self.user_id);
            let tail_start = payload.len();
            payload.extend_from_slice(&tail.json);

            let mut mac = self.app.secret().mac();
            mac.update(payload);
            let signature = mac.finalize().into_bytes();

            // base64 in three pieces cut at multiples of 3 bytes, where the
            // encoding of each piece does not depend on the others: the
            // head's (a constant), the user id's with the 0-2 tail bytes
            // that complete its last 3-byte group (encoded now), and the
            // rest of the tail's (encoded once per tail and phase). The unit
            // tests below, the vectors and the property tests check the
            // result byte for byte.
            let phase = (3 - tail_start % 3) % 3;
            let mut text = String::with_capacity(payload.len().div_ceil(3) * 4 + 1 + 44);
            text.push_str(head.aligned_base64);
            base64_simd::STANDARD
                .encode_append(&payload[head.aligned_len()..tail_start + phase], &mut text);
            text.push_str(tail.base64_from(phase));
            text.push(':');
            base64_simd::STANDARD.encode_append(signature, &mut text);
            scratch.let_go_if_large();
            Ok(UserTicket { text, expires_at })
        })
    }
}

/// The start of every payload of one identity type, up to the user id's
/// opening quote, and the base64 of its first multiple of 3 bytes, written
/// out here (the unit test below checks them).
#[derive(Clone, Copy)]
struct PayloadHead {
    json: &'static str,
    /// base64 of `json[..aligned_len()]`.
    aligned_base64: &'static str,
}

impl PayloadHead {
    const USERNAME: Self = PayloadHead {
        json: r#"{"identity":{"type":"username","endpoint":""#,
        aligned_base64: "eyJpZGVudGl0eSI6eyJ0eXBlIjoidXNlcm5hbWUiLCJlbmRwb2ludCI6",
    };
    const EMAIL: Self = PayloadHead {
        json: r#"{"identity":{"type":"email","endpoint":""#,
        aligned_base64: "eyJpZGVudGl0eSI6eyJ0eXBlIjoiZW1haWwiLCJlbmRwb2ludCI6",
    };
    const NUMBER: Self = PayloadHead {
        json: r#"{"identity":{"type":"number","endpoint":""#,
        aligned_base64: "eyJpZGVudGl0eSI6eyJ0eXBlIjoibnVtYmVyIiwiZW5kcG9pbnQi",
    };

    fn of(identity_type: IdentityType) -> Self {
        match identity_type {
            IdentityType::Username => Self::USERNAME,
            IdentityType::Email => Self::EMAIL,
            IdentityType::Number => Self::NUMBER,
        }
    }

    /// How many bytes of the payload `aligned_base64` stands for.
    fn aligned_len(self) -> usize {
        self.json.len() / 3 * 3
    }
}

/// The payload after the user id,
/// `"},"expiresIn":N,"applicationKey":"KEY","created":"YYYY-MM-DDTHH:MM:SS+00:00"}`,
/// which depends only on the application, the lifetime and the second, and
/// its base64.
///
/// A server mints many tickets per second, nearly all for one application
/// with the default lifetime: each thread keeps the last tail it wrote and
/// writes a new one only when one of the three changes, at most about once
/// per second in steady use. That is what hyper does for the HTTP `Date`
/// header (formatted once per second per thread), extended to the rest of
/// the bytes that change no more often than `created`. The `created` text
/// and its calendar arithmetic are part of it.
#[derive(Default)]
struct PayloadTail {
    /// `(application instance, expiresIn, created)` of `json`; instance 0
    /// is no application, so a fresh tail is never taken for written.
    written_for: (u64, u64, i64),
    json: Vec<u8>,
    /// base64 of `json[phase..]` for each phase (0-2 bytes taken by the
    /// user id's last group), encoded the first time it is needed.
    base64: [String; 3],
}

impl PayloadTail {
    /// Makes `json` the tail of `app`'s tickets created at `created`
    /// (Unix seconds, years 0000-9999) and living `expires_in` seconds.
    #[inline]
    fn refresh(&mut self, app: &Application, expires_in: u64, created: i64) {
        let written_for = (app.day_keys.instance(), expires_in, created);
        if self.written_for != written_for {
            self.rewrite(app, written_for);
        }
    }

    #[cold]
    fn rewrite(&mut self, app: &Application, written_for: (u64, u64, i64)) {
        let (_, expires_in, created) = written_for;
        self.json.clear();
        self.json.extend_from_slice(br#""},"expiresIn":"#);
        self.json
            .extend_from_slice(itoa::Buffer::new().format(expires_in).as_bytes());
        self.json.extend_from_slice(br#","applicationKey":"#);
        write_string(&mut self.json, app.key().as_str());
        self.json.extend_from_slice(br#","created":""#);
        write_seed_format_secs(&mut self.json, created);
        self.json.extend_from_slice(br#""}"#);
        self.base64.iter_mut().for_each(String::clear);
        self.written_for = written_for;
    }

    /// base64 of the tail without its first `phase` bytes.
    fn base64_from(&mut self, phase: usize) -> &str {
        let encoded = &mut self.base64[phase];
        if encoded.is_empty() {
            base64_simd::STANDARD.encode_append(&self.json[phase..], encoded);
        }
        encoded
    }
}

/// What minting reuses from call to call on one thread, so that it
/// allocates only the ticket text. It holds nothing secret: every ticket
/// carries the same bytes in base64.
#[derive(Default)]
struct MintScratch {
    /// The JSON of the ticket being minted.
    payload: Vec<u8>,
    tail: PayloadTail,
}

impl MintScratch {
    const EMPTY: Self = MintScratch {
        payload: Vec::new(),
        tail: PayloadTail {
            written_for: (0, 0, 0),
            json: Vec::new(),
            base64: [String::new(), String::new(), String::new()],
        },
    };

    /// Frees what an unusually long application key or user id made grow.
    #[inline]
    fn let_go_if_large(&mut self) {
        let kept = self.payload.capacity()
            + self.tail.json.capacity()
            + self.tail.base64.iter().map(String::capacity).sum::<usize>();
        if kept > MAX_KEPT_CAPACITY {
            *self = MintScratch::default();
        }
    }
}

/// 0000-01-01T00:00:00Z: earlier times have no four-digit year.
const FIRST_WRITABLE_SECOND: i64 = -62_167_219_200;

/// 9999-12-31T23:59:59Z: later times have no four-digit year.
const LAST_WRITABLE_SECOND: i64 = 253_402_300_799;

/// The tickets of normal application keys and user ids need well under
/// this many bytes of scratch (under 1 KiB for a UUID key).
const MAX_KEPT_CAPACITY: usize = 8192;

thread_local! {
    static SCRATCH: RefCell<MintScratch> = const { RefCell::new(MintScratch::EMPTY) };
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;

    #[test]
    fn precomputed_heads_are_the_base64_of_their_aligned_bytes() {
        for identity_type in [
            IdentityType::Username,
            IdentityType::Email,
            IdentityType::Number,
        ] {
            let head = PayloadHead::of(identity_type);
            assert_eq!(
                head.json,
                format!(
                    r#"{{"identity":{{"type":"{}","endpoint":""#,
                    identity_type.as_str()
                )
            );
            assert_eq!(head.aligned_len() % 3, 0);
            assert_eq!(
                head.aligned_base64,
                STANDARD.encode(&head.json.as_bytes()[..head.aligned_len()]),
                "{identity_type:?}"
            );
        }
    }

    /// Mints runs of tickets that share tails (remembered bytes and
    /// encodings), changing one input at a time between runs (each change
    /// must be noticed), and checks every ticket's text against the base64
    /// of the JSON it must carry.
    #[test]
    fn remembered_tails_never_serve_another_payload() {
        let app = |key| Application::from_base64(key, "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
        // Keys of the same length, one character apart.
        let a = app("a32e5a8d-f7d8-411c-9645-9038e8dd051d");
        let b = app("a32e5a8d-f7d8-411c-9645-9038e8dd051e");
        let t0 = OffsetDateTime::from_unix_timestamp(1_795_852_800).unwrap();
        let t1 = t0 + time::Duration::SECOND;
        let runs = [
            (&a, t0, 3600),
            (&b, t0, 3600),
            (&a, t0, 3600),
            (&a, t1, 3600),
            (&a, t0, 3600),
            (&a, t0, 3601),
            (&a, t0, 3600),
            (&b, t1, 86400),
        ];
        for (run, (app, created, expires_in)) in runs.into_iter().enumerate() {
            // User ids of every length modulo 3, so every phase is used.
            for (identity_type, user) in [
                (IdentityType::Username, "alice"),
                (IdentityType::Username, "bob"),
                (IdentityType::Username, "carol"),
                (IdentityType::Username, "dave"),
                (IdentityType::Username, "a/b"),
                (IdentityType::Email, "e@x.io"),
                (IdentityType::Number, "+46700000000"),
                (IdentityType::Username, "alice"),
            ] {
                let ticket = app
                    .user_ticket(user)
                    .with_identity_type(identity_type)
                    .with_expires_in(Duration::from_secs(expires_in))
                    .with_created(created)
                    .mint()
                    .unwrap();
                let want = format!(
                    r#"{{"identity":{{"type":"{}","endpoint":"{}"}},"expiresIn":{expires_in},"applicationKey":"{}","created":"{}+00:00"}}"#,
                    identity_type.as_str(),
                    user.replace('/', "\\/"),
                    app.key().as_str(),
                    crate::rfc3339_seconds(created).trim_end_matches('Z'),
                );
                let (payload, _) = ticket.as_str().split_once(':').unwrap();
                assert_eq!(payload, STANDARD.encode(&want), "run {run}: {want}");
            }
        }
    }

    #[test]
    fn an_outsized_key_mints_right_and_is_not_kept() {
        let t0 = OffsetDateTime::from_unix_timestamp(1_795_852_800).unwrap();
        let long = Application::from_base64(&"k".repeat(5000), "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
        let normal = Application::from_base64(
            "a32e5a8d-f7d8-411c-9645-9038e8dd051d",
            "ax8hTTQJF0OPXL32r1LHMA==",
        )
        .unwrap();
        for app in [&long, &normal, &long, &normal] {
            let ticket = app.user_ticket("alice").with_created(t0).mint().unwrap();
            let claims = app
                .verify_ticket(
                    ticket.as_str(),
                    &crate::VerifyOptions::default().with_now(t0),
                )
                .unwrap();
            assert_eq!(claims.application_key(), app.key().as_str());
            let kept = SCRATCH.with_borrow(|s| s.payload.capacity() + s.tail.json.capacity());
            assert!(kept <= MAX_KEPT_CAPACITY, "{kept}");
        }
    }
}
