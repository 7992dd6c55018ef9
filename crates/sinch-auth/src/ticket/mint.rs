//! Minting: the seed's byte layout, the seed's bugs left out.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::time::Duration;

use hmac::Mac;
use time::{OffsetDateTime, UtcOffset};

use super::php_json::write_string;
use crate::application::Application;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind};
use crate::timestamp::write_seed_format;
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
    /// clock when [`mint`](Self::mint) runs.
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
        let created = self
            .created
            .unwrap_or_else(|| SystemClock.now())
            .checked_to_offset(UtcOffset::UTC)
            .filter(|t| (0..=9999).contains(&t.year()))
            .ok_or_else(|| {
                Error::from(ErrorKind::TimeOutOfRange(
                    "created must be in years 0000-9999 (UTC)".into(),
                ))
            })?;
        let expires_at = created.unix_timestamp() + secs as i64;
        if expires_at > LAST_WRITABLE_SECOND {
            return Err(
                ErrorKind::TimeOutOfRange("created + expiresIn is after 9999".into()).into(),
            );
        }

        PAYLOAD.with_borrow_mut(|json| {
            json.clear();
            self.write_payload(json, secs, created);
            let mut mac = self.app.secret().mac();
            mac.update(json.as_bytes());
            let signature = mac.finalize().into_bytes();

            let mut text = String::with_capacity(json.len().div_ceil(3) * 4 + 1 + 44);
            base64_simd::STANDARD.encode_append(json.as_bytes(), &mut text);
            text.push(':');
            base64_simd::STANDARD.encode_append(signature, &mut text);
            if json.capacity() > MAX_KEPT_PAYLOAD_CAPACITY {
                // An unusually long application key grew the buffer: let it go.
                *json = String::new();
            }
            Ok(UserTicket { text, expires_at })
        })
    }

    /// The seed's JSON, in the seed's key order (`created` in UTC; its
    /// fraction of a second is dropped).
    fn write_payload(&self, json: &mut String, expires_in_secs: u64, created: OffsetDateTime) {
        json.push_str(r#"{"identity":{"type":""#);
        json.push_str(self.identity_type.as_str());
        json.push_str(r#"","endpoint":"#);
        write_string(json, &self.user_id);
        json.push_str(r#"},"expiresIn":"#);
        json.push_str(itoa::Buffer::new().format(expires_in_secs));
        json.push_str(self.app.day_keys.ticket_key_json(|| {
            let mut piece = String::from(r#","applicationKey":"#);
            write_string(&mut piece, self.app.key().as_str());
            piece.push_str(r#","created":""#);
            piece
        }));
        write_seed_format(json, created);
        json.push_str(r#""}"#);
    }
}

/// 9999-12-31T23:59:59Z: later times have no four-digit year.
const LAST_WRITABLE_SECOND: i64 = 253_402_300_799;

/// Every ticket of a normal application key fits in this many bytes.
const MAX_KEPT_PAYLOAD_CAPACITY: usize = 4096;

thread_local! {
    /// The JSON of the ticket being minted, reused from call to call so that
    /// minting allocates only the ticket text. It holds nothing secret: the
    /// ticket carries the same bytes in base64.
    static PAYLOAD: RefCell<String> = const { RefCell::new(String::new()) };
}
