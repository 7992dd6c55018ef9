//! Verifying the callbacks Sinch signs with the application secret: ICE,
//! ACE, DiCE, PIE and Verification events (FORMATS §3).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use hmac::Mac;
use time::OffsetDateTime;

use super::authorization::{decode_signature, parse_authorization};
use super::string_to_sign::{
    StringToSign, content_md5, header_value_problem, method_problem, path_problem, signed_path,
};
use super::window::{DEFAULT_MAX_SKEW, check_window};
use super::{AUTHORIZATION, CONTENT_TYPE, X_TIMESTAMP};
use crate::application::Application;
use crate::clock::{Clock, FixedClock, SystemClock};
use crate::error::{CredentialKind, Error, ErrorKind, excerpt};
use crate::timestamp::parse_timestamp;
use crate::verified::Verified;

const KIND: CredentialKind = CredentialKind::SignedRequest;

/// One received callback, as plain parts: what the web framework saw.
/// Start from [`CallbackRequest::new`]; headers default to absent and the
/// body to empty.
///
/// ```
/// use sinch_auth::signing::CallbackRequest;
/// let request = CallbackRequest::new("POST", "/sinch/callback/ace")
///     .with_content_type("application/json")
///     .with_authorization("application 669E367E-6BBA-48AB-AF15-266871C28135:Tg6f...")
///     .with_x_timestamp("2014-09-24T10:59:41Z")
///     .with_body(br#"{"event":"ace"}"#);
/// assert_eq!(request.path(), "/sinch/callback/ace");
/// ```
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackRequest<'a> {
    method: &'a str,
    path: &'a str,
    content_type: Option<&'a str>,
    authorization: Option<&'a str>,
    x_timestamp: Option<&'a str>,
    body: &'a [u8],
}

impl<'a> CallbackRequest<'a> {
    /// The request line: `method` and the path **as Sinch was told it** (the
    /// external path when a proxy rewrites paths), optionally with the query.
    pub fn new(method: &'a str, path: &'a str) -> Self {
        CallbackRequest {
            method,
            path,
            content_type: None,
            authorization: None,
            x_timestamp: None,
            body: &[],
        }
    }

    /// Replaces the path, for example with the external one.
    ///
    /// ```
    /// use sinch_auth::signing::CallbackRequest;
    /// let r = CallbackRequest::new("POST", "/ace").with_path("/api/ace");
    /// assert_eq!(r.path(), "/api/ace");
    /// ```
    pub fn with_path(mut self, path: &'a str) -> Self {
        self.path = path;
        self
    }

    /// The `Content-Type` header, verbatim. Default: absent.
    pub fn with_content_type(mut self, content_type: &'a str) -> Self {
        self.content_type = Some(content_type);
        self
    }

    /// The `Authorization` header. Default: absent (verification fails with
    /// [`ErrorKind::MissingHeader`]).
    pub fn with_authorization(mut self, authorization: &'a str) -> Self {
        self.authorization = Some(authorization);
        self
    }

    /// The `x-timestamp` header. Default: absent (verification fails with
    /// [`ErrorKind::MissingHeader`]).
    pub fn with_x_timestamp(mut self, x_timestamp: &'a str) -> Self {
        self.x_timestamp = Some(x_timestamp);
        self
    }

    /// The raw body bytes as received. Default: empty.
    pub fn with_body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// The method.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The path (with the query string, if one was given).
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The body.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }
}

/// What a verified callback proved.
///
/// ```
/// use sinch_auth::Application;
/// use sinch_auth::signing::{CallbackRequest, CallbackVerifier};
/// use time::macros::datetime;
/// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
/// let now = datetime!(2026-11-28 08:00 UTC);
/// let signed = app.sign_request("POST", "/cb").with_timestamp(now).sign()?;
/// let verified = CallbackVerifier::new(app).with_now(now).verify(
///     CallbackRequest::new("POST", "/cb")
///         .with_authorization(signed.authorization())
///         .with_x_timestamp(signed.x_timestamp()),
/// )?;
/// assert_eq!(verified.timestamp(), now);
/// assert_eq!(verified.application_key(), "my-key");
/// # Ok::<(), sinch_auth::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackClaims {
    application_key: String,
    timestamp: OffsetDateTime,
}

impl CallbackClaims {
    /// The application key as the request spelled it.
    pub fn application_key(&self) -> &str {
        &self.application_key
    }

    /// The `x-timestamp`, parsed.
    pub fn timestamp(&self) -> OffsetDateTime {
        self.timestamp
    }
}

/// Checks callbacks signed with the application secret. Build one at
/// start-up and share it; [`verify`](Self::verify) takes `&self`.
///
/// Defaults: timestamp window ±[`DEFAULT_MAX_SKEW`] (10 minutes) around the
/// system clock; query string not signed.
///
/// Order of checks, each with its own error:
/// 1. `Authorization` present ([`ErrorKind::MissingHeader`]), scheme
///    `Application` in any case, `KEY:SIGNATURE` ([`ErrorKind::MalformedHeader`]);
/// 2. the key is ours: exact, or case-insensitive for UUID keys
///    ([`ErrorKind::ApplicationKeyMismatch`]);
/// 3. the signature is strict base64 of 32 bytes ([`ErrorKind::MalformedHeader`]);
/// 4. `x-timestamp` present, ISO 8601, within the window
///    ([`ErrorKind::MissingHeader`], [`ErrorKind::MalformedHeader`],
///    [`ErrorKind::TimestampOutsideWindow`]);
/// 5. method, path and content type can be signed ([`ErrorKind::Malformed`],
///    [`ErrorKind::MalformedHeader`]);
/// 6. the HMAC over the string-to-sign, compared in constant time
///    ([`ErrorKind::InvalidSignature`]).
///
/// ```
/// use std::time::Duration;
/// use sinch_auth::{Application, ErrorKind};
/// use sinch_auth::signing::{CallbackRequest, CallbackVerifier};
/// use time::macros::datetime;
///
/// let app = Application::from_base64(
///     "669E367E-6BBA-48AB-AF15-266871C28135",
///     "BeIukql3pTKJ8RGL5zo0DA==",
/// )?;
/// let verifier = CallbackVerifier::new(app)
///     .with_max_skew(Duration::from_secs(300))
///     .with_now(datetime!(2014-09-24 11:00 UTC));
/// let body = br#"{"event":"ace","callid":"822aa4b7-05b4-4d83-87c7-1f835ee0b6f6_257","timestamp":"2014-09-24T10:59:41Z","version":1}"#;
/// let request = CallbackRequest::new("POST", "/sinch/callback/ace")
///     .with_content_type("application/json")
///     .with_authorization("application 669E367E-6BBA-48AB-AF15-266871C28135:Tg6fMyo8mj9pYfWQ9ssbx3Tc1BNC87IEygAfLbJqZb4=")
///     .with_x_timestamp("2014-09-24T10:59:41Z")
///     .with_body(body);
/// assert!(verifier.verify(request).is_ok());
///
/// let forged = request.with_body(br#"{"event":"ace","version":2}"#);
/// let err = verifier.verify(forged).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::InvalidSignature(_)));
/// # Ok::<(), sinch_auth::Error>(())
/// ```
#[derive(Clone)]
pub struct CallbackVerifier {
    app: Application,
    max_skew: Duration,
    clock: Arc<dyn Clock>,
    include_query: bool,
}

impl CallbackVerifier {
    /// A verifier for callbacks signed by `app`'s key and secret.
    pub fn new(app: Application) -> Self {
        CallbackVerifier {
            app,
            max_skew: DEFAULT_MAX_SKEW,
            clock: Arc::new(SystemClock),
            include_query: false,
        }
    }

    /// Largest accepted distance between `x-timestamp` and now, either way.
    /// Default: [`DEFAULT_MAX_SKEW`], 10 minutes.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sinch_auth::Application;
    /// use sinch_auth::signing::CallbackVerifier;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let v = CallbackVerifier::new(app).with_max_skew(Duration::from_secs(60));
    /// assert_eq!(v.max_skew(), Duration::from_secs(60));
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }

    /// Where "now" comes from. Default: [`SystemClock`].
    ///
    /// ```
    /// use sinch_auth::{Application, FixedClock};
    /// use sinch_auth::signing::CallbackVerifier;
    /// use time::macros::datetime;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let v = CallbackVerifier::new(app).with_clock(FixedClock(datetime!(2026-11-28 08:00 UTC)));
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Verifies at one fixed instant (a [`FixedClock`]).
    ///
    /// ```
    /// use sinch_auth::Application;
    /// use sinch_auth::signing::CallbackVerifier;
    /// use time::macros::datetime;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let v = CallbackVerifier::new(app).with_now(datetime!(2026-11-28 08:00 UTC));
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn with_now(self, now: OffsetDateTime) -> Self {
        self.with_clock(FixedClock(now))
    }

    /// Whether the query string is part of the signed path. Default: `false`
    /// (see [`SignRequest::include_query`](super::SignRequest::include_query)).
    ///
    /// ```
    /// use sinch_auth::Application;
    /// use sinch_auth::signing::CallbackVerifier;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let v = CallbackVerifier::new(app).include_query(true);
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn include_query(mut self, include: bool) -> Self {
        self.include_query = include;
        self
    }

    /// The configured window.
    pub fn max_skew(&self) -> Duration {
        self.max_skew
    }

    /// The application whose signatures this verifier accepts.
    pub fn application(&self) -> &Application {
        &self.app
    }

    /// The string-to-sign this verifier computes for `request`, for
    /// debugging a mismatch. No check is made.
    ///
    /// ```
    /// use sinch_auth::Application;
    /// use sinch_auth::signing::{CallbackRequest, CallbackVerifier};
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let sts = CallbackVerifier::new(app).string_to_sign(
    ///     CallbackRequest::new("post", "/cb?x=1").with_x_timestamp("2014-09-24T10:59:41Z"),
    /// );
    /// assert_eq!(sts, "POST\n\n\nx-timestamp:2014-09-24T10:59:41Z\n/cb");
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn string_to_sign(&self, request: CallbackRequest<'_>) -> String {
        let method = request.method.to_ascii_uppercase();
        let md5 = content_md5(request.body);
        StringToSign {
            method: &method,
            content_md5: &md5,
            content_type: request.content_type.unwrap_or(""),
            x_timestamp: request.x_timestamp.unwrap_or(""),
            path: signed_path(request.path, self.include_query),
        }
        .to_string()
    }

    /// Verifies one callback (see the type's documentation for the checks).
    /// Never panics, whatever the input.
    pub fn verify(&self, request: CallbackRequest<'_>) -> Result<Verified<CallbackClaims>, Error> {
        let authorization = request
            .authorization
            .ok_or(ErrorKind::MissingHeader(AUTHORIZATION))?;
        let auth = parse_authorization(authorization)?;
        if !self.app.key().matches(auth.key) {
            return Err(ErrorKind::ApplicationKeyMismatch {
                credential: KIND,
                expected: self.app.key().to_string(),
                found: excerpt(auth.key),
            }
            .into());
        }
        let signature = decode_signature(AUTHORIZATION, auth.signature)?;

        let x_timestamp = request
            .x_timestamp
            .ok_or(ErrorKind::MissingHeader(X_TIMESTAMP))?;
        let timestamp = parse_timestamp(x_timestamp).map_err(|e| match e.into_kind() {
            ErrorKind::InvalidTimestamp { value, reason } => ErrorKind::MalformedHeader {
                header: X_TIMESTAMP,
                reason: format!("{value} is not an ISO 8601 timestamp: {reason}"),
            },
            other => other,
        })?;
        check_window(timestamp, self.clock.now(), self.max_skew)?;

        if let Some(reason) = method_problem(request.method) {
            return Err(Error::malformed(KIND, format!("method {reason}")));
        }
        if let Some(reason) = path_problem(request.path) {
            return Err(Error::malformed(KIND, format!("path {reason}")));
        }
        let content_type = request.content_type.unwrap_or("");
        if let Some(reason) = header_value_problem(content_type) {
            return Err(ErrorKind::MalformedHeader {
                header: CONTENT_TYPE,
                reason: reason.to_owned(),
            }
            .into());
        }

        let method = request.method.to_ascii_uppercase();
        let md5 = content_md5(request.body);
        let sts = StringToSign {
            method: &method,
            content_md5: &md5,
            content_type,
            x_timestamp,
            path: signed_path(request.path, self.include_query),
        };
        let mut mac = self.app.secret().mac();
        sts.write_to(|chunk| mac.update(chunk));
        mac.verify_slice(&signature)
            .map_err(|_| ErrorKind::InvalidSignature(KIND))?;

        Ok(Verified::new(CallbackClaims {
            application_key: auth.key.to_owned(),
            timestamp,
        }))
    }
}

impl fmt::Debug for CallbackVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackVerifier")
            .field("app", &self.app)
            .field("max_skew", &self.max_skew)
            .field("include_query", &self.include_query)
            .finish_non_exhaustive()
    }
}
