//! `GET /v1/config`: what a client may ask for, before anyone signs in:
//! the applications (with the key and environment host a `SinchClient` is
//! built with) and the accepted lifetimes. Nothing secret: application keys
//! ship inside every app anyway.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::service::{DEFAULT_APPLICATION, TokenService};

/// The public facts of this deployment.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ClientConfig {
    /// The applications a request may name (`application`), by name.
    applications: Vec<ApplicationInfo>,
    /// The one used when a request names none.
    default_application: &'static str,
    /// Lifetimes of user tickets (`POST /v1/tickets`).
    tickets: Lifetimes,
    /// Lifetimes of registration tokens (`POST /v1/registration-tokens`).
    registration_tokens: Lifetimes,
    /// Shortest `instanceTtl` (device registration) accepted, in seconds.
    min_instance_ttl: u64,
}

/// One Sinch application.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApplicationInfo {
    /// The name requests use (`"application": "…"`).
    name: String,
    /// `SinchClient`'s `applicationKey`.
    application_key: String,
    /// `SinchClient`'s `environmentHost`.
    environment_host: String,
}

/// A default lifetime and the range a request may ask for, in seconds.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Lifetimes {
    /// Used when the request has no `ttl`.
    default_ttl: u64,
    /// Shortest `ttl` accepted.
    min_ttl: u64,
    /// Longest `ttl` accepted.
    max_ttl: u64,
}

/// The deployment's applications and lifetimes
///
/// No authentication: for clients that build their interface before the
/// user signs in. Application keys are not secrets.
#[utoipa::path(
    get,
    path = "/v1/config",
    security(()),
    responses((status = 200, description = "Applications and lifetimes", body = ClientConfig)),
)]
pub(crate) async fn client_config(State(service): State<TokenService>) -> Json<ClientConfig> {
    let options = service.options();
    let (tickets, tokens) = (options.tickets, options.tokens);
    Json(ClientConfig {
        applications: service
            .applications()
            .iter()
            .map(|(name, app, host)| ApplicationInfo {
                name: name.to_owned(),
                application_key: app.key().as_str().to_owned(),
                environment_host: host.to_owned(),
            })
            .collect(),
        default_application: DEFAULT_APPLICATION,
        tickets: Lifetimes {
            default_ttl: tickets.default_ttl.as_secs(),
            min_ttl: tickets.min_ttl.as_secs(),
            max_ttl: tickets.max_ttl.as_secs(),
        },
        registration_tokens: Lifetimes {
            default_ttl: tokens.default_ttl.as_secs(),
            min_ttl: tokens.bounds.min().as_secs(),
            max_ttl: tokens.bounds.max().as_secs(),
        },
        min_instance_ttl: sinch_auth::token::MIN_INSTANCE_TTL.as_secs(),
    })
}
