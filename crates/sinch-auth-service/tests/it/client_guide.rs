//! docs/clients.md cannot drift from the API: its Kotlin and Swift code
//! blocks are read here, every request they make is taken out (method,
//! path, JSON keys and literal values, the headers their one request
//! helper sets), and the flow is replayed in their order against the
//! service with exactly those headers (no cookie, no `Origin`, no `Host`).
//! Every field the code reads from an answer must be in the answers, with
//! the type the code reads it as; the error handling's header name must be
//! the one the service sends.

use std::collections::BTreeMap;

use axum::body::Body;
use http::Request;
use regex::Regex;
use serde_json::{Map, Value, json};
use sinch_auth_service::Rate;
use sinch_auth_service::accounts::LoginLimits;

use crate::accounts_suite::harness::*;
use crate::common::{Reply, unlimited};

const GUIDE: &str = include_str!("../../../../docs/clients.md");
const NEW_PASSWORD: &str = "a second passphrase";

/// The one fenced block of `language`.
fn block(language: &str) -> &'static str {
    let fence = format!("```{language}\n");
    let mut blocks = GUIDE.split(&fence).skip(1);
    let block = blocks
        .next()
        .unwrap_or_else(|| panic!("no {language} block"));
    assert!(blocks.next().is_none(), "one {language} block");
    block.split("\n```").next().unwrap()
}

/// A request the code makes: method, path, body keys with literal values
/// (`None` for a variable).
#[derive(Debug, Clone, PartialEq)]
struct Call {
    method: String,
    path: String,
    body: Option<BTreeMap<String, Option<String>>>,
}

/// The text from `start` to its matching `)`.
fn balanced(code: &str, start: usize) -> &str {
    let mut depth = 0;
    for (i, c) in code[start..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 1 => return &code[start..start + i],
            ')' => depth -= 1,
            _ => {}
        }
    }
    panic!("unbalanced call at {start}")
}

/// `call("METHOD", "/path", body…)` sites, in order; `pair` finds a body's
/// keys and values (`.put("k", v)` in Kotlin, `"k": v` in Swift).
fn calls(code: &str, pair: &Regex) -> Vec<Call> {
    let site = Regex::new(r#"call\("(GET|POST|DELETE)", "(/v1/[^"]*)""#).unwrap();
    site.captures_iter(code)
        .map(|c| {
            let whole = c.get(0).unwrap();
            let args = balanced(code, whole.start() + "call".len());
            let rest = &args[whole.as_str().len() - "call".len()..];
            let has_body = rest.contains("JSONObject()") || rest.contains("body:");
            let body = has_body.then(|| {
                pair.captures_iter(rest)
                    .map(|p| {
                        let value = p[2].trim();
                        let literal = value
                            .strip_prefix('"')
                            .and_then(|v| v.strip_suffix('"'))
                            .map(str::to_owned);
                        (p[1].to_owned(), literal)
                    })
                    .collect()
            });
            Call {
                method: c[1].to_owned(),
                path: c[2].to_owned(),
                body,
            }
        })
        .collect()
}

/// A guide's flow: its calls, the headers its helper sets (value with
/// `{token}` for the session token), the fields it reads (name → `string`
/// or `integer`) and the header it reads on 429.
struct Flow {
    calls: Vec<Call>,
    headers: Vec<(String, String)>,
    fields: BTreeMap<String, &'static str>,
    retry_header: String,
}

fn kotlin() -> Flow {
    let code = block("kotlin");
    let pair = Regex::new(r#"\.put\("(\w+)", ([^)]+)\)"#).unwrap();
    let header = Regex::new(r#"\.header\("([\w-]+)", "([^"]*)"\)"#).unwrap();
    let token = Regex::new(r"\$(it|\{[^}]*\}|\w+)").unwrap();
    let headers = header
        .captures_iter(code)
        .map(|h| {
            (
                h[1].to_owned(),
                token.replace(&h[2], "{token}").into_owned(),
            )
        })
        .collect();
    let field = Regex::new(r#"get(String|Long|Int)\("(\w+)"\)"#).unwrap();
    let fields = field
        .captures_iter(code)
        .map(|f| {
            let kind = if &f[1] == "String" {
                "string"
            } else {
                "integer"
            };
            (f[2].to_owned(), kind)
        })
        .collect();
    let retry = Regex::new(r#"response\.header\("([\w-]+)"\)"#).unwrap();
    Flow {
        calls: calls(code, &pair),
        headers,
        fields,
        retry_header: retry.captures(code).expect("reads a header")[1].to_owned(),
    }
}

fn swift() -> Flow {
    let code = block("swift");
    let pair = Regex::new(r#""(\w+)": ([^,\]]+)"#).unwrap();
    let header = Regex::new(r#"setValue\("([^"]*)", forHTTPHeaderField: "([\w-]+)"\)"#).unwrap();
    let token = Regex::new(r"\\\(\w+\)").unwrap();
    let headers = header
        .captures_iter(code)
        .map(|h| {
            (
                h[2].to_owned(),
                token.replace(&h[1], "{token}").into_owned(),
            )
        })
        .collect();
    let structure = Regex::new(r"(?s)struct \w+: Decodable \{(.*?)\}").unwrap();
    let member = Regex::new(r"let (\w+): (String|Int)\b").unwrap();
    let mut fields = BTreeMap::new();
    for s in structure.captures_iter(code) {
        for m in member.captures_iter(&s[1]) {
            let kind = if &m[2] == "String" {
                "string"
            } else {
                "integer"
            };
            fields.insert(m[1].to_owned(), kind);
        }
    }
    let retry = Regex::new(r#"value\(forHTTPHeaderField: "([\w-]+)"\)"#).unwrap();
    Flow {
        calls: calls(code, &pair),
        headers,
        fields,
        retry_header: retry.captures(code).expect("reads a header")[1].to_owned(),
    }
}

/// The request exactly as the guide's helper builds it.
fn request(
    flow: &Flow,
    call: &Call,
    token: Option<&str>,
    values: &Map<String, Value>,
) -> Request<Body> {
    let mut builder = Request::builder()
        .method(call.method.as_str())
        .uri(&call.path);
    for (name, value) in &flow.headers {
        if value.contains("{token}") {
            let Some(token) = token else { continue };
            builder = builder.header(name, value.replace("{token}", token));
        } else {
            builder = builder.header(name, value);
        }
    }
    let body = call.body.as_ref().map(|keys| {
        let object: Map<String, Value> = keys
            .iter()
            .map(|(key, literal)| {
                let value = match literal {
                    Some(text) => json!(text),
                    None => values
                        .get(key)
                        .unwrap_or_else(|| panic!("the test has no value for {key:?}"))
                        .clone(),
                };
                (key.clone(), value)
            })
            .collect();
        Value::Object(object).to_string()
    });
    builder.body(Body::from(body.unwrap_or_default())).unwrap()
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
        _ => "other",
    }
}

async fn replay(db: &TestDatabase, flow: Flow, language: &str) {
    // The flow the guide must show: log in, refresh, who am I, change the
    // password, log out.
    let steps: Vec<(&str, &str)> = flow
        .calls
        .iter()
        .map(|c| (c.method.as_str(), c.path.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("POST", "/v1/login"),
            ("POST", "/v1/registration-tokens"),
            ("GET", "/v1/accounts/me"),
            ("POST", "/v1/accounts/me/password"),
            ("POST", "/v1/logout"),
        ],
        "{language}"
    );
    let names: Vec<&str> = flow.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["Content-Type", "Authorization"],
        "{language}: only these"
    );

    let h = Harness::start(db).await;
    let name = user(language);
    assert_eq!(h.sign_up(&name, PASSWORD).await.status, 201);
    let values = json!({
        "username": name, "password": PASSWORD,
        "currentPassword": PASSWORD, "newPassword": NEW_PASSWORD,
    });
    let values = values.as_object().unwrap();
    let mut token: Option<String> = None;
    let mut answers: Vec<Reply> = Vec::new();
    for call in &flow.calls {
        let reply = h.call(request(&flow, call, token.as_deref(), values)).await;
        assert!(
            reply.status.is_success(),
            "{language}: {} {} -> {} {}",
            call.method,
            call.path,
            reply.status,
            reply.text
        );
        assert!(
            reply.header("set-cookie").is_none(),
            "{language}: no cookie"
        );
        if call.path == "/v1/login" {
            token = Some(reply.json()["sessionToken"].as_str().unwrap().to_owned());
        }
        answers.push(reply);
    }
    let token = token.unwrap();

    // After the logout the same request is a 401, as the error handling expects,
    // and a problem carries what the code reads of one.
    let refresh = &flow.calls[1];
    let after = h.call(request(&flow, refresh, Some(&token), values)).await;
    assert_eq!(after.status, 401, "{language}");
    answers.push(after);

    let bodies: Vec<Value> = answers
        .iter()
        .filter(|r| !r.text.is_empty())
        .map(Reply::json)
        .collect();
    for (field, kind) in &flow.fields {
        let found = bodies
            .iter()
            .filter_map(|b| b.get(field))
            .any(|v| type_of(v) == *kind);
        assert!(
            found,
            "{language} reads {field} as {kind}; no answer has it: {bodies:?}"
        );
    }

    // 429 carries the header the code reads.
    let limited = test_options()
        .with_login_limits(LoginLimits::unlimited().with_per_username(Rate::new(1, 1)));
    let strict = Harness::start_with(db, limited, unlimited()).await;
    let login = &flow.calls[0];
    let mut last = None;
    for _ in 0..3 {
        last = Some(strict.call(request(&flow, login, None, values)).await);
    }
    let last = last.unwrap();
    assert_eq!(last.status, 429, "{language}: {}", last.text);
    let seconds: u64 = last
        .header(&flow.retry_header.to_ascii_lowercase())
        .unwrap_or_else(|| panic!("{language} reads {}, which a 429 lacks", flow.retry_header))
        .parse()
        .unwrap();
    assert!(seconds >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kotlin_guide_runs_against_the_service() {
    let db = TestDatabase::sqlite().await;
    replay(&db, kotlin(), "kotlin").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_swift_guide_runs_against_the_service() {
    let db = TestDatabase::sqlite().await;
    replay(&db, swift(), "swift").await;
}

#[test]
fn both_guides_make_the_same_requests() {
    let (kotlin, swift) = (kotlin(), swift());
    assert_eq!(kotlin.calls, swift.calls);
    assert_eq!(kotlin.headers, swift.headers);
    assert_eq!(
        kotlin.calls[0].body.as_ref().unwrap()["session"].as_deref(),
        Some("bearer"),
        "a bearer login"
    );
    for field in [
        "sessionToken",
        "token",
        "applicationKey",
        "environmentHost",
        "userId",
    ] {
        assert!(kotlin.fields.contains_key(field), "kotlin reads {field}");
        assert!(swift.fields.contains_key(field), "swift reads {field}");
    }
}
