//! What the three benches share, so that they measure the same operations
//! on the same bytes: the application, the user, and the baselines' inputs.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sinch_auth::token::derive_signing_key;
use sinch_auth::{Application, RegistrationToken};

pub const USER: &str = "alice";

pub fn app() -> Application {
    Application::from_base64(
        "a32e5a8d-f7d8-411c-9645-9038e8dd051d",
        "ax8hTTQJF0OPXL32r1LHMA==",
    )
    .expect("bench credentials are valid")
}

/// `ticket/hmac_baseline`'s input: a MAC keyed with the secret, and the
/// JSON payload of `ticket` (the bytes its MAC covers).
pub fn ticket_baseline(app: &Application, ticket: &str) -> (Hmac<Sha256>, Vec<u8>) {
    let payload = STANDARD.decode(ticket.split(':').next().unwrap()).unwrap();
    let keyed = Hmac::<Sha256>::new_from_slice(app.secret().expose_bytes()).unwrap();
    (keyed, payload)
}

/// `token/hmac_baseline`'s input: a MAC keyed with the day key of `token`,
/// and its signing input `b64(header).b64(claims)`.
pub fn token_baseline(app: &Application, token: &RegistrationToken) -> (Hmac<Sha256>, Vec<u8>) {
    let signing_input = token
        .as_str()
        .rsplit_once('.')
        .unwrap()
        .0
        .as_bytes()
        .to_vec();
    let day_key = derive_signing_key(app.secret(), token.issued_at().date());
    let keyed = Hmac::<Sha256>::new_from_slice(&*day_key).unwrap();
    (keyed, signing_input)
}
