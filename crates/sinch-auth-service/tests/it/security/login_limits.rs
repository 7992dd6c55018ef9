//! Items 4–6: rate limits that hold against real attackers and never lock
//! out real users. IPv6 clients share a budget per /64; failed logins
//! count against (username, client network) with a higher ceiling per
//! username; the password-hashing queue is bounded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use super::{
    PASSWORD, client, credentials, post_from, serve_accounts, serve_api_key, status_and_code,
};
use crate::common::API_KEY;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_ipv6_addresses_in_one_prefix_share_the_per_ip_budget() {
    let server = serve_api_key(&[
        ("SINCH_AUTH_RATE_LIMIT_PER_IP", "1"),
        ("SINCH_AUTH_RATE_LIMIT_PER_IP_BURST", "3"),
    ])
    .await;
    let ticket = |xff: String| {
        let url = server.url("/v1/tickets");
        async move {
            let reply = client()
                .post(url)
                .bearer_auth(API_KEY)
                .header("x-forwarded-for", xff)
                .header("content-type", "application/json")
                .body(r#"{"userId":"ipv6-user"}"#)
                .send()
                .await
                .unwrap();
            status_and_code(reply).await
        }
    };
    // A new address of the same /64 for every request.
    for i in 1..=3 {
        assert_eq!(ticket(format!("2001:db8:1:2::{i:x}")).await.0, 200);
    }
    assert_eq!(
        ticket("2001:db8:1:2:ffff:ffff:ffff:ffff".into()).await,
        (429, "rate_limited".to_owned()),
        "rotating inside the /64 does not reset the budget"
    );
    assert_eq!(
        ticket("2001:db8:1:3::1".into()).await.0,
        200,
        "the next /64 is another client"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_ipv6_addresses_share_the_login_budget() {
    let server = serve_accounts(&[
        ("SINCH_AUTH_LOGIN_RATE_LIMIT_PER_IP", "1"),
        ("SINCH_AUTH_LOGIN_RATE_LIMIT_PER_IP_BURST", "2"),
        ("SINCH_AUTH_RATE_LIMIT_IPV6_PREFIX", "56"),
    ])
    .await;
    let body = credentials("nobody-here", PASSWORD);
    for xff in ["2001:db8:0:1::1", "2001:db8:0:2::2"] {
        let reply = post_from(&server, "/v1/login", xff, &body).await;
        assert_eq!(reply.status(), 401);
    }
    let reply = post_from(&server, "/v1/login", "2001:db8:0:ff::3", &body).await;
    assert_eq!(
        status_and_code(reply).await,
        (429, "rate_limited".to_owned()),
        "one /56, as configured"
    );
    let reply = post_from(&server, "/v1/login", "2001:db8:0:100::1", &body).await;
    assert_eq!(reply.status(), 401, "the next /56");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_throttle_the_attacker_not_the_account_owner() {
    let server = serve_accounts(&[]).await;
    let alice = credentials("alice", PASSWORD);
    let reply = post_from(&server, "/v1/accounts", "198.51.100.50", &alice).await;
    assert_eq!(reply.status(), 201);

    let wrong = credentials("alice", "not alice's password");
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let reply = post_from(&server, "/v1/login", "198.51.100.1", &wrong).await;
        statuses.push(reply.status().as_u16());
    }
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    assert_eq!(
        statuses.last(),
        Some(&429),
        "the guessing network is throttled: {statuses:?}"
    );
    // Even with the right password, from the attacker's network.
    let reply = post_from(&server, "/v1/login", "198.51.100.1", &alice).await;
    assert_eq!(reply.status(), 429);

    // Alice from her own network signs in.
    let reply = post_from(&server, "/v1/login", "198.51.100.9", &alice).await;
    assert_eq!(reply.status(), 200, "{}", reply.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_hashing_queue_answers_at_once_instead_of_timing_out() {
    let server = Arc::new(
        serve_accounts(&[
            ("SINCH_AUTH_REQUEST_TIMEOUT_SECS", "2"),
            ("SINCH_AUTH_MAX_WAITING_HASHES", "8"),
        ])
        .await,
    );
    let alice = credentials("queued-alice", PASSWORD);
    let reply = post_from(&server, "/v1/accounts", "198.18.255.1", &alice).await;
    assert_eq!(reply.status(), 201);

    // 200 logins at once, each from its own network.
    let mut flood = Vec::new();
    for i in 0..200u32 {
        let server = server.clone();
        flood.push(tokio::spawn(async move {
            let xff = format!("198.18.{}.{}", i / 250, i % 250 + 1);
            let body = json!({"username": format!("flood-{i}"), "password": "wrong password!"});
            let reply = post_from(&server, "/v1/login", &xff, &body).await;
            let retry_after = reply.headers().contains_key("retry-after");
            let (status, code) = status_and_code(reply).await;
            (status, code, retry_after)
        }));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let reply = post_from(&server, "/v1/login", "198.18.255.2", &alice).await;
    let (status, code) = status_and_code(reply).await;
    let took = started.elapsed();
    match status {
        200 => assert!(took < Duration::from_secs(2), "200 after {took:?}"),
        503 => {
            assert_eq!(code, "overloaded");
            assert!(took < Duration::from_millis(500), "503 after {took:?}");
        }
        other => panic!("the correct login got {other} {code} after {took:?}"),
    }

    let mut overloaded = 0;
    for task in flood {
        let (status, code, retry_after) = task.await.unwrap();
        assert_ne!(status, 408, "no request waits until it times out");
        match status {
            401 => {}
            503 => {
                assert_eq!(code, "overloaded");
                assert!(retry_after, "503 carries Retry-After");
                overloaded += 1;
            }
            other => panic!("flood request got {other} {code}"),
        }
    }
    assert!(overloaded > 0, "the queue bound was reached");
}
