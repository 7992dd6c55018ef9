//! A JSON string writer that matches PHP's default `json_encode` byte for
//! byte, which is what makes our tickets identical to the seed's.
//!
//! PHP escapes `/`, writes every non-ASCII character as a lower-case `\uXXXX`
//! escape (astral characters as a UTF-16 surrogate pair), and uses the short
//! escapes for `\b \f \n \r \t`. The result is pure ASCII, which is what the
//! JS SDK's `atob` + `JSON.parse` needs.

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Bytes that `json_encode` writes as they are: printable ASCII and DEL,
/// except `"`, `\` and `/`.
fn is_verbatim(b: u8) -> bool {
    matches!(b, b' '..=b'\x7f') && !matches!(b, b'"' | b'\\' | b'/')
}

// Output is bytes, not a `String`: the ticket JSON is only ever hashed and
// base64-encoded, and the ASCII-only output needs no UTF-8 check on the way.

/// Appends `value` as a quoted JSON string, escaped as `json_encode` does.
pub(crate) fn write_string(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    write_string_contents(out, value);
    out.push(b'"');
}

/// [`write_string`] without the quotes, for callers that keep the opening
/// quote in a constant.
pub(crate) fn write_string_contents(out: &mut Vec<u8>, value: &str) {
    // User ids and keys are mostly plain ASCII, copied in one go when no
    // byte needs escaping (minting writes every user id); otherwise runs of
    // verbatim bytes are copied in one go and only the rest is escaped.
    if value.bytes().all(is_verbatim) {
        out.extend_from_slice(value.as_bytes());
        return;
    }
    let mut rest = value;
    while !rest.is_empty() {
        let run = rest
            .bytes()
            .position(|b| !is_verbatim(b))
            .unwrap_or(rest.len());
        out.extend_from_slice(&rest.as_bytes()[..run]);
        rest = &rest[run..];
        let Some(c) = rest.chars().next() else { break };
        write_escaped(out, c);
        rest = &rest[c.len_utf8()..];
    }
}

/// One character that is not written verbatim.
fn write_escaped(out: &mut Vec<u8>, c: char) {
    match c {
        '"' => out.extend_from_slice(b"\\\""),
        '\\' => out.extend_from_slice(b"\\\\"),
        '/' => out.extend_from_slice(b"\\/"),
        '\u{8}' => out.extend_from_slice(b"\\b"),
        '\u{c}' => out.extend_from_slice(b"\\f"),
        '\n' => out.extend_from_slice(b"\\n"),
        '\r' => out.extend_from_slice(b"\\r"),
        '\t' => out.extend_from_slice(b"\\t"),
        _ => {
            let mut utf16 = [0u16; 2];
            for unit in c.encode_utf16(&mut utf16).iter() {
                push_unicode_escape(out, *unit);
            }
        }
    }
}

fn push_unicode_escape(out: &mut Vec<u8>, unit: u16) {
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[usize::from((unit >> shift) & 0xf)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str) -> String {
        let mut out = Vec::new();
        write_string(&mut out, s);
        String::from_utf8(out).expect("the output is ASCII")
    }

    #[test]
    fn matches_php_json_encode() {
        // Expected values are PHP 8.2 `json_encode` output.
        assert_eq!(enc("alice"), r#""alice""#);
        assert_eq!(enc("Zoë/Ωmega"), r#""Zo\u00eb\/\u03a9mega""#);
        assert_eq!(enc("say\"hi\"\\"), r#""say\"hi\"\\""#);
        assert_eq!(enc("😀"), r#""\ud83d\ude00""#);
        assert_eq!(
            enc("\u{1}\u{8}\u{c}\n\r\t\u{7f}"),
            "\"\\u0001\\b\\f\\n\\r\\t\u{7f}\""
        );
        assert_eq!(enc(""), r#""""#);
        assert_eq!(enc("/"), r#""\/""#);
        assert_eq!(enc("a/b/"), r#""a\/b\/""#);
    }

    #[test]
    fn output_is_ascii_and_parses_back() {
        for s in ["plain", "Zoë", "😀 x", "a\"b\\c/d", "\u{0}\u{1f}", "日本語"] {
            let e = enc(s);
            assert!(e.is_ascii(), "{e}");
            let back: String = serde_json::from_str(&e).unwrap();
            assert_eq!(back, s);
        }
    }
}
