//! Cross-site request forgery: cookie-authenticated POSTs must come from
//! the service's own origin.

use crate::accounts_suite::harness::*;
use crate::common::unlimited;

pub async fn cookie_posts_from_other_sites_are_403(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let name = user("csrf");
    let cookie = h.session(&name, PASSWORD).await;
    let evil = |path: &str| {
        with_header(
            with_cookie(json_post(path, "{}"), &cookie),
            "origin",
            "https://evil.test",
        )
    };
    for path in [
        "/v1/tickets",
        "/v1/registration-tokens",
        "/v1/logout",
        "/v1/accounts/me/password",
    ] {
        let reply = h.call(evil(path)).await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.text);
        assert_eq!(reply.problem_code(), "cross_site_request", "{path}");
    }
    // The cross-site logout did not log out.
    assert_eq!(
        h.with_session("/v1/tickets", &cookie, "{}").await.status,
        200
    );

    // Another port is another origin; "null" is no origin.
    for origin in ["http://accounts.test:8443", "null"] {
        let request = with_header(
            with_cookie(json_post("/v1/tickets", "{}"), &cookie),
            "origin",
            origin,
        );
        assert_eq!(h.call(request).await.status, 403, "{origin}");
    }
    // No Origin: only Sec-Fetch-Site same-origin (or none) vouches.
    let bare = || {
        without_header(
            with_cookie(json_post("/v1/tickets", "{}"), &cookie),
            "origin",
        )
    };
    let reply = h.call(bare()).await;
    assert_eq!(reply.status, 403);
    assert!(reply.json()["detail"].as_str().unwrap().contains("Origin"));
    for (site, status) in [
        ("same-origin", 200),
        ("none", 200),
        ("same-site", 403),
        ("cross-site", 403),
    ] {
        let reply = h.call(with_header(bare(), "sec-fetch-site", site)).await;
        assert_eq!(reply.status, status, "Sec-Fetch-Site: {site}");
    }
    // Safe methods are not state changes.
    let mut me = get_with_cookie("/v1/accounts/me", &cookie);
    me.headers_mut()
        .insert("origin", "https://evil.test".parse().unwrap());
    assert_eq!(h.call(me).await.status, 200);
}

pub async fn logins_from_other_sites_are_refused_but_clients_without_browsers_are_not(
    db: &TestDatabase,
) {
    let h = Harness::start(db).await;
    let name = user("logincsrf");
    assert_eq!(h.sign_up(&name, PASSWORD).await.status, 201);
    let body = credentials(&name, PASSWORD);
    let from_evil = with_header(json_post("/v1/login", &body), "origin", "https://evil.test");
    let reply = h.call(from_evil).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.problem_code(), "cross_site_request");
    assert!(reply.header("set-cookie").is_none());
    let signup_from_evil = with_header(
        json_post("/v1/accounts", &credentials(&user("evil"), PASSWORD)),
        "sec-fetch-site",
        "cross-site",
    );
    assert_eq!(h.call(signup_from_evil).await.status, 403);
    // curl or a backend: neither header.
    let plain = without_header(json_post("/v1/login", &body), "origin");
    assert_eq!(h.call(plain).await.status, 200);
}

pub async fn listed_origins_may_use_the_session(db: &TestDatabase) {
    let options = test_options().with_allowed_origins(vec!["https://app.example.com".into()]);
    let h = Harness::start_with(db, options, unlimited()).await;
    let cookie = h.session(&user("cors"), PASSWORD).await;
    let request = with_header(
        with_header(
            with_cookie(json_post("/v1/tickets", "{}"), &cookie),
            "origin",
            "https://app.example.com",
        ),
        "sec-fetch-site",
        "same-site",
    );
    assert_eq!(h.call(request).await.status, 200);
}
