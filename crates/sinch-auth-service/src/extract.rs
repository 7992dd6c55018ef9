//! The JSON body extractor: axum's own parsing, with every rejection turned
//! into a problem with a stable code instead of axum's plain-text bodies.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use http::header;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;

use crate::problem::{Problem, ProblemCode};

/// Largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 16 * 1024;

/// A JSON request body of type `T`.
///
/// An empty body (no bytes at all) reads as `{}`, so that `curl -X POST`
/// works where every field is optional; anything else must be declared
/// `application/json` (or `…+json`) and be exactly one JSON value.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Problem> {
        let declared_json = is_json_content_type(req.headers());
        let has_content_type = req.headers().contains_key(header::CONTENT_TYPE);
        // The limit is applied here rather than by a `DefaultBodyLimit`
        // layer, which would cost an extension on every request.
        let bytes = match Limited::new(req.into_body(), BODY_LIMIT).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) => return Err(read_failure(&*e)),
        };
        if bytes.is_empty() && (declared_json || !has_content_type) {
            return parse(b"{}");
        }
        if !declared_json {
            return Err(Problem::new(
                ProblemCode::UnsupportedMediaType,
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        parse(&bytes)
    }
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<JsonBody<T>, Problem> {
    // serde lets a struct be read from an array (`["alice"]`); only an
    // object is a well-formed request here.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    // A good body parses straight away; axum's parser, which tracks the
    // path of a bad field for the message, only runs for a refused one.
    if first == Some(&b'{') {
        if let Ok(value) = serde_json::from_slice(bytes) {
            return Ok(JsonBody(value));
        }
    }
    if first.is_some_and(|b| *b != b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
    {
        return Err(Problem::new(
            ProblemCode::InvalidBody,
            "the body must be a JSON object",
        ));
    }
    Json::<T>::from_bytes(bytes)
        .map(|Json(value)| JsonBody(value))
        .map_err(json_rejection)
}

fn is_json_content_type(headers: &http::HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    let (kind, subtype) = essence.split_once('/').unwrap_or((essence, ""));
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json")
            || (subtype.len() > 5
                && subtype.is_char_boundary(subtype.len() - 5)
                && subtype[subtype.len() - 5..].eq_ignore_ascii_case("+json")))
}

fn read_failure(error: &(dyn std::error::Error + 'static)) -> Problem {
    if error.is::<LengthLimitError>() {
        return Problem::new(
            ProblemCode::PayloadTooLarge,
            format!("the body is larger than {BODY_LIMIT} bytes"),
        );
    }
    // The client went away or sent a broken chunked body: its fault, not
    // ours, so a 400 rather than a 500.
    Problem::new(ProblemCode::MalformedJson, "the body could not be read")
}

fn json_rejection(rejection: JsonRejection) -> Problem {
    match rejection {
        JsonRejection::JsonSyntaxError(e) => {
            Problem::new(ProblemCode::MalformedJson, strip_prefix(e.body_text()))
        }
        JsonRejection::JsonDataError(e) => {
            Problem::new(ProblemCode::InvalidBody, strip_prefix(e.body_text()))
        }
        JsonRejection::MissingJsonContentType(_) => Problem::new(
            ProblemCode::UnsupportedMediaType,
            "send the body as JSON with Content-Type: application/json",
        ),
        // (`from_bytes` reads no body: no `BytesRejection` here.)
        _ => Problem::new(ProblemCode::InvalidBody, "the body could not be parsed"),
    }
}

/// axum prefixes serde's message with a sentence about itself; keep the
/// part that tells the caller what to fix.
fn strip_prefix(text: String) -> String {
    for prefix in [
        "Failed to deserialize the JSON body into the target type: ",
        "Failed to parse the request body as JSON: ",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return rest.to_owned();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        let mut h = http::HeaderMap::new();
        for (value, ok) in [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("application/problem+json", true),
            ("text/plain", false),
            ("application/x-www-form-urlencoded", false),
            ("application/jsonx", false),
        ] {
            h.insert(header::CONTENT_TYPE, value.parse().unwrap());
            assert_eq!(is_json_content_type(&h), ok, "{value}");
        }
    }
}
