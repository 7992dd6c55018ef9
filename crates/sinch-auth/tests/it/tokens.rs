//! Registration-token edge cases (FORMATS §2): each hostile or unusual token
//! gets the precise error it deserves, and each unusual-but-valid one passes.

use crate::common;

use std::time::Duration;

use common::*;
use sinch_auth::token::TtlBounds;
use sinch_auth::{CredentialKind, ErrorKind};
use time::macros::date;

fn is_token_claim(kind: &ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::InvalidClaim {
            credential: CredentialKind::RegistrationToken,
            ..
        }
    )
}

fn is_token_malformed(kind: &ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Malformed {
            credential: CredentialKind::RegistrationToken,
            ..
        }
    )
}

#[test]
fn the_hand_built_reference_token_verifies() {
    // Guards every test below: their tokens differ from this one only where they say.
    assert_eq!(verify_token_at_t0(&header(), &claims()).unwrap(), "foo");
}

// ------------------------------------------------------------------ header

#[test]
fn alg_none_is_rejected_even_with_a_valid_mac() {
    let err =
        verify_token_at_t0(r#"{"alg":"none","kid":"hkdfv1-20180102"}"#, &claims()).unwrap_err();
    assert_kind(&err, |k| matches!(k, ErrorKind::UnsupportedAlgorithm(_)));
    assert!(err.to_string().contains("none"), "{err}");

    // The classic: no signature at all.
    let token = sign_token(
        r#"{"alg":"none","kid":"hkdfv1-20180102"}"#,
        &claims(),
        t0().date(),
    );
    let unsigned = format!("{}.", token.rsplit_once('.').unwrap().0);
    let err = app().verify_token(&unsigned, &at(t0())).unwrap_err();
    assert_kind(&err, |k| matches!(k, ErrorKind::UnsupportedAlgorithm(_)));
}

#[test]
fn other_algorithms_are_rejected() {
    for alg in ["RS256", "HS512", "hs256", "ES256", ""] {
        let header = format!(r#"{{"alg":"{alg}","kid":"hkdfv1-20180102"}}"#);
        let err = verify_token_at_t0(&header, &claims()).unwrap_err();
        assert_kind(&err, |k| matches!(k, ErrorKind::UnsupportedAlgorithm(_)));
    }
}

#[test]
fn a_missing_kid_is_malformed() {
    let err = verify_token_at_t0(r#"{"alg":"HS256"}"#, &claims()).unwrap_err();
    assert_kind(&err, is_token_malformed);
    assert!(err.to_string().contains("kid"), "{err}");
}

#[test]
fn bad_kids_are_rejected() {
    for kid in [
        "hkdfv2-20180102",
        "hkdfv1-2018012",
        "hkdfv1-20181302",
        "hkdfv1-20180230",
        "HKDFV1-20180102",
        "hkdfv1-20180102 ",
        "20180102",
        "",
    ] {
        let header = format!(r#"{{"alg":"HS256","kid":"{kid}"}}"#);
        let err = verify_token_at_t0(&header, &claims()).unwrap_err();
        assert_kind(&err, |k| matches!(k, ErrorKind::InvalidKeyId(_)));
    }
    // A kid that is not a string at all.
    let err = verify_token_at_t0(r#"{"alg":"HS256","kid":20180102}"#, &claims()).unwrap_err();
    assert_kind(&err, is_token_malformed);
}

#[test]
fn the_kid_date_must_be_the_utc_date_of_iat() {
    // Signed with the key of the date the kid names, so the MAC is right.
    let next_day = r#"{"alg":"HS256","kid":"hkdfv1-20180103"}"#;
    let token = sign_token(next_day, &claims(), date!(2018 - 01 - 03));
    let err = app().verify_token(&token, &at(t0())).unwrap_err();
    assert_kind(&err, is_token_claim);
    assert!(err.to_string().contains("hkdfv1-20180103"), "{err}");

    // And a token signed with another day's key than its kid fails the MAC.
    let token = sign_token(&header(), &claims(), date!(2018 - 01 - 03));
    let err = app().verify_token(&token, &at(t0())).unwrap_err();
    assert_kind(&err, |k| matches!(k, ErrorKind::InvalidSignature(_)));
}

#[test]
fn crit_headers_are_rejected() {
    let header = r#"{"alg":"HS256","kid":"hkdfv1-20180102","crit":["exp"]}"#;
    let err = verify_token_at_t0(header, &claims()).unwrap_err();
    assert_kind(&err, is_token_malformed);
    assert!(err.to_string().contains("critical"), "{err}");
}

#[test]
fn a_typ_header_is_accepted() {
    for header in [
        r#"{"alg":"HS256","kid":"hkdfv1-20180102","typ":"JWT"}"#,
        r#"{"typ":"JWT","alg":"HS256","kid":"hkdfv1-20180102"}"#,
    ] {
        assert_eq!(verify_token_at_t0(header, &claims()).unwrap(), "foo");
    }
}

#[test]
fn duplicate_header_keys_are_rejected() {
    for header in [
        r#"{"alg":"HS256","alg":"none","kid":"hkdfv1-20180102"}"#,
        r#"{"alg":"none","alg":"HS256","kid":"hkdfv1-20180102"}"#,
        r#"{"alg":"HS256","kid":"hkdfv1-20180102","kid":"hkdfv1-20180102"}"#,
    ] {
        let err = verify_token_at_t0(header, &claims()).unwrap_err();
        assert_kind(&err, is_token_malformed);
        assert!(err.to_string().contains("duplicate"), "{err}");
    }
}

// ------------------------------------------------------------------ claims

#[test]
fn claims_in_any_order_are_accepted() {
    let shuffled = format!(
        r#"{{"sub":"{ISS}/users/foo","nonce":"n-1","iss":"{ISS}","iat":1514862245,"exp":1514862845}}"#
    );
    assert_eq!(verify_token_at_t0(&header(), &shuffled).unwrap(), "foo");
    let spaced = format!(
        "{{ \"iat\" : 1514862245 ,\n \"exp\":1514862845, \"iss\":\"{ISS}\", \"sub\":\"{ISS}/users/foo\", \"nonce\":\"x\", \"extra\": [1, {{}}] }}"
    );
    assert_eq!(verify_token_at_t0(&header(), &spaced).unwrap(), "foo");
}

#[test]
fn duplicate_claims_are_rejected() {
    let twice = format!(
        r#"{{"exp":1514862845,"iat":1514862245,"iss":"{ISS}","nonce":"n","sub":"{ISS}/users/foo","sub":"{ISS}/users/bar"}}"#
    );
    let err = verify_token_at_t0(&header(), &twice).unwrap_err();
    assert_kind(&err, is_token_malformed);
    assert!(err.to_string().contains("duplicate"), "{err}");

    let exp_twice = format!(
        r#"{{"exp":1514862845,"exp":9999999999,"iat":1514862245,"iss":"{ISS}","nonce":"n","sub":"{ISS}/users/foo"}}"#
    );
    let err = verify_token_at_t0(&header(), &exp_twice).unwrap_err();
    assert_kind(&err, is_token_malformed);
}

#[test]
fn iat_and_exp_must_be_integers() {
    for (iat, exp) in [
        ("1514862245.0", "1514862845"),
        ("1514862245", "1514862845.5"),
        ("\"1514862245\"", "1514862845"),
        ("1514862245", "\"1514862845\""),
        ("1.514862245e9", "1514862845"),
        ("null", "1514862845"),
        ("1514862245", "true"),
        ("99999999999999999999", "1514862845"),
    ] {
        let claims = format!(
            r#"{{"exp":{exp},"iat":{iat},"iss":"{ISS}","nonce":"n","sub":"{ISS}/users/foo"}}"#
        );
        let err = verify_token_at_t0(&header(), &claims).unwrap_err();
        assert_kind(&err, is_token_malformed);
    }
}

#[test]
fn missing_claims_are_malformed() {
    for missing in ["exp", "iat", "iss", "sub", "nonce"] {
        let mut value: serde_json::Value = serde_json::from_str(&claims()).unwrap();
        value.as_object_mut().unwrap().remove(missing);
        let err = verify_token_at_t0(&header(), &value.to_string()).unwrap_err();
        assert_kind(&err, is_token_malformed);
        assert!(err.to_string().contains(missing), "{missing}: {err}");
    }
}

#[test]
fn lifetimes_under_60_seconds_are_rejected() {
    for exp in [1_514_862_245 + 59, 1_514_862_245, 1_514_862_245 - 600] {
        let err = verify_token_at_t0(&header(), &claims_with(1_514_862_245, exp)).unwrap_err();
        assert_kind(&err, is_token_claim);
        assert!(err.to_string().contains("60"), "{err}");
    }
    assert!(verify_token_at_t0(&header(), &claims_with(1_514_862_245, 1_514_862_305)).is_ok());
}

#[test]
fn instance_expiry_under_48_hours_is_rejected() {
    let with_instance = |instance_exp: i64| {
        format!(
            r#"{{"exp":1514862845,"iat":1514862245,"iss":"{ISS}","nonce":"n","sinch:rtc:instance:exp":{instance_exp},"sub":"{ISS}/users/foo"}}"#
        )
    };
    let err = verify_token_at_t0(&header(), &with_instance(1_514_862_245 + 172_799)).unwrap_err();
    assert_kind(&err, is_token_claim);
    assert!(err.to_string().contains("48 h"), "{err}");
    assert!(verify_token_at_t0(&header(), &with_instance(1_514_862_245 + 172_800)).is_ok());
    let err = verify_token_at_t0(&header(), &with_instance(1_514_862_245)).unwrap_err();
    assert_kind(&err, is_token_claim);
}

#[test]
fn iss_and_sub_must_name_this_application() {
    let other = "//rtc.sinch.com/applications/11111111-2222-3333-4444-555555555555";
    let cases = [
        // iss for another application
        (
            format!(
                r#"{{"exp":1514862845,"iat":1514862245,"iss":"{other}","nonce":"n","sub":"{other}/users/foo"}}"#
            ),
            "mismatch",
        ),
        // sub for another application
        (
            format!(
                r#"{{"exp":1514862845,"iat":1514862245,"iss":"{ISS}","nonce":"n","sub":"{other}/users/foo"}}"#
            ),
            "claim",
        ),
        // iss with a scheme
        (
            format!(
                r#"{{"exp":1514862845,"iat":1514862245,"iss":"https:{ISS}","nonce":"n","sub":"https:{ISS}/users/foo"}}"#
            ),
            "claim",
        ),
        // sub without /users/
        (
            format!(
                r#"{{"exp":1514862845,"iat":1514862245,"iss":"{ISS}","nonce":"n","sub":"{ISS}/foo"}}"#
            ),
            "claim",
        ),
        // sub with an empty user
        (
            format!(
                r#"{{"exp":1514862845,"iat":1514862245,"iss":"{ISS}","nonce":"n","sub":"{ISS}/users/"}}"#
            ),
            "claim",
        ),
        // iss that only starts with our key
        (
            format!(
                r#"{{"exp":1514862845,"iat":1514862245,"iss":"{ISS}x","nonce":"n","sub":"{ISS}x/users/foo"}}"#
            ),
            "mismatch",
        ),
    ];
    for (claims, expected) in cases {
        let err = verify_token_at_t0(&header(), &claims).unwrap_err();
        match expected {
            "mismatch" => assert_kind(&err, |k| {
                matches!(
                    k,
                    ErrorKind::ApplicationKeyMismatch {
                        credential: CredentialKind::RegistrationToken,
                        ..
                    }
                )
            }),
            _ => assert_kind(&err, is_token_claim),
        }
    }
}

#[test]
fn an_upper_case_uuid_key_in_iss_matches() {
    let upper = ISS.to_uppercase().replace(
        "//RTC.SINCH.COM/APPLICATIONS/",
        "//rtc.sinch.com/applications/",
    );
    let claims = format!(
        r#"{{"exp":1514862845,"iat":1514862245,"iss":"{upper}","nonce":"n","sub":"{upper}/users/foo"}}"#
    );
    assert_eq!(verify_token_at_t0(&header(), &claims).unwrap(), "foo");
}

#[test]
fn user_ids_outside_the_alphabet_are_rejected_inside_sub() {
    for user in [
        "foo@bar",
        "foo bar",
        "fo/o",
        "zoë",
        "foo\\u0000",
        "a.b",
        "a+b",
    ] {
        let claims = format!(
            r#"{{"exp":1514862845,"iat":1514862245,"iss":"{ISS}","nonce":"n","sub":"{ISS}/users/{user}"}}"#
        );
        let err = verify_token_at_t0(&header(), &claims).unwrap_err();
        assert_kind(&err, is_token_claim);
        assert!(err.to_string().contains("user id"), "{user}: {err}");
    }
}

// ------------------------------------------------------------------ time

#[test]
fn expired_tokens_report_both_times() {
    let token = app()
        .registration_token("foo")
        .with_issued_at(t0())
        .mint()
        .unwrap();
    let now = t0() + secs(600 + 60);
    let err = app().verify_token(token.as_str(), &at(now)).unwrap_err();
    assert_kind(&err, |k| matches!(k, ErrorKind::Expired { .. }));
    let msg = err.to_string();
    assert!(msg.contains("2018-01-02T03:14:05Z"), "exp missing: {msg}");
    assert!(msg.contains("2018-01-02T03:15:05Z"), "now missing: {msg}");
    assert!(err.is_verification_failure());
}

#[test]
fn tokens_from_the_future_are_not_yet_valid() {
    let token = app()
        .registration_token("foo")
        .with_issued_at(t0())
        .mint()
        .unwrap();
    let err = app()
        .verify_token(token.as_str(), &at(t0() - secs(61)))
        .unwrap_err();
    assert_kind(&err, |k| matches!(k, ErrorKind::NotYetValid { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("2018-01-02T03:04:05Z") && msg.contains("2018-01-02T03:03:04Z"),
        "{msg}"
    );
}

#[test]
fn leeway_is_honored_on_both_sides() {
    let token = app()
        .registration_token("foo")
        .with_issued_at(t0())
        .mint()
        .unwrap();
    let exp = t0() + secs(600);
    for leeway in [0i64, 1, 30, 60, 3600] {
        let opts = |now| at(now).with_leeway(Duration::from_secs(leeway as u64));
        let verify = |now| app().verify_token(token.as_str(), &opts(now));
        assert!(
            verify(t0() - secs(leeway)).is_ok(),
            "leeway {leeway}: earliest"
        );
        assert_kind(&verify(t0() - secs(leeway + 1)).unwrap_err(), |k| {
            matches!(k, ErrorKind::NotYetValid { .. })
        });
        assert!(
            verify(exp + secs(leeway - 1)).is_ok(),
            "leeway {leeway}: latest"
        );
        assert_kind(&verify(exp + secs(leeway)).unwrap_err(), |k| {
            matches!(k, ErrorKind::Expired { .. })
        });
    }
    // A huge leeway does not overflow.
    let forever = at(t0()).with_leeway(Duration::from_secs(u64::MAX));
    assert!(app().verify_token(token.as_str(), &forever).is_ok());
}

#[test]
fn out_of_range_times_are_claim_errors() {
    for (iat, exp) in [
        (i64::MAX - 10, i64::MAX),
        (-10_000_000_000_000, 1_514_862_845),
    ] {
        let err = verify_token_at_t0(&header(), &claims_with(iat, exp)).unwrap_err();
        assert!(err.is_verification_failure(), "{err}");
    }
}

// ------------------------------------------------------------------ minting

#[test]
fn ttl_bounds() {
    let mint = |ttl: Duration| {
        app()
            .registration_token("foo")
            .with_issued_at(t0())
            .with_ttl(ttl)
            .mint()
    };
    for ok in [60, 600, 86_400] {
        assert!(mint(Duration::from_secs(ok)).is_ok(), "{ok}");
    }
    for bad in [
        Duration::from_secs(59),
        Duration::from_secs(86_401),
        Duration::from_millis(60_500),
        Duration::ZERO,
    ] {
        let err = mint(bad).unwrap_err();
        assert_kind(&err, |k| {
            matches!(
                k,
                ErrorKind::TtlOutOfRange {
                    min_secs: 60,
                    max_secs: 86_400,
                    ..
                }
            )
        });
        assert!(
            err.to_string().contains("60") && err.to_string().contains("86400"),
            "{err}"
        );
    }

    let bounds = TtlBounds::new(Duration::from_secs(120), Duration::from_secs(300)).unwrap();
    let with = |ttl| {
        app()
            .registration_token("foo")
            .with_ttl_bounds(bounds)
            .with_ttl(Duration::from_secs(ttl))
            .mint()
    };
    assert!(with(120).is_ok() && with(300).is_ok());
    assert!(with(119).is_err() && with(301).is_err());
    // The default TTL (600 s) is outside these bounds: no silent clamping.
    let err = app()
        .registration_token("foo")
        .with_ttl_bounds(bounds)
        .mint()
        .unwrap_err();
    assert_kind(&err, |k| {
        matches!(k, ErrorKind::TtlOutOfRange { ttl_secs: 600, .. })
    });

    for (min, max) in [(59, 600), (600, 60), (60, u64::from(u32::MAX))] {
        let err = TtlBounds::new(Duration::from_secs(min), Duration::from_secs(max)).unwrap_err();
        assert_kind(&err, |k| matches!(k, ErrorKind::InvalidTtlBounds(_)));
    }
    assert!(TtlBounds::new(Duration::from_millis(60_500), Duration::from_secs(600)).is_err());
}

#[test]
fn instance_ttl_has_a_48_hour_floor() {
    let mint = |ttl: u64| {
        app()
            .registration_token("foo")
            .with_instance_ttl(Duration::from_secs(ttl))
            .mint()
    };
    let err = mint(172_799).unwrap_err();
    assert_kind(&err, |k| {
        matches!(k, ErrorKind::InstanceTtlTooShort { ttl_secs: 172_799 })
    });
    assert!(mint(172_800).is_ok());
}

#[test]
fn minting_rejects_user_ids_outside_the_alphabet_and_bad_nonces() {
    for user in ["", "a b", "a@b", "zoë", "a/b", &"a".repeat(256)] {
        let err = app().registration_token(user).mint().unwrap_err();
        assert_kind(&err, |k| matches!(k, ErrorKind::InvalidUserId(_)));
    }
    for nonce in ["", "a\nb", &"n".repeat(256)] {
        let err = app()
            .registration_token("foo")
            .with_nonce(nonce)
            .mint()
            .unwrap_err();
        assert!(err.to_string().contains("nonce"), "{err}");
    }
}

#[test]
fn minting_rejects_times_it_cannot_write() {
    for iat in [
        time::macros::datetime!(1969-12-31 23:59:59 UTC),
        time::macros::datetime!(9999-12-31 23:59:59 UTC),
    ] {
        let err = app()
            .registration_token("foo")
            .with_issued_at(iat)
            .mint()
            .unwrap_err();
        assert_kind(&err, |k| matches!(k, ErrorKind::TimeOutOfRange(_)));
    }
}

#[test]
fn each_day_gets_its_own_key_even_from_one_application() {
    let app = app();
    let mut signatures = Vec::new();
    for day in 0..3 {
        let iat = t0() + time::Duration::days(day);
        let token = app
            .registration_token("foo")
            .with_issued_at(iat)
            .with_nonce("n")
            .mint()
            .unwrap();
        let claims = app.verify_token(token.as_str(), &at(iat)).unwrap();
        assert_eq!(claims.key_id(), sinch_auth::token::key_id(iat.date()));
        signatures.push(token.as_str().rsplit_once('.').unwrap().1.to_owned());
    }
    // And going back to a day already used still signs with that day's key.
    let back = app
        .registration_token("foo")
        .with_issued_at(t0())
        .with_nonce("n")
        .mint()
        .unwrap();
    assert_eq!(back.as_str().rsplit_once('.').unwrap().1, signatures[0]);
    assert!(app.verify_token(back.as_str(), &at(t0())).is_ok());
}
