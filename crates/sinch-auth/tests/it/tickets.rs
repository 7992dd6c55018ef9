//! User-ticket edge cases (FORMATS §1): other generators' shapes pass,
//! everything else gets a precise error.

use crate::common;

use std::time::Duration;

use common::*;
use sinch_auth::{CredentialKind, ErrorKind, IdentityType};
use time::macros::datetime;

fn is_ticket_malformed(kind: &ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Malformed {
            credential: CredentialKind::UserTicket,
            ..
        }
    )
}

fn is_ticket_claim(kind: &ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::InvalidClaim {
            credential: CredentialKind::UserTicket,
            ..
        }
    )
}

fn t_created() -> time::OffsetDateTime {
    datetime!(2026-11-28 08:00 UTC)
}

#[test]
fn the_hand_built_ticket_verifies() {
    let payload = ticket_payload("alice", "3600", KEY, "2026-11-28T08:00:00+00:00");
    let ticket = sign_ticket(payload.as_bytes());
    // Byte-identical to what the crate mints: the hand-built helper is faithful.
    let minted = app()
        .user_ticket("alice")
        .with_created(t_created())
        .mint()
        .unwrap();
    assert_eq!(ticket, minted.as_str());
    assert_eq!(
        app()
            .verify_ticket(&ticket, &at(t_created()))
            .unwrap()
            .user_id(),
        "alice"
    );
}

#[test]
fn other_key_orders_and_created_formats_are_accepted() {
    for created in [
        "2026-11-28T08:00:00+00:00",
        "2026-11-28T08:00:00Z",
        "2026-11-28T08:00:00.000Z",
        "2026-11-28T08:00:00.123456789Z",
        "2026-11-28T08:00:00.5",
        "2026-11-28T08:00:00",
        "2026-11-28T09:00:00+01:00",
        "2026-11-28T03:00:00-05:00",
    ] {
        // Sinch's Node generator's order, and `/` unescaped.
        let payload = format!(
            r#"{{"applicationKey":"{KEY}","identity":{{"type":"username","endpoint":"a/b"}},"created":"{created}","expiresIn":86400}}"#
        );
        let ticket = sign_ticket(payload.as_bytes());
        let claims = app()
            .verify_ticket(&ticket, &at(t_created()))
            .unwrap_or_else(|e| panic!("{created}: {e}"));
        assert_eq!(claims.user_id(), "a/b");
        assert_eq!(claims.expires_in(), 86_400);
        // Fractions are kept; the instant is what matters.
        let whole = claims.created().replace_nanosecond(0).unwrap();
        assert_eq!(whole, t_created(), "{created}");
    }
}

#[test]
fn non_ascii_payloads_are_rejected_even_when_signed() {
    let payload = ticket_payload("Zoë", "3600", KEY, "2026-11-28T08:00:00+00:00");
    let ticket = sign_ticket(payload.as_bytes());
    let err = app().verify_ticket(&ticket, &at(t_created())).unwrap_err();
    assert_kind(&err, is_ticket_malformed);
    assert!(err.to_string().contains("ASCII"), "{err}");
    // The same id, escaped as PHP does, is fine.
    let escaped = ticket_payload("Zo\\u00eb", "3600", KEY, "2026-11-28T08:00:00+00:00");
    let claims = app()
        .verify_ticket(&sign_ticket(escaped.as_bytes()), &at(t_created()))
        .unwrap();
    assert_eq!(claims.user_id(), "Zoë");
}

#[test]
fn duplicate_keys_are_rejected() {
    for payload in [
        format!(
            r#"{{"identity":{{"type":"username","endpoint":"alice","endpoint":"mallory"}},"expiresIn":3600,"applicationKey":"{KEY}","created":"2026-11-28T08:00:00Z"}}"#
        ),
        format!(
            r#"{{"identity":{{"type":"username","endpoint":"alice"}},"expiresIn":3600,"expiresIn":99999999,"applicationKey":"{KEY}","created":"2026-11-28T08:00:00Z"}}"#
        ),
        format!(
            r#"{{"identity":{{"type":"username","endpoint":"alice"}},"identity":{{"type":"username","endpoint":"bob"}},"expiresIn":3600,"applicationKey":"{KEY}","created":"2026-11-28T08:00:00Z"}}"#
        ),
    ] {
        let err = app()
            .verify_ticket(&sign_ticket(payload.as_bytes()), &at(t_created()))
            .unwrap_err();
        assert_kind(&err, is_ticket_malformed);
        assert!(err.to_string().contains("duplicate"), "{err}");
    }
}

#[test]
fn a_wrong_application_key_names_both_keys() {
    let other = "11111111-2222-3333-4444-555555555555";
    let payload = ticket_payload("alice", "3600", other, "2026-11-28T08:00:00+00:00");
    let err = app()
        .verify_ticket(&sign_ticket(payload.as_bytes()), &at(t_created()))
        .unwrap_err();
    assert_kind(&err, |k| {
        matches!(
            k,
            ErrorKind::ApplicationKeyMismatch {
                credential: CredentialKind::UserTicket,
                ..
            }
        )
    });
    let msg = err.to_string();
    assert!(msg.contains(KEY) && msg.contains(other), "{msg}");

    // The same UUID in upper case is the same key.
    let upper = ticket_payload(
        "alice",
        "3600",
        &KEY.to_uppercase(),
        "2026-11-28T08:00:00+00:00",
    );
    assert!(
        app()
            .verify_ticket(&sign_ticket(upper.as_bytes()), &at(t_created()))
            .is_ok()
    );
}

#[test]
fn bad_claims_are_claim_errors() {
    for (payload, needle) in [
        (
            ticket_payload("alice", "0", KEY, "2026-11-28T08:00:00Z"),
            "expiresIn",
        ),
        (
            ticket_payload("alice", "-5", KEY, "2026-11-28T08:00:00Z"),
            "expiresIn",
        ),
        (
            ticket_payload("alice", "2147483648", KEY, "2026-11-28T08:00:00Z"),
            "expiresIn",
        ),
        (ticket_payload("alice", "3600", KEY, "yesterday"), "created"),
        (
            ticket_payload("alice", "3600", KEY, "2026-02-30T08:00:00Z"),
            "created",
        ),
        (
            ticket_payload("", "3600", KEY, "2026-11-28T08:00:00Z"),
            "user id",
        ),
        (
            ticket_payload("a\\u0007b", "3600", KEY, "2026-11-28T08:00:00Z"),
            "user id",
        ),
        (
            format!(
                r#"{{"identity":{{"type":"phone","endpoint":"alice"}},"expiresIn":3600,"applicationKey":"{KEY}","created":"2026-11-28T08:00:00Z"}}"#
            ),
            "identity type",
        ),
        (
            format!(
                r#"{{"identity":{{"type":"number","endpoint":"alice"}},"expiresIn":3600,"applicationKey":"{KEY}","created":"2026-11-28T08:00:00Z"}}"#
            ),
            "E.164",
        ),
    ] {
        let err = app()
            .verify_ticket(&sign_ticket(payload.as_bytes()), &at(t_created()))
            .unwrap_err();
        assert_kind(&err, is_ticket_claim);
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
}

#[test]
fn wrong_json_types_are_malformed() {
    for payload in [
        ticket_payload("alice", "3600.0", KEY, "2026-11-28T08:00:00Z"),
        ticket_payload("alice", "\"3600\"", KEY, "2026-11-28T08:00:00Z"),
        format!(
            r#"{{"identity":"alice","expiresIn":3600,"applicationKey":"{KEY}","created":"2026-11-28T08:00:00Z"}}"#
        ),
        format!(
            r#"{{"identity":{{"type":"username","endpoint":"alice"}},"applicationKey":"{KEY}","created":"2026-11-28T08:00:00Z"}}"#
        ),
        "[]".to_owned(),
        "".to_owned(),
        format!(
            "{} trailing",
            ticket_payload("alice", "3600", KEY, "2026-11-28T08:00:00Z")
        ),
    ] {
        let err = app()
            .verify_ticket(&sign_ticket(payload.as_bytes()), &at(t_created()))
            .unwrap_err();
        assert_kind(&err, is_ticket_malformed);
    }
}

#[test]
fn shape_errors_come_before_any_mac() {
    for (ticket, needle) in [
        ("", "exactly one ':'"),
        ("abc", "exactly one ':'"),
        ("a:b:c", "exactly one ':'"),
        ("YWJj:", "32"),
        ("YWJj", "exactly one ':'"),
        ("YWJj=:AAAA", "payload"),
        ("YW Jj:AAAA", "payload"),
        ("YWJj:AAAA", "32"),
        (
            "YWJj:h9nM59pBnPXwdsE82KWQR_wvHxKzW-PnXmSs4JvleVo=",
            "signature",
        ),
        (
            "YWJj:h9nM59pBnPXwdsE82KWQR/wvHxKzW+PnXmSs4JvleVo",
            "signature",
        ),
    ] {
        let err = app().verify_ticket(ticket, &at(t_created())).unwrap_err();
        assert_kind(&err, is_ticket_malformed);
        assert!(err.to_string().contains(needle), "{ticket}: {err}");
    }
    let huge = format!("{}:{}", "A".repeat(10_000), "A".repeat(44));
    let err = app().verify_ticket(&huge, &at(t_created())).unwrap_err();
    assert_kind(&err, is_ticket_malformed);
}

#[test]
fn expired_tickets_report_both_times_and_leeway_is_honored() {
    let ticket = app()
        .user_ticket("alice")
        .with_created(t_created())
        .with_expires_in(Duration::from_secs(3600))
        .mint()
        .unwrap();
    let expires = t_created() + secs(3600);
    assert_eq!(ticket.expires_at(), expires);

    let err = app()
        .verify_ticket(ticket.as_str(), &at(expires + secs(60)))
        .unwrap_err();
    assert_kind(&err, |k| {
        matches!(
            k,
            ErrorKind::Expired {
                credential: CredentialKind::UserTicket,
                ..
            }
        )
    });
    let msg = err.to_string();
    assert!(
        msg.contains("2026-11-28T09:00:00Z") && msg.contains("2026-11-28T09:01:00Z"),
        "{msg}"
    );

    for leeway in [0i64, 1, 60, 600] {
        let verify = |now| {
            app().verify_ticket(
                ticket.as_str(),
                &at(now).with_leeway(Duration::from_secs(leeway as u64)),
            )
        };
        assert!(verify(t_created() - secs(leeway)).is_ok());
        assert_kind(&verify(t_created() - secs(leeway + 1)).unwrap_err(), |k| {
            matches!(k, ErrorKind::NotYetValid { .. })
        });
        assert!(verify(expires + secs(leeway - 1)).is_ok());
        assert_kind(&verify(expires + secs(leeway)).unwrap_err(), |k| {
            matches!(k, ErrorKind::Expired { .. })
        });
    }
}

#[test]
fn expires_in_bounds() {
    let mint = |d: Duration| app().user_ticket("alice").with_expires_in(d).mint();
    for ok in [1, 3600, 86_400, i32::MAX as u64] {
        assert!(mint(Duration::from_secs(ok)).is_ok(), "{ok}");
    }
    for bad in [
        Duration::ZERO,
        Duration::from_millis(1500),
        Duration::from_millis(999),
        Duration::from_secs(i32::MAX as u64 + 1),
        Duration::MAX,
    ] {
        let err = mint(bad).unwrap_err();
        assert_kind(&err, |k| matches!(k, ErrorKind::InvalidExpiresIn(_)));
        assert!(err.to_string().contains("2147483647"), "{err}");
    }
}

#[test]
fn strict_mode_is_the_legacy_40_printable_ascii_rule() {
    let mint = |id: &str, strict: bool| app().user_ticket(id).strict_user_id(strict).mint();
    assert!(mint(&"x".repeat(40), true).is_ok());
    assert!(mint("John Smith", true).is_ok());
    for bad in ["x".repeat(41), "Zoë".to_owned(), "tab\there".to_owned()] {
        let err = mint(&bad, true).unwrap_err();
        assert_kind(&err, |k| matches!(k, ErrorKind::InvalidUserId(_)));
    }
    assert!(mint(&"x".repeat(41), false).is_ok());
    assert!(mint("Zoë", false).is_ok());
    // Strict mode only concerns usernames.
    assert!(
        app()
            .user_ticket("+46700000000")
            .with_identity_type(IdentityType::Number)
            .strict_user_id(true)
            .mint()
            .is_ok()
    );
}

#[test]
fn identity_types_are_validated_when_minting() {
    let mint = |t, id: &str| app().user_ticket(id).with_identity_type(t).mint();
    assert!(mint(IdentityType::Email, "bob@example.com").is_ok());
    assert!(mint(IdentityType::Email, "bob").is_err());
    assert!(mint(IdentityType::Number, "+46700000000").is_ok());
    assert!(mint(IdentityType::Number, "46700000000").is_err());
    for bad in ["", "a\u{0}b", "a\u{85}b", &"x".repeat(256)] {
        let err = mint(IdentityType::Username, bad).unwrap_err();
        assert_kind(&err, |k| matches!(k, ErrorKind::InvalidUserId(_)));
    }
}

#[test]
fn created_is_written_in_utc_and_whole_seconds() {
    let ticket = app()
        .user_ticket("alice")
        .with_created(datetime!(2026-11-28 09:00:00.999 +01:00))
        .mint()
        .unwrap();
    let minted_utc = app()
        .user_ticket("alice")
        .with_created(t_created())
        .mint()
        .unwrap();
    assert_eq!(ticket.as_str(), minted_utc.as_str());
}

#[test]
fn created_outside_years_0_to_9999_is_refused() {
    for created in [
        datetime!(9999-12-31 23:00 -05:00), // year 10000 in UTC
        // one second before 0000-01-01T00:00:00Z
        time::OffsetDateTime::from_unix_timestamp(-62_167_219_201).unwrap(),
    ] {
        let err = app()
            .user_ticket("alice")
            .with_created(created)
            .mint()
            .unwrap_err();
        assert_kind(&err, |k| matches!(k, ErrorKind::TimeOutOfRange(_)));
    }
    let err = app()
        .user_ticket("alice")
        .with_created(datetime!(9999-12-31 23:00 UTC))
        .mint()
        .unwrap_err();
    assert_kind(&err, |k| matches!(k, ErrorKind::TimeOutOfRange(_)));
}
