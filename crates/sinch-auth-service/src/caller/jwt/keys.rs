//! A JSON Web Key Set turned into verification keys, each with the exact
//! algorithms it may verify: the configured list, narrowed to the key's
//! type and curve and to its own `alg` if it names one. A JWT can thus never
//! be checked with an algorithm its key was not made for (no RSA key used as
//! an HMAC secret, no `none`).

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// One verification key.
#[derive(Clone)]
pub(crate) struct VerifyKey {
    pub(crate) kid: Option<String>,
    pub(crate) key: DecodingKey,
    pub(crate) validation: Validation,
}

impl VerifyKey {
    pub(crate) fn allows(&self, alg: Algorithm) -> bool {
        self.validation.algorithms.contains(&alg)
    }
}

/// The usable keys of one JWKS document.
#[derive(Clone, Default)]
pub(crate) struct KeySet {
    pub(crate) keys: Vec<VerifyKey>,
}

impl KeySet {
    /// Keys that may verify a token with this `kid` and `alg`. A token
    /// without `kid` is tried against every key of its algorithm (providers
    /// with a single key often omit it).
    pub(crate) fn candidates<'a>(
        &'a self,
        kid: Option<&'a str>,
        alg: Algorithm,
    ) -> impl Iterator<Item = &'a VerifyKey> + 'a {
        self.keys
            .iter()
            .filter(move |k| k.allows(alg) && (kid.is_none() || k.kid.as_deref() == kid))
    }
}

#[derive(Deserialize)]
struct Document {
    keys: Vec<serde_json::Value>,
}

/// Parses a JWKS. Keys this service cannot use (encryption keys, symmetric
/// keys, unsupported curves, algorithms outside `allowed`) are skipped and
/// counted in the returned number; an error only when the document is not
/// a JWKS or has no usable key at all.
pub(crate) fn parse_jwks(
    text: &str,
    allowed: &[Algorithm],
    base: &Validation,
) -> Result<(KeySet, usize), String> {
    let doc: Document = serde_json::from_str(text)
        .map_err(|e| format!("not a JWKS document ({})", e.classify_name()))?;
    let mut set = KeySet::default();
    let mut skipped = 0;
    for value in doc.keys {
        match usable_key(value, allowed, base) {
            Some(key) => set.keys.push(key),
            None => skipped += 1,
        }
    }
    if set.keys.is_empty() {
        return Err(format!(
            "the JWKS has no key usable with the allowed algorithms {}",
            allowed
                .iter()
                .map(|a| format!("{a:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok((set, skipped))
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "wrong shape",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

fn usable_key(
    value: serde_json::Value,
    allowed: &[Algorithm],
    base: &Validation,
) -> Option<VerifyKey> {
    let jwk: Jwk = serde_json::from_value(value).ok()?;
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return None;
    }
    let by_type: &[Algorithm] = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => &[
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
        ],
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => &[Algorithm::ES256],
            EllipticCurve::P384 => &[Algorithm::ES384],
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(okp) => match okp.curve {
            EllipticCurve::Ed25519 => &[Algorithm::EdDSA],
            _ => return None,
        },
        // A symmetric key in a public key set is never trusted.
        AlgorithmParameters::OctetKey(_) => return None,
    };
    let own = match jwk.common.key_algorithm {
        None => None,
        Some(ka) => Some(signing_algorithm(ka)?),
    };
    let algorithms: Vec<Algorithm> = by_type
        .iter()
        .copied()
        .filter(|a| allowed.contains(a) && own.is_none_or(|own| own == *a))
        .collect();
    if algorithms.is_empty() {
        return None;
    }
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    let mut validation = base.clone();
    validation.algorithms = algorithms;
    Some(VerifyKey {
        kid: jwk.common.key_id,
        key,
        validation,
    })
}

fn signing_algorithm(ka: KeyAlgorithm) -> Option<Algorithm> {
    Some(match ka {
        KeyAlgorithm::RS256 => Algorithm::RS256,
        KeyAlgorithm::RS384 => Algorithm::RS384,
        KeyAlgorithm::RS512 => Algorithm::RS512,
        KeyAlgorithm::PS256 => Algorithm::PS256,
        KeyAlgorithm::PS384 => Algorithm::PS384,
        KeyAlgorithm::PS512 => Algorithm::PS512,
        KeyAlgorithm::ES256 => Algorithm::ES256,
        KeyAlgorithm::ES384 => Algorithm::ES384,
        KeyAlgorithm::EdDSA => Algorithm::EdDSA,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA_N: &str = "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0_IzW7yWR7QkrmBL7jTKEn5u-qKhbwKfBstIs-bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW_VDL5AaWTg0nLVkjRo9z-40RQzuVaE8AkAFmxZzow3x-VJYKdjykkJ0iT9wCS0DRTXu269V264Vf_3jvredZiKRkgwlL9xNAwxXFg0x_XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC-9aGVd-Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmw";

    fn base() -> Validation {
        Validation::new(Algorithm::RS256)
    }

    #[test]
    fn keys_get_only_their_own_algorithms() {
        let jwks = format!(
            r#"{{"keys":[
                {{"kty":"RSA","kid":"r","n":"{RSA_N}","e":"AQAB"}},
                {{"kty":"RSA","kid":"r-enc","use":"enc","n":"{RSA_N}","e":"AQAB"}},
                {{"kty":"RSA","kid":"r-ps","alg":"PS256","n":"{RSA_N}","e":"AQAB"}},
                {{"kty":"oct","kid":"h","k":"c2VjcmV0"}},
                {{"kty":"XYZ","kid":"weird"}}
            ]}}"#
        );
        let (set, skipped) =
            parse_jwks(&jwks, &[Algorithm::RS256, Algorithm::ES256], &base()).unwrap();
        assert_eq!(skipped, 4, "enc, PS-only, oct and unknown are skipped");
        assert_eq!(set.keys.len(), 1);
        assert_eq!(set.keys[0].validation.algorithms, vec![Algorithm::RS256]);
        assert_eq!(set.candidates(Some("r"), Algorithm::RS256).count(), 1);
        assert_eq!(set.candidates(Some("r"), Algorithm::ES256).count(), 0);
        assert_eq!(set.candidates(None, Algorithm::RS256).count(), 1);
        assert_eq!(set.candidates(Some("zz"), Algorithm::RS256).count(), 0);
    }

    #[test]
    fn unusable_documents_are_errors() {
        assert!(parse_jwks("{}", &[Algorithm::RS256], &base()).is_err());
        assert!(parse_jwks(r#"{"keys":[]}"#, &[Algorithm::RS256], &base()).is_err());
        assert!(parse_jwks("not json", &[Algorithm::RS256], &base()).is_err());
    }
}
