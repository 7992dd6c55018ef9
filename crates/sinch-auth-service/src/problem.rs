//! RFC 9457 problem details: every error this service returns, with a
//! stable machine-readable `code` that clients can switch on.

use std::borrow::Cow;
use std::fmt;

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

/// Defines [`ProblemCode`] from one table: variant, `code` string, HTTP
/// status, `title`, and the doc line. Adding a code is one line here.
macro_rules! problem_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, $status:ident, $title:literal; )*) => {
        /// The stable error codes. Their string forms are part of the API:
        /// never rename one, only add.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ProblemCode {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl ProblemCode {
            /// Every code, for documentation and tests.
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant),*];

            /// The `code` member.
            pub fn as_str(self) -> &'static str {
                match self { $(ProblemCode::$variant => $code,)* }
            }

            /// The HTTP status that goes with the code.
            pub fn status(self) -> StatusCode {
                match self { $(ProblemCode::$variant => StatusCode::$status,)* }
            }

            /// The `title` member: a fixed summary of the code.
            pub fn title(self) -> &'static str {
                match self { $(ProblemCode::$variant => $title,)* }
            }
        }
    };
}

problem_codes! {
    /// 401: no credentials, or credentials that do not verify.
    Unauthenticated = "unauthenticated", UNAUTHORIZED, "Authentication required";
    /// 403: the caller may not obtain credentials for the user it named.
    ForbiddenUser = "forbidden_user", FORBIDDEN, "Not allowed for this user";
    /// 422: the user id does not fit the credential's rules.
    InvalidUserId = "invalid_user_id", UNPROCESSABLE_ENTITY, "Invalid user id";
    /// 422: an API-key caller did not name the user.
    UserIdRequired = "user_id_required", UNPROCESSABLE_ENTITY, "User id required";
    /// 422: a requested lifetime is outside the configured bounds.
    TtlOutOfRange = "ttl_out_of_range", UNPROCESSABLE_ENTITY, "Lifetime out of range";
    /// 422: the body names an application this deployment does not have.
    UnknownApplication = "unknown_application", UNPROCESSABLE_ENTITY, "Unknown application";
    /// 400: the body is not JSON.
    MalformedJson = "malformed_json", BAD_REQUEST, "Malformed JSON";
    /// 422: the body is JSON but not the expected shape (types, unknown or
    /// duplicate fields).
    InvalidBody = "invalid_body", UNPROCESSABLE_ENTITY, "Invalid request body";
    /// 413: the body is larger than the limit.
    PayloadTooLarge = "payload_too_large", PAYLOAD_TOO_LARGE, "Payload too large";
    /// 415: the body is not declared as JSON.
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Unsupported media type";
    /// 429: too many requests; see `Retry-After`.
    RateLimited = "rate_limited", TOO_MANY_REQUESTS, "Too many requests";
    /// 404: no such endpoint.
    NotFound = "not_found", NOT_FOUND, "Not found";
    /// 405: the endpoint exists but not with this method.
    MethodNotAllowed = "method_not_allowed", METHOD_NOT_ALLOWED, "Method not allowed";
    /// 408: the request took longer than the configured timeout.
    RequestTimeout = "request_timeout", REQUEST_TIMEOUT, "Request timeout";
    /// 503: a dependency (JWKS, database) is unavailable; retry later.
    Unavailable = "unavailable", SERVICE_UNAVAILABLE, "Service unavailable";
    /// 503: too much work is queued (password hashes); retry after
    /// `Retry-After`, answered at once instead of timing out.
    Overloaded = "overloaded", SERVICE_UNAVAILABLE, "Overloaded";
    /// 500: a bug or an impossible state; never caused by input.
    Internal = "internal", INTERNAL_SERVER_ERROR, "Internal error";
    /// 409: sign-up with a username that already has an account.
    UsernameTaken = "username_taken", CONFLICT, "Username taken";
    /// 422: a new password breaks the policy (8–128 characters, not the
    /// username, not a common or breached password).
    InvalidPassword = "invalid_password", UNPROCESSABLE_ENTITY, "Invalid password";
    /// 403: sign-up is closed on this service.
    SignupClosed = "signup_closed", FORBIDDEN, "Sign-up closed";
    /// 403: a request with the session cookie from another site's page.
    CrossSiteRequest = "cross_site_request", FORBIDDEN, "Cross-site request refused";
    /// 403: a password change with the wrong current password.
    WrongPassword = "wrong_password", FORBIDDEN, "Wrong password";
    /// 409: the password changed meanwhile (a concurrent change won).
    CredentialsChanged = "credentials_changed", CONFLICT, "Credentials changed";
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
    allow: Option<Cow<'static, str>>,
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

    /// 503 `unavailable` with `Retry-After`.
    pub fn unavailable(retry_after_secs: u64, detail: impl Into<Cow<'static, str>>) -> Self {
        Problem {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Problem::new(ProblemCode::Unavailable, detail)
        }
    }

    /// 503 `overloaded` with `Retry-After`.
    pub fn overloaded(retry_after_secs: u64, detail: impl Into<Cow<'static, str>>) -> Self {
        Problem {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Problem::new(ProblemCode::Overloaded, detail)
        }
    }

    /// 405 listing the allowed methods (`GET` or `GET, DELETE`).
    pub fn method_not_allowed(allow: impl Into<Cow<'static, str>>) -> Self {
        let allow = allow.into();
        let detail = format!("this endpoint accepts {allow}");
        Problem {
            allow: Some(allow),
            ..Problem::new(ProblemCode::MethodNotAllowed, detail)
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

/// RFC 9457 problem details (`application/problem+json`). `Retry-After`
/// accompanies `rate_limited` and `unavailable`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub(crate) struct Body<'a> {
    /// `urn:sinch-auth:problem:<code>`.
    #[serde(rename = "type")]
    kind: String,
    /// A fixed summary of the code.
    title: &'static str,
    /// The HTTP status.
    status: u16,
    /// What went wrong, for humans; never a credential.
    detail: &'a str,
    /// The stable machine-readable code.
    code: &'static str,
    /// Why authentication failed (`missing_credentials`, `invalid_api_key`,
    /// `token_expired`, `bad_signature`, `unknown_kid`, …); 401 only.
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
        if let Some(allow) = self.allow.and_then(|a| HeaderValue::from_str(&a).ok()) {
            headers.insert(header::ALLOW, allow);
        }
        // Handlers see the problem too: the access log records the code.
        response.extensions_mut().insert(self.code);
        if let Some(reason) = self.reason {
            response.extensions_mut().insert(AuthFailureReason(reason));
        }
        response
    }
}

/// OpenAPI `responses` entries for `codes`: one per HTTP status, listing
/// the codes that answer with it, each a `Problem` document.
pub(crate) fn openapi_responses(
    codes: &[ProblemCode],
) -> serde_json::Map<String, serde_json::Value> {
    let mut by_status: std::collections::BTreeMap<u16, Vec<String>> = Default::default();
    for code in codes {
        let listed = by_status.entry(code.status().as_u16()).or_default();
        let name = format!("`{code}`");
        if !listed.contains(&name) {
            listed.push(name);
        }
    }
    by_status
        .into_iter()
        .map(|(status, names)| {
            let response = serde_json::json!({
                "description": names.join(", "),
                "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            });
            (status.to_string(), response)
        })
        .collect()
}

/// Adds problem responses to the operation `method` (`*`: every one) of
/// `path`; a status the operation already documents keeps its entry.
pub(crate) fn add_openapi_problems(
    doc: &mut serde_json::Value,
    method: &str,
    path: &str,
    lists: &[&[ProblemCode]],
) {
    let codes: Vec<ProblemCode> = lists.iter().flat_map(|l| l.iter().copied()).collect();
    let Some(item) = doc["paths"][path].as_object_mut() else {
        return;
    };
    for (name, operation) in item.iter_mut() {
        if !(method == "*" || name == method) || !operation.is_object() {
            continue;
        }
        let responses = operation["responses"].as_object_mut();
        let Some(responses) = responses else { continue };
        for (status, response) in openapi_responses(&codes) {
            if let Some(existing) = responses.get_mut(&status) {
                // Two lists naming one status: join the descriptions.
                let before = existing["description"].as_str().unwrap_or("").to_owned();
                let added = response["description"].as_str().unwrap_or("");
                if !before.contains(added)
                    && existing
                        .get("content")
                        .and_then(|c| c.get(PROBLEM_JSON))
                        .is_some()
                {
                    existing["description"] = serde_json::json!(format!("{before}, {added}"));
                }
            } else {
                responses.insert(status, response);
            }
        }
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
            if matches!(
                code,
                ProblemCode::Internal | ProblemCode::Unavailable | ProblemCode::Overloaded
            ) {
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
