//! Any text through the unverified decoder, the shape detector and the
//! timestamp parser: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sinch_auth::dangerous;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = dangerous::detect(&text);
    if let Ok(decoded) = dangerous::decode_without_verification(&text) {
        assert_eq!(dangerous::detect(text.trim()), Some(decoded.kind()));
    }
    let _ = sinch_auth::parse_timestamp(&text);
});
