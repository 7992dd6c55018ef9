//! `sinch-auth ticket`.

use serde_json::Value;

use crate::common::*;

fn mint_vectors() -> impl Iterator<Item = &'static Value> {
    vectors()["userTickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["kind"] == "mint")
}

fn mint_args(v: &Value) -> Vec<String> {
    vec![
        "ticket".into(),
        "--user".into(),
        str_of(v, "user").into(),
        "--created".into(),
        str_of(v, "created").into(),
        "--expires-in".into(),
        v["expiresIn"].as_u64().unwrap().to_string(),
    ]
}

#[test]
fn reproduces_every_mint_vector_byte_for_byte() {
    let mut count = 0;
    for v in mint_vectors() {
        let ticket = success(configured().args(mint_args(v)));
        assert_eq!(ticket, str_of(v, "ticket"), "vector {}", v["name"]);
        count += 1;
    }
    assert!(count >= 6, "only {count} mint vectors ran");
}

#[test]
fn seed_php_alice_with_default_expiry() {
    let v = ticket_vector("seed_php_alice");
    assert_eq!(v["expiresIn"], 3600, "the vector uses the default");
    let ticket = success(configured().args([
        "ticket",
        "--user",
        "alice",
        "--created",
        "2026-11-28T08:00:00Z",
    ]));
    assert_eq!(ticket, str_of(v, "ticket"));
}

#[test]
fn json_is_exactly_the_object_start_takes() {
    let v = ticket_vector("seed_php_alice");
    let mut args = mint_args(v);
    args.push("--json".into());
    let line = success(configured().args(&args));
    let expected = serde_json::json!({ "userTicket": str_of(v, "ticket") });
    assert_eq!(serde_json::from_str::<Value>(&line).unwrap(), expected);
}

#[test]
fn identity_types_reach_the_ticket() {
    let ticket =
        success(configured().args(["ticket", "--user", "+46700000000", "--type", "number"]));
    let verified = success_json(configured().args(["verify", &ticket]));
    assert_eq!(verified["claims"]["identityType"], "number");
    assert_eq!(verified["claims"]["userId"], "+46700000000");

    let ticket =
        success(configured().args(["ticket", "--user", "bob@example.com", "--type", "email"]));
    let verified = success_json(configured().args(["verify", &ticket]));
    assert_eq!(verified["claims"]["identityType"], "email");
}

#[test]
fn a_ticket_minted_now_verifies_now_with_the_requested_lifetime() {
    let ticket = success(configured().args(["ticket", "--user", "carol", "--expires-in", "120"]));
    let verified = success_json(configured().args(["verify", &ticket]));
    assert_eq!(verified["claims"]["userId"], "carol");
    assert_eq!(verified["claims"]["expiresIn"], 120);
}

#[test]
fn an_invalid_user_id_for_its_type_is_a_usage_error_with_a_hint() {
    let stderr = failure(
        configured().args(["ticket", "--user", "46700000000", "--type", "number"]),
        2,
    );
    assert!(stderr.contains("invalid user id"), "{stderr}");
    assert!(
        stderr.contains("hint:") && stderr.contains("E.164"),
        "{stderr}"
    );

    let stderr = failure(configured().args(["ticket", "--user", "a\u{7}b"]), 2);
    assert!(stderr.contains("invalid user id"), "{stderr}");
}

#[test]
fn out_of_range_expiry_is_a_usage_error() {
    for secs in ["0", "2147483648"] {
        let stderr = failure(
            configured().args(["ticket", "--user", "alice", "--expires-in", secs]),
            2,
        );
        assert!(stderr.contains("expiresIn"), "{stderr}");
    }
    failure(
        configured().args(["ticket", "--user", "alice", "--expires-in", "soon"]),
        2,
    );
}

#[test]
fn a_bad_created_time_is_a_usage_error() {
    let stderr = failure(
        configured().args([
            "ticket",
            "--user",
            "alice",
            "--created",
            "2026-02-30T00:00:00Z",
        ]),
        2,
    );
    assert!(stderr.contains("--created"), "{stderr}");
}
