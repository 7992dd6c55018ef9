//! `FIELD=VALUE` overrides of a simulated body: dotted paths, JSON values.

use serde_json::Value;

use super::ordered::Json;

use crate::error::{Error, ErrorKind};

fn invalid(field: &str, reason: impl Into<String>) -> Error {
    ErrorKind::InvalidOverride {
        field: field.to_owned(),
        reason: reason.into(),
    }
    .into()
}

/// Splits `FIELD=VALUE` at the first `=`. The value is read as JSON when it
/// parses (`42`, `true`, `null`, `{"a":1}`, `"quoted"`), and taken as a
/// plain string otherwise, so `custom=hello` needs no quoting.
///
/// ```
/// use serde_json::json;
/// use sinch_auth::simulate::parse_assignment;
/// assert_eq!(parse_assignment("custom=vip")?, ("custom".to_owned(), json!("vip")));
/// assert_eq!(parse_assignment("duration=42")?, ("duration".to_owned(), json!(42)));
/// assert_eq!(parse_assignment("to.endpoint=\"+46700000000\"")?.1, json!("+46700000000"));
/// assert!(parse_assignment("no-equals-sign").is_err());
/// # Ok::<(), sinch_auth::Error>(())
/// ```
pub fn parse_assignment(assignment: &str) -> Result<(String, Value), Error> {
    let Some((field, text)) = assignment.split_once('=') else {
        return Err(invalid(assignment, "expected FIELD=VALUE"));
    };
    check_path(field)?;
    let value = serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()));
    Ok((field.to_owned(), value))
}

fn check_path(field: &str) -> Result<(), Error> {
    if field.is_empty() {
        return Err(invalid(field, "the field name is empty"));
    }
    if field.split('.').any(str::is_empty) {
        return Err(invalid(field, "a dotted path has an empty segment"));
    }
    Ok(())
}

/// Sets `field` (a dotted path such as `menuResult.value` or
/// `message.contact_message.text_message.text`) to `value` in `body`,
/// creating missing objects on the way. A numeric segment indexes an
/// existing array (or appends when it equals the length).
///
/// ```
/// use serde_json::json;
/// use sinch_auth::simulate::set_field;
/// let mut body = json!({"menuResult": {"value": "1"}, "callHeaders": []});
/// set_field(&mut body, "menuResult.value", json!("2"))?;
/// set_field(&mut body, "amd.status", json!("machine"))?;
/// set_field(&mut body, "callHeaders.0", json!({"key": "k", "value": "v"}))?;
/// assert_eq!(body["menuResult"]["value"], "2");
/// assert_eq!(body["amd"]["status"], "machine");
/// assert_eq!(body["callHeaders"][0]["key"], "k");
/// assert!(set_field(&mut body, "menuResult.value.deeper", json!(1)).is_err());
/// # Ok::<(), sinch_auth::Error>(())
/// ```
pub fn set_field(body: &mut Value, field: &str, value: Value) -> Result<(), Error> {
    let mut tree = Json::from(body.take());
    let result = set_in(&mut tree, field, Json::from(value));
    *body = tree.into_value();
    result
}

/// [`set_field`] on an ordered tree: a new member goes last, a replaced
/// one keeps its place.
pub(crate) fn set_in(body: &mut Json, field: &str, value: Json) -> Result<(), Error> {
    check_path(field)?;
    let segments: Vec<&str> = field.split('.').collect();
    let (last, parents) = segments
        .split_last()
        .expect("check_path: at least one segment");
    let mut node = body;
    for (depth, segment) in parents.iter().enumerate() {
        node = match node {
            Json::Object(_) => {
                if node.get_mut(segment).is_none() {
                    node.insert(segment, Json::Object(Vec::new()));
                }
                node.get_mut(segment).expect("just inserted")
            }
            Json::Array(items) => {
                let len = items.len();
                let index = array_index(field, segment, len)?;
                if index == len {
                    items.push(Json::Object(Vec::new()));
                }
                &mut items[index]
            }
            Json::Leaf(other) => {
                let walked = segments[..depth].join(".");
                return Err(not_an_object(field, &walked, other));
            }
        };
    }
    match node {
        Json::Object(_) => {
            node.insert(last, value);
            Ok(())
        }
        Json::Array(items) => {
            let len = items.len();
            let index = array_index(field, last, len)?;
            if index == len {
                items.push(value);
            } else {
                items[index] = value;
            }
            Ok(())
        }
        Json::Leaf(other) => Err(not_an_object(field, &parents.join("."), other)),
    }
}

fn not_an_object(field: &str, parent: &str, value: &Value) -> Error {
    let parent = if parent.is_empty() {
        "the body"
    } else {
        parent
    };
    invalid(
        field,
        format!("{parent} is {}, not an object", kind_of(value)),
    )
}

fn array_index(field: &str, segment: &str, len: usize) -> Result<usize, Error> {
    match segment.parse::<usize>() {
        Ok(index) if index <= len => Ok(index),
        Ok(index) => Err(invalid(
            field,
            format!("index {index} is past the end of an array of {len}"),
        )),
        Err(_) => Err(invalid(
            field,
            format!("{segment:?} indexes an array: use a number"),
        )),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        // Arrays and objects are never leaves of a `Json` tree.
        Value::Array(_) | Value::Object(_) => "a container",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_json_or_text() {
        for (input, field, value) in [
            ("a=1", "a", json!(1)),
            ("a=1.5", "a", json!(1.5)),
            ("a=null", "a", Value::Null),
            ("a=[1,2]", "a", json!([1, 2])),
            ("a=hello world", "a", json!("hello world")),
            ("a=", "a", json!("")),
            ("a=b=c", "a", json!("b=c")),
            ("a.b={\"c\":true}", "a.b", json!({"c": true})),
        ] {
            assert_eq!(
                parse_assignment(input).unwrap(),
                (field.to_owned(), value),
                "{input}"
            );
        }
    }

    #[test]
    fn bad_paths_are_named() {
        for bad in ["=1", "a..b=1", ".a=1", "a.=1", "nothing"] {
            let err = parse_assignment(bad).unwrap_err();
            assert!(
                matches!(err.kind(), ErrorKind::InvalidOverride { .. }),
                "{bad}"
            );
        }
    }

    #[test]
    fn set_creates_overwrites_and_refuses_scalars() {
        let mut body = json!({"a": {"b": 1}, "s": "text", "list": [1]});
        set_field(&mut body, "a.b", json!(2)).unwrap();
        set_field(&mut body, "x.y.z", json!(true)).unwrap();
        set_field(&mut body, "list.1", json!(2)).unwrap();
        assert_eq!(
            body,
            json!({"a": {"b": 2}, "s": "text", "list": [1, 2], "x": {"y": {"z": true}}})
        );
        let err = set_field(&mut body, "s.t", json!(1)).unwrap_err();
        assert!(err.to_string().contains("s is a string"), "{err}");
        let err = set_field(&mut body, "list.5", json!(1)).unwrap_err();
        assert!(err.to_string().contains("past the end"), "{err}");
        let err = set_field(&mut body, "list.x", json!(1)).unwrap_err();
        assert!(err.to_string().contains("use a number"), "{err}");
        let mut scalar = json!(3);
        let err = set_field(&mut scalar, "a", json!(1)).unwrap_err();
        assert!(err.to_string().contains("the body is a number"), "{err}");
    }
}
