//! The string-to-sign of FORMATS §3 and the rules for the parts that go in it.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};

/// `base64(MD5(body))`, or the empty string for an empty body (FORMATS §3).
///
/// The MD5 is over the raw bytes as sent or received, never over re-serialized
/// JSON.
///
/// ```
/// use sinch_auth::signing::content_md5;
/// assert_eq!(content_md5(br#"{"message":"Hello world"}"#), "jANzQ+rgAHyf1MWQFSwvYw==");
/// assert_eq!(content_md5(b""), "");
/// ```
pub fn content_md5(body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    STANDARD.encode(Md5::digest(body))
}

/// The five lines an application signature covers, exposed for debugging
/// ("why does Sinch say 40102?"). `Display` writes the exact bytes that are
/// MACed: single LFs, no trailing newline.
///
/// ```
/// use sinch_auth::signing::StringToSign;
/// let sts = StringToSign {
///     method: "POST",
///     content_md5: "jANzQ+rgAHyf1MWQFSwvYw==",
///     content_type: "application/json",
///     x_timestamp: "2014-06-04T13:41:58Z",
///     path: "/v1/sms/+46700000000",
/// };
/// assert_eq!(
///     sts.to_string(),
///     "POST\njANzQ+rgAHyf1MWQFSwvYw==\napplication/json\nx-timestamp:2014-06-04T13:41:58Z\n/v1/sms/+46700000000"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringToSign<'a> {
    /// The HTTP method, upper-case.
    pub method: &'a str,
    /// [`content_md5`] of the body.
    pub content_md5: &'a str,
    /// The `Content-Type` header verbatim, or `""` when absent.
    pub content_type: &'a str,
    /// The `x-timestamp` header verbatim.
    pub x_timestamp: &'a str,
    /// The signed path (see [`signed_path`]).
    pub path: &'a str,
}

impl StringToSign<'_> {
    /// Feeds the exact bytes to `sink` without building a `String`.
    pub(crate) fn write_to(&self, mut sink: impl FnMut(&[u8])) {
        sink(self.method.as_bytes());
        sink(b"\n");
        sink(self.content_md5.as_bytes());
        sink(b"\n");
        sink(self.content_type.as_bytes());
        sink(b"\nx-timestamp:");
        sink(self.x_timestamp.as_bytes());
        sink(b"\n");
        sink(self.path.as_bytes());
    }
}

impl fmt::Display for StringToSign<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\n{}\n{}\nx-timestamp:{}\n{}",
            self.method, self.content_md5, self.content_type, self.x_timestamp, self.path
        )
    }
}

/// The path that goes into the string-to-sign: everything before the first
/// `?`, or the whole path and query when `include_query` is set.
///
/// Sinch's own SDKs disagree on the query string (FORMATS §5); most leave it
/// out, so this crate does by default.
///
/// ```
/// use sinch_auth::signing::signed_path;
/// assert_eq!(signed_path("/calling/v1/callouts?x=1", false), "/calling/v1/callouts");
/// assert_eq!(signed_path("/calling/v1/callouts?x=1", true), "/calling/v1/callouts?x=1");
/// ```
pub fn signed_path(path_and_query: &str, include_query: bool) -> &str {
    if include_query {
        return path_and_query;
    }
    match path_and_query.split_once('?') {
        Some((path, _query)) => path,
        None => path_and_query,
    }
}

/// Why a method cannot be signed, if it cannot: it must be an HTTP token
/// (RFC 9110 §5.6.2), so it cannot smuggle a line break into the string.
pub(crate) fn method_problem(method: &str) -> Option<&'static str> {
    if method.is_empty() {
        return Some("is empty");
    }
    let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if !method.bytes().all(is_tchar) {
        return Some("is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)");
    }
    None
}

/// Why a path cannot be signed, if it cannot.
pub(crate) fn path_problem(path: &str) -> Option<&'static str> {
    if !path.starts_with('/') {
        return Some("must start with '/' (no scheme or host)");
    }
    if path.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Some("contains a space or a control character");
    }
    None
}

/// Why a header value cannot be signed, if it cannot: line breaks and other
/// control characters (tab aside, which HTTP allows) would let one line of
/// the string-to-sign pose as another.
pub(crate) fn header_value_problem(value: &str) -> Option<&'static str> {
    if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
        return Some("contains a line break or another control character");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_to_matches_display() {
        let sts = StringToSign {
            method: "GET",
            content_md5: "",
            content_type: "",
            x_timestamp: "2014-06-04T13:41:58.123Z",
            path: "/a",
        };
        let mut bytes = Vec::new();
        sts.write_to(|chunk| bytes.extend_from_slice(chunk));
        assert_eq!(bytes, sts.to_string().into_bytes());
        assert_eq!(
            sts.to_string(),
            "GET\n\n\nx-timestamp:2014-06-04T13:41:58.123Z\n/a"
        );
    }

    #[test]
    fn path_keeps_everything_before_the_first_question_mark() {
        assert_eq!(signed_path("/a?b?c", false), "/a");
        assert_eq!(signed_path("/a", false), "/a");
        assert_eq!(signed_path("/a?", false), "/a");
        assert_eq!(signed_path("/a?", true), "/a?");
    }

    #[test]
    fn part_rules() {
        assert!(method_problem("POST").is_none());
        assert!(method_problem("").is_some());
        assert!(method_problem("PO ST").is_some());
        assert!(method_problem("POST\n").is_some());
        assert!(path_problem("/v1/sms/+46700000000").is_none());
        assert!(path_problem("v1").is_some());
        assert!(path_problem("/a\nb").is_some());
        assert!(path_problem("/a b").is_some());
        assert!(header_value_problem("application/json; charset=UTF-8").is_none());
        assert!(header_value_problem("a\tb").is_none());
        assert!(header_value_problem("a\r\nb").is_some());
    }
}
