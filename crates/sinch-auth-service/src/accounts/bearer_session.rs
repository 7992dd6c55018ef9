//! The session of a native app: the `sessionToken` of a login with
//! `"session": "bearer"`, sent as `Authorization: Bearer <token>`. The same
//! 256-bit token as the cookie's, stored as its SHA-256, but sent on
//! purpose by the client rather than attached by a browser, so it is not
//! ambient authority and no cross-site check applies.

use http::HeaderMap;
use http::header::AUTHORIZATION;

use super::SessionToken;
use crate::caller::bearer_token;

/// The bearer session token of a request: `None` without an
/// `Authorization` header (the cookie is then the session, if any);
/// `Some(None)` when the header is there but holds no token of ours (a
/// malformed header, another scheme, another shape): such a request gets a
/// 401, never the cookie's session instead.
pub(crate) fn read(headers: &HeaderMap) -> Option<Option<SessionToken>> {
    if !headers.contains_key(AUTHORIZATION) {
        return None;
    }
    Some(bearer_token(headers).ok().and_then(SessionToken::parse))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_well_formed_bearer_token_is_one() {
        let mut headers = HeaderMap::new();
        assert!(read(&headers).is_none());
        let token = SessionToken::generate().unwrap();
        headers.insert(
            AUTHORIZATION,
            format!("Bearer {}", token.expose()).parse().unwrap(),
        );
        let read_back = read(&headers).unwrap().unwrap();
        assert_eq!(read_back.hash(), token.hash());
        for bad in ["Basic abc", "Bearer short", "Bearer ", "Bearer a.b.c"] {
            headers.insert(AUTHORIZATION, bad.parse().unwrap());
            assert!(matches!(read(&headers), Some(None)), "{bad}");
        }
    }
}
