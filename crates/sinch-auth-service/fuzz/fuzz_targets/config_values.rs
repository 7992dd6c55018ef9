//! Configuration text: the TOML file, every `SINCH_AUTH_*` variable, each value parser: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sinch_auth_service::fuzzing;

fuzz_target!(|data: &[u8]| {
    fuzzing::config_values(&String::from_utf8_lossy(data));
});
