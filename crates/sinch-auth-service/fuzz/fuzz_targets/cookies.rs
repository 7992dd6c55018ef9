//! A `Cookie` header, read for the session cookie: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sinch_auth_service::fuzzing;

fuzz_target!(|data: &[u8]| {
    fuzzing::cookies(&String::from_utf8_lossy(data));
});
