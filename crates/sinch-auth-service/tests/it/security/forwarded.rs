//! Item 7: forwarded addresses in every real form: `X-Forwarded-For` hops
//! as `ip`, `ip:port` and `[v6]:port`, and RFC 7239 `Forwarded`. An
//! unparsable hop is logged once and treated as an untrusted client of
//! unknown address, never as a reason to put every client in the proxy's
//! bucket.

use crate::common::process::{Server, client};
use crate::common::{API_KEY, APP_KEY, APP_SECRET};

/// `serve` in api-key mode behind the trusted proxy 127.0.0.1, with a
/// per-IP budget of 2 requests (then 1 a minute), plus `extra`.
fn behind_a_proxy(extra: &[(&'static str, &str)]) -> Server {
    let mut env = vec![
        ("SINCH_AUTH_CALLER_AUTH", "api-key".to_owned()),
        ("SINCH_AUTH_API_KEYS", API_KEY.to_owned()),
        ("SINCH_APPLICATION_KEY", APP_KEY.to_owned()),
        ("SINCH_APPLICATION_SECRET", APP_SECRET.to_owned()),
        ("SINCH_AUTH_TRUSTED_PROXIES", "127.0.0.1".to_owned()),
        ("SINCH_AUTH_RATE_LIMIT_PER_IP", "1".to_owned()),
        ("SINCH_AUTH_RATE_LIMIT_PER_IP_BURST", "2".to_owned()),
    ];
    env.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    Server::start(&env)
}

/// The status of `GET /openapi.json` with one forwarding header.
async fn status_via(server: &Server, header: &str, value: Option<&str>) -> u16 {
    let mut request = client().get(server.url("/openapi.json"));
    if let Some(value) = value {
        request = request.header(header, value);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x_forwarded_for_hops_with_ports_are_the_client() {
    let server = behind_a_proxy(&[]);
    server.wait_ready().await;
    let xff = "x-forwarded-for";
    // One client, whatever source port the proxy wrote.
    assert_eq!(
        status_via(&server, xff, Some("198.51.100.7:4711")).await,
        200
    );
    assert_eq!(
        status_via(&server, xff, Some("198.51.100.7:4712")).await,
        200
    );
    assert_eq!(status_via(&server, xff, Some("198.51.100.7")).await, 429);
    assert_eq!(
        status_via(&server, xff, Some("[2001:db8::7]:443")).await,
        200
    );
    assert_eq!(
        status_via(&server, xff, Some("[2001:db8::7]:80")).await,
        200
    );
    assert_eq!(
        status_via(&server, xff, Some("2001:db8::7, 127.0.0.1:9000")).await,
        429,
        "trusted hops with ports are skipped too"
    );
    // The proxy's own budget is untouched by its clients.
    assert_eq!(status_via(&server, xff, None).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unparsable_hops_are_logged_once_and_never_lump_clients_together() {
    let server = behind_a_proxy(&[]);
    server.wait_ready().await;
    for junk in ["junk", "unknown", "_hidden", "999.1.1.1:80"] {
        assert_eq!(
            status_via(&server, "x-forwarded-for", Some(junk)).await,
            200,
            "{junk}: not counted in the proxy's bucket"
        );
    }
    assert_eq!(status_via(&server, "x-forwarded-for", None).await, 200);
    assert_eq!(status_via(&server, "x-forwarded-for", None).await, 200);
    let log = server.log();
    let warnings = log
        .lines()
        .filter(|l| l.contains("reported a client that is not an IP address"))
        .count();
    assert_eq!(warnings, 1, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rfc_7239_forwarded_header_when_configured() {
    let server = behind_a_proxy(&[("SINCH_AUTH_FORWARDED_HEADER", "forwarded")]);
    server.wait_ready().await;
    let fwd = "forwarded";
    assert_eq!(
        status_via(
            &server,
            fwd,
            Some(r#"for="[2001:db8:cafe::17]:4711";proto=https"#)
        )
        .await,
        200
    );
    assert_eq!(
        status_via(&server, fwd, Some("For=\"[2001:db8:cafe::17]\"")).await,
        200
    );
    assert_eq!(
        status_via(&server, fwd, Some("for=2001:db8:cafe::1, for=127.0.0.1")).await,
        429,
        "same /64, walked from the right"
    );
    // Only the configured header is read: a client-sent X-Forwarded-For is
    // ignored (the request counts as the proxy's).
    assert_eq!(
        status_via(&server, "x-forwarded-for", Some("2001:db8:cafe::17")).await,
        200
    );
    assert_eq!(
        status_via(&server, fwd, Some("for=192.0.2.60;by=x")).await,
        200
    );
}
