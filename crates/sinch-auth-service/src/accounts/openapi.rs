//! The OpenAPI fragment of accounts mode, derived from its handlers' and
//! bodies' types and merged into `/openapi.json` by the API router.

use serde_json::{Value, json};
use utoipa::OpenApi;

use super::handlers::delete::{self, AccountDeletion};
use super::handlers::login::{self, LoginResponse};
use super::handlers::login_request::{LoginRequest, SessionMode};
use super::handlers::logout;
use super::handlers::me::{self, Me};
use super::handlers::password::{self, PasswordChange, PasswordChanged};
use super::handlers::signup::{self, Credentials, SignUpResponse};
use super::web;
use crate::problem::{ProblemCode, add_openapi_problems};

#[derive(OpenApi)]
#[openapi(
    paths(
        signup::sign_up,
        login::log_in,
        logout::log_out,
        me::me,
        delete::delete_account,
        password::change_password,
        web::index,
        web::app_js,
        web::style_css
    ),
    components(schemas(
        Credentials,
        SignUpResponse,
        LoginRequest,
        SessionMode,
        LoginResponse,
        Me,
        PasswordChange,
        PasswordChanged,
        AccountDeletion
    ))
)]
struct AccountsApi;

/// What a JSON body can be refused for, and a database that is down.
const BODY_PROBLEMS: &[ProblemCode] = &[
    ProblemCode::MalformedJson,
    ProblemCode::InvalidBody,
    ProblemCode::PayloadTooLarge,
    ProblemCode::UnsupportedMediaType,
    ProblemCode::Unavailable,
];

/// Each operation's own problems (method, path, codes).
const PROBLEMS: &[(&str, &str, &[ProblemCode])] = &[
    (
        "post",
        "/v1/accounts",
        &[
            ProblemCode::UsernameTaken,
            ProblemCode::InvalidUserId,
            ProblemCode::InvalidPassword,
            ProblemCode::SignupClosed,
            ProblemCode::Unauthenticated,
            ProblemCode::CrossSiteRequest,
            ProblemCode::Overloaded,
        ],
    ),
    (
        "post",
        "/v1/login",
        &[
            ProblemCode::Unauthenticated,
            ProblemCode::CrossSiteRequest,
            ProblemCode::UnknownApplication,
            ProblemCode::Overloaded,
        ],
    ),
    (
        "post",
        "/v1/logout",
        &[ProblemCode::CrossSiteRequest, ProblemCode::Unavailable],
    ),
    (
        "get",
        "/v1/accounts/me",
        &[ProblemCode::Unauthenticated, ProblemCode::Unavailable],
    ),
    (
        "delete",
        "/v1/accounts/me",
        &[
            ProblemCode::Unauthenticated,
            ProblemCode::WrongPassword,
            ProblemCode::CredentialsChanged,
            ProblemCode::CrossSiteRequest,
            ProblemCode::Overloaded,
        ],
    ),
    (
        "post",
        "/v1/accounts/me/password",
        &[
            ProblemCode::Unauthenticated,
            ProblemCode::WrongPassword,
            ProblemCode::InvalidPassword,
            ProblemCode::CredentialsChanged,
            ProblemCode::CrossSiteRequest,
            ProblemCode::Overloaded,
        ],
    ),
];

/// Operations that need the session.
const SESSION_OPERATIONS: &[(&str, &str)] = &[
    ("post", "/v1/logout"),
    ("get", "/v1/accounts/me"),
    ("delete", "/v1/accounts/me"),
    ("post", "/v1/accounts/me/password"),
];

/// The session, either way: the cookie (browsers) or the bearer token
/// (native apps). The credential routes use it too (`fit_to_instance`).
pub(crate) fn session_security() -> Value {
    json!([{"session": []}, {"sessionToken": []}])
}

/// The fragment, for a session cookie named `cookie_name`.
pub(crate) fn fragment(cookie_name: &str) -> Value {
    let mut doc = serde_json::to_value(AccountsApi::openapi()).unwrap_or_else(|_| json!({}));
    for (method, path, codes) in PROBLEMS {
        let has_body = *method != "get" && *path != "/v1/logout";
        let body: &[ProblemCode] = if has_body { BODY_PROBLEMS } else { &[] };
        add_openapi_problems(&mut doc, method, path, &[codes, body]);
    }
    for (method, path) in SESSION_OPERATIONS {
        doc["paths"][path][method]["security"] = session_security();
    }
    doc["components"]["securitySchemes"]["sessionToken"] = json!({
        "type": "http",
        "scheme": "bearer",
        "description": "The `sessionToken` of a login with `\"session\": \"bearer\"` (native apps), sent as `Authorization: Bearer <sessionToken>`. Not subject to the cross-site check: it is not sent by a browser on its own.",
    });
    doc["components"]["securitySchemes"]["session"] = json!({
        "type": "apiKey",
        "in": "cookie",
        "name": cookie_name,
        "description": format!(
            "The session cookie `{cookie_name}` set by `POST /v1/login` (`HttpOnly; SameSite=Strict; Path=/`). Requests that change state must come from the service's own origin (`Origin` header), or get `403 cross_site_request`."
        ),
    });
    doc
}
