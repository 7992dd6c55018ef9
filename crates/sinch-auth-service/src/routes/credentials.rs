//! `POST /v1/tickets` and `POST /v1/registration-tokens`.

use axum::extract::{FromRequestParts, State};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, header};
use serde::Serialize;

use crate::caller::Caller;
use crate::extract::JsonBody;
use crate::issue::{TicketRequest, TicketResponse, TokenRequest, TokenResponse};
use crate::problem::{Problem, ProblemCode};
use crate::service::TokenService;

/// Extractor: the authenticated caller. Listed before the body so that
/// authentication runs (and fails) first.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

impl FromRequestParts<TokenService> for Authenticated {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        service: &TokenService,
    ) -> Result<Self, Problem> {
        service
            .authenticator()
            .authenticate(parts)
            .await
            .map(Authenticated)
            .map_err(Problem::from)
    }
}

/// Issue a user ticket
///
/// Returns an object that can be passed straight to the JS SDK's
/// `sinchClient.start()`. With an API key the body must name the user; with
/// a JWT or a session the user is the caller.
#[utoipa::path(
    post,
    path = "/v1/tickets",
    request_body(content = TicketRequest, description = "JSON, at most 16 KiB; may be empty when no field is needed."),
    responses((status = 200, description = "The ticket. `Cache-Control: no-store`.", body = TicketResponse)),
)]
pub(crate) async fn post_ticket(
    State(service): State<TokenService>,
    Authenticated(caller): Authenticated,
    JsonBody(request): JsonBody<TicketRequest>,
) -> Result<Response, Problem> {
    service.issue_ticket(&caller, &request).map(json)
}

/// Issue a registration token
///
/// Returns a registration token (HS256 JWT) for
/// `clientRegistration.register(token)`.
#[utoipa::path(
    post,
    path = "/v1/registration-tokens",
    request_body(content = TokenRequest, description = "JSON, at most 16 KiB; may be empty when no field is needed."),
    responses((status = 200, description = "The token. `Cache-Control: no-store`.", body = TokenResponse)),
)]
pub(crate) async fn post_registration_token(
    State(service): State<TokenService>,
    Authenticated(caller): Authenticated,
    JsonBody(request): JsonBody<TokenRequest>,
) -> Result<Response, Problem> {
    service
        .issue_registration_token(&caller, &request)
        .map(json)
}

/// A JSON response serialized into a buffer sized for a credential (axum's
/// `Json` starts at 128 bytes and grows twice for a ticket).
fn json<T: Serialize>(value: T) -> Response {
    let mut body = Vec::with_capacity(512);
    match serde_json::to_writer(&mut body, &value) {
        Ok(()) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        // Plain structs of strings and numbers: cannot happen.
        Err(_) => {
            Problem::new(ProblemCode::Internal, "the response could not be written").into_response()
        }
    }
}
