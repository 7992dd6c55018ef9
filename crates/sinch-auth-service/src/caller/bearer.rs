//! The `Authorization: Bearer …` header, read strictly.

use http::HeaderMap;
use http::header::AUTHORIZATION;

use super::AuthError;

/// Longest bearer credential accepted: far above any real JWT, far below
/// what would make verification expensive.
const MAX_BEARER_LEN: usize = 8 * 1024;

/// The credential of an `Authorization: Bearer <credential>` header (scheme
/// case-insensitive, exactly one header).
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(AuthError::rejected(
            "missing_credentials",
            "send Authorization: Bearer <credential>",
        ));
    };
    if values.next().is_some() {
        return Err(AuthError::rejected(
            "malformed_authorization",
            "send exactly one Authorization header",
        ));
    }
    let value = value.to_str().map_err(|_| {
        AuthError::rejected(
            "malformed_authorization",
            "the Authorization header is not ASCII",
        )
    })?;
    let (scheme, credential) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::rejected(
            "malformed_authorization",
            "the Authorization scheme must be Bearer",
        ));
    }
    let credential = credential.trim();
    if credential.is_empty() {
        return Err(AuthError::rejected(
            "malformed_authorization",
            "the Bearer credential is empty",
        ));
    }
    if credential.len() > MAX_BEARER_LEN {
        return Err(AuthError::rejected(
            "malformed_authorization",
            "the Bearer credential is too long",
        ));
    }
    Ok(credential)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(h: &HeaderMap) -> &'static str {
        match bearer_token(h) {
            Err(AuthError::Rejected { reason, .. }) => reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_strictly() {
        let mut h = HeaderMap::new();
        assert_eq!(reason(&h), "missing_credentials");
        h.insert(AUTHORIZATION, "bearer abc".parse().unwrap());
        assert_eq!(bearer_token(&h).unwrap(), "abc");
        h.insert(AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(reason(&h), "malformed_authorization");
        h.insert(AUTHORIZATION, "Bearer ".parse().unwrap());
        assert_eq!(reason(&h), "malformed_authorization");
        h.insert(AUTHORIZATION, "Bearer a".parse().unwrap());
        h.append(AUTHORIZATION, "Bearer b".parse().unwrap());
        assert_eq!(reason(&h), "malformed_authorization");
    }
}
