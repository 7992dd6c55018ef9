//! Prometheus metrics, one registry per service (no global state, so
//! several services or tests in one process do not mix their numbers).

use prometheus_client::collector::Collector;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

// Label values are static or integers: recording a request allocates
// nothing.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IssuedLabels {
    kind: &'static str,
    application: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ScopeLabels {
    scope: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // Minting takes microseconds; the interesting range is 0.1 ms to 1 s.
    Histogram::new([
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    ])
}

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    issued: Family<IssuedLabels, Counter>,
    auth_failures: Family<ReasonLabels, Counter>,
    rate_limited: Family<ScopeLabels, Counter>,
    logins: Family<OutcomeLabels, Counter>,
    signups: Family<OutcomeLabels, Counter>,
    logouts: Family<OutcomeLabels, Counter>,
    password_changes: Family<OutcomeLabels, Counter>,
    account_deletions: Family<OutcomeLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric under the `sinch_auth_` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("sinch_auth");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = LatencyFamily::new_with_constructor(latency_histogram);
        let issued = Family::<IssuedLabels, Counter>::default();
        let auth_failures = Family::<ReasonLabels, Counter>::default();
        let rate_limited = Family::<ScopeLabels, Counter>::default();
        registry.register(
            "http_requests",
            "API requests by method, route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "API request latency by method and route",
            latency.clone(),
        );
        registry.register(
            "credentials_issued",
            "Credentials issued by kind (ticket, registration_token) and application",
            issued.clone(),
        );
        registry.register(
            "auth_failures",
            "Caller authentication failures by reason",
            auth_failures.clone(),
        );
        registry.register(
            "rate_limited",
            "Requests refused by a rate limit, by scope (ip, user)",
            rate_limited.clone(),
        );
        let logins = Family::<OutcomeLabels, Counter>::default();
        let signups = Family::<OutcomeLabels, Counter>::default();
        let logouts = Family::<OutcomeLabels, Counter>::default();
        let password_changes = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "logins",
            "Accounts mode: logins by outcome (success, invalid_credentials, rate_limited, unavailable, ...)",
            logins.clone(),
        );
        registry.register(
            "signups",
            "Accounts mode: sign-ups by outcome (created, username_taken, invalid_username, invalid_password, closed, ...)",
            signups.clone(),
        );
        registry.register(
            "logouts",
            "Accounts mode: logouts by outcome (success, no_session, ...)",
            logouts.clone(),
        );
        registry.register(
            "password_changes",
            "Accounts mode: password changes by outcome (success, wrong_password, ...)",
            password_changes.clone(),
        );
        let account_deletions = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "account_deletions",
            "Accounts mode: accounts deleted by their owner (DELETE /v1/accounts/me) by outcome",
            account_deletions.clone(),
        );
        registry.register_collector(Box::new(LogWrites));
        Metrics {
            registry,
            requests,
            latency,
            issued,
            auth_failures,
            rate_limited,
            logins,
            signups,
            logouts,
            password_changes,
            account_deletions,
        }
    }

    /// Records one API request; `route` is a route template (bounded
    /// cardinality), never a raw path.
    pub(crate) fn request(
        &self,
        method: &'static str,
        route: &'static str,
        status: u16,
        seconds: f64,
    ) {
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { method, route })
            .observe(seconds);
    }

    pub(crate) fn issued(&self, kind: &'static str, application: &str) {
        self.issued
            .get_or_create(&IssuedLabels {
                kind,
                application: application.to_owned(),
            })
            .inc();
    }

    pub(crate) fn auth_failure(&self, reason: &'static str) {
        self.auth_failures
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    pub(crate) fn rate_limited(&self, scope: &'static str) {
        self.rate_limited
            .get_or_create(&ScopeLabels { scope })
            .inc();
    }

    pub(crate) fn login(&self, outcome: &'static str) {
        self.logins.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    pub(crate) fn signup(&self, outcome: &'static str) {
        self.signups.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    pub(crate) fn logout(&self, outcome: &'static str) {
        self.logouts.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    pub(crate) fn password_change(&self, outcome: &'static str) {
        self.password_changes
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    pub(crate) fn account_deletion(&self, outcome: &'static str) {
        self.account_deletions
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// The process's log lines and the `write(2)` calls that wrote them (the
/// log is the process's: with several services in one process, each shows
/// the same totals). Lines per write shows how much the group commit
/// batches.
#[derive(Debug)]
struct LogWrites;

impl Collector for LogWrites {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counts = crate::telemetry::line_counts();
        for (name, help, value) in [
            ("log_lines", "Log lines this process logged", counts.lines),
            (
                "log_writes",
                "write(2) calls that wrote the log lines (concurrent requests share one)",
                counts.writes,
            ),
        ] {
            let counter = ConstCounter::new(value);
            counter.encode(encoder.encode_descriptor(
                name,
                help,
                None,
                counter.metric_type(),
            )?)?;
        }
        Ok(())
    }
}

/// Content type of [`Metrics::render`].
pub const METRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family() {
        let m = Metrics::new();
        m.request("POST", "/v1/tickets", 200, 0.001);
        m.issued("ticket", "default");
        m.auth_failure("token_expired");
        m.rate_limited("ip");
        let text = m.render();
        for needle in [
            "sinch_auth_http_requests_total{method=\"POST\",route=\"/v1/tickets\",status=\"200\"} 1",
            "sinch_auth_http_request_duration_seconds_bucket{",
            "sinch_auth_credentials_issued_total{kind=\"ticket\",application=\"default\"} 1",
            "sinch_auth_auth_failures_total{reason=\"token_expired\"} 1",
            "sinch_auth_rate_limited_total{scope=\"ip\"} 1",
            "sinch_auth_log_lines_total ",
            "sinch_auth_log_writes_total ",
        ] {
            assert!(text.contains(needle), "{needle} missing in\n{text}");
        }
    }
}
