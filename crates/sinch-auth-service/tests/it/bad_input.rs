//! The bad-input table: every malformed request gets a specific 4xx
//! problem code, never a 500, in both modes.

use crate::common;

use axum::body::Body;
use common::*;
use http::Request;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use sinch_auth_service::caller::JwksSource;

struct Case {
    name: &'static str,
    request: Request<Body>,
    status: u16,
    code: &'static str,
    reason: Option<&'static str>,
}

fn raw(
    path: &str,
    content_type: Option<&str>,
    bearer: Option<&str>,
    body: Vec<u8>,
) -> Request<Body> {
    let mut b = Request::post(path);
    if let Some(ct) = content_type {
        b = b.header("content-type", ct);
    }
    if let Some(key) = bearer {
        b = b.header("authorization", format!("Bearer {key}"));
    }
    b.body(Body::from(body)).unwrap()
}

fn json_post(body: &str) -> Request<Body> {
    post("/v1/registration-tokens", Some(API_KEY), body)
}

fn case(name: &'static str, request: Request<Body>, status: u16, code: &'static str) -> Case {
    Case {
        name,
        request,
        status,
        code,
        reason: None,
    }
}

fn auth_case(name: &'static str, request: Request<Body>, reason: &'static str) -> Case {
    Case {
        name,
        request,
        status: 401,
        code: "unauthenticated",
        reason: Some(reason),
    }
}

async fn run(router: &axum::Router, cases: Vec<Case>) {
    let mut failures = Vec::new();
    for c in cases {
        let reply = send(router, c.request).await;
        let body = reply.json();
        let ok = reply.status.as_u16() == c.status
            && reply.headers["content-type"] == "application/problem+json"
            && body["code"] == c.code
            && c.reason.is_none_or(|r| body["reason"] == r);
        if !ok {
            failures.push(format!(
                "{}: expected {} {} {:?}, got {} {}",
                c.name, c.status, c.code, c.reason, reply.status, reply.text
            ));
        } else {
            // The shape is right too.
            reply.problem_code();
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[tokio::test]
async fn api_key_mode_bad_input_table() {
    let router = api_key_service(unlimited()).router();
    let huge = format!(r#"{{"userId":"{}"}}"#, "a".repeat(17 * 1024));
    let nested = "[".repeat(5000);
    let cases = vec![
        case(
            "truncated JSON",
            json_post(r#"{"userId":"#),
            400,
            "malformed_json",
        ),
        case(
            "trailing garbage",
            json_post(r#"{"userId":"a"} x"#),
            400,
            "malformed_json",
        ),
        case(
            "not JSON at all",
            json_post("userId=a"),
            400,
            "malformed_json",
        ),
        case(
            "deeply nested array",
            json_post(&nested),
            422,
            "invalid_body",
        ),
        case(
            "array in place of the object",
            json_post(r#"["a"]"#),
            422,
            "invalid_body",
        ),
        case(
            "string in place of the object",
            json_post(r#""a""#),
            422,
            "invalid_body",
        ),
        case(
            "invalid UTF-8",
            raw(
                "/v1/tickets",
                Some("application/json"),
                Some(API_KEY),
                b"{\"userId\":\"\xff\"}".to_vec(),
            ),
            400,
            "malformed_json",
        ),
        case(
            "userId is a number",
            json_post(r#"{"userId":5}"#),
            422,
            "invalid_body",
        ),
        case(
            "ttl is a string",
            json_post(r#"{"userId":"a","ttl":"60"}"#),
            422,
            "invalid_body",
        ),
        case(
            "ttl is fractional",
            json_post(r#"{"userId":"a","ttl":60.5}"#),
            422,
            "invalid_body",
        ),
        case(
            "ttl overflows",
            json_post(r#"{"userId":"a","ttl":1e400}"#),
            400,
            "malformed_json",
        ),
        case(
            "unknown field (typo)",
            json_post(r#"{"userID":"a"}"#),
            422,
            "invalid_body",
        ),
        case(
            "duplicate field",
            json_post(r#"{"userId":"a","userId":"b"}"#),
            422,
            "invalid_body",
        ),
        case("array body", json_post("[]"), 422, "invalid_body"),
        case("null body", json_post("null"), 422, "invalid_body"),
        case(
            "body over 16 KiB",
            raw(
                "/v1/registration-tokens",
                Some("application/json"),
                Some(API_KEY),
                huge.into_bytes(),
            ),
            413,
            "payload_too_large",
        ),
        case(
            "text/plain",
            raw(
                "/v1/tickets",
                Some("text/plain"),
                Some(API_KEY),
                br#"{"userId":"a"}"#.to_vec(),
            ),
            415,
            "unsupported_media_type",
        ),
        case(
            "form encoded",
            raw(
                "/v1/tickets",
                Some("application/x-www-form-urlencoded"),
                Some(API_KEY),
                b"userId=a".to_vec(),
            ),
            415,
            "unsupported_media_type",
        ),
        case(
            "no content type with a body",
            raw(
                "/v1/tickets",
                None,
                Some(API_KEY),
                br#"{"userId":"a"}"#.to_vec(),
            ),
            415,
            "unsupported_media_type",
        ),
        case(
            "empty user id",
            json_post(r#"{"userId":""}"#),
            422,
            "invalid_user_id",
        ),
        case(
            "user id with a space (token)",
            json_post(r#"{"userId":"a b"}"#),
            422,
            "invalid_user_id",
        ),
        case(
            "user id with a slash (token)",
            json_post(r#"{"userId":"a/b"}"#),
            422,
            "invalid_user_id",
        ),
        case(
            "user id over 255 bytes",
            json_post(&json!({"userId": "a".repeat(256)}).to_string()),
            422,
            "invalid_user_id",
        ),
        case(
            "control character (ticket)",
            post("/v1/tickets", Some(API_KEY), r#"{"userId":"a\u0007b"}"#),
            422,
            "invalid_user_id",
        ),
        case(
            "newline (ticket), no log forging",
            post(
                "/v1/tickets",
                Some(API_KEY),
                r#"{"userId":"a\nINFO forged"}"#,
            ),
            422,
            "invalid_user_id",
        ),
        case(
            "ttl below minimum",
            json_post(r#"{"userId":"a","ttl":10}"#),
            422,
            "ttl_out_of_range",
        ),
        case(
            "negative ttl",
            json_post(r#"{"userId":"a","ttl":-1}"#),
            422,
            "ttl_out_of_range",
        ),
        case(
            "instance ttl below 48 h",
            json_post(r#"{"userId":"a","instanceTtl":172799}"#),
            422,
            "ttl_out_of_range",
        ),
        auth_case(
            "no Authorization",
            raw(
                "/v1/tickets",
                Some("application/json"),
                None,
                b"{}".to_vec(),
            ),
            "missing_credentials",
        ),
        auth_case(
            "Basic scheme",
            Request::post("/v1/tickets")
                .header("authorization", "Basic dXNlcjpwYXNz")
                .body(Body::empty())
                .unwrap(),
            "malformed_authorization",
        ),
        auth_case(
            "wrong key",
            post("/v1/tickets", Some("not-the-key-0000000000"), "{}"),
            "invalid_api_key",
        ),
        auth_case(
            "huge bearer",
            post("/v1/tickets", Some(&"k".repeat(9000)), "{}"),
            "malformed_authorization",
        ),
        auth_case(
            "unauthenticated and malformed: authentication is checked first",
            raw(
                "/v1/tickets",
                Some("application/json"),
                Some("nope-nope-nope-nope"),
                b"{".to_vec(),
            ),
            "invalid_api_key",
        ),
    ];
    run(&router, cases).await;
}

#[tokio::test]
async fn jwt_mode_bad_bearer_table() {
    let (rsa, ec) = (rsa_key("rsa"), ec_key("ec"));
    let server = JwksServer::start(jwks(&[&rsa, &ec])).await;
    let mut settings = jwt_settings(JwksSource::Url(server.url.clone()));
    settings.algorithms = vec![Algorithm::RS256, Algorithm::ES256];
    settings.leeway = std::time::Duration::from_secs(5);
    let router = jwt_service(settings, unlimited()).await.router();

    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut c = claims("alice");
        f(&mut c);
        c
    };
    let tk = |jwt: String| post("/v1/tickets", Some(&jwt), "");

    // Same kid, another key: a forgery.
    let mut impostor = ec_key("ec");
    impostor.kid = "ec".into();
    // A valid token with its payload swapped.
    let good = ec.sign(&claims("alice"));
    let other = ec.sign(&claims("mallory"));
    let parts: Vec<&str> = good.split('.').collect();
    let other_parts: Vec<&str> = other.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], other_parts[1], parts[2]);
    // HS256 "signed" with the RSA public key's modulus: the classic confusion.
    let n = rsa.jwk["n"].as_str().unwrap().to_owned();
    let mut hs_header = Header::new(Algorithm::HS256);
    hs_header.kid = Some("rsa".into());
    let hs = jsonwebtoken::encode(
        &hs_header,
        &claims("alice"),
        &EncodingKey::from_secret(n.as_bytes()),
    )
    .unwrap();
    let mut rs512 = rsa.clone();
    rs512.alg = Algorithm::RS512;

    let cases = vec![
        auth_case(
            "expired",
            tk(ec.sign(&with(&|c| c["exp"] = json!(now() - 60)))),
            "token_expired",
        ),
        auth_case(
            "not yet valid",
            tk(ec.sign(&with(&|c| c["nbf"] = json!(now() + 3600)))),
            "token_not_yet_valid",
        ),
        auth_case(
            "forged with another key",
            tk(impostor.sign(&claims("alice"))),
            "bad_signature",
        ),
        auth_case("tampered payload", tk(tampered), "bad_signature"),
        auth_case(
            "alg none",
            tk(unsigned_jwt(
                &json!({"alg": "none", "kid": "ec"}),
                &claims("alice"),
            )),
            "disallowed_algorithm",
        ),
        auth_case(
            "alg None, capitalised",
            tk(unsigned_jwt(&json!({"alg": "None"}), &claims("alice"))),
            "disallowed_algorithm",
        ),
        auth_case(
            "HS256 with the public key as secret",
            tk(hs),
            "disallowed_algorithm",
        ),
        auth_case(
            "RS512 not in the allowed list",
            tk(rs512.sign(&claims("alice"))),
            "disallowed_algorithm",
        ),
        auth_case(
            "wrong issuer",
            tk(ec.sign(&with(&|c| c["iss"] = json!("https://evil.test")))),
            "wrong_issuer",
        ),
        auth_case(
            "wrong audience",
            tk(ec.sign(&with(&|c| c["aud"] = json!("another-api")))),
            "wrong_audience",
        ),
        auth_case(
            "no exp",
            tk(ec.sign(&with(&|c| {
                c.as_object_mut().unwrap().remove("exp");
            }))),
            "missing_claim",
        ),
        auth_case(
            "no aud",
            tk(ec.sign(&with(&|c| {
                c.as_object_mut().unwrap().remove("aud");
            }))),
            "missing_claim",
        ),
        auth_case(
            "sub is a number",
            tk(ec.sign(&with(&|c| c["sub"] = json!(42)))),
            "missing_user_claim",
        ),
        auth_case(
            "unknown kid",
            tk(ec_key("who").sign(&claims("alice"))),
            "unknown_kid",
        ),
        auth_case(
            "not a JWT",
            tk("opaque-token-value".into()),
            "malformed_token",
        ),
        auth_case("two parts", tk("a.b".into()), "malformed_token"),
        auth_case(
            "header not base64",
            tk("!!!.e30.sig".into()),
            "malformed_token",
        ),
        auth_case(
            "crit header",
            tk(unsigned_jwt(
                &json!({"alg": "ES256", "kid": "ec", "crit": ["exp"]}),
                &claims("a"),
            )),
            "unsupported_header",
        ),
        auth_case(
            "signature not base64",
            tk(format!("{}.{}.%%%", parts[0], parts[1])),
            "malformed_token",
        ),
    ];
    run(&router, cases).await;
}
