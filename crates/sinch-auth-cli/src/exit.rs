//! Failures and the exit status each one maps to.
//!
//! Exit 1 is reserved for "a credential was presented and must be rejected"
//! (and, for `healthcheck`, "the service is not healthy", Docker's meaning of
//! 1; for `serve`, a failure of the environment at run time, such as a port
//! in use), so scripts can tell a bad credential from a broken invocation.
//! It is only ever produced on purpose ([`CliError::rejected`],
//! [`CliError::verification`], [`CliError::unhealthy`], [`CliError::runtime`]);
//! every other error, including every core error converted with `?`, is a
//! usage or configuration error (exit 2).

use std::process::ExitCode;

/// The two ways a run can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A credential failed verification (or could not even be decoded).
    Rejected,
    /// Bad flags, bad input to mint, or missing/broken configuration.
    Usage,
    /// `healthcheck`: the service did not answer 2xx.
    #[cfg(feature = "serve")]
    Unhealthy,
    /// `serve` failed at run time: a port in use, a database down.
    #[cfg(feature = "serve")]
    Runtime,
}

impl Failure {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Failure::Rejected => 1,
            #[cfg(feature = "serve")]
            Failure::Unhealthy | Failure::Runtime => 1,
            Failure::Usage => 2,
        }
    }
}

/// A failed run: what to tell the user, and how to exit.
///
/// Messages are built from core errors (which never contain secrets and
/// quote untrusted input only truncated and escaped) or from this crate's
/// own text; never put a secret or a whole credential in one.
#[derive(Debug)]
pub struct CliError {
    failure: Failure,
    message: String,
    hint: Option<String>,
}

impl CliError {
    /// A usage or configuration error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            failure: Failure::Usage,
            message: message.into(),
            hint: None,
        }
    }

    /// A credential that must be rejected (exit 1).
    pub fn rejected(message: impl Into<String>) -> Self {
        CliError {
            failure: Failure::Rejected,
            message: message.into(),
            hint: None,
        }
    }

    /// `serve` failed at run time (exit 1).
    #[cfg(feature = "serve")]
    pub fn runtime(message: impl Into<String>) -> Self {
        CliError {
            failure: Failure::Runtime,
            message: message.into(),
            hint: None,
        }
    }

    /// A service that a health check found unhealthy (exit 1).
    #[cfg(feature = "serve")]
    pub fn unhealthy(message: impl Into<String>) -> Self {
        CliError {
            failure: Failure::Unhealthy,
            message: message.into(),
            hint: None,
        }
    }

    /// A core error raised while checking a presented credential: exit 1 when
    /// the credential is at fault, exit 2 otherwise.
    pub fn verification(error: sinch_auth::Error) -> Self {
        if error.is_verification_failure() {
            CliError::rejected(error.to_string())
        } else {
            CliError::usage(error.to_string())
        }
    }

    /// Adds a line telling the user what to do about it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// How the run failed.
    pub fn failure(&self) -> Failure {
        self.failure
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// Prints the error (and hint) to stderr and returns the exit status.
    pub fn report(&self) -> ExitCode {
        eprintln!("error: {}", self.message());
        if let Some(hint) = self.hint() {
            eprintln!("hint: {hint}");
        }
        ExitCode::from(self.failure().code())
    }
}

/// Core errors reached with `?` come from minting or configuration: the
/// caller's input is wrong, not a presented credential.
impl From<sinch_auth::Error> for CliError {
    fn from(error: sinch_auth::Error) -> Self {
        CliError::usage(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sinch_auth::{Application, VerifyOptions};

    fn app() -> Application {
        Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap()
    }

    #[test]
    fn a_bad_signature_is_a_rejection() {
        let err = app()
            .verify("bm90IGEgdGlja2V0:AAAA", &VerifyOptions::default())
            .unwrap_err();
        assert_eq!(CliError::verification(err).failure(), Failure::Rejected);
    }

    #[test]
    fn a_core_error_from_minting_is_a_usage_error() {
        // An invalid nonce is reported as an InvalidClaim, which the core
        // counts as a verification failure; from minting it must still be 2.
        let err = app()
            .registration_token("bob")
            .with_nonce("")
            .mint()
            .unwrap_err();
        assert!(err.is_verification_failure());
        assert_eq!(CliError::from(err).failure(), Failure::Usage);
    }

    #[test]
    fn codes_are_the_documented_ones() {
        assert_eq!(Failure::Rejected.code(), 1);
        assert_eq!(Failure::Usage.code(), 2);
        #[cfg(feature = "serve")]
        assert_eq!(Failure::Unhealthy.code(), 1);
    }
}
