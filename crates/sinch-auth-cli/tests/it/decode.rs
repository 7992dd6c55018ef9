//! `sinch-auth decode`: contents without verification, always flagged.

use crate::common::*;

fn assert_warned(stderr: &str) {
    assert!(stderr.contains("NOT VERIFIED"), "no warning: {stderr:?}");
}

#[test]
fn a_ticket_decodes_without_any_configuration() {
    let v = ticket_vector("node_ticketgen_foo");
    let run = run(bare().args(["decode", str_of(v, "ticket")]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_warned(&run.stderr);
    let out: serde_json::Value = serde_json::from_str(run.stdout.trim_end()).unwrap();
    assert_eq!(out["kind"], "userTicket");
    assert!(out["header"].is_null());
    assert_eq!(out["payload"], v["expectPayload"]);
}

#[test]
fn a_token_decodes_header_and_payload() {
    let t = token_vectors();
    let run = run(bare().args(["decode", str_of(token_case("jwt_reference"), "token")]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_warned(&run.stderr);
    let out: serde_json::Value = serde_json::from_str(run.stdout.trim_end()).unwrap();
    assert_eq!(out["kind"], "registrationToken");
    assert_eq!(
        out["header"],
        serde_json::json!({ "alg": "HS256", "kid": str_of(t, "kid") })
    );
    assert_eq!(out["payload"]["iat"], t["iat"]);
    assert_eq!(out["payload"]["exp"], t["exp"]);
    assert_eq!(out["payload"]["nonce"], t["nonce"]);
    assert_eq!(
        out["payload"]["sub"],
        format!("//rtc.sinch.com/applications/{}/users/foo", key())
    );
}

#[test]
fn a_tampered_ticket_still_decodes_because_nothing_is_checked() {
    let v = ticket_vector("tampered_signature");
    let run = run(bare().args(["decode", str_of(v, "ticket")]));
    assert_eq!(run.code, 0);
    assert_warned(&run.stderr);
    let out: serde_json::Value = serde_json::from_str(run.stdout.trim_end()).unwrap();
    assert_eq!(out["payload"]["identity"]["endpoint"], "alice");
}

#[test]
fn reads_stdin() {
    let token = str_of(token_case("jwt_reference"), "token");
    let run = run(bare()
        .args(["decode", "-"])
        .write_stdin(format!("{token}\n")));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_warned(&run.stderr);
    assert_eq!(run.stdout.lines().count(), 1);
}

#[test]
fn garbage_is_rejected_and_still_warned_about() {
    let stderr = failure(bare().args(["decode", "definitely.not.json"]), 1);
    assert_warned(&stderr);
}
