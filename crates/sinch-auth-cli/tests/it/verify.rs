//! `sinch-auth verify`: exit 0 with the claims, or 1 for a credential that
//! must be rejected.

use crate::common::*;

const ALICE_CREATED: &str = "2026-11-28T08:00:00Z";
const ALICE_VALID_AT: &str = "2026-11-28T08:30:00Z";

fn alice() -> &'static str {
    str_of(ticket_vector("seed_php_alice"), "ticket")
}

fn reference_token() -> &'static str {
    str_of(token_case("jwt_reference"), "token")
}

#[test]
fn a_ticket_prints_kind_and_claims() {
    let out = success_json(configured().args(["verify", alice(), "--now", ALICE_VALID_AT]));
    assert_eq!(
        out,
        serde_json::json!({
            "kind": "userTicket",
            "claims": {
                "identityType": "username",
                "userId": "alice",
                "applicationKey": key(),
                "created": ALICE_CREATED,
                "expiresIn": 3600,
                "expiresAt": "2026-11-28T09:00:00Z",
            }
        })
    );
}

#[test]
fn kind_comes_first_in_the_output() {
    let line = success(configured().args(["verify", alice(), "--now", ALICE_VALID_AT]));
    assert!(
        line.starts_with(r#"{"kind":"userTicket","claims":{"#),
        "{line}"
    );
}

#[test]
fn a_ticket_from_another_generator_verifies() {
    let v = ticket_vector("node_ticketgen_foo");
    let out = success_json(configured().args([
        "verify",
        str_of(v, "ticket"),
        "--now",
        "2018-01-02T04:00:00Z",
    ]));
    assert_eq!(out["kind"], "userTicket");
    assert_eq!(out["claims"]["userId"], "foo");
    assert_eq!(out["claims"]["expiresIn"], 86400);
}

#[test]
fn a_token_prints_kind_and_claims() {
    let t = token_vectors();
    let out =
        success_json(configured().args(["verify", reference_token(), "--now", str_of(t, "now")]));
    assert_eq!(out["kind"], "registrationToken");
    let claims = &out["claims"];
    assert_eq!(claims["userId"], str_of(t, "user"));
    assert_eq!(claims["keyId"], str_of(t, "kid"));
    assert_eq!(claims["nonce"], str_of(t, "nonce"));
    assert_eq!(claims["applicationKey"], key());
    assert_eq!(claims["issuedAt"], "2018-01-02T03:04:05Z");
    assert_eq!(claims["expiresAt"], "2018-01-02T03:14:05Z");
    assert!(claims.get("instanceExpiresAt").is_none());
}

#[test]
fn reads_the_credential_from_stdin_minus_one_newline() {
    for input in [format!("{}\n", alice()), format!("{}\r\n", alice())] {
        let out = success_json(
            configured()
                .args(["verify", "-", "--now", ALICE_VALID_AT])
                .write_stdin(input),
        );
        assert_eq!(out["claims"]["userId"], "alice");
    }
}

#[test]
fn empty_stdin_is_a_usage_error() {
    failure(configured().args(["verify", "-"]).write_stdin("\n"), 2);
}

#[test]
fn an_expired_ticket_is_rejected_with_both_times() {
    let stderr = failure(
        configured().args(["verify", alice(), "--now", "2026-11-28T10:00:00Z"]),
        1,
    );
    assert!(
        stderr.contains("expired at 2026-11-28T09:00:00Z"),
        "{stderr}"
    );
    assert!(stderr.contains("2026-11-28T10:00:00Z"), "{stderr}");
}

#[test]
fn leeway_decides_at_the_edge() {
    // 30 s after expiry: inside the default 60 s leeway, outside a zero one.
    let at = "2026-11-28T09:00:30Z";
    success(configured().args(["verify", alice(), "--now", at]));
    failure(
        configured().args(["verify", alice(), "--now", at, "--leeway", "0"]),
        1,
    );
}

#[test]
fn an_expired_token_is_rejected() {
    failure(
        configured().args(["verify", reference_token(), "--now", "2018-01-02T04:00:00Z"]),
        1,
    );
}

#[test]
fn a_tampered_ticket_is_rejected() {
    let v = ticket_vector("tampered_signature");
    let stderr = failure(
        configured().args(["verify", str_of(v, "ticket"), "--now", ALICE_VALID_AT]),
        1,
    );
    assert!(stderr.contains("signature does not match"), "{stderr}");
}

#[test]
fn a_tampered_token_is_rejected() {
    let token = reference_token();
    let mut bytes = token.as_bytes().to_vec();
    let last = bytes.len() - 2;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    failure(
        configured().args(["verify", &tampered, "--now", str_of(token_vectors(), "now")]),
        1,
    );
}

#[test]
fn another_applications_secret_rejects_both_kinds() {
    for (credential, now) in [
        (alice(), ALICE_VALID_AT),
        (reference_token(), str_of(token_vectors(), "now")),
    ] {
        let stderr = failure(
            bare()
                .env(KEY_VAR, key())
                .env(SECRET_VAR, OTHER_SECRET)
                .args(["verify", credential, "--now", now]),
            1,
        );
        assert!(stderr.contains("signature does not match"), "{stderr}");
    }
}

#[test]
fn another_applications_key_is_rejected() {
    let stderr = failure(
        configured().args([
            "verify",
            alice(),
            "--now",
            ALICE_VALID_AT,
            "--key",
            "other-key",
        ]),
        1,
    );
    assert!(stderr.contains("other-key"), "{stderr}");
}

#[test]
fn something_that_is_neither_is_rejected_with_a_hint() {
    let stderr = failure(configured().args(["verify", "not-a-credential"]), 1);
    assert!(stderr.contains("hint:"), "{stderr}");
}

#[test]
fn a_fresh_ticket_verifies_without_now() {
    let ticket = fresh_ticket("dave");
    let out = success_json(configured().args(["verify", &ticket]));
    assert_eq!(out["claims"]["userId"], "dave");
}

#[test]
fn verify_needs_credentials() {
    let stderr = failure(bare().args(["verify", alice()]), 2);
    assert!(stderr.contains(KEY_VAR), "{stderr}");
}
