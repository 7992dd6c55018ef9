//! `X-Forwarded-For` and `Forwarded` values, hop by hop and through the client-IP resolver: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sinch_auth_service::fuzzing;

fuzz_target!(|data: &[u8]| {
    fuzzing::forwarded_headers(&String::from_utf8_lossy(data));
});
