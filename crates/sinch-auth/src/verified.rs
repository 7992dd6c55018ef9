//! The type-state between "someone handed us this" and "we checked it".
//!
//! A [`Verified`] can only be built inside this crate, by a verification
//! that checked the MAC, the application and the validity window. Claims read
//! without verification come from [`crate::dangerous`] as a different type.

use std::ops::Deref;

/// Claims whose credential passed verification.
///
/// ```
/// use sinch_auth::{Application, VerifyOptions};
/// use time::macros::datetime;
/// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
/// let now = datetime!(2026-11-28 08:00 UTC);
/// let ticket = app.user_ticket("alice").with_created(now).mint().unwrap();
/// let verified = app.verify_ticket(ticket.as_str(), &VerifyOptions::default().with_now(now)).unwrap();
/// assert_eq!(verified.user_id(), "alice"); // Deref to the claims
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<C> {
    claims: C,
}

impl<C> Verified<C> {
    pub(crate) fn new(claims: C) -> Self {
        Verified { claims }
    }

    /// The verified claims.
    pub fn claims(&self) -> &C {
        &self.claims
    }

    /// Unwraps the verified claims.
    pub fn into_claims(self) -> C {
        self.claims
    }
}

impl<C> Deref for Verified<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.claims
    }
}

/// A verified ticket or token, from [`Application::verify`](crate::Application::verify).
///
/// ```
/// use sinch_auth::{Application, VerifiedCredential, VerifyOptions};
/// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
/// let ticket = app.user_ticket("zoë").mint().unwrap();
/// match app.verify(ticket.as_str(), &VerifyOptions::default()).unwrap() {
///     VerifiedCredential::UserTicket(claims) => assert_eq!(claims.user_id(), "zoë"),
///     other => panic!("expected a ticket, got {other:?}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifiedCredential {
    /// A user ticket.
    UserTicket(Verified<crate::TicketClaims>),
    /// A registration token.
    RegistrationToken(Verified<crate::TokenClaims>),
}

impl VerifiedCredential {
    /// The verified user id.
    pub fn user_id(&self) -> &str {
        match self {
            VerifiedCredential::UserTicket(t) => t.user_id(),
            VerifiedCredential::RegistrationToken(t) => t.user_id(),
        }
    }
}

impl crate::Application {
    /// Verifies a ticket or a token, telling them apart by shape.
    ///
    /// ```
    /// use sinch_auth::{Application, VerifiedCredential, VerifyOptions};
    /// let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
    /// let token = app.registration_token("bob").mint().unwrap();
    /// let v = app.verify(token.as_str(), &VerifyOptions::default()).unwrap();
    /// assert!(matches!(v, VerifiedCredential::RegistrationToken(_)));
    /// assert_eq!(v.user_id(), "bob");
    /// ```
    pub fn verify(
        &self,
        credential: &str,
        options: &crate::VerifyOptions,
    ) -> Result<VerifiedCredential, crate::Error> {
        let credential = credential.trim();
        match crate::dangerous::detect(credential) {
            Some(crate::CredentialKind::UserTicket) => self
                .verify_ticket(credential, options)
                .map(VerifiedCredential::UserTicket),
            _ => self
                .verify_token(credential, options)
                .map(VerifiedCredential::RegistrationToken),
        }
    }
}
