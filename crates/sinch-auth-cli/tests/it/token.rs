//! `sinch-auth token`.

use crate::common::*;

fn reference_args() -> Vec<String> {
    let t = token_vectors();
    vec![
        "token".into(),
        "--user".into(),
        str_of(t, "user").into(),
        "--now".into(),
        str_of(t, "now").into(),
        "--nonce".into(),
        str_of(t, "nonce").into(),
    ]
}

#[test]
fn reproduces_jwt_reference() {
    let token = success(configured().args(reference_args()));
    assert_eq!(token, str_of(token_case("jwt_reference"), "token"));
}

#[test]
fn reproduces_jwt_reference_instance_ttl() {
    let case = token_case("jwt_reference_instance_ttl");
    let iat = token_vectors()["iat"].as_i64().unwrap();
    let instance_ttl = case["instanceExp"].as_i64().unwrap() - iat;
    let mut args = reference_args();
    args.extend(["--instance-ttl".into(), instance_ttl.to_string()]);
    let token = success(configured().args(args));
    assert_eq!(token, str_of(case, "token"));
}

#[test]
fn json_has_the_token_services_fields() {
    let mut args = reference_args();
    args.push("--json".into());
    let out = success_json(configured().args(args));
    let t = token_vectors();
    let exp = t["exp"].as_i64().unwrap();
    let iat = t["iat"].as_i64().unwrap();
    let expected_expires_at = time::OffsetDateTime::from_unix_timestamp(exp)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    assert_eq!(
        out,
        serde_json::json!({
            "token": str_of(token_case("jwt_reference"), "token"),
            "userId": "foo",
            "expiresAt": expected_expires_at,
            "expiresIn": exp - iat,
        })
    );
}

#[test]
fn ttl_is_written_into_the_token() {
    let mut args = reference_args();
    args.extend(["--ttl".into(), "3600".into(), "--json".into()]);
    let out = success_json(configured().args(args));
    assert_eq!(out["expiresIn"], 3600);
    let decoded = success_json(bare().args(["decode", out["token"].as_str().unwrap()]));
    let iat = token_vectors()["iat"].as_i64().unwrap();
    assert_eq!(decoded["payload"]["exp"], iat + 3600);
}

#[test]
fn default_nonces_are_random() {
    let a = success(configured().args(["token", "--user", "foo"]));
    let b = success(configured().args(["token", "--user", "foo"]));
    assert_ne!(a, b);
    let verified = success_json(configured().args(["verify", &a]));
    assert_eq!(verified["kind"], "registrationToken");
}

#[test]
fn an_id_outside_the_alphabet_suggests_encode_user_id() {
    let stderr = failure(
        configured().args(["token", "--user", "alice@example.com"]),
        2,
    );
    assert!(stderr.contains("invalid user id"), "{stderr}");
    assert!(stderr.contains("--encode-user-id"), "{stderr}");
}

#[test]
fn encode_user_id_uses_base64url_of_the_raw_id() {
    // base64url("alice@example.com"), RFC 4648 §5 with padding.
    let encoded = "YWxpY2VAZXhhbXBsZS5jb20=";
    let out = success_json(configured().args([
        "token",
        "--user",
        "alice@example.com",
        "--encode-user-id",
        "--json",
    ]));
    assert_eq!(out["userId"], encoded);
    let verified = success_json(configured().args(["verify", out["token"].as_str().unwrap()]));
    assert_eq!(verified["claims"]["userId"], encoded);
}

#[test]
fn ttl_outside_the_bounds_is_a_usage_error() {
    for ttl in ["59", "86401"] {
        let stderr = failure(
            configured().args(["token", "--user", "foo", "--ttl", ttl]),
            2,
        );
        assert!(stderr.contains("ttl"), "{stderr}");
    }
}

#[test]
fn an_instance_ttl_under_48_hours_is_a_usage_error() {
    let stderr = failure(
        configured().args(["token", "--user", "foo", "--instance-ttl", "172799"]),
        2,
    );
    assert!(stderr.contains("instance ttl"), "{stderr}");
}

#[test]
fn a_bad_nonce_is_a_usage_error_not_a_rejection() {
    // The core reports it as an invalid claim; minting must still exit 2.
    failure(
        configured().args(["token", "--user", "foo", "--nonce", ""]),
        2,
    );
}

#[test]
fn the_token_is_one_bare_line() {
    let token = success(configured().args(reference_args()));
    assert_eq!(token.split('.').count(), 3);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
        "{token}"
    );
}
