//! The web page, `/openapi.json` in accounts mode, and readiness.

use axum::body::Body;
use http::Request;
use sinch_auth_service::accounts::accounts_routes;
use sinch_auth_service::routes::{Listener, base_routes};

use crate::accounts_suite::harness::*;
use crate::common::{get, send};

const CSP: &str = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

pub async fn the_page_is_served_with_a_strict_policy(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let web = concat!(env!("CARGO_MANIFEST_DIR"), "/web/");
    for (path, file, content_type) in [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "style.css", "text/css; charset=utf-8"),
    ] {
        let reply = h.call(get(path)).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{path}");
        assert_eq!(reply.header("content-security-policy"), Some(CSP), "{path}");
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
        let expected = std::fs::read_to_string(format!("{web}{file}")).unwrap();
        assert_eq!(reply.text, expected, "{path} is the file, byte for byte");
    }
    let post = Request::post("/").body(Body::empty()).unwrap();
    let reply = h.call(post).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("GET"));
    let missing = h.call(get("/favicon.ico")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.problem_code(), "not_found");
}

pub async fn openapi_describes_exactly_the_accounts_mode_routes(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let doc = h.call(get("/openapi.json")).await.json();
    let paths = doc["paths"].as_object().unwrap();
    let routes: Vec<_> = base_routes().into_iter().chain(accounts_routes()).collect();
    for route in &routes {
        let op = &paths
            .get(route.path)
            .unwrap_or_else(|| panic!("{} missing from openapi.json", route.path))
            [route.method.to_ascii_lowercase()];
        assert!(
            op.is_object(),
            "{} {} not described",
            route.method,
            route.path
        );
        assert_eq!(
            op.get("x-listener").and_then(|v| v.as_str()) == Some("admin"),
            route.listener == Listener::Admin,
            "{}",
            route.path
        );
    }
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let admin = op.get("x-listener").and_then(|v| v.as_str()) == Some("admin");
            let router = if admin { &h.admin } else { &h.api };
            let request = Request::builder()
                .method(method.to_ascii_uppercase().as_str())
                .uri(path.as_str())
                .header("host", HOST)
                .header("origin", ORIGIN)
                .body(Body::empty())
                .unwrap();
            let status = send(router, request).await.status;
            assert!(
                status != 404 && status != 405,
                "{method} {path} -> {status}"
            );
            // Every session-protected operation names a declared scheme.
            if let Some(security) = op.get("security") {
                for requirement in security.as_array().unwrap() {
                    for scheme in requirement.as_object().unwrap().keys() {
                        assert!(
                            doc["components"]["securitySchemes"][scheme].is_object(),
                            "{path}: undeclared scheme {scheme}"
                        );
                    }
                }
            }
        }
    }
    assert_eq!(operations, routes.len());
    let login = &doc["paths"]["/v1/login"]["post"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    let name = login["$ref"]
        .as_str()
        .unwrap()
        .trim_start_matches("#/components/schemas/");
    assert_eq!(
        doc["components"]["schemas"][name]["required"],
        serde_json::json!([
            "userTicket",
            "token",
            "userId",
            "expiresAt",
            "expiresIn",
            "applicationKey",
            "environmentHost"
        ])
    );
}

pub async fn readiness_checks_the_database(db: &TestDatabase) {
    let h = Harness::start(db).await;
    let ready = send(&h.admin, get("/readyz")).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    assert_eq!(ready.json()["checks"]["callerAuth"]["mode"], "accounts");
    h.accounts.close().await;
    let closed = send(&h.admin, get("/readyz")).await;
    assert_eq!(closed.status, 503, "{}", closed.text);
    let status = closed.json()["checks"]["callerAuth"]["status"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(status.contains("database"), "{status}");
    let reply = h.sign_up(&user("closed"), PASSWORD).await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.problem_code(), "unavailable");
    assert!(reply.header("retry-after").is_some());
}
