//! Every user-ticket and registration-token vector of `tests/vectors/vectors.json`
//! (a copy of the shared spec's vectors), as its own assertion.

use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use sinch_auth::{Application, ErrorKind, VerifyOptions, parse_timestamp, token};
use time::OffsetDateTime;

fn vectors() -> Value {
    serde_json::from_str(include_str!("../vectors/vectors.json")).expect("vectors.json parses")
}

fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("field {field} in {v}"))
}

fn app(v: &Value) -> Application {
    Application::from_base64(s(v, "applicationKey"), s(v, "applicationSecret")).unwrap()
}

#[test]
fn user_ticket_vectors() {
    let all = vectors();
    let cases = all["userTickets"].as_array().unwrap();
    assert_eq!(cases.len(), 8, "a vector was added or lost: cover it");
    for v in cases {
        let name = s(v, "name");
        let app = app(v);
        let ticket = s(v, "ticket");
        match s(v, "kind") {
            "mint" => {
                let created = parse_timestamp(s(v, "created")).unwrap();
                let minted = app
                    .user_ticket(s(v, "user"))
                    .with_expires_in(Duration::from_secs(v["expiresIn"].as_u64().unwrap()))
                    .with_created(created)
                    .mint()
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(minted.as_str(), ticket, "{name}: minted bytes differ");
                let claims = app
                    .verify_ticket(ticket, &VerifyOptions::default().with_now(created))
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(claims.user_id(), s(v, "user"), "{name}");
                assert_eq!(claims.created(), created, "{name}");
            }
            "verify" => {
                let p = &v["expectPayload"];
                let created = parse_timestamp(s(p, "created")).unwrap();
                let claims = app
                    .verify_ticket(ticket, &VerifyOptions::default().with_now(created))
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(claims.user_id(), p["identity"]["endpoint"], "{name}");
                assert_eq!(claims.application_key(), p["applicationKey"], "{name}");
                assert_eq!(
                    u64::from(claims.expires_in()),
                    p["expiresIn"].as_u64().unwrap()
                );
                // and it expires when it says it does
                let after = claims.expires_at() + time::Duration::seconds(61);
                let err = app
                    .verify_ticket(ticket, &VerifyOptions::default().with_now(after))
                    .unwrap_err();
                assert!(
                    matches!(err.kind(), ErrorKind::Expired { .. }),
                    "{name}: {err}"
                );
            }
            "reject" => {
                let err = app
                    .verify_ticket(ticket, &VerifyOptions::default())
                    .unwrap_err();
                assert!(
                    matches!(err.kind(), ErrorKind::InvalidSignature(_)),
                    "{name}: {err}"
                );
            }
            other => panic!("{name}: unknown kind {other}"),
        }
    }
}

#[test]
fn seed_bug_is_not_reproduced() {
    // The seed signs "JohnSmith" for "John Smith": our ticket must differ from that.
    let all = vectors();
    let v = all["userTickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "whitespace_preserved")
        .unwrap();
    let app = app(v);
    let created = parse_timestamp(s(v, "created")).unwrap();
    let squashed = app
        .user_ticket("JohnSmith")
        .with_created(created)
        .mint()
        .unwrap();
    assert_ne!(squashed.as_str(), s(v, "ticket"));
}

#[test]
fn registration_token_vectors() {
    let all = vectors();
    let v = &all["registrationTokens"];
    let app = app(v);
    let now = parse_timestamp(s(v, "now")).unwrap();
    assert_eq!(now.unix_timestamp(), v["iat"].as_i64().unwrap());
    assert_eq!(token::key_id(now.date()), s(v, "kid"));
    let key = token::derive_signing_key(app.secret(), now.date());
    assert_eq!(
        base64::engine::general_purpose::STANDARD.encode(*key),
        s(v, "derivedSigningKeyBase64")
    );

    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for case in cases {
        let name = s(case, "name");
        let mut builder = app
            .registration_token(s(v, "user"))
            .with_issued_at(now)
            .with_nonce(s(v, "nonce"));
        if let Some(instance_exp) = case["instanceExp"].as_i64() {
            let secs = instance_exp - v["iat"].as_i64().unwrap();
            builder = builder.with_instance_ttl(Duration::from_secs(secs as u64));
        }
        let minted = builder.mint().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            minted.as_str(),
            s(case, "token"),
            "{name}: minted bytes differ"
        );
        assert_eq!(
            minted.expires_at().unix_timestamp(),
            v["exp"].as_i64().unwrap()
        );

        let claims = app
            .verify_token(s(case, "token"), &VerifyOptions::default().with_now(now))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(claims.user_id(), s(v, "user"));
        assert_eq!(claims.nonce(), s(v, "nonce"));
        assert_eq!(claims.key_id(), s(v, "kid"));
        assert_eq!(
            claims
                .instance_expires_at()
                .map(OffsetDateTime::unix_timestamp),
            case["instanceExp"].as_i64()
        );
    }
}
