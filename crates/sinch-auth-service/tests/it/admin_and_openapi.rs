//! The admin listener and /openapi.json: every route answers, every route
//! is described, and the description matches what the routers do.

use crate::common;

use common::*;
use sinch_auth_service::ProblemCode;
use sinch_auth_service::routes::{Listener, base_routes};

#[tokio::test]
async fn livez_is_ok() {
    let admin = api_key_service(unlimited()).admin_router();
    let reply = send(&admin, get("/livez")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], "ok");
}

#[tokio::test]
async fn readyz_reports_checks_and_draining() {
    let service = api_key_service(unlimited());
    let admin = service.admin_router();
    let reply = send(&admin, get("/readyz")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["callerAuth"]["mode"], "api-key");
    assert_eq!(body["checks"]["applications"][0], "default");
    service.begin_shutdown();
    let reply = send(&admin, get("/readyz")).await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.json()["checks"]["draining"], true);
}

#[tokio::test]
async fn metrics_count_requests_credentials_and_failures() {
    let service = api_key_service(unlimited());
    let (api, admin) = (service.router(), service.admin_router());
    send(
        &api,
        post("/v1/tickets", Some(API_KEY), r#"{"userId":"a"}"#),
    )
    .await;
    send(
        &api,
        post(
            "/v1/registration-tokens",
            Some(API_KEY),
            r#"{"userId":"a"}"#,
        ),
    )
    .await;
    send(
        &api,
        post(
            "/v1/registration-tokens",
            Some(API_KEY),
            r#"{"userId":"b"}"#,
        ),
    )
    .await;
    send(
        &api,
        post("/v1/tickets", Some("wrong-key-0000000000"), "{}"),
    )
    .await;
    send(&api, get("/nope")).await;
    let reply = send(&admin, get("/metrics")).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = reply.text;
    for line in [
        r#"sinch_auth_http_requests_total{method="POST",route="/v1/tickets",status="200"} 1"#,
        r#"sinch_auth_http_requests_total{method="POST",route="/v1/registration-tokens",status="200"} 2"#,
        r#"sinch_auth_http_requests_total{method="POST",route="/v1/tickets",status="401"} 1"#,
        r#"sinch_auth_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"sinch_auth_http_request_duration_seconds_count{method="POST",route="/v1/registration-tokens"} 2"#,
        r#"sinch_auth_credentials_issued_total{kind="ticket",application="default"} 1"#,
        r#"sinch_auth_credentials_issued_total{kind="registration_token",application="default"} 2"#,
        r#"sinch_auth_auth_failures_total{reason="invalid_api_key"} 1"#,
    ] {
        assert!(text.contains(line), "missing {line}\n{text}");
    }
    assert!(text.ends_with("# EOF\n"));
}

#[tokio::test]
async fn admin_errors_are_problems_too() {
    let admin = api_key_service(unlimited()).admin_router();
    let reply = send(&admin, get("/v1/tickets")).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.problem_code(), "not_found");
    let reply = send(&admin, post("/livez", None, "")).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.problem_code(), "method_not_allowed");
}

#[tokio::test]
async fn openapi_describes_every_route_and_only_routes_that_exist() {
    let service = api_key_service(unlimited());
    let (api, admin) = (service.router(), service.admin_router());
    let reply = send(&api, get("/openapi.json")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let doc = reply.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();

    // Every route of both routers is in the document…
    let routes = base_routes();
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
        let admin_only = op.get("x-listener").and_then(|v| v.as_str()) == Some("admin");
        assert_eq!(
            admin_only,
            route.listener == Listener::Admin,
            "{}",
            route.path
        );
    }
    // …and every operation in the document exists on its listener.
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let router = if op.get("x-listener").and_then(|v| v.as_str()) == Some("admin") {
                &admin
            } else {
                &api
            };
            let request = http::Request::builder()
                .method(method.to_ascii_uppercase().as_str())
                .uri(path.as_str())
                .body(axum::body::Body::empty())
                .unwrap();
            let status = send(router, request).await.status;
            assert!(
                status != 404 && status != 405,
                "{method} {path} -> {status}"
            );
        }
    }
    assert_eq!(operations, routes.len());

    // Every problem code is listed in the schema.
    let codes = doc["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap();
    for code in ProblemCode::ALL {
        assert!(
            codes.iter().any(|c| c == code.as_str()),
            "{code} not in the schema"
        );
    }
    // Request schemas list exactly the fields the service accepts.
    let ticket_fields: Vec<&String> = doc["components"]["schemas"]["TicketRequest"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(ticket_fields, ["application", "ttl", "userId"]);
    let token_fields: Vec<&String> = doc["components"]["schemas"]["TokenRequest"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        token_fields,
        ["application", "instanceTtl", "ttl", "userId"]
    );
}

#[tokio::test]
async fn documented_request_fields_are_accepted() {
    // The schema's field names are the ones the parser takes.
    let router = api_key_service(unlimited()).router();
    let reply = send(
        &router,
        post(
            "/v1/registration-tokens",
            Some(API_KEY),
            r#"{"userId":"a","ttl":600,"instanceTtl":172800,"application":"default"}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let reply = send(
        &router,
        post(
            "/v1/tickets",
            Some(API_KEY),
            r#"{"userId":"a","ttl":600,"application":"default"}"#,
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}
