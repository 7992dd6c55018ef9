//! [`SimulatedRequest`]: what a simulated Sinch would send, ready for any
//! HTTP client or an in-process router.

use std::fmt;

use crate::signing::{AUTHORIZATION, WEBHOOK_SIGNATURE, X_SINCH_SIGNATURE};

/// One signed callback: method, path, headers (lower-case names, in the
/// order sent) and the exact body bytes the signature covers.
///
/// `Debug` hides the signature headers: within the timestamp window a
/// signed request is as good as a credential for replaying it.
#[derive(Clone, PartialEq, Eq)]
pub struct SimulatedRequest {
    pub(crate) method: &'static str,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl SimulatedRequest {
    /// The HTTP method: Sinch POSTs every callback.
    pub fn method(&self) -> &str {
        self.method
    }

    /// The path that was signed (and is to be requested), starting with `/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The headers, lower-case names, in the order they are sent.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// One header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The exact body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Replaces (or adds) a header **after** signing: the way to simulate a
    /// forged or tampered request that a handler must refuse.
    ///
    /// ```
    /// use sinch_auth::Application;
    /// use sinch_auth::simulate::{Simulation, VoiceEvent};
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let forged = Simulation::voice(&app, VoiceEvent::Ice)
    ///     .build()?
    ///     .with_header("x-timestamp", "2014-06-04T13:41:58Z");
    /// assert_eq!(forged.header("X-Timestamp"), Some("2014-06-04T13:41:58Z"));
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        let name = name.to_ascii_lowercase();
        match self.headers.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value.to_owned(),
            None => self.headers.push((name, value.to_owned())),
        }
        self
    }

    /// Removes a header after signing (an unsigned request).
    #[must_use]
    pub fn without_header(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    /// The request as an `http::Request`, e.g. for axum's `oneshot`.
    /// Header values that `http` refuses are left out.
    ///
    /// ```
    /// use sinch_auth::Application;
    /// use sinch_auth::simulate::{Simulation, VoiceEvent};
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let request = Simulation::voice(&app, VoiceEvent::Ace).with_path("/ace").build()?.into_http();
    /// assert_eq!(request.uri(), "/ace");
    /// assert!(request.headers().contains_key("authorization"));
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    #[cfg(feature = "http")]
    pub fn into_http(self) -> http::Request<Vec<u8>> {
        let mut request = http::Request::new(self.body);
        *request.method_mut() = http::Method::POST;
        if let Ok(uri) = self.path.parse() {
            *request.uri_mut() = uri;
        }
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                http::header::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_str(value),
            ) {
                request.headers_mut().append(name, value);
            }
        }
        request
    }
}

/// Headers whose values are signatures.
fn is_signature(name: &str) -> bool {
    [AUTHORIZATION, X_SINCH_SIGNATURE, WEBHOOK_SIGNATURE]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(name))
}

impl fmt::Debug for SimulatedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str(),
                    if is_signature(n) {
                        "[redacted]"
                    } else {
                        v.as_str()
                    },
                )
            })
            .collect();
        f.debug_struct("SimulatedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> SimulatedRequest {
        SimulatedRequest {
            method: "POST",
            path: "/cb".into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("authorization".into(), "Application k:c2lnbmF0dXJl".into()),
            ],
            body: b"{}".to_vec(),
        }
    }

    #[test]
    fn debug_hides_signatures() {
        let debug = format!("{:?}", request());
        assert!(!debug.contains("c2lnbmF0dXJl"), "{debug}");
        assert!(debug.contains("application/json"), "{debug}");
    }

    #[test]
    fn headers_are_replaced_added_and_removed() {
        let r = request()
            .with_header("Content-Type", "text/plain")
            .with_header("X-Extra", "1")
            .without_header("AUTHORIZATION");
        assert_eq!(r.header("content-type"), Some("text/plain"));
        assert_eq!(r.header("x-extra"), Some("1"));
        assert_eq!(r.header("authorization"), None);
        assert_eq!(r.headers().len(), 2);
    }
}
