//! JSON that keeps its members in the order they were written.
//!
//! Sinch sends `"event":"ice"` first, then the call id and so on, as its API
//! reference lists them; `serde_json::Value` (without the crate-wide
//! `preserve_order` feature, which this crate does not impose on its users)
//! sorts members by name. The order means nothing to a JSON parser, but a
//! simulated request should read like a real one.

use serde::ser::{Serialize, SerializeMap as _, SerializeSeq as _, Serializer};
use serde_json::Value;

/// An ordered JSON tree; scalars (and values given by users) are leaves.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Leaf(Value),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// `obj! { "a": 1, "b": obj! { ... } }`: an ordered object; each value is
/// anything that converts into [`Json`].
macro_rules! obj {
    ($($key:literal : $value:expr),* $(,)?) => {
        $crate::simulate::ordered::Json::Object(vec![
            $(($key.to_owned(), $crate::simulate::ordered::Json::from($value))),*
        ])
    };
}
pub(crate) use obj;

impl Json {
    /// An empty array.
    pub(crate) fn empty_array() -> Json {
        Json::Array(Vec::new())
    }

    /// The member `key` of an object, if any.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        match self {
            Json::Object(members) => members.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets `key` in an object: in place if present, appended otherwise.
    /// Does nothing on a non-object (callers check first).
    pub(crate) fn insert(&mut self, key: &str, value: Json) {
        if let Json::Object(members) = self {
            match members.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => members.push((key.to_owned(), value)),
            }
        }
    }
}

impl<T: Into<Value>> From<T> for Json {
    fn from(value: T) -> Json {
        match value.into() {
            Value::Array(items) => Json::Array(items.into_iter().map(Json::from).collect()),
            Value::Object(map) => {
                Json::Object(map.into_iter().map(|(k, v)| (k, Json::from(v))).collect())
            }
            leaf => Json::Leaf(leaf),
        }
    }
}

impl Json {
    /// The same tree as a `serde_json::Value` (which sorts members).
    pub(crate) fn into_value(self) -> Value {
        match self {
            Json::Leaf(value) => value,
            Json::Array(items) => Value::Array(items.into_iter().map(Json::into_value).collect()),
            Json::Object(members) => Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k, v.into_value()))
                    .collect(),
            ),
        }
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Leaf(value) => value.serialize(serializer),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_keep_their_order() {
        let mut body =
            obj! {"z": 1, "a": obj! {"y": "x", "b": Json::empty_array()}, "m": Value::Null};
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"z":1,"a":{"y":"x","b":[]},"m":null}"#
        );
        body.insert("a", Json::from(true));
        body.insert("n", Json::from(json!({"q": 2, "p": 1})));
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"z":1,"a":true,"m":null,"n":{"p":1,"q":2}}"#
        );
        assert_eq!(
            body.into_value(),
            json!({"z": 1, "a": true, "m": null, "n": {"p": 1, "q": 2}})
        );
    }
}
