//! Entry points for the fuzz targets in `crates/sinch-auth-service/fuzz`:
//! each feeds arbitrary text to parsers of untrusted input. Errors are
//! fine; a panic is a bug. Not part of the API.

use http::header::{COOKIE, HeaderValue};
use http::{HeaderMap, HeaderName};
use jsonwebtoken::Algorithm;

use crate::accounts::CookieSettings;
use crate::caller::jwt::read_header;
use crate::client_ip::{
    ClientIpResolver, ForwardedHeader, forwarded_for, hop_address, x_forwarded_for,
};

/// `X-Forwarded-For` and `Forwarded` values, hop by hop and through the
/// resolver (behind a trusted proxy, so every hop is read).
pub fn forwarded_headers(text: &str) {
    for hop in x_forwarded_for(std::iter::once(text)) {
        let _ = hop_address(hop);
    }
    for hop in forwarded_for(std::iter::once(text)) {
        let _ = hop_address(&hop);
    }
    let Ok(value) = HeaderValue::from_str(text) else {
        return;
    };
    let trusted = vec!["0.0.0.0/0".parse().unwrap(), "::/0".parse().unwrap()];
    for header in [ForwardedHeader::XForwardedFor, ForwardedHeader::Forwarded] {
        let mut headers = HeaderMap::new();
        headers.insert(HeaderName::from_static(header.as_str()), value.clone());
        let resolver = ClientIpResolver::new(trusted.clone()).with_header(header);
        let _ = resolver.resolve(Some([10, 0, 0, 1].into()), &headers);
    }
}

/// A `Cookie` header, read for the session cookie of either name.
pub fn cookies(text: &str) {
    let Ok(value) = HeaderValue::from_str(text) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(COOKIE, value);
    for secure in [true, false] {
        let settings = CookieSettings::new(secure, std::time::Duration::from_secs(60));
        if let Some(Some(token)) = settings.read(&headers) {
            let _ = token.hash();
        }
    }
}

/// A bearer token through the JOSE header pre-check of jwt mode.
pub fn jwt_header(text: &str) {
    let _ = read_header(
        text,
        &[Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA],
    );
}

/// Configuration values: the file's TOML, and the text as the value of
/// every `SINCH_AUTH_*` variable and of each value parser.
pub fn config_values(text: &str) {
    crate::config::fuzz_values(text);
}
