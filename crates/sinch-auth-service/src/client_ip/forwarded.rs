//! The hops of the forwarding headers, as proxies really write them:
//! `X-Forwarded-For: 203.0.113.7, 198.51.100.2:41234, [2001:db8::1]:443`
//! and RFC 7239 `Forwarded: for=203.0.113.7;proto=https, for="[2001:db8::1]:443"`.
//!
//! (The `rfc7239` crate splits elements on every comma, quoted or not, and
//! is archived; the grammar is small enough to read here, and fuzzed.)

use std::net::{IpAddr, SocketAddr};

/// The address of one hop: `ip`, `ip:port`, `[v6]` or `[v6]:port`
/// (surrounding whitespace and quotes ignored). `None` for anything else,
/// including RFC 7239's `unknown` and obfuscated `_names`.
pub(crate) fn hop_address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    let hop = hop
        .strip_prefix('"')
        .and_then(|h| h.strip_suffix('"'))
        .unwrap_or(hop);
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = hop.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    hop.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|v6| v6.parse::<std::net::Ipv6Addr>().ok())
        .map(IpAddr::V6)
}

/// The hops of `X-Forwarded-For` values, left to right; empty list items
/// are skipped.
pub(crate) fn x_forwarded_for<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    values
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .collect()
}

/// The `for=` node of each element of `Forwarded` values, left to right,
/// unquoted and unescaped; an element without one yields an empty string
/// (an unparsable hop), an empty element nothing. Commas and semicolons
/// inside quoted strings do not split.
pub(crate) fn forwarded_for<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut hops = Vec::new();
    for value in values {
        let mut element = Element::default();
        let mut quoted = false;
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => quoted = !quoted,
                '\\' if quoted => element.push(chars.next().unwrap_or('\\')),
                ';' if !quoted => element.end_pair(),
                ',' if !quoted => std::mem::take(&mut element).end(&mut hops),
                c => element.push(c),
            }
        }
        element.end(&mut hops);
    }
    hops
}

/// One `Forwarded` element being read.
#[derive(Default)]
struct Element {
    pair: String,
    node: Option<String>,
    seen_text: bool,
}

impl Element {
    fn push(&mut self, c: char) {
        self.seen_text |= !c.is_whitespace();
        self.pair.push(c);
    }

    fn end_pair(&mut self) {
        if let Some((name, value)) = self.pair.split_once('=') {
            if name.trim().eq_ignore_ascii_case("for") && self.node.is_none() {
                self.node = Some(value.trim().to_owned());
            }
        }
        self.pair.clear();
    }

    fn end(mut self, hops: &mut Vec<String>) {
        self.end_pair();
        if self.seen_text {
            hops.push(self.node.unwrap_or_default());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn hops_in_every_form() {
        assert_eq!(hop_address(" 203.0.113.7 "), ip("203.0.113.7"));
        assert_eq!(hop_address("203.0.113.7:41234"), ip("203.0.113.7"));
        assert_eq!(hop_address("2001:db8::1"), ip("2001:db8::1"));
        assert_eq!(hop_address("[2001:db8::1]"), ip("2001:db8::1"));
        assert_eq!(hop_address("[2001:db8::1]:443"), ip("2001:db8::1"));
        assert_eq!(hop_address("\"[2001:db8::1]:443\""), ip("2001:db8::1"));
        for bad in [
            "",
            "unknown",
            "_hidden",
            "junk",
            "[203.0.113.7]",
            "1.2.3.4:99999",
            "[::1",
        ] {
            assert_eq!(hop_address(bad), None, "{bad}");
        }
    }

    #[test]
    fn x_forwarded_for_lists() {
        assert_eq!(
            x_forwarded_for(["6.6.6.6, 198.51.100.7:80", " ,10.1.1.1,"].into_iter()),
            ["6.6.6.6", "198.51.100.7:80", "10.1.1.1"]
        );
    }

    #[test]
    fn forwarded_elements() {
        let hops = forwarded_for(
            [
                "for=192.0.2.60;proto=http;by=203.0.113.43, For=\"[2001:db8:cafe::17]:4711\"",
                "proto=https, for=unknown, for=\"a,b;c\\\"d\";by=x",
            ]
            .into_iter(),
        );
        assert_eq!(
            hops,
            [
                "192.0.2.60",
                "[2001:db8:cafe::17]:4711",
                "",
                "unknown",
                "a,b;c\"d"
            ]
        );
        assert_eq!(forwarded_for(["for=1.2.3.4"].into_iter()), ["1.2.3.4"]);
    }
}
