//! Every `signedRequests` and `webhooks` vector of `tests/vectors/vectors.json`
//! (FORMATS §3–4), in both directions: signing reproduces the vector, and
//! verification accepts it near its timestamp and rejects any change.

use std::time::Duration;

use serde_json::Value;
use sinch_auth::signing::{
    CallbackRequest, CallbackSecret, CallbackVerifier, ConversationWebhook,
    ConversationWebhookVerifier, NumbersCallbackVerifier,
};
use sinch_auth::{Application, CredentialKind, Error, ErrorKind, parse_timestamp};
use time::OffsetDateTime;

fn vectors() -> Value {
    serde_json::from_str(include_str!("../vectors/vectors.json")).expect("vectors.json parses")
}

fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("field {field} in {v}"))
}

/// One `signedRequests` entry.
struct Vector {
    name: String,
    key: String,
    secret: String,
    method: String,
    body: Vec<u8>,
    content_type: String,
    x_timestamp: String,
    path: String,
    content_md5: String,
    signature: String,
    authorization: String,
}

impl Vector {
    fn app(&self) -> Application {
        Application::from_base64(&self.key, &self.secret).unwrap()
    }

    fn timestamp(&self) -> OffsetDateTime {
        parse_timestamp(&self.x_timestamp).unwrap()
    }

    /// A verifier whose clock stands 30 s after the vector was signed.
    fn verifier(&self) -> CallbackVerifier {
        CallbackVerifier::new(self.app()).with_now(self.timestamp() + time::Duration::seconds(30))
    }

    /// The request exactly as Sinch sent it.
    fn request(&self) -> CallbackRequest<'_> {
        CallbackRequest::new(&self.method, &self.path)
            .with_content_type(&self.content_type)
            .with_authorization(&self.authorization)
            .with_x_timestamp(&self.x_timestamp)
            .with_body(&self.body)
    }

    fn expected_string_to_sign(&self) -> String {
        format!(
            "{}\n{}\n{}\nx-timestamp:{}\n{}",
            self.method, self.content_md5, self.content_type, self.x_timestamp, self.path
        )
    }
}

fn signed_requests() -> Vec<Vector> {
    let all = vectors();
    let cases = all["signedRequests"].as_array().unwrap();
    assert_eq!(cases.len(), 5, "a vector was added or lost: cover it");
    cases
        .iter()
        .map(|v| Vector {
            name: s(v, "name").to_owned(),
            key: s(v, "applicationKey").to_owned(),
            secret: s(v, "applicationSecret").to_owned(),
            method: s(v, "method").to_owned(),
            body: s(v, "body").as_bytes().to_vec(),
            content_type: s(v, "contentType").to_owned(),
            x_timestamp: s(v, "xTimestamp").to_owned(),
            path: s(v, "path").to_owned(),
            content_md5: s(v, "contentMd5").to_owned(),
            signature: s(v, "signature").to_owned(),
            authorization: s(v, "authorization").to_owned(),
        })
        .collect()
}

fn kind(result: Result<impl std::fmt::Debug, Error>, what: &str) -> ErrorKind {
    match result {
        Ok(v) => panic!("{what}: accepted ({v:?}) but must be rejected"),
        Err(e) => e.into_kind(),
    }
}

fn assert_bad_signature(result: Result<impl std::fmt::Debug, Error>, what: &str) {
    let k = kind(result, what);
    assert_eq!(
        k,
        ErrorKind::InvalidSignature(CredentialKind::SignedRequest),
        "{what}"
    );
}

// ---- signing ------------------------------------------------------------

#[test]
fn signing_reproduces_every_vector() {
    for v in signed_requests() {
        let app = v.app();
        let signed = app
            .sign_request(&v.method, &v.path)
            .with_content_type(&v.content_type)
            .with_body(&v.body)
            .with_timestamp_text(&v.x_timestamp)
            .sign()
            .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(signed.signature(), v.signature, "{}", v.name);
        assert_eq!(signed.content_md5(), v.content_md5, "{}", v.name);
        assert_eq!(signed.x_timestamp(), v.x_timestamp, "{}", v.name);
        assert_eq!(
            signed.string_to_sign(),
            v.expected_string_to_sign(),
            "{}",
            v.name
        );
        // We always send `Application`; the vector may spell the scheme in
        // lower case (Sinch's callback example does).
        assert_eq!(
            signed.authorization(),
            format!("Application {}:{}", v.key, v.signature),
            "{}",
            v.name
        );
        let (scheme, rest) = v.authorization.split_once(' ').unwrap();
        assert!(scheme.eq_ignore_ascii_case("Application"), "{}", v.name);
        assert_eq!(
            rest,
            &signed.authorization()["Application ".len()..],
            "{}",
            v.name
        );
    }
}

#[test]
fn signing_upper_cases_the_method() {
    for v in signed_requests() {
        let lower = v.method.to_ascii_lowercase();
        let signed = v
            .app()
            .sign_request(&lower, &v.path)
            .with_content_type(&v.content_type)
            .with_body(&v.body)
            .with_timestamp_text(&v.x_timestamp)
            .sign()
            .unwrap();
        assert_eq!(signed.signature(), v.signature, "{}", v.name);
    }
}

#[test]
fn signing_leaves_the_query_out_unless_told() {
    for v in signed_requests() {
        let with_query = format!("{}?page=2&x=%20", v.path);
        let sign = |include: bool| {
            v.app()
                .sign_request(&v.method, &with_query)
                .with_content_type(&v.content_type)
                .with_body(&v.body)
                .with_timestamp_text(&v.x_timestamp)
                .include_query(include)
                .sign()
                .unwrap()
        };
        assert_eq!(sign(false).signature(), v.signature, "{}", v.name);
        let included = sign(true);
        assert_ne!(included.signature(), v.signature, "{}", v.name);
        assert!(
            included.string_to_sign().ends_with(&with_query),
            "{}",
            v.name
        );
    }
}

#[test]
fn absent_content_type_signs_an_empty_line() {
    let v = &signed_requests()[0];
    let signed = v
        .app()
        .sign_request(&v.method, &v.path)
        .with_body(&v.body)
        .with_timestamp_text(&v.x_timestamp)
        .sign()
        .unwrap();
    assert_eq!(
        signed.string_to_sign(),
        format!(
            "POST\n{}\n\nx-timestamp:{}\n{}",
            v.content_md5, v.x_timestamp, v.path
        )
    );
    assert_ne!(signed.signature(), v.signature);
}

#[test]
fn signing_rejects_parts_that_could_forge_another_line() {
    let v = &signed_requests()[0];
    let app = v.app();
    let part = |r: Result<_, Error>| match kind(r, "bad part") {
        ErrorKind::InvalidRequestPart { part, .. } => part,
        other => panic!("{other:?}"),
    };
    assert_eq!(part(app.sign_request("PO\nST", "/a").sign()), "method");
    assert_eq!(part(app.sign_request("", "/a").sign()), "method");
    assert_eq!(part(app.sign_request("POST", "a").sign()), "path");
    assert_eq!(part(app.sign_request("POST", "/a\n/b").sign()), "path");
    assert_eq!(
        part(
            app.sign_request("POST", "/a")
                .with_content_type("text/plain\nx-timestamp:1")
                .sign()
        ),
        "content type"
    );
    assert!(matches!(
        kind(
            app.sign_request("POST", "/a")
                .with_timestamp_text("2014-06-04T13:41:58Z\n")
                .sign(),
            "timestamp"
        ),
        ErrorKind::InvalidTimestamp { .. }
    ));
}

#[test]
fn default_timestamp_is_now_in_millisecond_form() {
    let v = &signed_requests()[0];
    let before = OffsetDateTime::now_utc();
    let signed = v.app().sign_request("GET", "/a").sign().unwrap();
    let after = OffsetDateTime::now_utc();
    let ts = signed.x_timestamp();
    assert_eq!(ts.len(), "2014-06-04T13:41:58.123Z".len(), "{ts}");
    assert!(ts.ends_with('Z') && ts.as_bytes()[19] == b'.', "{ts}");
    let parsed = parse_timestamp(ts).unwrap();
    let ms = time::Duration::milliseconds(1);
    assert!(before - ms <= parsed && parsed <= after, "{ts}");
}

// ---- verifying ----------------------------------------------------------

#[test]
fn verification_accepts_every_vector_near_its_timestamp() {
    for v in signed_requests() {
        let claims = v
            .verifier()
            .verify(v.request())
            .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(claims.timestamp(), v.timestamp(), "{}", v.name);
        assert_eq!(claims.application_key(), v.key, "{}", v.name);
        for offset in [-599, -1, 0, 1, 600] {
            let now = v.timestamp() + time::Duration::seconds(offset);
            let verifier = CallbackVerifier::new(v.app()).with_now(now);
            assert!(
                verifier.verify(v.request()).is_ok(),
                "{} at {offset}",
                v.name
            );
        }
    }
}

#[test]
fn verification_rejects_a_changed_method() {
    for v in signed_requests() {
        for method in ["PUT", "GET", "DELETE", "PATCH"] {
            let changed = CallbackRequest::new(method, &v.path)
                .with_content_type(&v.content_type)
                .with_authorization(&v.authorization)
                .with_x_timestamp(&v.x_timestamp)
                .with_body(&v.body);
            assert_bad_signature(
                v.verifier().verify(changed),
                &format!("{} {method}", v.name),
            );
        }
    }
}

#[test]
fn verification_rejects_a_changed_path() {
    for v in signed_requests() {
        let mut paths = vec![
            format!("{}/", v.path),
            format!("{}x", v.path),
            v.path[..v.path.len() - 1].to_owned(),
            v.path.to_uppercase(),
            format!("/prefix{}", v.path),
        ];
        // every single character changed, one at a time
        for i in 1..v.path.len() {
            let mut bytes = v.path.clone().into_bytes();
            bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
            paths.push(String::from_utf8(bytes).unwrap());
        }
        for path in paths {
            let changed = v.request().with_path(&path);
            assert_bad_signature(v.verifier().verify(changed), &format!("{} {path}", v.name));
        }
    }
}

#[test]
fn verification_rejects_a_changed_content_type() {
    for v in signed_requests() {
        let others = [
            format!("{}; charset=utf-8", v.content_type),
            v.content_type.to_uppercase(),
            "text/plain".to_owned(),
            String::new(),
        ];
        for ct in &others {
            let changed = v.request().with_content_type(ct);
            assert_bad_signature(v.verifier().verify(changed), &format!("{} {ct:?}", v.name));
        }
        let absent = CallbackRequest::new(&v.method, &v.path)
            .with_authorization(&v.authorization)
            .with_x_timestamp(&v.x_timestamp)
            .with_body(&v.body);
        assert_bad_signature(v.verifier().verify(absent), &format!("{} absent", v.name));
    }
}

#[test]
fn verification_rejects_any_changed_body_byte() {
    for v in signed_requests() {
        let verifier = v.verifier();
        for i in 0..v.body.len() {
            for flip in [0x01u8, 0x20, 0x80] {
                let mut body = v.body.clone();
                body[i] ^= flip;
                let changed = v.request().with_body(&body);
                assert_bad_signature(
                    verifier.verify(changed),
                    &format!("{} byte {i} ^ {flip:#x}", v.name),
                );
            }
        }
        let mut longer = v.body.clone();
        longer.push(b'\n');
        assert_bad_signature(verifier.verify(v.request().with_body(&longer)), &v.name);
        if !v.body.is_empty() {
            let shorter = &v.body[..v.body.len() - 1];
            assert_bad_signature(verifier.verify(v.request().with_body(shorter)), &v.name);
            assert_bad_signature(verifier.verify(v.request().with_body(b"")), &v.name);
        }
    }
}

#[test]
fn verification_rejects_a_changed_timestamp() {
    for v in signed_requests() {
        // The same instant written differently: the header is signed verbatim.
        let same_instant = [
            v.timestamp()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap()
                .replace('Z', "+00:00"),
            v.x_timestamp.replace('Z', "+00:00"),
        ];
        for ts in same_instant.iter().filter(|ts| **ts != v.x_timestamp) {
            assert_bad_signature(
                v.verifier().verify(v.request().with_x_timestamp(ts)),
                &format!("{} {ts}", v.name),
            );
        }
        for shift in [-60i64, -1, 1, 60] {
            let ts = (v.timestamp() + time::Duration::seconds(shift))
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            assert_bad_signature(
                v.verifier().verify(v.request().with_x_timestamp(&ts)),
                &format!("{} {ts}", v.name),
            );
        }
    }
}

#[test]
fn verification_rejects_timestamps_outside_the_window() {
    for v in signed_requests() {
        for offset in [-601i64, 601, 86_400, -86_400] {
            let now = v.timestamp() + time::Duration::seconds(offset);
            let verifier = CallbackVerifier::new(v.app()).with_now(now);
            match kind(verifier.verify(v.request()), &v.name) {
                ErrorKind::TimestampOutsideWindow {
                    timestamp,
                    max_skew_secs,
                    ..
                } => {
                    assert_eq!(timestamp, v.timestamp());
                    assert_eq!(max_skew_secs, 600);
                }
                other => panic!("{}: {other:?}", v.name),
            }
        }
        // A configurable window.
        let now = v.timestamp() + time::Duration::seconds(90);
        let narrow = CallbackVerifier::new(v.app())
            .with_now(now)
            .with_max_skew(Duration::from_secs(60));
        assert!(narrow.verify(v.request()).is_err(), "{}", v.name);
        let wide = narrow.with_max_skew(Duration::from_secs(120));
        assert!(wide.verify(v.request()).is_ok(), "{}", v.name);
    }
}

#[test]
fn verification_rejects_another_key_or_secret() {
    for v in signed_requests() {
        let other_key = Application::from_base64("another-key", &v.secret).unwrap();
        let verifier = CallbackVerifier::new(other_key).with_now(v.timestamp());
        match kind(verifier.verify(v.request()), &v.name) {
            ErrorKind::ApplicationKeyMismatch {
                credential,
                expected,
                found,
            } => {
                assert_eq!(credential, CredentialKind::SignedRequest);
                assert_eq!(expected, "another-key");
                assert!(found.contains(&v.key), "{found}");
            }
            other => panic!("{}: {other:?}", v.name),
        }
        let other_secret = Application::from_base64(&v.key, "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
        let verifier = CallbackVerifier::new(other_secret).with_now(v.timestamp());
        assert_bad_signature(verifier.verify(v.request()), &v.name);

        // The header names another key, with our key's valid signature.
        let swapped = format!("Application other:{}", v.signature);
        assert!(matches!(
            kind(
                v.verifier()
                    .verify(v.request().with_authorization(&swapped)),
                &v.name
            ),
            ErrorKind::ApplicationKeyMismatch { .. }
        ));
    }
}

#[test]
fn verification_rejects_a_changed_signature() {
    for v in signed_requests() {
        let raw = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &v.signature)
            .unwrap();
        for i in 0..raw.len() {
            let mut changed = raw.clone();
            changed[i] ^= 1;
            let header = format!(
                "Application {}:{}",
                v.key,
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &changed)
            );
            assert_bad_signature(
                v.verifier().verify(v.request().with_authorization(&header)),
                &format!("{} byte {i}", v.name),
            );
        }
    }
}

#[test]
fn scheme_is_case_insensitive() {
    for v in signed_requests() {
        for scheme in ["Application", "application", "APPLICATION", "aPpLiCaTiOn"] {
            let header = format!("{scheme} {}:{}", v.key, v.signature);
            assert!(
                v.verifier()
                    .verify(v.request().with_authorization(&header))
                    .is_ok(),
                "{} {scheme}",
                v.name
            );
        }
        for scheme in ["Bearer", "Basic", "Applicatio", "user"] {
            let header = format!("{scheme} {}:{}", v.key, v.signature);
            match kind(
                v.verifier().verify(v.request().with_authorization(&header)),
                &v.name,
            ) {
                ErrorKind::MalformedHeader { header, reason } => {
                    assert_eq!(header, "authorization");
                    assert!(reason.contains("scheme"), "{reason}");
                }
                other => panic!("{}: {other:?}", v.name),
            }
        }
    }
}

#[test]
fn uuid_keys_match_in_any_case_other_keys_exactly() {
    for v in signed_requests() {
        let is_uuid = v.app().key().is_uuid();
        for key in [v.key.to_lowercase(), v.key.to_uppercase()] {
            if key == v.key {
                continue;
            }
            let header = format!("Application {key}:{}", v.signature);
            let result = v.verifier().verify(v.request().with_authorization(&header));
            if is_uuid {
                assert!(result.is_ok(), "{} {key}", v.name);
            } else {
                assert!(
                    matches!(
                        kind(result, &v.name),
                        ErrorKind::ApplicationKeyMismatch { .. }
                    ),
                    "{} {key}",
                    v.name
                );
            }
        }
    }
}

#[test]
fn query_string_is_excluded_by_default_and_includable() {
    for v in signed_requests() {
        let with_query = format!("{}?foo=bar", v.path);
        let request = v.request().with_path(&with_query);
        assert!(
            v.verifier().verify(request).is_ok(),
            "{}: query excluded by default",
            v.name
        );
        assert_bad_signature(v.verifier().include_query(true).verify(request), &v.name);

        // Signed with the query included, verified the same way.
        let now = v.timestamp();
        let signed = v
            .app()
            .sign_request(&v.method, &with_query)
            .with_content_type(&v.content_type)
            .with_body(&v.body)
            .with_timestamp(now)
            .include_query(true)
            .sign()
            .unwrap();
        let verifier = CallbackVerifier::new(v.app())
            .with_now(now)
            .include_query(true);
        let request = request
            .with_authorization(signed.authorization())
            .with_x_timestamp(signed.x_timestamp());
        assert!(verifier.verify(request).is_ok(), "{}", v.name);
        let other_query = format!("{}?foo=baz", v.path);
        assert_bad_signature(verifier.verify(request.with_path(&other_query)), &v.name);
    }
}

#[test]
fn missing_and_malformed_headers_are_named() {
    let v = &signed_requests()[1];
    let bare = CallbackRequest::new(&v.method, &v.path)
        .with_content_type(&v.content_type)
        .with_body(&v.body);
    assert_eq!(
        kind(v.verifier().verify(bare), "no headers"),
        ErrorKind::MissingHeader("authorization")
    );
    assert_eq!(
        kind(
            v.verifier()
                .verify(bare.with_authorization(&v.authorization)),
            "no timestamp"
        ),
        ErrorKind::MissingHeader("x-timestamp")
    );
    for (authorization, header) in [
        ("", "authorization"),
        ("Application", "authorization"),
        ("Application nocolon", "authorization"),
        (
            "Application 669E367E-6BBA-48AB-AF15-266871C28135:",
            "authorization",
        ),
        (
            "Application 669E367E-6BBA-48AB-AF15-266871C28135:not base64!",
            "authorization",
        ),
        (
            "Application 669E367E-6BBA-48AB-AF15-266871C28135:AAAA",
            "authorization",
        ),
    ] {
        let request = v.request().with_authorization(authorization);
        match kind(v.verifier().verify(request), authorization) {
            ErrorKind::MalformedHeader { header: h, .. } => {
                assert_eq!(h, header, "{authorization}")
            }
            other => panic!("{authorization}: {other:?}"),
        }
    }
    for ts in ["", "yesterday", "2014-09-24 10:59:41Z", "1411556381"] {
        match kind(v.verifier().verify(v.request().with_x_timestamp(ts)), ts) {
            ErrorKind::MalformedHeader { header, .. } => assert_eq!(header, "x-timestamp"),
            other => panic!("{ts}: {other:?}"),
        }
    }
    let err = v
        .verifier()
        .verify(v.request().with_path("/a\r\nb"))
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Malformed { .. }), "{err}");
    assert!(err.is_verification_failure());
}

#[test]
fn error_messages_never_echo_a_whole_signature() {
    let v = &signed_requests()[0];
    let long = format!("Application {}{}:{}", v.key, "k".repeat(100), v.signature);
    let err = v
        .verifier()
        .verify(v.request().with_authorization(&long))
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(&v.signature), "{shown}");
}

// ---- Numbers and Conversation -------------------------------------------

#[test]
fn numbers_vector_both_directions() {
    let all = vectors();
    let v = &all["webhooks"]["numbers"];
    let body = s(v, "body").as_bytes();
    let signature = s(v, "xSinchSignature");
    let verifier = NumbersCallbackVerifier::new(CallbackSecret::new(s(v, "secret")).unwrap());

    assert_eq!(verifier.signature_for(body), signature);
    assert!(verifier.verify(Some(signature), body).is_ok());
    assert!(
        verifier
            .verify(Some(&signature.to_uppercase()), body)
            .is_ok()
    );

    let numbers_bad = |r: Result<(), Error>, what: &str| {
        assert_eq!(
            kind(r, what),
            ErrorKind::InvalidSignature(CredentialKind::NumbersCallback),
            "{what}"
        );
    };
    for i in 0..body.len() {
        let mut changed = body.to_vec();
        changed[i] ^= 0x01;
        numbers_bad(
            verifier.verify(Some(signature), &changed),
            &format!("byte {i}"),
        );
    }
    numbers_bad(verifier.verify(Some(signature), &body[1..]), "shorter");
    let other = NumbersCallbackVerifier::new(CallbackSecret::new("my-callback-secreT").unwrap());
    numbers_bad(other.verify(Some(signature), body), "other secret");
    // The secret is not base64-decoded: a base64 look-alike is just text.
    let decoded_style =
        NumbersCallbackVerifier::new(CallbackSecret::new("bXktY2FsbGJhY2stc2VjcmV0").unwrap());
    numbers_bad(
        decoded_style.verify(Some(signature), body),
        "base64 of the secret",
    );

    assert_eq!(
        kind(verifier.verify(None, body), "absent"),
        ErrorKind::MissingHeader("x-sinch-signature")
    );
    for bad in [
        "",
        "b93021e0",
        &format!("sha1={signature}"),
        &signature.replace('b', "g"),
    ] {
        assert!(
            matches!(
                kind(verifier.verify(Some(bad), body), bad),
                ErrorKind::MalformedHeader {
                    header: "x-sinch-signature",
                    ..
                }
            ),
            "{bad}"
        );
    }
}

struct Conversation {
    secret: String,
    nonce: String,
    timestamp: String,
    body: Vec<u8>,
    signature: String,
}

fn conversation() -> Conversation {
    let all = vectors();
    let v = &all["webhooks"]["conversation"];
    Conversation {
        secret: s(v, "secret").to_owned(),
        nonce: s(v, "nonce").to_owned(),
        timestamp: s(v, "timestamp").to_owned(),
        body: s(v, "body").as_bytes().to_vec(),
        signature: s(v, "signature").to_owned(),
    }
}

impl Conversation {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.timestamp.parse().unwrap()).unwrap()
    }

    fn verifier(&self) -> ConversationWebhookVerifier {
        ConversationWebhookVerifier::new(CallbackSecret::new(self.secret.as_str()).unwrap())
            .with_now(self.now() + time::Duration::seconds(45))
    }

    fn webhook(&self) -> ConversationWebhook<'_> {
        ConversationWebhook::new(&self.body)
            .with_signature(&self.signature)
            .with_nonce(&self.nonce)
            .with_timestamp(&self.timestamp)
            .with_algorithm("HmacSHA256")
    }
}

fn conversation_bad(r: Result<(), Error>, what: &str) {
    assert_eq!(
        kind(r, what),
        ErrorKind::InvalidSignature(CredentialKind::ConversationWebhook),
        "{what}"
    );
}

#[test]
fn conversation_vector_both_directions() {
    let c = conversation();
    let verifier = c.verifier();
    assert_eq!(
        verifier.signature_for(&c.body, &c.nonce, &c.timestamp),
        c.signature
    );
    assert!(verifier.verify(c.webhook()).is_ok());
    // The algorithm header is optional.
    let without_algorithm = ConversationWebhook::new(&c.body)
        .with_signature(&c.signature)
        .with_nonce(&c.nonce)
        .with_timestamp(&c.timestamp);
    assert!(verifier.verify(without_algorithm).is_ok());
}

#[test]
fn conversation_rejects_every_change() {
    let c = conversation();
    let verifier = c.verifier();
    for i in 0..c.body.len() {
        let mut body = c.body.clone();
        body[i] ^= 0x01;
        conversation_bad(
            verifier.verify(c.webhook().with_body(&body)),
            &format!("byte {i}"),
        );
    }
    conversation_bad(
        verifier.verify(c.webhook().with_nonce("01FJA8B4A7BM43YGWSG9GBV068")),
        "nonce",
    );
    conversation_bad(
        verifier.verify(c.webhook().with_timestamp("1634579354")),
        "timestamp",
    );
    let other = ConversationWebhookVerifier::new(CallbackSecret::new("foo_secret1235").unwrap())
        .with_now(c.now());
    conversation_bad(other.verify(c.webhook()), "secret");
}

#[test]
fn conversation_checks_the_window_and_the_headers() {
    let c = conversation();
    for offset in [-601i64, 601] {
        let verifier =
            ConversationWebhookVerifier::new(CallbackSecret::new(c.secret.as_str()).unwrap())
                .with_now(c.now() + time::Duration::seconds(offset));
        assert!(matches!(
            kind(verifier.verify(c.webhook()), "window"),
            ErrorKind::TimestampOutsideWindow { .. }
        ));
    }
    let verifier = c.verifier();
    assert_eq!(
        kind(verifier.verify(ConversationWebhook::new(&c.body)), "bare"),
        ErrorKind::MissingHeader("x-sinch-webhook-signature")
    );
    assert_eq!(
        kind(
            verifier.verify(ConversationWebhook::new(&c.body).with_signature(&c.signature)),
            "no nonce"
        ),
        ErrorKind::MissingHeader("x-sinch-webhook-signature-nonce")
    );
    assert_eq!(
        kind(
            verifier.verify(
                ConversationWebhook::new(&c.body)
                    .with_signature(&c.signature)
                    .with_nonce(&c.nonce)
            ),
            "no timestamp"
        ),
        ErrorKind::MissingHeader("x-sinch-webhook-signature-timestamp")
    );
    let malformed_header = |r: Result<(), Error>| match kind(r, "malformed") {
        ErrorKind::MalformedHeader { header, .. } => header,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        malformed_header(verifier.verify(c.webhook().with_algorithm("HmacSHA1"))),
        "x-sinch-webhook-signature-algorithm"
    );
    assert_eq!(
        malformed_header(verifier.verify(c.webhook().with_timestamp("2021-10-18T17:49:13Z"))),
        "x-sinch-webhook-signature-timestamp"
    );
    assert_eq!(
        malformed_header(verifier.verify(c.webhook().with_signature("6bpJoRmFoXVjfJIVglMo"))),
        "x-sinch-webhook-signature"
    );
}

#[test]
fn conversation_refuses_a_nonce_that_would_take_bytes_from_the_body() {
    // The signed message is body "." nonce "." timestamp: cutting the body at
    // a '.' and prepending the rest to the nonce gives the same message, so
    // the MAC alone would accept a truncated body.
    let c = conversation();
    let cut = c
        .body
        .iter()
        .position(|b| *b == b'.')
        .expect("the body has a '.'");
    let truncated = &c.body[..cut];
    let moved_nonce = format!(
        "{}.{}",
        std::str::from_utf8(&c.body[cut + 1..]).unwrap(),
        c.nonce
    );
    let verifier = c.verifier();
    assert_eq!(
        verifier.signature_for(truncated, &moved_nonce, &c.timestamp),
        c.signature,
        "the attack would work on the MAC alone"
    );
    let forged = ConversationWebhook::new(truncated)
        .with_signature(&c.signature)
        .with_nonce(&moved_nonce)
        .with_timestamp(&c.timestamp);
    assert!(matches!(
        kind(verifier.verify(forged), "moved nonce"),
        ErrorKind::MalformedHeader {
            header: "x-sinch-webhook-signature-nonce",
            ..
        }
    ));
}

// ---- the same through `http` types ----------------------------------------

#[cfg(feature = "http")]
mod over_http {
    use super::*;

    fn http_request(v: &Vector) -> http::Request<Vec<u8>> {
        http::Request::builder()
            .method(v.method.as_str())
            .uri(format!("https://example.com{}?ignored=1", v.path))
            .header("content-type", &v.content_type)
            .body(v.body.clone())
            .unwrap()
    }

    #[test]
    fn signing_an_http_request_reproduces_every_vector() {
        for v in signed_requests() {
            let app = v.app();
            let mut request = http_request(&v);
            let signed = sinch_auth::signing::SignRequest::from_http(&app, &request)
                .unwrap()
                .with_timestamp_text(&v.x_timestamp)
                .sign()
                .unwrap();
            signed.apply_to(&mut request).unwrap();
            assert_eq!(signed.signature(), v.signature, "{}", v.name);
            assert_eq!(
                request.headers()["authorization"],
                format!("Application {}:{}", v.key, v.signature).as_str()
            );
            assert_eq!(request.headers()["x-timestamp"], v.x_timestamp.as_str());
        }
    }

    #[test]
    fn verifying_an_http_request_accepts_vectors_and_rejects_duplicates() {
        for v in signed_requests() {
            let mut request = http_request(&v);
            request
                .headers_mut()
                .insert("authorization", v.authorization.parse().unwrap());
            request
                .headers_mut()
                .insert("x-timestamp", v.x_timestamp.parse().unwrap());
            assert!(v.verifier().verify_http(&request).is_ok(), "{}", v.name);

            request
                .headers_mut()
                .append("authorization", v.authorization.parse().unwrap());
            assert!(matches!(
                kind(v.verifier().verify_http(&request), &v.name),
                ErrorKind::MalformedHeader {
                    header: "authorization",
                    ..
                }
            ));
        }
    }

    #[test]
    fn sign_http_request_round_trips_at_the_current_time() {
        let v = &signed_requests()[4];
        let app = v.app();
        let mut request = http_request(v);
        let signed = app.sign_http_request(&mut request).unwrap();
        assert!(signed.string_to_sign().ends_with(&format!("\n{}", v.path)));
        let verified = CallbackVerifier::new(app).verify_http(&request).unwrap();
        assert_eq!(
            verified.timestamp(),
            parse_timestamp(signed.x_timestamp()).unwrap()
        );
    }

    #[test]
    fn webhooks_from_http_headers() {
        let c = conversation();
        let mut headers = http::HeaderMap::new();
        for (name, value) in [
            ("x-sinch-webhook-signature", c.signature.as_str()),
            ("x-sinch-webhook-signature-nonce", c.nonce.as_str()),
            ("x-sinch-webhook-signature-timestamp", c.timestamp.as_str()),
            ("x-sinch-webhook-signature-algorithm", "HmacSHA256"),
        ] {
            headers.insert(name, value.parse().unwrap());
        }
        let webhook = ConversationWebhook::from_http_headers(&headers, &c.body).unwrap();
        assert!(c.verifier().verify(webhook).is_ok());

        let all = vectors();
        let n = &all["webhooks"]["numbers"];
        let verifier = NumbersCallbackVerifier::new(CallbackSecret::new(s(n, "secret")).unwrap());
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "X-Sinch-Signature",
            s(n, "xSinchSignature").parse().unwrap(),
        );
        assert!(
            verifier
                .verify_http_headers(&headers, s(n, "body").as_bytes())
                .is_ok()
        );
        assert!(verifier.verify_http_headers(&headers, b"{}").is_err());
    }
}
