//! Any bytes as a registration token: verification must fail cleanly (no
//! panic) for everything that is not a genuine token.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sinch_auth::{Application, VerifyOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let app = Application::from_base64("a32e5a8d-f7d8-411c-9645-9038e8dd051d", "ax8hTTQJF0OPXL32r1LHMA==")
        .expect("valid fuzz credentials");
    if let Ok(claims) = app.verify_token(text, &VerifyOptions::default()) {
        // A genuine token names this application and a valid user id.
        assert!(app.key().matches(claims.application_key()));
        assert!(sinch_auth::validate_token_user_id(claims.user_id()).is_ok());
    }
});
