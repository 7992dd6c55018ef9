//! OpenAPI paths of accounts mode, merged into `/openapi.json`.

use serde_json::{Map, Value, json};

use crate::problem::ProblemCode;

fn problems(codes: &[ProblemCode]) -> Map<String, Value> {
    let mut responses = Map::new();
    for code in codes {
        let status = code.status().as_u16().to_string();
        let entry = responses.entry(status).or_insert_with(|| {
            json!({
                "description": "",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
            })
        });
        let before = entry["description"].as_str().unwrap_or("").to_owned();
        entry["description"] = Value::String(if before.is_empty() {
            format!("`{}`", code.as_str())
        } else {
            format!("{before}, `{}`", code.as_str())
        });
    }
    responses
}

/// Problems every JSON POST can meet.
const BODY_PROBLEMS: &[ProblemCode] = &[
    ProblemCode::MalformedJson,
    ProblemCode::InvalidBody,
    ProblemCode::PayloadTooLarge,
    ProblemCode::UnsupportedMediaType,
    ProblemCode::RateLimited,
    ProblemCode::RequestTimeout,
    ProblemCode::Unavailable,
];

fn operation(
    method: &str,
    summary: &str,
    description: &str,
    request: Option<Value>,
    success: (&str, Value),
    codes: &[ProblemCode],
    session: bool,
) -> Value {
    let mut all: Vec<ProblemCode> = codes.to_vec();
    if request.is_some() {
        all.extend_from_slice(BODY_PROBLEMS);
    } else {
        all.push(ProblemCode::Unavailable);
    }
    let mut responses = problems(&all);
    responses.insert(success.0.to_owned(), success.1);
    let mut op = json!({
        "summary": summary,
        "description": description,
        "responses": responses,
    });
    if let Some(schema) = request {
        op["requestBody"] = json!({
            "required": true,
            "content": {"application/json": {"schema": schema}}
        });
    }
    if session {
        op["security"] = json!([{"session": []}]);
    }
    json!({ method: op })
}

fn credentials_body() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["username", "password"],
        "properties": {
            "username": {"type": "string", "pattern": "^[A-Za-z0-9_=-]{1,255}$", "description": "The Sinch user id."},
            "password": {"type": "string", "minLength": 8, "maxLength": 128, "description": "Not trimmed; counted in characters."}
        }
    })
}

fn static_file(summary: &str, content_type: &str) -> Value {
    json!({"get": {
        "summary": summary,
        "description": "Part of the accounts-mode web page, served from the binary with a strict Content-Security-Policy.",
        "responses": {"200": {"description": "The file", "content": {content_type: {}}}}
    }})
}

/// The paths, described for a cookie named `cookie_name`.
pub(crate) fn paths(cookie_name: &str) -> Map<String, Value> {
    let cookie = format!(
        "Sets the session cookie `{cookie_name}` (`HttpOnly; SameSite=Strict; Path=/`, `Secure` unless plain-HTTP development is configured)."
    );
    let mut paths = Map::new();
    paths.insert(
        "/v1/accounts".into(),
        operation(
            "post",
            "Sign up",
            "Creates an account. The username is the Sinch user id. Depending on configuration sign-up is open, closed (`403 signup_closed`) or needs the admin API key (`Authorization: Bearer`).",
            Some(credentials_body()),
            (
                "201",
                json!({"description": "Created", "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["username", "userId", "createdAt"],
                    "properties": {
                        "username": {"type": "string"},
                        "userId": {"type": "string"},
                        "createdAt": {"type": "string", "format": "date-time"}
                    }
                }}}}),
            ),
            &[
                ProblemCode::UsernameTaken,
                ProblemCode::InvalidUserId,
                ProblemCode::InvalidPassword,
                ProblemCode::SignupClosed,
                ProblemCode::Unauthenticated,
                ProblemCode::CrossSiteRequest,
            ],
            false,
        ),
    );
    paths.insert(
        "/v1/login".into(),
        operation(
            "post",
            "Log in",
            &format!(
                "Checks the password and returns both credentials at once, so that `sinchClient.start(response)` works on the reply. {cookie} The same `401 unauthenticated` (reason `invalid_credentials`) answers an unknown user and a wrong password."
            ),
            Some(credentials_body()),
            (
                "200",
                json!({"description": "Signed in", "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["userTicket", "token", "userId", "expiresAt", "expiresIn"],
                    "properties": {
                        "userTicket": {"type": "string"},
                        "token": {"type": "string"},
                        "userId": {"type": "string"},
                        "expiresAt": {"type": "string", "format": "date-time", "description": "When the first of the two credentials expires."},
                        "expiresIn": {"type": "integer"}
                    }
                }}}}),
            ),
            &[
                ProblemCode::Unauthenticated,
                ProblemCode::CrossSiteRequest,
            ],
            false,
        ),
    );
    paths.insert(
        "/v1/logout".into(),
        operation(
            "post",
            "Log out",
            "Revokes the session in the database and clears the cookie. Without a live session it only clears the cookie.",
            None,
            ("204", json!({"description": "Signed out"})),
            &[ProblemCode::CrossSiteRequest],
            true,
        ),
    );
    paths.insert(
        "/v1/accounts/me".into(),
        operation(
            "get",
            "The signed-in account",
            "Who the session cookie belongs to, and when the session ends.",
            None,
            (
                "200",
                json!({"description": "The account", "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["username", "userId", "sessionExpiresAt"],
                    "properties": {
                        "username": {"type": "string"},
                        "userId": {"type": "string"},
                        "sessionExpiresAt": {"type": "string", "format": "date-time"}
                    }
                }}}}),
            ),
            &[ProblemCode::Unauthenticated],
            true,
        ),
    );
    paths.insert(
        "/v1/accounts/me/password".into(),
        operation(
            "post",
            "Change the password",
            "Checks the current password, stores the new one and revokes every other session of the account; this session stays signed in.",
            Some(json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["currentPassword", "newPassword"],
                "properties": {
                    "currentPassword": {"type": "string"},
                    "newPassword": {"type": "string", "minLength": 8, "maxLength": 128}
                }
            })),
            (
                "200",
                json!({"description": "Changed", "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["otherSessionsRevoked"],
                    "properties": {"otherSessionsRevoked": {"type": "integer"}}
                }}}}),
            ),
            &[
                ProblemCode::Unauthenticated,
                ProblemCode::WrongPassword,
                ProblemCode::InvalidPassword,
                ProblemCode::CredentialsChanged,
                ProblemCode::CrossSiteRequest,
            ],
            true,
        ),
    );
    paths.insert("/".into(), static_file("The web page", "text/html"));
    paths.insert(
        "/app.js".into(),
        static_file("The page's script", "text/javascript"),
    );
    paths.insert(
        "/style.css".into(),
        static_file("The page's style sheet", "text/css"),
    );
    paths
}
