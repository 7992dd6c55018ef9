//! Properties of signing and callback verification (FORMATS §3–4): what is
//! signed verifies, what is changed does not, and no input makes
//! verification panic.

use proptest::prelude::*;
use sinch_auth::signing::{
    CallbackRequest, CallbackSecret, CallbackVerifier, ConversationWebhook,
    ConversationWebhookVerifier, NumbersCallbackVerifier,
};
use sinch_auth::{Application, CredentialKind, ErrorKind};
use time::OffsetDateTime;

fn app() -> Application {
    Application::from_base64(
        "669e367e-6bba-48ab-af15-266871c28135",
        "BeIukql3pTKJ8RGL5zo0DA==",
    )
    .unwrap()
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_owned()),
        Just("POST".to_owned()),
        Just("put".to_owned()),
        "[A-Za-z!#$%&'*+.^_`|~-]{1,12}",
    ]
}

/// Anything a request line can carry after the leading `/`, query included.
fn path() -> impl Strategy<Value = String> {
    "/[!-~]{0,80}"
}

/// Header text: any non-control characters, including non-ASCII.
fn content_type() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[^\\p{Cc}]{0,60}")
}

/// 1970 … 9999, with milliseconds.
fn timestamp() -> impl Strategy<Value = OffsetDateTime> {
    (0i64..253_402_300_799, 0u16..1000).prop_map(|(secs, ms)| {
        OffsetDateTime::from_unix_timestamp(secs).unwrap()
            + time::Duration::milliseconds(i64::from(ms))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn what_is_signed_verifies(
        method in method(),
        path in path(),
        content_type in content_type(),
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        at in timestamp(),
        include_query in any::<bool>(),
    ) {
        let app = app();
        let mut builder = app
            .sign_request(&method, &path)
            .with_body(&body)
            .with_timestamp(at)
            .include_query(include_query);
        if let Some(ct) = &content_type {
            builder = builder.with_content_type(ct);
        }
        let signed = builder.sign().unwrap();

        let mut request = CallbackRequest::new(&method, &path)
            .with_authorization(signed.authorization())
            .with_x_timestamp(signed.x_timestamp())
            .with_body(&body);
        if let Some(ct) = &content_type {
            request = request.with_content_type(ct);
        }
        let verifier = CallbackVerifier::new(app).with_now(at).include_query(include_query);
        let verified = verifier.verify(request);
        prop_assert!(verified.is_ok(), "{:?}", verified);
        prop_assert_eq!(verifier.string_to_sign(request), signed.string_to_sign());
    }

    #[test]
    fn a_changed_body_does_not_verify(
        body in proptest::collection::vec(any::<u8>(), 1..1024),
        index in any::<prop::sample::Index>(),
        flip in 1u8..=255,
        at in timestamp(),
    ) {
        let app = app();
        let signed = app
            .sign_request("POST", "/sinch/callback")
            .with_content_type("application/json")
            .with_body(&body)
            .with_timestamp(at)
            .sign()
            .unwrap();
        let mut changed = body.clone();
        changed[index.index(body.len())] ^= flip;
        let request = CallbackRequest::new("POST", "/sinch/callback")
            .with_content_type("application/json")
            .with_authorization(signed.authorization())
            .with_x_timestamp(signed.x_timestamp())
            .with_body(&changed);
        let err = CallbackVerifier::new(app).with_now(at).verify(request).unwrap_err();
        prop_assert_eq!(err.kind(), &ErrorKind::InvalidSignature(CredentialKind::SignedRequest));
    }

    #[test]
    fn verification_never_panics_on_arbitrary_headers(
        method in ".{0,12}",
        path in ".{0,64}",
        content_type in proptest::option::of(".{0,64}"),
        authorization in proptest::option::of(prop_oneof![
            ".{0,120}",
            "[Aa][Pp]{2}lication[ \t]{0,3}[!-~]{0,60}:[A-Za-z0-9+/=]{0,60}",
        ]),
        x_timestamp in proptest::option::of(prop_oneof![
            ".{0,40}",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?(Z|[+-][0-9]{2}:[0-9]{2})?",
        ]),
        body in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let mut request = CallbackRequest::new(&method, &path).with_body(&body);
        if let Some(v) = &content_type { request = request.with_content_type(v); }
        if let Some(v) = &authorization { request = request.with_authorization(v); }
        if let Some(v) = &x_timestamp { request = request.with_x_timestamp(v); }
        let verifier = CallbackVerifier::new(app());
        // Whatever the outcome, it is an answer, and a rejection is a
        // verification failure with a message.
        if let Err(e) = verifier.verify(request) {
            prop_assert!(e.is_verification_failure(), "{:?}", e);
            prop_assert!(!e.to_string().is_empty());
        }
        let _ = verifier.string_to_sign(request);
    }

    #[test]
    fn numbers_and_conversation_never_panic(
        signature in proptest::option::of(".{0,80}"),
        nonce in proptest::option::of(".{0,40}"),
        timestamp in proptest::option::of(prop_oneof![".{0,20}", "[0-9]{0,14}"]),
        algorithm in proptest::option::of(".{0,20}"),
        body in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let numbers = NumbersCallbackVerifier::new(CallbackSecret::new("s").unwrap());
        if let Err(e) = numbers.verify(signature.as_deref(), &body) {
            prop_assert!(e.is_verification_failure(), "{:?}", e);
        }
        let conversation = ConversationWebhookVerifier::new(CallbackSecret::new("s").unwrap());
        let mut webhook = ConversationWebhook::new(&body);
        if let Some(v) = &signature { webhook = webhook.with_signature(v); }
        if let Some(v) = &nonce { webhook = webhook.with_nonce(v); }
        if let Some(v) = &timestamp { webhook = webhook.with_timestamp(v); }
        if let Some(v) = &algorithm { webhook = webhook.with_algorithm(v); }
        if let Err(e) = conversation.verify(webhook) {
            prop_assert!(e.is_verification_failure(), "{:?}", e);
        }
    }

    #[test]
    fn numbers_and_conversation_round_trip(
        secret in "[^\\p{Cc}]{1,40}",
        body in proptest::collection::vec(any::<u8>(), 0..1024),
        nonce in "[A-Za-z0-9_-]{1,32}",
        at in 0i64..253_402_300_799,
    ) {
        let numbers = NumbersCallbackVerifier::new(CallbackSecret::new(secret.as_str()).unwrap());
        let signature = numbers.signature_for(&body);
        prop_assert!(numbers.verify(Some(&signature), &body).is_ok());

        let now = OffsetDateTime::from_unix_timestamp(at).unwrap();
        let conversation = ConversationWebhookVerifier::new(CallbackSecret::new(secret.as_str()).unwrap())
            .with_now(now);
        let ts = at.to_string();
        let signature = conversation.signature_for(&body, &nonce, &ts);
        let webhook = ConversationWebhook::new(&body)
            .with_signature(&signature)
            .with_nonce(&nonce)
            .with_timestamp(&ts);
        prop_assert!(conversation.verify(webhook).is_ok());
    }
}

#[cfg(feature = "http")]
proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Header values straight off the wire, any bytes `http` lets through.
    #[test]
    fn http_verification_never_panics_on_raw_header_bytes(
        authorization in proptest::collection::vec(any::<u8>(), 0..120),
        x_timestamp in proptest::collection::vec(any::<u8>(), 0..40),
        content_type in proptest::collection::vec(any::<u8>(), 0..60),
        body in proptest::collection::vec(any::<u8>(), 0..128),
    ) {
        let mut request = http::Request::post("/sinch/callback").body(body).unwrap();
        for (name, value) in [
            ("authorization", &authorization),
            ("x-timestamp", &x_timestamp),
            ("content-type", &content_type),
        ] {
            if let Ok(value) = http::HeaderValue::from_bytes(value) {
                request.headers_mut().insert(name, value);
            }
        }
        if let Err(e) = CallbackVerifier::new(app()).verify_http(&request) {
            prop_assert!(e.is_verification_failure(), "{:?}", e);
        }
    }
}
