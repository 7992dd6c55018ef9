//! Every response the suites produce through [`send`](super::send) is
//! checked against the `/openapi.json` of the router that produced it: the
//! operation exists (or the status is 405), the status is documented, the
//! content type is one the document names, and a JSON body validates
//! against the documented schema. The admin router serves no document; its
//! responses are checked by the admin tests themselves.

use axum::Router;
use axum::body::Body;
use http::{Method, Request};
use serde_json::{Value, json};

use super::{Reply, send_unchecked};

pub async fn check(router: &Router, method: &Method, path: &str, reply: &Reply) {
    if path == "/openapi.json" || matches!(*method, Method::OPTIONS | Method::HEAD) {
        return;
    }
    let request = Request::get("/openapi.json").body(Body::empty()).unwrap();
    let doc = send_unchecked(router, request).await;
    if doc.status != 200 {
        return; // the admin router
    }
    let doc: Value = serde_json::from_str(&doc.text).unwrap();
    let context = || format!("{method} {path} -> {} {}", reply.status, reply.text);
    let Some(item) = doc["paths"].get(path) else {
        assert_eq!(reply.status, 404, "undocumented path: {}", context());
        return;
    };
    let operation = &item[method.as_str().to_ascii_lowercase()];
    if !operation.is_object() {
        assert_eq!(reply.status, 405, "undocumented method: {}", context());
        return;
    }
    let status = reply.status.as_u16().to_string();
    let response = &operation["responses"][&status];
    assert!(
        response.is_object(),
        "status {status} not documented for {method} {path}: {}",
        context()
    );
    let content = response.get("content").and_then(Value::as_object);
    let Some(content) = content.filter(|c| !c.is_empty()) else {
        assert!(
            reply.text.is_empty(),
            "body where none is documented: {}",
            context()
        );
        return;
    };
    let content_type = reply.header("content-type").unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let Some(media) = content.get(essence) else {
        panic!(
            "content type {essence:?} not documented ({:?}): {}",
            content.keys().collect::<Vec<_>>(),
            context()
        );
    };
    if !essence.ends_with("json") {
        return;
    }
    let Some(schema) = media.get("schema") else {
        return;
    };
    let mut root = json!({ "components": doc["components"] });
    root["allOf"] = json!([schema]);
    let validator = jsonschema::validator_for(&root).expect("the document's schemas compile");
    let body: Value = serde_json::from_str(&reply.text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&body)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "response breaks the document: {errors:?}: {}",
        context()
    );
}
