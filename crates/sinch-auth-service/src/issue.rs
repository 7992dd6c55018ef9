//! Issuing credentials: the one place that turns an authenticated caller
//! and a request into a ticket or a token, with the policy checks, the
//! per-user limit, the metric and the audit line. Routes (and, later, the
//! accounts login) call these methods and nothing lower.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
// FORMATS §2: a device registration lasts at least 48 h. The core checks
// it too; checking here gives the caller the range in the message.
use sinch_auth::token::MIN_INSTANCE_TTL;
use sinch_auth::{
    Application, ErrorKind, IdentityType, rfc3339_seconds, validate_ticket_user_id,
    validate_token_user_id,
};

use crate::caller::Caller;
use crate::problem::{Problem, ProblemCode};
use crate::service::TokenService;

/// Body of `POST /v1/tickets`. Every field is optional except `userId` for
/// API-key callers.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TicketRequest {
    /// The user (required with an API key; with a JWT or session, optional
    /// and must be the caller's own).
    pub user_id: Option<String>,
    /// Lifetime in seconds, within the configured ticket bounds.
    #[serde(default, deserialize_with = "whole_number")]
    pub ttl: Option<i64>,
    /// The Sinch application, by configured name. Default `default`.
    pub application: Option<String>,
}

/// Body of `POST /v1/registration-tokens`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TokenRequest {
    /// As in [`TicketRequest::user_id`].
    pub user_id: Option<String>,
    /// Lifetime in seconds, within the configured token bounds.
    #[serde(default, deserialize_with = "whole_number")]
    pub ttl: Option<i64>,
    /// Lifetime of the device registration in seconds (at least 48 h):
    /// adds `sinch:rtc:instance:exp`.
    #[serde(default, deserialize_with = "whole_number")]
    pub instance_ttl: Option<i64>,
    /// As in [`TicketRequest::application`].
    pub application: Option<String>,
}

/// A user ticket, ready for the JS SDK's `sinchClient.start(response)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TicketResponse {
    /// The ticket.
    pub user_ticket: String,
    /// The user it is for.
    pub user_id: String,
    /// RFC 3339, UTC, whole seconds.
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// Seconds from now.
    pub expires_in: u64,
    /// The Sinch application the ticket is for (`SinchClient`'s
    /// `applicationKey`).
    pub application_key: String,
    /// The Sinch environment its clients connect to (`environmentHost`).
    pub environment_host: String,
}

/// A registration token for `clientRegistration.register(token)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    /// The compact JWT.
    pub token: String,
    /// The user it is for.
    pub user_id: String,
    /// RFC 3339, UTC, whole seconds.
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// Seconds from now.
    pub expires_in: u64,
    /// The Sinch application the token is for (`SinchClient`'s
    /// `applicationKey`).
    pub application_key: String,
    /// The Sinch environment its clients connect to (`environmentHost`).
    pub environment_host: String,
}

impl TokenService {
    /// Issues a user ticket for `caller`.
    pub fn issue_ticket(
        &self,
        caller: &Caller,
        request: &TicketRequest,
    ) -> Result<TicketResponse, Problem> {
        let user_id = caller.resolve_user(request.user_id.as_deref())?;
        validate_ticket_user_id(&user_id, IdentityType::Username, false)
            .map_err(invalid_user_id)?;
        let policy = self.options().tickets;
        let ttl = ttl_within(
            request.ttl,
            "ttl",
            policy.default_ttl,
            policy.min_ttl,
            policy.max_ttl,
        )?;
        let (app_name, app, environment_host) = self.application(request.application.as_deref())?;
        self.check_user_rate(&user_id)?;
        let ticket = app
            .user_ticket(user_id.as_str())
            .with_expires_in(ttl)
            .mint()
            .map_err(mint_failure)?;
        let expires_at = rfc3339_seconds(ticket.expires_at());
        self.record_issued("ticket", app_name, &user_id, &expires_at, caller);
        Ok(TicketResponse {
            user_ticket: ticket.into_string(),
            user_id,
            expires_at,
            expires_in: ttl.as_secs(),
            application_key: app.key().as_str().to_owned(),
            environment_host: environment_host.to_owned(),
        })
    }

    /// Issues a registration token for `caller`.
    pub fn issue_registration_token(
        &self,
        caller: &Caller,
        request: &TokenRequest,
    ) -> Result<TokenResponse, Problem> {
        let user_id = caller.resolve_user(request.user_id.as_deref())?;
        validate_token_user_id(&user_id).map_err(invalid_user_id)?;
        let policy = self.options().tokens;
        let ttl = ttl_within(
            request.ttl,
            "ttl",
            policy.default_ttl,
            policy.bounds.min(),
            policy.bounds.max(),
        )?;
        let instance_ttl = match request.instance_ttl {
            None => None,
            Some(secs) => Some(ttl_within(
                Some(secs),
                "instanceTtl",
                Duration::ZERO,
                MIN_INSTANCE_TTL,
                Duration::from_secs(i32::MAX as u64),
            )?),
        };
        let (app_name, app, environment_host) = self.application(request.application.as_deref())?;
        self.check_user_rate(&user_id)?;
        let mut builder = app
            .registration_token(user_id.as_str())
            .with_ttl_bounds(policy.bounds)
            .with_ttl(ttl);
        if let Some(instance_ttl) = instance_ttl {
            builder = builder.with_instance_ttl(instance_ttl);
        }
        let token = builder.mint().map_err(mint_failure)?;
        let expires_at = rfc3339_seconds(token.expires_at());
        self.record_issued(
            "registration_token",
            app_name,
            &user_id,
            &expires_at,
            caller,
        );
        Ok(TokenResponse {
            token: token.into_string(),
            user_id,
            expires_at,
            expires_in: ttl.as_secs(),
            application_key: app.key().as_str().to_owned(),
            environment_host: environment_host.to_owned(),
        })
    }

    /// The application, its name and its environment host.
    fn application(&self, name: Option<&str>) -> Result<(&str, &Application, &str), Problem> {
        let applications = self.applications();
        let found = applications.get(name).and_then(|(name, app)| {
            let host = applications.environment_host(Some(name))?;
            Some((name, app, host))
        });
        found.ok_or_else(|| {
            Problem::new(
                ProblemCode::UnknownApplication,
                "no application of that name is configured",
            )
        })
    }

    /// Applies the per-user limit (one unit per credential).
    pub fn check_user_rate(&self, user_id: &str) -> Result<(), Problem> {
        let Some(limiter) = &self.limits().per_user else {
            return Ok(());
        };
        // The map is keyed by owned strings; only allocate on this path.
        limiter.admit(&user_id.to_owned(), self.metrics())
    }

    fn record_issued(
        &self,
        kind: &'static str,
        application: &str,
        user_id: &str,
        expires_at: &str,
        caller: &Caller,
    ) {
        self.metrics().issued(kind, application);
        tracing::info!(
            target: "sinch_auth::audit",
            event = "credential_issued",
            kind,
            user_id,
            expires_at,
            caller = %caller.via(),
            application,
        );
    }
}

/// An optional whole number. JSON has one number type: `60.0` is the same
/// integer as `60` (JSON Schema agrees), so both are read; `60.5` is not a
/// whole number and is refused.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error;
    let Some(number) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(n) = number.as_i64() {
        return Ok(Some(n));
    }
    if number.is_u64() {
        return Ok(Some(i64::MAX)); // out of every range; the range check says so
    }
    match number.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
        Some(f) if f.fract() == 0.0 => Ok(Some(if f < 0.0 { i64::MIN } else { i64::MAX })),
        _ => Err(D::Error::custom(format!(
            "{number} is not a whole number of seconds"
        ))),
    }
}

fn ttl_within(
    requested: Option<i64>,
    field: &str,
    default: Duration,
    min: Duration,
    max: Duration,
) -> Result<Duration, Problem> {
    let Some(secs) = requested else {
        return Ok(default);
    };
    if secs < 0 || (secs as u64) < min.as_secs() || (secs as u64) > max.as_secs() {
        return Err(Problem::new(
            ProblemCode::TtlOutOfRange,
            format!(
                "{field} must be between {} and {} seconds, got {secs}",
                min.as_secs(),
                max.as_secs()
            ),
        ));
    }
    Ok(Duration::from_secs(secs as u64))
}

fn invalid_user_id(e: sinch_auth::Error) -> Problem {
    Problem::new(ProblemCode::InvalidUserId, e.to_string())
}

/// Input was validated before minting, so a failure here is ours.
fn mint_failure(e: sinch_auth::Error) -> Problem {
    match e.kind() {
        ErrorKind::InvalidUserId(_) => invalid_user_id(e),
        ErrorKind::TtlOutOfRange { .. } | ErrorKind::InstanceTtlTooShort { .. } => {
            Problem::new(ProblemCode::TtlOutOfRange, e.to_string())
        }
        _ => {
            tracing::error!(error = %e, "minting failed");
            Problem::new(ProblemCode::Internal, "the credential could not be minted")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_are_whole_numbers_written_either_way() {
        let read = |body: &str| serde_json::from_str::<TicketRequest>(body).map(|r| r.ttl);
        assert_eq!(read(r#"{"ttl": 60}"#).unwrap(), Some(60));
        assert_eq!(read(r#"{"ttl": 60.0}"#).unwrap(), Some(60));
        assert_eq!(read(r#"{"ttl": 6e1}"#).unwrap(), Some(60));
        assert_eq!(read(r#"{"ttl": null}"#).unwrap(), None);
        assert_eq!(read(r#"{}"#).unwrap(), None);
        assert_eq!(read(r#"{"ttl": 1e300}"#).unwrap(), Some(i64::MAX));
        assert_eq!(
            read(r#"{"ttl": 18446744073709551615}"#).unwrap(),
            Some(i64::MAX)
        );
        assert!(read(r#"{"ttl": 60.5}"#).is_err());
        assert!(read(r#"{"ttl": "60"}"#).is_err());
    }

    #[test]
    fn ttl_bounds_are_inclusive() {
        let (d, lo, hi) = (
            Duration::from_secs(600),
            Duration::from_secs(60),
            Duration::from_secs(3600),
        );
        assert_eq!(ttl_within(None, "ttl", d, lo, hi).unwrap(), d);
        assert_eq!(
            ttl_within(Some(60), "ttl", d, lo, hi).unwrap().as_secs(),
            60
        );
        assert_eq!(
            ttl_within(Some(3600), "ttl", d, lo, hi).unwrap().as_secs(),
            3600
        );
        for bad in [-1, 0, 59, 3601, i64::MAX] {
            let e = ttl_within(Some(bad), "ttl", d, lo, hi).unwrap_err();
            assert_eq!(e.code(), ProblemCode::TtlOutOfRange);
        }
    }
}
