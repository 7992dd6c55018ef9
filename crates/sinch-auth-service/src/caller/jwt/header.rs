//! The JOSE header of a bearer JWT, read by this crate before any key is
//! chosen, so that `alg: none`, HMAC algorithms and unknown critical
//! extensions are refused with a precise reason.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use serde::Deserialize;

use crate::caller::AuthError;

/// What the header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JoseHeader {
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<String>,
}

#[derive(Deserialize)]
struct Raw {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

/// Parses the header and checks the algorithm against `allowed`.
pub(crate) fn read_header(token: &str, allowed: &[Algorithm]) -> Result<JoseHeader, AuthError> {
    let malformed = |what: &'static str| AuthError::rejected("malformed_token", what);
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed(
            "the bearer token is not a JWT (three dot-separated parts)",
        ));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| malformed("the JWT header is not base64url"))?;
    let raw: Raw = serde_json::from_slice(&bytes)
        .map_err(|_| malformed("the JWT header is not valid JSON"))?;
    if raw.crit.is_some() {
        return Err(AuthError::rejected(
            "unsupported_header",
            "JWTs with critical header extensions (crit) are not accepted",
        ));
    }
    let alg = raw
        .alg
        .parse::<Algorithm>()
        .ok()
        .filter(|alg| allowed.contains(alg))
        .ok_or_else(|| {
            AuthError::rejected(
                "disallowed_algorithm",
                format!(
                    "JWT algorithm {:?} is not allowed here",
                    raw.alg.chars().take(16).collect::<String>()
                ),
            )
        })?;
    Ok(JoseHeader { alg, kid: raw.kid })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(header: &str) -> String {
        format!("{}.e30.sig", URL_SAFE_NO_PAD.encode(header))
    }

    fn reason(r: Result<JoseHeader, AuthError>) -> &'static str {
        match r {
            Err(AuthError::Rejected { reason, .. }) => reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_none_hmac_and_crit() {
        let allowed = [Algorithm::RS256, Algorithm::ES256];
        assert_eq!(
            read_header(&token(r#"{"alg":"RS256","kid":"k1"}"#), &allowed).unwrap(),
            JoseHeader {
                alg: Algorithm::RS256,
                kid: Some("k1".into())
            }
        );
        for h in [
            r#"{"alg":"none"}"#,
            r#"{"alg":"HS256"}"#,
            r#"{"alg":"RS512"}"#,
        ] {
            assert_eq!(
                reason(read_header(&token(h), &allowed)),
                "disallowed_algorithm"
            );
        }
        assert_eq!(
            reason(read_header(
                &token(r#"{"alg":"RS256","crit":["b64"]}"#),
                &allowed
            )),
            "unsupported_header"
        );
        assert_eq!(reason(read_header("a.b", &allowed)), "malformed_token");
        assert_eq!(reason(read_header("!!.b.c", &allowed)), "malformed_token");
    }
}
