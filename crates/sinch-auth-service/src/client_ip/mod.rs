//! The client's IP address: the TCP peer, or, only when the peer is a
//! configured trusted proxy, the nearest untrusted hop of the forwarding
//! header the proxies write (`X-Forwarded-For` or RFC 7239 `Forwarded`).
//! Clients cannot spoof it by sending the header themselves, because a
//! header from an untrusted peer is ignored.

mod forwarded;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::ConnectInfo;
use http::{Extensions, HeaderMap};
use ipnet::IpNet;
use serde::Deserialize;

pub(crate) use forwarded::{forwarded_for, hop_address, x_forwarded_for};

/// A request's client IP, when known, as log lines write it (`unknown`
/// otherwise). The service works it out with a [`ClientIpResolver`] where it
/// is needed (not stored in the request's extensions, which would cost
/// allocations on every request); unknown when the router is served
/// without connect info (see [`TokenService::router`](crate::TokenService::router)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

/// The address, or `unknown`, for log lines.
impl std::fmt::Display for ClientIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(ip) => ip.fmt(f),
            None => f.write_str("unknown"),
        }
    }
}

/// The header trusted proxies write the client's address in. Only one is
/// read: a proxy that writes one passes the other through untouched, so a
/// client could fill that one with anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, …` (hops may carry ports). The
    /// default.
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client;proto=https, for=proxy1`.
    Forwarded,
}

impl ForwardedHeader {
    /// The header's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ForwardedHeader::XForwardedFor => "x-forwarded-for",
            ForwardedHeader::Forwarded => "forwarded",
        }
    }
}

/// Resolves client IPs for a list of trusted proxy networks.
#[derive(Debug, Clone, Default)]
pub struct ClientIpResolver {
    trusted: Vec<IpNet>,
    header: ForwardedHeader,
    /// Whether an unparsable hop was reported (once per resolver).
    warned: Arc<AtomicBool>,
}

impl ClientIpResolver {
    /// A resolver trusting `X-Forwarded-For` from peers in `trusted`.
    pub fn new(trusted: Vec<IpNet>) -> Self {
        ClientIpResolver {
            trusted,
            ..ClientIpResolver::default()
        }
    }

    /// Reading `header` instead of `X-Forwarded-For`.
    pub fn with_header(mut self, header: ForwardedHeader) -> Self {
        self.header = header;
        self
    }

    fn is_trusted(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|net| net.contains(&ip))
    }

    /// The client IP of a request from `peer` with `headers`: `None` when
    /// unknown (no peer, or a trusted proxy reported a hop that is not an
    /// address).
    pub fn resolve(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut ip = peer?.to_canonical();
        if !self.is_trusted(ip) {
            return Some(ip);
        }
        let values = headers
            .get_all(self.header.as_str())
            .iter()
            .filter_map(|v| v.to_str().ok());
        let hops: Vec<String> = match self.header {
            ForwardedHeader::XForwardedFor => x_forwarded_for(values)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            ForwardedHeader::Forwarded => forwarded_for(values),
        };
        // Right to left: each trusted hop vouches for the one before it.
        for hop in hops.iter().rev() {
            match hop_address(hop) {
                Some(hop_ip) => {
                    ip = hop_ip.to_canonical();
                    if !self.is_trusted(ip) {
                        break;
                    }
                }
                // A trusted proxy names a client that is not an address
                // (`unknown`, an obfuscated name, garbage): that hop is the
                // client, and its address is unknown. Stopping at the proxy
                // instead would put every such client in the proxy's bucket.
                None => {
                    self.report_unparsable(hop);
                    return None;
                }
            }
        }
        Some(ip)
    }

    fn report_unparsable(&self, hop: &str) {
        if !self.warned.swap(true, Ordering::Relaxed) {
            let shown: String = hop.chars().take(64).collect();
            tracing::warn!(
                header = self.header.as_str(),
                hop = ?shown,
                "a trusted proxy reported a client that is not an IP address; such clients get no per-IP limits (reported once)"
            );
        }
    }

    /// The peer address from axum's connect info, if the server provides it.
    pub fn peer(extensions: &Extensions) -> Option<IpAddr> {
        extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_cannot_spoof() {
        let r = ClientIpResolver::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let h = headers(&["1.2.3.4"]);
        assert_eq!(
            r.resolve(Some(ip("203.0.113.9")), &h),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(r.resolve(None, &h), None);
    }

    #[test]
    fn trusted_chains_are_walked_from_the_right() {
        let r = ClientIpResolver::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let h = headers(&["6.6.6.6, 198.51.100.7", "10.1.1.1"]);
        assert_eq!(
            r.resolve(Some(ip("10.0.0.1")), &h),
            Some(ip("198.51.100.7"))
        );
        let h = headers(&["junk, 10.2.2.2"]);
        assert_eq!(
            r.resolve(Some(ip("10.0.0.1")), &h),
            None,
            "the unparsable hop is the client, not the proxy"
        );
        let h = headers(&["198.51.100.7:4711, [2001:db8::7]:443, 10.2.2.2:80"]);
        assert_eq!(r.resolve(Some(ip("10.0.0.1")), &h), Some(ip("2001:db8::7")));
        assert_eq!(
            r.resolve(Some(ip("10.0.0.1")), &HeaderMap::new()),
            Some(ip("10.0.0.1"))
        );
        let forwarded = ClientIpResolver::new(vec!["10.0.0.0/8".parse().unwrap()])
            .with_header(ForwardedHeader::Forwarded);
        let mut h = headers(&["1.1.1.1"]);
        h.append(
            "forwarded",
            "for=6.6.6.6, for=\"198.51.100.9:1234\";proto=https, for=10.3.3.3"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            forwarded.resolve(Some(ip("10.0.0.1")), &h),
            Some(ip("198.51.100.9")),
            "X-Forwarded-For is not read"
        );
        let mapped = ip("::ffff:10.0.0.1");
        let h = headers(&["198.51.100.8"]);
        assert_eq!(r.resolve(Some(mapped), &h), Some(ip("198.51.100.8")));
    }
}
