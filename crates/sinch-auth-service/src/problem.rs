//! RFC 9457 problem details: every error this service returns, with a
//! stable machine-readable `code` that clients can switch on.

use std::borrow::Cow;
use std::fmt;

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

/// The stable error codes. Their string forms are part of the API: never
/// rename one, only add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemCode {
    /// 401: no credentials, or credentials that do not verify.
    Unauthenticated,
    /// 403: the caller may not obtain credentials for the user it named.
    ForbiddenUser,
    /// 422: the user id does not fit the credential's rules.
    InvalidUserId,
    /// 422: an API-key caller did not name the user.
    UserIdRequired,
    /// 422: a requested lifetime is outside the configured bounds.
    TtlOutOfRange,
    /// 422: the body names an application this deployment does not have.
    UnknownApplication,
    /// 400: the body is not JSON.
    MalformedJson,
    /// 422: the body is JSON but not the expected shape (types, unknown or
    /// duplicate fields).
    InvalidBody,
    /// 413: the body is larger than the limit.
    PayloadTooLarge,
    /// 415: the body is not declared as JSON.
    UnsupportedMediaType,
    /// 429: too many requests; see `Retry-After`.
    RateLimited,
    /// 404: no such endpoint.
    NotFound,
    /// 405: the endpoint exists but not with this method.
    MethodNotAllowed,
    /// 408: the request took longer than the configured timeout.
    RequestTimeout,
    /// 503: a dependency (JWKS, database) is unavailable; retry later.
    Unavailable,
    /// 500: a bug or an impossible state; never caused by input.
    Internal,
    /// 409: sign-up with a username that already has an account.
    UsernameTaken,
    /// 422: a new password breaks the policy (8–128 characters).
    InvalidPassword,
    /// 403: sign-up is closed on this service.
    SignupClosed,
    /// 403: a request with the session cookie from another site's page.
    CrossSiteRequest,
    /// 403: a password change with the wrong current password.
    WrongPassword,
    /// 409: the password changed meanwhile (a concurrent change won).
    CredentialsChanged,
}

impl ProblemCode {
    /// Every code, for documentation and tests.
    pub const ALL: &'static [ProblemCode] = &[
        ProblemCode::Unauthenticated,
        ProblemCode::ForbiddenUser,
        ProblemCode::InvalidUserId,
        ProblemCode::UserIdRequired,
        ProblemCode::TtlOutOfRange,
        ProblemCode::UnknownApplication,
        ProblemCode::MalformedJson,
        ProblemCode::InvalidBody,
        ProblemCode::PayloadTooLarge,
        ProblemCode::UnsupportedMediaType,
        ProblemCode::RateLimited,
        ProblemCode::NotFound,
        ProblemCode::MethodNotAllowed,
        ProblemCode::RequestTimeout,
        ProblemCode::Unavailable,
        ProblemCode::Internal,
        ProblemCode::UsernameTaken,
        ProblemCode::InvalidPassword,
        ProblemCode::SignupClosed,
        ProblemCode::CrossSiteRequest,
        ProblemCode::WrongPassword,
        ProblemCode::CredentialsChanged,
    ];

    /// The `code` member.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::Unauthenticated => "unauthenticated",
            ProblemCode::ForbiddenUser => "forbidden_user",
            ProblemCode::InvalidUserId => "invalid_user_id",
            ProblemCode::UserIdRequired => "user_id_required",
            ProblemCode::TtlOutOfRange => "ttl_out_of_range",
            ProblemCode::UnknownApplication => "unknown_application",
            ProblemCode::MalformedJson => "malformed_json",
            ProblemCode::InvalidBody => "invalid_body",
            ProblemCode::PayloadTooLarge => "payload_too_large",
            ProblemCode::UnsupportedMediaType => "unsupported_media_type",
            ProblemCode::RateLimited => "rate_limited",
            ProblemCode::NotFound => "not_found",
            ProblemCode::MethodNotAllowed => "method_not_allowed",
            ProblemCode::RequestTimeout => "request_timeout",
            ProblemCode::Unavailable => "unavailable",
            ProblemCode::Internal => "internal",
            ProblemCode::UsernameTaken => "username_taken",
            ProblemCode::InvalidPassword => "invalid_password",
            ProblemCode::SignupClosed => "signup_closed",
            ProblemCode::CrossSiteRequest => "cross_site_request",
            ProblemCode::WrongPassword => "wrong_password",
            ProblemCode::CredentialsChanged => "credentials_changed",
        }
    }

    /// The HTTP status that goes with the code.
    pub fn status(self) -> StatusCode {
        match self {
            ProblemCode::Unauthenticated => StatusCode::UNAUTHORIZED,
            ProblemCode::ForbiddenUser
            | ProblemCode::SignupClosed
            | ProblemCode::CrossSiteRequest
            | ProblemCode::WrongPassword => StatusCode::FORBIDDEN,
            ProblemCode::UsernameTaken | ProblemCode::CredentialsChanged => StatusCode::CONFLICT,
            ProblemCode::InvalidUserId
            | ProblemCode::InvalidPassword
            | ProblemCode::UserIdRequired
            | ProblemCode::TtlOutOfRange
            | ProblemCode::UnknownApplication
            | ProblemCode::InvalidBody => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemCode::MalformedJson => StatusCode::BAD_REQUEST,
            ProblemCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ProblemCode::NotFound => StatusCode::NOT_FOUND,
            ProblemCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemCode::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ProblemCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ProblemCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `title` member: a fixed summary of the code.
    pub fn title(self) -> &'static str {
        match self {
            ProblemCode::Unauthenticated => "Authentication required",
            ProblemCode::ForbiddenUser => "Not allowed for this user",
            ProblemCode::InvalidUserId => "Invalid user id",
            ProblemCode::UserIdRequired => "User id required",
            ProblemCode::TtlOutOfRange => "Lifetime out of range",
            ProblemCode::UnknownApplication => "Unknown application",
            ProblemCode::MalformedJson => "Malformed JSON",
            ProblemCode::InvalidBody => "Invalid request body",
            ProblemCode::PayloadTooLarge => "Payload too large",
            ProblemCode::UnsupportedMediaType => "Unsupported media type",
            ProblemCode::RateLimited => "Too many requests",
            ProblemCode::NotFound => "Not found",
            ProblemCode::MethodNotAllowed => "Method not allowed",
            ProblemCode::RequestTimeout => "Request timeout",
            ProblemCode::Unavailable => "Service unavailable",
            ProblemCode::Internal => "Internal error",
            ProblemCode::UsernameTaken => "Username taken",
            ProblemCode::InvalidPassword => "Invalid password",
            ProblemCode::SignupClosed => "Sign-up closed",
            ProblemCode::CrossSiteRequest => "Cross-site request refused",
            ProblemCode::WrongPassword => "Wrong password",
            ProblemCode::CredentialsChanged => "Credentials changed",
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error response: `application/problem+json` with `type`, `title`,
/// `status`, `detail`, `code`, and for authentication failures a `reason`.
///
/// `detail` is for humans and may quote the caller's own input (shortened);
/// it never contains a credential, which is why no constructor takes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    code: ProblemCode,
    detail: Cow<'static, str>,
    reason: Option<&'static str>,
    retry_after_secs: Option<u64>,
    allow: Option<&'static str>,
}

/// Longest `detail` sent, in characters: parser messages can quote input.
const MAX_DETAIL_CHARS: usize = 300;

impl Problem {
    /// A problem with a code and a human-readable detail.
    pub fn new(code: ProblemCode, detail: impl Into<Cow<'static, str>>) -> Self {
        let mut detail = detail.into();
        if detail.chars().count() > MAX_DETAIL_CHARS {
            let mut cut: String = detail.chars().take(MAX_DETAIL_CHARS).collect();
            cut.push('…');
            detail = cut.into();
        }
        Problem {
            code,
            detail,
            reason: None,
            retry_after_secs: None,
            allow: None,
        }
    }

    /// 401 with a machine-readable `reason` (`missing_credentials`,
    /// `token_expired`, …), also counted in the auth-failure metric.
    pub fn unauthenticated(reason: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        Problem {
            reason: Some(reason),
            ..Problem::new(ProblemCode::Unauthenticated, detail)
        }
    }

    /// 429 with `Retry-After` (whole seconds, at least 1).
    pub fn rate_limited(retry_after_secs: u64, detail: impl Into<Cow<'static, str>>) -> Self {
        Problem {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Problem::new(ProblemCode::RateLimited, detail)
        }
    }

    /// 503 with `Retry-After`.
    pub fn unavailable(retry_after_secs: u64, detail: impl Into<Cow<'static, str>>) -> Self {
        Problem {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Problem::new(ProblemCode::Unavailable, detail)
        }
    }

    /// 405 listing the allowed methods.
    pub fn method_not_allowed(allow: &'static str) -> Self {
        Problem {
            allow: Some(allow),
            ..Problem::new(
                ProblemCode::MethodNotAllowed,
                format!("this endpoint accepts {allow}"),
            )
        }
    }

    /// The code.
    pub fn code(&self) -> ProblemCode {
        self.code
    }

    /// The detail text.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The authentication failure reason, if any.
    pub fn reason(&self) -> Option<&'static str> {
        self.reason
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

impl std::error::Error for Problem {}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'static str,
    status: u16,
    detail: &'a str,
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let body = Body {
            kind: format!("urn:sinch-auth:problem:{}", self.code.as_str()),
            title: self.code.title(),
            status: status.as_u16(),
            detail: &self.detail,
            code: self.code.as_str(),
            reason: self.reason,
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.code == ProblemCode::Unauthenticated {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(allow) = self.allow {
            headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        // Handlers see the problem too: the access log records the code.
        response.extensions_mut().insert(self.code);
        if let Some(reason) = self.reason {
            response.extensions_mut().insert(AuthFailureReason(reason));
        }
        response
    }
}

/// Response extension: why authentication failed (for the metrics layer).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AuthFailureReason(pub(crate) &'static str);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_statuses_match_classes() {
        let mut seen = std::collections::HashSet::new();
        for code in ProblemCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            let status = code.status().as_u16();
            if *code == ProblemCode::Internal || *code == ProblemCode::Unavailable {
                assert!(status >= 500);
            } else {
                assert!((400..500).contains(&status), "{code} -> {status}");
            }
        }
    }

    #[test]
    fn long_details_are_cut() {
        let p = Problem::new(ProblemCode::InvalidBody, "x".repeat(1000));
        assert!(p.detail().chars().count() <= MAX_DETAIL_CHARS + 1);
        assert!(p.detail().ends_with('…'));
    }
}
