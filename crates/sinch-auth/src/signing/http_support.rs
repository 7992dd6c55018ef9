//! The same signing and verification on `http` crate types (feature `http`).

use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Uri};

use super::callback_verifier::{CallbackClaims, CallbackRequest, CallbackVerifier};
use super::conversation::{
    ConversationWebhook, WEBHOOK_ALGORITHM, WEBHOOK_NONCE, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP,
};
use super::numbers::{NumbersCallbackVerifier, X_SINCH_SIGNATURE};
use super::request_signer::{SignRequest, SignedRequest};
use super::{AUTHORIZATION, CONTENT_TYPE, X_TIMESTAMP};
use crate::application::Application;
use crate::error::{Error, ErrorKind};
use crate::verified::Verified;

/// One header's value as text: `None` when absent, an error when sent twice
/// or not visible ASCII (such a value cannot have been signed as UTF-8 text
/// by Sinch).
fn single_header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<Option<&'a str>, Error> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let malformed = |reason: &str| -> Error {
        ErrorKind::MalformedHeader {
            header: name,
            reason: reason.to_owned(),
        }
        .into()
    };
    if values.next().is_some() {
        return Err(malformed("sent more than once"));
    }
    value
        .to_str()
        .map(Some)
        .map_err(|_| malformed("is not visible ASCII"))
}

/// The path and query of a request URI; `/` for an authority-only URI.
pub(crate) fn path_and_query(uri: &Uri) -> &str {
    uri.path_and_query().map_or("/", |pq| pq.as_str())
}

impl<'a> SignRequest<'a> {
    /// Starts signing an `http::Request` from its method, path and query,
    /// `Content-Type` header and body. Fails when the content type is sent
    /// twice or is not visible ASCII.
    ///
    /// ```
    /// use sinch_auth::Application;
    /// use sinch_auth::signing::SignRequest;
    /// let app = Application::from_base64(
    ///     "5F5C418A0F914BBC8234A9BF5EDDAD97",
    ///     "JViE5vDor0Sw3WllZka15Q==",
    /// )?;
    /// let mut request = http::Request::post("https://sms.api.sinch.com/v1/sms/+46700000000")
    ///     .header("content-type", "application/json")
    ///     .body(br#"{"message":"Hello world"}"#.to_vec())
    ///     .unwrap();
    /// let signed = SignRequest::from_http(&app, &request)?
    ///     .with_timestamp_text("2014-06-04T13:41:58Z")
    ///     .sign()?;
    /// signed.apply_to(&mut request)?;
    /// assert_eq!(
    ///     request.headers()["authorization"],
    ///     "Application 5F5C418A0F914BBC8234A9BF5EDDAD97:qDXMwzfaxCRS849c/2R0hg0nphgdHciTo7OdM6MsdnM="
    /// );
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn from_http<B: AsRef<[u8]>>(
        app: &'a Application,
        request: &'a Request<B>,
    ) -> Result<Self, Error> {
        let content_type =
            single_header(request.headers(), CONTENT_TYPE).map_err(|e| match e.into_kind() {
                ErrorKind::MalformedHeader { reason, .. } => ErrorKind::InvalidRequestPart {
                    part: "content type",
                    reason,
                },
                other => other,
            })?;
        let builder = app
            .sign_request(request.method().as_str(), path_and_query(request.uri()))
            .with_body(request.body().as_ref());
        Ok(match content_type {
            Some(content_type) => builder.with_content_type(content_type),
            None => builder,
        })
    }
}

impl SignedRequest {
    /// Sets `Authorization` and `x-timestamp` on `request`, replacing any
    /// earlier values.
    ///
    /// ```
    /// use sinch_auth::Application;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let mut request = http::Request::get("/calling/v1/calls/id/abc").body(Vec::<u8>::new()).unwrap();
    /// let signed = app.sign_request("GET", "/calling/v1/calls/id/abc").sign()?;
    /// signed.apply_to(&mut request)?;
    /// assert_eq!(request.headers()["x-timestamp"], signed.x_timestamp());
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn apply_to<B>(&self, request: &mut Request<B>) -> Result<(), Error> {
        for (name, value) in self.headers() {
            // Both values are built from a validated key, base64 and a parsed
            // timestamp, so this cannot fail; it is still not unwrapped.
            let value =
                HeaderValue::from_str(value).map_err(|_| ErrorKind::InvalidRequestPart {
                    part: "header",
                    reason: format!("{name} is not a valid header value"),
                })?;
            request
                .headers_mut()
                .insert(HeaderName::from_static(name), value);
        }
        Ok(())
    }
}

impl Application {
    /// Signs `request` at the current time and sets its `Authorization` and
    /// `x-timestamp` headers: the one call most clients need. The query
    /// string is not signed; use [`SignRequest::from_http`] for other options.
    ///
    /// ```
    /// use sinch_auth::Application;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let mut request = http::Request::post("https://calling.api.sinch.com/calling/v1/callouts")
    ///     .header("content-type", "application/json")
    ///     .body(br#"{"method":"ttsCallout"}"#.to_vec())
    ///     .unwrap();
    /// let signed = app.sign_http_request(&mut request)?;
    /// assert!(signed.string_to_sign().ends_with("\n/calling/v1/callouts"));
    /// assert!(request.headers().contains_key("authorization"));
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn sign_http_request<B: AsRef<[u8]>>(
        &self,
        request: &mut Request<B>,
    ) -> Result<SignedRequest, Error> {
        let signed = SignRequest::from_http(self, request)?.sign()?;
        signed.apply_to(request)?;
        Ok(signed)
    }
}

impl<'a> CallbackRequest<'a> {
    /// Reads a received callback from `http` parts: method, path and query,
    /// `Content-Type`, `Authorization`, `x-timestamp`. Fails with
    /// [`ErrorKind::MalformedHeader`] when one of those headers is sent twice
    /// or is not visible ASCII.
    ///
    /// ```
    /// use sinch_auth::signing::CallbackRequest;
    /// let request = http::Request::post("/sinch/callback?x=1")
    ///     .header("x-timestamp", "2014-09-24T10:59:41Z")
    ///     .body(Vec::new())
    ///     .unwrap();
    /// let (parts, body) = request.into_parts();
    /// let callback = CallbackRequest::from_http(&parts.method, &parts.uri, &parts.headers, &body)?;
    /// assert_eq!(callback.path(), "/sinch/callback?x=1");
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn from_http(
        method: &'a Method,
        uri: &'a Uri,
        headers: &'a HeaderMap,
        body: &'a [u8],
    ) -> Result<Self, Error> {
        CallbackRequest::new(method.as_str(), path_and_query(uri))
            .with_body(body)
            .with_headers_from(headers)
    }

    /// Takes `Content-Type`, `Authorization` and `x-timestamp` from `headers`.
    pub(crate) fn with_headers_from(mut self, headers: &'a HeaderMap) -> Result<Self, Error> {
        if let Some(value) = single_header(headers, CONTENT_TYPE)? {
            self = self.with_content_type(value);
        }
        if let Some(value) = single_header(headers, AUTHORIZATION)? {
            self = self.with_authorization(value);
        }
        if let Some(value) = single_header(headers, X_TIMESTAMP)? {
            self = self.with_x_timestamp(value);
        }
        Ok(self)
    }
}

impl CallbackVerifier {
    /// Verifies a received `http::Request` whose body has been read into
    /// memory. Uses the request's own path; behind a proxy that rewrites
    /// paths, build a [`CallbackRequest`] with
    /// [`with_path`](CallbackRequest::with_path) instead.
    ///
    /// ```
    /// use sinch_auth::Application;
    /// use sinch_auth::signing::CallbackVerifier;
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==")?;
    /// let mut request = http::Request::post("/sinch/callback")
    ///     .header("content-type", "application/json")
    ///     .body(br#"{"event":"dice"}"#.to_vec())
    ///     .unwrap();
    /// app.sign_http_request(&mut request)?; // what Sinch does
    /// assert!(CallbackVerifier::new(app).verify_http(&request).is_ok());
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn verify_http<B: AsRef<[u8]>>(
        &self,
        request: &Request<B>,
    ) -> Result<Verified<CallbackClaims>, Error> {
        self.verify(CallbackRequest::from_http(
            request.method(),
            request.uri(),
            request.headers(),
            request.body().as_ref(),
        )?)
    }
}

impl NumbersCallbackVerifier {
    /// Verifies a Numbers callback from its headers and raw body.
    ///
    /// ```
    /// use sinch_auth::signing::{CallbackSecret, NumbersCallbackVerifier};
    /// let verifier = NumbersCallbackVerifier::new(CallbackSecret::new("my-callback-secret")?);
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("x-sinch-signature", verifier.signature_for(b"{}").parse().unwrap());
    /// assert!(verifier.verify_http_headers(&headers, b"{}").is_ok());
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn verify_http_headers(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), Error> {
        self.verify(single_header(headers, X_SINCH_SIGNATURE)?, body)
    }
}

impl<'a> ConversationWebhook<'a> {
    /// Reads the `x-sinch-webhook-signature*` headers. Fails with
    /// [`ErrorKind::MalformedHeader`] when one is sent twice or is not
    /// visible ASCII.
    ///
    /// ```
    /// use sinch_auth::signing::ConversationWebhook;
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("x-sinch-webhook-signature-nonce", "01FJA8B4A7BM43YGWSG9GBV067".parse().unwrap());
    /// let webhook = ConversationWebhook::from_http_headers(&headers, b"{}")?;
    /// assert_eq!(webhook.body(), b"{}");
    /// # Ok::<(), sinch_auth::Error>(())
    /// ```
    pub fn from_http_headers(headers: &'a HeaderMap, body: &'a [u8]) -> Result<Self, Error> {
        let mut webhook = ConversationWebhook::new(body);
        if let Some(value) = single_header(headers, WEBHOOK_SIGNATURE)? {
            webhook = webhook.with_signature(value);
        }
        if let Some(value) = single_header(headers, WEBHOOK_NONCE)? {
            webhook = webhook.with_nonce(value);
        }
        if let Some(value) = single_header(headers, WEBHOOK_TIMESTAMP)? {
            webhook = webhook.with_timestamp(value);
        }
        if let Some(value) = single_header(headers, WEBHOOK_ALGORITHM)? {
            webhook = webhook.with_algorithm(value);
        }
        Ok(webhook)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_and_binary_headers_are_malformed() {
        let mut headers = HeaderMap::new();
        headers.append("authorization", HeaderValue::from_static("a"));
        headers.append("authorization", HeaderValue::from_static("b"));
        headers.insert(
            "x-timestamp",
            HeaderValue::from_bytes(b"2014-06-04T13:41:58Z\xff").unwrap(),
        );
        let err = single_header(&headers, AUTHORIZATION).unwrap_err();
        assert!(err.to_string().contains("more than once"), "{err}");
        let err = single_header(&headers, X_TIMESTAMP).unwrap_err();
        assert!(err.to_string().contains("visible ASCII"), "{err}");
        assert_eq!(single_header(&headers, CONTENT_TYPE).unwrap(), None);
    }

    #[test]
    fn authority_only_uri_signs_root() {
        let uri: Uri = "https://example.com".parse().unwrap();
        assert_eq!(path_and_query(&uri), "/");
    }
}
