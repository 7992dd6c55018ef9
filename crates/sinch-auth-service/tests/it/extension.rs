//! The seam for other caller-auth modes (the accounts mode): a custom
//! authenticator, extra routes behind the same layers, credentials issued
//! from another handler, extra OpenAPI paths.

use crate::common;

use axum::Json;
use axum::Router;
use axum::extract::State;

use common::*;
use http::request::Parts;
use serde_json::{Value, json};
use sinch_auth::VerifyOptions;
use sinch_auth_service::caller::{AuthError, Authenticator, BoxFuture, Caller, NotReady, Via};
use sinch_auth_service::routes::{Authenticated, Listener, RouteTable};
use sinch_auth_service::{
    ApiExtension, Applications, Problem, TicketRequest, TokenRequest, TokenService,
};

/// A stand-in for sessions: `Cookie: session=<user>` (tests only).
struct CookieSessions;

impl Authenticator for CookieSessions {
    fn mode(&self) -> &'static str {
        "accounts"
    }

    fn authenticate<'a>(&'a self, request: &'a Parts) -> BoxFuture<'a, Result<Caller, AuthError>> {
        let user = request
            .headers
            .get("cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("session="))
            .map(str::to_owned);
        Box::pin(async move {
            match user {
                Some(user) => Ok(Caller::user(user, Via::new("accounts", "session"))),
                None => Err(AuthError::rejected("missing_session", "sign in first")),
            }
        })
    }

    fn readiness(&self) -> BoxFuture<'_, Result<(), NotReady>> {
        Box::pin(async { Err(NotReady::new("database unreachable")) })
    }
}

/// Like a login: both credentials at once, from another handler.
async fn login(
    State(service): State<TokenService>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Value>, Problem> {
    let ticket = service.issue_ticket(&caller, &TicketRequest::default())?;
    let token = service.issue_registration_token(&caller, &TokenRequest::default())?;
    Ok(Json(json!({
        "userTicket": ticket.user_ticket,
        "token": token.token,
        "userId": ticket.user_id,
    })))
}

fn service() -> TokenService {
    TokenService::new(Applications::single(app()), CookieSessions, unlimited())
}

fn extended(service: &TokenService) -> Router {
    let table =
        RouteTable::new(Listener::Api).route("POST", "/v1/login", axum::routing::post(login));
    service.router_with(
        ApiExtension::new()
            .with_routes(table, service.clone())
            .with_openapi(json!({"paths": {"/v1/login": {"post": {
                "summary": "Log in",
                "responses": {"200": {
                    "description": "Both credentials",
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["userTicket", "token", "userId"]
                    }}}
                }, "401": {
                    "description": "Not signed in",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
                }}
            }}}})),
    )
}

fn with_cookie(path: &str, user: &str) -> http::Request<axum::body::Body> {
    let mut r = post(path, None, "");
    r.headers_mut()
        .insert("cookie", format!("session={user}").parse().unwrap());
    r
}

#[tokio::test]
async fn a_custom_authenticator_serves_the_credential_routes() {
    let router = service().router();
    let reply = send(&router, with_cookie("/v1/registration-tokens", "erin")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["userId"], "erin");
    let reply = send(&router, post("/v1/tickets", None, "")).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["reason"], "missing_session");
}

#[tokio::test]
async fn extension_routes_issue_credentials_behind_the_same_layers() {
    let service = service();
    let router = extended(&service);
    let reply = send(&router, with_cookie("/v1/login", "frank")).await; // send() checks no-store
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["userId"], "frank");
    let token = body["token"].as_str().unwrap();
    assert_eq!(
        app()
            .verify_token(token, &VerifyOptions::default())
            .unwrap()
            .user_id(),
        "frank"
    );
    let ticket = body["userTicket"].as_str().unwrap();
    assert_eq!(
        app()
            .verify_ticket(ticket, &VerifyOptions::default())
            .unwrap()
            .user_id(),
        "frank"
    );

    let reply = send(&router, post("/v1/login", None, "")).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.problem_code(), "unauthenticated");

    let metrics = service.metrics().render();
    for line in [
        r#"sinch_auth_http_requests_total{method="POST",route="/v1/login",status="200"} 1"#,
        r#"sinch_auth_credentials_issued_total{kind="ticket",application="default"} 1"#,
        r#"sinch_auth_auth_failures_total{reason="missing_session"} 1"#,
    ] {
        assert!(metrics.contains(line), "{line}\n{metrics}");
    }
    // The original routes are still there.
    let reply = send(&router, with_cookie("/v1/tickets", "frank")).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn extension_paths_are_in_openapi_and_readiness_follows_the_authenticator() {
    let service = service();
    let doc = send(&extended(&service), get("/openapi.json")).await.json();
    assert_eq!(doc["paths"]["/v1/login"]["post"]["summary"], "Log in");
    assert!(doc["paths"]["/v1/tickets"]["post"].is_object());

    let ready = send(&service.admin_router(), get("/readyz")).await;
    assert_eq!(ready.status, 503);
    assert_eq!(
        ready.json()["checks"]["callerAuth"]["status"],
        "database unreachable"
    );
}
