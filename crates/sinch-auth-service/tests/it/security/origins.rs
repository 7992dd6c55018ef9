//! Item 12: `public_origin`. When set, the cross-site check compares
//! `Origin` with it instead of with `Host`: it works behind proxies that
//! rewrite `Host`, and a DNS rebinding page (whose `Origin` and `Host`
//! agree) is refused.

use serde_json::{Value, json};

use super::{PASSWORD, client, cookie_set_by, credentials, serve_accounts};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_origin_is_the_only_own_origin() {
    let server = serve_accounts(&[("SINCH_AUTH_PUBLIC_ORIGIN", "https://auth.example.com")]).await;
    let post = |path: &str, host: &str, origin: &str, cookie: Option<&str>, body: Value| {
        let mut request = client()
            .post(server.url(path))
            .header("host", host)
            .header("origin", origin)
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        async move {
            let reply = request.send().await.unwrap();
            let cookie = cookie_set_by(&reply);
            let status = reply.status().as_u16();
            let body: Value =
                serde_json::from_str(&reply.text().await.unwrap()).unwrap_or(Value::Null);
            (status, body, cookie)
        }
    };
    let public = "https://auth.example.com";
    // A proxy rewrote Host to the internal name: the page's requests pass.
    let internal = server.api.to_string();
    let (status, _, _) = post(
        "/v1/accounts",
        &internal,
        public,
        None,
        credentials("pat", PASSWORD),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _, cookie) = post(
        "/v1/login",
        &internal,
        public,
        None,
        credentials("pat", PASSWORD),
    )
    .await;
    assert_eq!(status, 200);
    let cookie = cookie.unwrap();
    let (status, body, _) = post("/v1/tickets", &internal, public, Some(&cookie), json!({})).await;
    assert_eq!(status, 200, "{body}");

    // DNS rebinding: the attacker's name resolves to the service, so Host
    // and Origin agree; only the public origin is the service's own.
    let rebound = format!("evil.test:{}", server.api.port());
    let evil = format!("http://{rebound}");
    let (status, body, _) = post("/v1/tickets", &rebound, &evil, Some(&cookie), json!({})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("cross_site_request"))
    );
    let (status, body, _) = post(
        "/v1/login",
        &rebound,
        &evil,
        None,
        credentials("pat", PASSWORD),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("cross_site_request"))
    );
    // Even the address the server listens on is not the public origin.
    let direct = format!("http://{internal}");
    let (status, _, _) = post("/v1/tickets", &internal, &direct, Some(&cookie), json!({})).await;
    assert_eq!(status, 403);
}
