//! Signing the REST calls a backend makes to Sinch (FORMATS §3).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac;
use time::OffsetDateTime;

use super::SCHEME;
use super::string_to_sign::{
    StringToSign, content_md5, header_value_problem, method_problem, path_problem, signed_path,
};
use crate::application::Application;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind};
use crate::timestamp::{millis_format, parse_timestamp};

#[derive(Debug, Clone, Copy)]
enum Timestamp<'a> {
    Now,
    At(OffsetDateTime),
    Text(&'a str),
}

/// Builds the signature of one outgoing request; start from
/// [`Application::sign_request`]. Nothing is sent anywhere: the result is two
/// header values to add to the request your HTTP client makes.
///
/// Defaults: no `Content-Type`, empty body, timestamp = the system clock at
/// [`sign`](Self::sign) in `2014-06-04T13:41:58.123Z` form, query string left
/// out of the signature.
///
/// ```
/// use sinch_auth::Application;
/// let app = Application::from_base64(
///     "5F5C418A0F914BBC8234A9BF5EDDAD97",
///     "JViE5vDor0Sw3WllZka15Q==",
/// )?;
/// let signed = app
///     .sign_request("POST", "/v1/sms/+46700000000")
///     .with_content_type("application/json")
///     .with_body(br#"{"message":"Hello world"}"#)
///     .with_timestamp_text("2014-06-04T13:41:58Z")
///     .sign()?;
/// assert_eq!(
///     signed.authorization(),
///     "Application 5F5C418A0F914BBC8234A9BF5EDDAD97:qDXMwzfaxCRS849c/2R0hg0nphgdHciTo7OdM6MsdnM="
/// );
/// assert_eq!(signed.x_timestamp(), "2014-06-04T13:41:58Z");
/// # Ok::<(), sinch_auth::Error>(())
/// ```
#[must_use = "a builder does nothing until .sign() is called"]
#[derive(Debug, Clone)]
pub struct SignRequest<'a> {
    app: &'a Application,
    method: &'a str,
    path: &'a str,
    content_type: Option<&'a str>,
    body: &'a [u8],
    timestamp: Timestamp<'a>,
    include_query: bool,
}

impl Application {
    /// Starts signing a request to Sinch: `method` (upper-cased when signed)
    /// and `path` as sent, starting with `/`, optionally followed by the
    /// query string.
    ///
    /// ```
    /// use sinch_auth::Application;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let signed = app.sign_request("GET", "/calling/v1/calls/id/abc").sign()?;
    /// assert!(signed.authorization().starts_with("Application my-key:"));
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn sign_request<'a>(&'a self, method: &'a str, path: &'a str) -> SignRequest<'a> {
        SignRequest {
            app: self,
            method,
            path,
            content_type: None,
            body: &[],
            timestamp: Timestamp::Now,
            include_query: false,
        }
    }
}

impl<'a> SignRequest<'a> {
    /// The `Content-Type` header exactly as it will be sent: it is signed
    /// verbatim, so `application/json` and `application/json; charset=utf-8`
    /// give different signatures. Default: none (an empty line).
    ///
    /// ```
    /// use sinch_auth::Application;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let with = app.sign_request("POST", "/a").with_content_type("application/json").sign()?;
    /// assert!(with.string_to_sign().contains("\napplication/json\n"));
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn with_content_type(mut self, content_type: &'a str) -> Self {
        self.content_type = Some(content_type);
        self
    }

    /// The exact body bytes that will be sent. Default: empty (and an empty
    /// Content-MD5 line).
    ///
    /// ```
    /// use sinch_auth::Application;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let signed = app.sign_request("POST", "/a").with_body(b"{}").sign()?;
    /// assert_eq!(signed.content_md5(), "mZFLkyvTelC5g8XnyQrpOw==");
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn with_body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// Signs at this time, written in UTC as `2014-06-04T13:41:58.123Z`.
    /// Default: the system clock when [`sign`](Self::sign) runs.
    ///
    /// ```
    /// use sinch_auth::Application;
    /// use time::macros::datetime;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let signed = app
    ///     .sign_request("GET", "/a")
    ///     .with_timestamp(datetime!(2014-06-04 15:41:58.123456 +02:00))
    ///     .sign()?;
    /// assert_eq!(signed.x_timestamp(), "2014-06-04T13:41:58.123Z");
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn with_timestamp(mut self, timestamp: OffsetDateTime) -> Self {
        self.timestamp = Timestamp::At(timestamp);
        self
    }

    /// Reads the signing time from `clock`, now.
    ///
    /// ```
    /// use sinch_auth::{Application, FixedClock};
    /// use time::macros::datetime;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let clock = FixedClock(datetime!(2026-11-28 08:00 UTC));
    /// let signed = app.sign_request("GET", "/a").with_clock(&clock).sign()?;
    /// assert_eq!(signed.x_timestamp(), "2026-11-28T08:00:00.000Z");
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn with_clock(self, clock: &dyn Clock) -> Self {
        self.with_timestamp(clock.now())
    }

    /// Uses this `x-timestamp` text verbatim, for reproducing a signature
    /// made elsewhere. It must be an ISO 8601 timestamp that
    /// [`parse_timestamp`](crate::parse_timestamp) reads, or
    /// [`sign`](Self::sign) fails.
    ///
    /// ```
    /// use sinch_auth::Application;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let signed = app.sign_request("GET", "/a").with_timestamp_text("2014-06-04T13:41:58Z").sign()?;
    /// assert_eq!(signed.x_timestamp(), "2014-06-04T13:41:58Z");
    /// assert!(app.sign_request("GET", "/a").with_timestamp_text("yesterday").sign().is_err());
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn with_timestamp_text(mut self, x_timestamp: &'a str) -> Self {
        self.timestamp = Timestamp::Text(x_timestamp);
        self
    }

    /// Whether the query string is part of the signed path. Default: `false`,
    /// as in most of Sinch's SDKs (Sinch documents no answer, FORMATS §5).
    /// Must match what the receiving side does.
    ///
    /// ```
    /// use sinch_auth::Application;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let req = app.sign_request("GET", "/a?page=2").with_timestamp_text("2014-06-04T13:41:58Z");
    /// assert!(req.clone().sign()?.string_to_sign().ends_with("\n/a"));
    /// assert!(req.include_query(true).sign()?.string_to_sign().ends_with("\n/a?page=2"));
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn include_query(mut self, include: bool) -> Self {
        self.include_query = include;
        self
    }

    /// Checks every part and computes the signature.
    ///
    /// Fails with [`ErrorKind::InvalidRequestPart`] when the method is not an
    /// HTTP token, the path does not start with `/` or holds a control
    /// character, or the content type holds a line break; with
    /// [`ErrorKind::InvalidTimestamp`] or [`ErrorKind::TimeOutOfRange`] for a
    /// timestamp that cannot be written.
    ///
    /// ```
    /// use sinch_auth::{Application, ErrorKind};
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let err = app.sign_request("POST", "no-slash").sign().unwrap_err();
    /// assert!(matches!(err.kind(), ErrorKind::InvalidRequestPart { part: "path", .. }));
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn sign(self) -> Result<SignedRequest, Error> {
        let invalid = |part: &'static str, reason: &'static str| -> Error {
            ErrorKind::InvalidRequestPart {
                part,
                reason: reason.to_owned(),
            }
            .into()
        };
        if let Some(reason) = method_problem(self.method) {
            return Err(invalid("method", reason));
        }
        if let Some(reason) = path_problem(self.path) {
            return Err(invalid("path", reason));
        }
        let content_type = self.content_type.unwrap_or("");
        if let Some(reason) = header_value_problem(content_type) {
            return Err(invalid("content type", reason));
        }
        let x_timestamp = match self.timestamp {
            Timestamp::Now => millis_format(SystemClock.now()),
            Timestamp::At(t) => {
                if !(0..=9999).contains(&t.to_offset(time::UtcOffset::UTC).year()) {
                    return Err(ErrorKind::TimeOutOfRange(
                        "x-timestamp must be in years 0000-9999".into(),
                    )
                    .into());
                }
                millis_format(t)
            }
            Timestamp::Text(text) => {
                parse_timestamp(text)?;
                text.to_owned()
            }
        };
        let method = self.method.to_ascii_uppercase();
        let content_md5 = content_md5(self.body);
        let sts = StringToSign {
            method: &method,
            content_md5: &content_md5,
            content_type,
            x_timestamp: &x_timestamp,
            path: signed_path(self.path, self.include_query),
        };
        let mut mac = self.app.secret().mac();
        sts.write_to(|chunk| mac.update(chunk));
        let key = self.app.key().as_str();
        let mut authorization = String::with_capacity(SCHEME.len() + 1 + key.len() + 1 + 44);
        authorization.push_str(SCHEME);
        authorization.push(' ');
        authorization.push_str(key);
        authorization.push(':');
        let signature_at = authorization.len();
        STANDARD.encode_string(mac.finalize().into_bytes(), &mut authorization);
        Ok(SignedRequest {
            string_to_sign: sts.to_string(),
            authorization,
            signature_at,
            x_timestamp,
            content_md5,
        })
    }
}

/// The headers that authenticate one request, and how they were computed.
///
/// `Debug` hides the signature: within the timestamp window it is as good as
/// a credential for this exact request.
///
/// ```
/// use sinch_auth::Application;
/// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
/// let signed = app.sign_request("DELETE", "/calling/v1/conferences/id/c1").sign()?;
/// for (name, value) in signed.headers() {
///     assert!(name == "authorization" || name == "x-timestamp");
///     assert!(!value.is_empty());
/// }
/// assert!(!format!("{signed:?}").contains(signed.signature()));
/// # Ok::<(), sinch_auth::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    authorization: String,
    signature_at: usize,
    x_timestamp: String,
    content_md5: String,
    string_to_sign: String,
}

impl SignedRequest {
    /// The `Authorization` header value, `Application KEY:SIGNATURE`.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The `x-timestamp` header value; it must be sent with the request.
    pub fn x_timestamp(&self) -> &str {
        &self.x_timestamp
    }

    /// The base64 HMAC-SHA256, the part of `Authorization` after the `:`.
    pub fn signature(&self) -> &str {
        &self.authorization[self.signature_at..]
    }

    /// `base64(MD5(body))`, empty for an empty body. Sinch does not require a
    /// `Content-MD5` header, but sending it is harmless.
    pub fn content_md5(&self) -> &str {
        &self.content_md5
    }

    /// The exact text that was MACed, for comparing with the other side's.
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The two headers to add, as `(lower-case name, value)` pairs.
    pub fn headers(&self) -> [(&'static str, &str); 2] {
        [
            (super::AUTHORIZATION, self.authorization()),
            (super::X_TIMESTAMP, self.x_timestamp()),
        ]
    }
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("authorization", &"[redacted]")
            .field("x_timestamp", &self.x_timestamp)
            .field("string_to_sign", &self.string_to_sign)
            .finish_non_exhaustive()
    }
}
