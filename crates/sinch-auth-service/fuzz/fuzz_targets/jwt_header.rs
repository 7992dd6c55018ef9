//! A bearer token through jwt mode's JOSE header pre-check: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sinch_auth_service::fuzzing;

fuzz_target!(|data: &[u8]| {
    fuzzing::jwt_header(&String::from_utf8_lossy(data));
});
