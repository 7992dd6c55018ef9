//! Registration tokens against an independent JWT implementation
//! (`jsonwebtoken`): it reads what we mint, we read what it signs, and with
//! the same inputs both write the same bytes.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sinch_auth::{Application, VerifyOptions, token};
use time::OffsetDateTime;

const KEY: &str = "a32e5a8d-f7d8-411c-9645-9038e8dd051d";
const SECRET: &str = "ax8hTTQJF0OPXL32r1LHMA==";
const ISS: &str = "//rtc.sinch.com/applications/a32e5a8d-f7d8-411c-9645-9038e8dd051d";

/// Our claims, fields in the sorted order this crate writes them.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Claims {
    exp: i64,
    iat: i64,
    iss: String,
    nonce: String,
    #[serde(
        rename = "sinch:rtc:instance:exp",
        skip_serializing_if = "Option::is_none",
        default
    )]
    instance_exp: Option<i64>,
    sub: String,
}

fn app() -> Application {
    Application::from_base64(KEY, SECRET).unwrap()
}

fn day_key(app: &Application, iat: OffsetDateTime) -> Vec<u8> {
    token::derive_signing_key(app.secret(), iat.date()).to_vec()
}

/// HS256 only, our issuer and subject; `exp` checked against the real clock
/// when `check_exp`.
fn validation(user: &str, check_exp: bool) -> Validation {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_issuer(&[ISS]);
    v.sub = Some(format!("{ISS}/users/{user}"));
    v.set_required_spec_claims(&["exp", "iat", "iss", "sub"]);
    v.validate_exp = check_exp;
    v.leeway = 0;
    v
}

#[test]
fn jsonwebtoken_reads_our_tokens() {
    let app = app();
    let now = OffsetDateTime::now_utc();
    for instance_ttl in [None, Some(Duration::from_secs(180 * 86_400))] {
        let mut builder = app.registration_token("alice");
        if let Some(t) = instance_ttl {
            builder = builder.with_instance_ttl(t);
        }
        let minted = builder.mint().unwrap();

        let key = DecodingKey::from_secret(&day_key(&app, minted.issued_at()));
        let data =
            jsonwebtoken::decode::<Claims>(minted.as_str(), &key, &validation("alice", true))
                .unwrap();
        assert_eq!(data.header.alg, Algorithm::HS256);
        assert_eq!(data.header.typ, None, "we do not emit typ");
        assert_eq!(
            data.header.kid.as_deref(),
            Some(token::key_id(minted.issued_at().date()).as_str())
        );
        assert_eq!(data.claims.iss, ISS);
        assert_eq!(data.claims.sub, format!("{ISS}/users/alice"));
        assert!((data.claims.iat - now.unix_timestamp()).abs() <= 5);
        assert_eq!(data.claims.exp - data.claims.iat, 600);
        assert_eq!(
            data.claims.instance_exp.map(|e| e - data.claims.iat),
            instance_ttl.map(|t| t.as_secs() as i64)
        );
        uuid::Uuid::parse_str(&data.claims.nonce).unwrap();

        // Another day's key is refused: the day really is in the key.
        let wrong =
            DecodingKey::from_secret(&day_key(&app, minted.issued_at() + time::Duration::days(1)));
        let err =
            jsonwebtoken::decode::<Claims>(minted.as_str(), &wrong, &validation("alice", true))
                .unwrap_err();
        assert_eq!(
            *err.kind(),
            jsonwebtoken::errors::ErrorKind::InvalidSignature
        );
    }
}

#[test]
fn jsonwebtoken_reads_the_reference_tokens_we_reproduce() {
    let app = app();
    let iat = OffsetDateTime::from_unix_timestamp(1_514_862_245).unwrap();
    let minted = app
        .registration_token("foo")
        .with_issued_at(iat)
        .with_nonce("6b438bda-2d5c-4e8c-92b0-39f20a94b34e")
        .mint()
        .unwrap();
    let key = DecodingKey::from_secret(&day_key(&app, iat));
    // 2018's token has long expired; everything else is checked.
    let data =
        jsonwebtoken::decode::<Claims>(minted.as_str(), &key, &validation("foo", false)).unwrap();
    assert_eq!(data.claims.iat, 1_514_862_245);
    assert_eq!(data.claims.exp, 1_514_862_845);
    assert_eq!(data.claims.nonce, "6b438bda-2d5c-4e8c-92b0-39f20a94b34e");
}

fn claims_for(iat: OffsetDateTime, user: &str, instance_exp: Option<i64>) -> Claims {
    Claims {
        exp: iat.unix_timestamp() + 600,
        iat: iat.unix_timestamp(),
        iss: ISS.to_owned(),
        nonce: "6b438bda-2d5c-4e8c-92b0-39f20a94b34e".to_owned(),
        instance_exp,
        sub: format!("{ISS}/users/{user}"),
    }
}

#[test]
fn we_read_tokens_jsonwebtoken_signs() {
    let app = app();
    let iat = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let key = EncodingKey::from_secret(&day_key(&app, iat));
    let kid = token::key_id(iat.date());

    // With typ (jsonwebtoken's default header), and without.
    let mut with_typ = Header::new(Algorithm::HS256);
    with_typ.kid = Some(kid.clone());
    let without_typ = Header {
        typ: None,
        ..with_typ.clone()
    };
    for header in [with_typ, without_typ] {
        for instance_exp in [None, Some(iat.unix_timestamp() + 172_800)] {
            let jwt = jsonwebtoken::encode(&header, &claims_for(iat, "bob_42", instance_exp), &key)
                .unwrap();
            let claims = app
                .verify_token(&jwt, &VerifyOptions::default().with_now(iat))
                .unwrap_or_else(|e| panic!("{header:?}: {e}"));
            assert_eq!(claims.user_id(), "bob_42");
            assert_eq!(claims.issued_at(), iat);
            assert_eq!(claims.key_id(), kid);
            assert_eq!(
                claims
                    .instance_expires_at()
                    .map(OffsetDateTime::unix_timestamp),
                instance_exp
            );
        }
    }

    // jsonwebtoken signing with the raw secret instead of the day key is refused.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid);
    let raw = EncodingKey::from_secret(app.secret().expose_bytes());
    let jwt = jsonwebtoken::encode(&header, &claims_for(iat, "bob_42", None), &raw).unwrap();
    let err = app
        .verify_token(&jwt, &VerifyOptions::default().with_now(iat))
        .unwrap_err();
    assert!(
        matches!(err.kind(), sinch_auth::ErrorKind::InvalidSignature(_)),
        "{err}"
    );
}

#[test]
fn same_inputs_give_the_same_bytes_as_jsonwebtoken() {
    let app = app();
    let iat = OffsetDateTime::from_unix_timestamp(1_514_862_245).unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.typ = None;
    header.kid = Some(token::key_id(iat.date()));
    let key = EncodingKey::from_secret(&day_key(&app, iat));
    for instance in [None, Some(1_530_414_245)] {
        let theirs =
            jsonwebtoken::encode(&header, &claims_for(iat, "foo", instance), &key).unwrap();
        let mut builder = app
            .registration_token("foo")
            .with_issued_at(iat)
            .with_nonce("6b438bda-2d5c-4e8c-92b0-39f20a94b34e");
        if let Some(ie) = instance {
            builder = builder.with_instance_ttl(Duration::from_secs((ie - 1_514_862_245) as u64));
        }
        assert_eq!(builder.mint().unwrap().as_str(), theirs);
    }
}
