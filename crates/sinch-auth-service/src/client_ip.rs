//! The client's IP address: the TCP peer, or, only when the peer is a
//! configured trusted proxy, the nearest untrusted hop of
//! `X-Forwarded-For`. Clients cannot spoof it by sending the header
//! themselves, because a header from an untrusted peer is ignored.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::{Extensions, HeaderMap};
use ipnet::IpNet;

/// Request extension set by the service: the client IP, when known.
/// Unknown when the router is served without connect info (see
/// [`TokenService::router`](crate::TokenService::router)).
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

/// Resolves client IPs for a list of trusted proxy networks.
#[derive(Debug, Clone, Default)]
pub struct ClientIpResolver {
    trusted: Vec<IpNet>,
}

impl ClientIpResolver {
    /// A resolver trusting `X-Forwarded-For` from peers in `trusted`.
    pub fn new(trusted: Vec<IpNet>) -> Self {
        ClientIpResolver { trusted }
    }

    fn is_trusted(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|net| net.contains(&ip))
    }

    /// The client IP of a request from `peer` with `headers`.
    pub fn resolve(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut ip = peer?.to_canonical();
        if !self.is_trusted(ip) {
            return Some(ip);
        }
        // Right to left: each trusted hop vouches for the one before it.
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for hop in hops.iter().rev() {
            match hop.trim().parse::<IpAddr>() {
                Ok(hop_ip) => {
                    ip = hop_ip.to_canonical();
                    if !self.is_trusted(ip) {
                        break;
                    }
                }
                // Garbage from further left cannot be trusted: stop at the
                // last address a trusted proxy reported.
                Err(_) => break,
            }
        }
        Some(ip)
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
        assert_eq!(r.resolve(Some(ip("10.0.0.1")), &h), Some(ip("10.2.2.2")));
        assert_eq!(
            r.resolve(Some(ip("10.0.0.1")), &HeaderMap::new()),
            Some(ip("10.0.0.1"))
        );
        let mapped = ip("::ffff:10.0.0.1");
        let h = headers(&["198.51.100.8"]);
        assert_eq!(r.resolve(Some(mapped), &h), Some(ip("198.51.100.8")));
    }
}
