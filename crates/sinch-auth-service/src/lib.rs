//! # sinch-auth-service
//!
//! The token service: an HTTP endpoint that hands an authenticated caller
//! Sinch credentials, user tickets (JS SDK 1.x) and registration tokens
//! (current SDKs). Use it as `sinch-auth serve`, or mount
//! [`TokenService::router`] in your own axum application.
//!
//! - `POST /v1/tickets`, `POST /v1/registration-tokens`, `GET /openapi.json`
//!   on the API listener; `GET /livez`, `/readyz`, `/metrics` on the admin
//!   listener.
//! - Caller authentication through the [`caller::Authenticator`] trait:
//!   API keys ([`caller::ApiKeyAuthenticator`]), JWTs from the app's
//!   identity provider ([`caller::JwtAuthenticator`]), or the built-in
//!   accounts and sessions of [`accounts`] (the default of `serve`), with
//!   sign-up, login, logout and a web page.
//! - Errors are `application/problem+json` with a stable
//!   [`ProblemCode`]; every response carries `Cache-Control: no-store`.

//!
//! ## Inside
//!
//! Modules only use modules below them (`.ci/module-cycles.py` checks it):
//!
//! | layer | modules |
//! | --- | --- |
//! | process edge | `cli` (arguments), `accounts_cli` (`sinch-auth accounts`), `server` (listeners, shutdown), `assemble` (settings → service and routers) |
//! | HTTP | `routes` (routers from route tables, `/openapi.json`, middleware) |
//! | modes | `accounts` (sign-up, login, sessions, page), `caller` (API keys, JWTs, the [`caller::Authenticator`] seam) |
//! | issuing | `service` ([`TokenService`]), `issue` (ticket and token requests) |
//! | configuration | `config` (file, variables, flags → [`config::Settings`]; knows no routes) |
//! | leaves | `problem`, `metrics`, `rate_limit`, `client_ip`, `extract`, `api_extension`, `telemetry` |

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod accounts;
pub mod accounts_cli;
mod api_extension;
mod assemble;
pub mod caller;
pub mod cli;
mod client_ip;
pub mod config;
mod extract;
#[doc(hidden)]
pub mod fuzzing;
mod http_server;
mod issue;
mod metrics;
mod problem;
mod rate_limit;
mod reload;
pub mod routes;
mod server;
mod service;
mod signals;
mod telemetry;

pub use accounts::SessionAuthenticator;
pub use api_extension::{ApiExtension, RouteTable};
pub use assemble::Built;
pub use client_ip::{ClientIp, ClientIpResolver, ForwardedHeader};
pub use extract::{BODY_LIMIT, JsonBody};
pub use issue::{TicketRequest, TicketResponse, TokenRequest, TokenResponse};
pub use metrics::{METRICS_CONTENT_TYPE, Metrics};
pub use problem::{PROBLEM_JSON, Problem, ProblemCode};
pub use rate_limit::{Rate, RateLimitSettings};
pub use reload::ReloadError;
pub use server::{ServeError, Server};
pub use service::{
    Applications, DEFAULT_APPLICATION, DEFAULT_ENVIRONMENT_HOST, ServiceOptions, TicketPolicy,
    TokenPolicy, TokenService,
};
pub use signals::{ShutdownFuture, shutdown_signal};
pub use telemetry::{JsonLines, LogFilterError, LogFormat, init_logging, parse_filter};
