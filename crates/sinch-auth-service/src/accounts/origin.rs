//! Cross-site request forgery defence for cookie-authenticated requests.
//!
//! `SameSite=Strict` already keeps browsers from sending the session cookie
//! with requests started by other sites; this is the second, independent
//! check the OWASP cheat sheet recommends: a state-changing request that
//! carries the cookie must come from the service's own origin (or one
//! listed in `cors_origins`), as the browser's `Origin` header says, or,
//! for browsers that send no `Origin`, as `Sec-Fetch-Site` says.
//!
//! The service's own origin is `public_origin` when configured; otherwise
//! the request's `Host`. `Host` is what the client connected to by name,
//! so a proxy that rewrites it breaks the check, and a DNS rebinding page
//! (`http://evil.test:8080` resolving to the service) passes it: an
//! operator who knows the public origin should configure it.

use http::header::{HOST, ORIGIN};
use http::{HeaderMap, Method, Uri};

use crate::problem::{Problem, ProblemCode};

const SEC_FETCH_SITE: &str = "sec-fetch-site";

/// How much a request must prove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// The request carries the session cookie: it must show that it comes
    /// from an allowed origin.
    CookieAuthenticated,
    /// Sign-up and login carry no session: non-browser clients (curl, a
    /// backend) send neither header and are fine, but a browser request
    /// from another site is refused (login CSRF would sign the victim in
    /// to the attacker's account).
    Credentials,
}

/// The service's own origin, and the origins allowed besides it.
#[derive(Debug, Clone, Default)]
pub(crate) struct OriginPolicy {
    extra: Vec<String>,
    public_origin: Option<String>,
}

impl OriginPolicy {
    pub(crate) fn new(extra: Vec<String>, public_origin: Option<String>) -> Self {
        OriginPolicy {
            extra,
            public_origin,
        }
    }

    /// Checks a request; safe methods (GET, HEAD) change nothing and pass.
    /// `uri` supplies the authority when there is no `Host` header (HTTP/2
    /// servers embedding the router).
    pub(crate) fn check(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        strictness: Strictness,
    ) -> Result<(), Problem> {
        if method == Method::GET || method == Method::HEAD {
            return Ok(());
        }
        let fetch_site = headers
            .get(SEC_FETCH_SITE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase);
        if fetch_site.as_deref() == Some("cross-site") && !self.has_allowed_origin(headers) {
            return Err(refused("the browser reports a cross-site request"));
        }
        match headers.get(ORIGIN) {
            Some(origin) => {
                let origin = origin.to_str().unwrap_or("");
                if self.allows(origin, uri, headers) {
                    Ok(())
                } else {
                    Err(refused(
                        "the request comes from another origin; only this service's own pages may use its session",
                    ))
                }
            }
            None => match (strictness, fetch_site.as_deref()) {
                (_, Some("same-origin" | "none")) => Ok(()),
                (Strictness::Credentials, None) => Ok(()),
                _ => Err(refused(
                    "a request with the session cookie must carry an Origin header of this service (browsers add it; other clients: -H 'Origin: <this service's URL>')",
                )),
            },
        }
    }

    fn has_allowed_origin(&self, headers: &HeaderMap) -> bool {
        headers
            .get(ORIGIN)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|origin| self.extra.iter().any(|o| o == origin))
    }

    fn allows(&self, origin: &str, uri: &Uri, headers: &HeaderMap) -> bool {
        if self.extra.iter().any(|o| o == origin) {
            return true;
        }
        if let Some(public) = &self.public_origin {
            // Configured origins are canonical (lowercase, no default port),
            // as browsers write them.
            return origin.eq_ignore_ascii_case(public);
        }
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false; // "null" and other opaque origins
        };
        let host = headers.get(HOST).and_then(|v| v.to_str().ok());
        let Some(host) = host.or_else(|| uri.authority().map(|a| a.as_str())) else {
            return false;
        };
        same_authority(scheme, authority, host)
    }
}

/// Whether an origin's `host[:port]` is the `Host` the request was sent to
/// (case-insensitive; a default port may be written or left out).
fn same_authority(scheme: &str, authority: &str, host: &str) -> bool {
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return false,
    };
    let normalize = |a: &str| {
        let a = a.to_ascii_lowercase();
        match a.strip_suffix(default_port) {
            Some(bare) => bare.to_owned(),
            None => a,
        }
    };
    !authority.is_empty() && !authority.contains('/') && normalize(authority) == normalize(host)
}

fn refused(detail: &'static str) -> Problem {
    Problem::new(ProblemCode::CrossSiteRequest, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn same_origin_passes_and_cross_site_is_refused() {
        let policy = OriginPolicy::default();
        let post = Method::POST;
        let strict = Strictness::CookieAuthenticated;
        let uri = Uri::from_static("/v1/tickets");
        let ok = |h: &HeaderMap| policy.check(&post, &uri, h, strict).is_ok();
        assert!(ok(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080")
        ])));
        assert!(ok(&headers(&[
            ("host", "Auth.Example.com"),
            ("origin", "https://auth.example.com")
        ])));
        assert!(ok(&headers(&[
            ("host", "auth.example.com:443"),
            ("origin", "https://auth.example.com")
        ])));
        assert!(!ok(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://evil.test")
        ])));
        assert!(!ok(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8081")
        ])));
        assert!(!ok(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "null")
        ])));
        assert!(
            !ok(&headers(&[("origin", "http://127.0.0.1:8080")])),
            "no Host"
        );
        // No Origin: only Sec-Fetch-Site same-origin or none.
        assert!(ok(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(ok(&headers(&[("sec-fetch-site", "none")])));
        assert!(!ok(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!ok(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(
            !ok(&headers(&[])),
            "cookie requests must prove their origin"
        );
        // Safe methods pass.
        assert!(
            policy
                .check(
                    &Method::GET,
                    &uri,
                    &headers(&[("origin", "http://evil.test")]),
                    strict
                )
                .is_ok()
        );
        let refused = policy
            .check(&post, &uri, &headers(&[]), strict)
            .unwrap_err();
        // HTTP/2: the authority is in the URI, not in a Host header.
        let h2 = Uri::from_static("http://127.0.0.1:8080/v1/tickets");
        let origin = headers(&[("origin", "http://127.0.0.1:8080")]);
        assert!(policy.check(&post, &h2, &origin, strict).is_ok());
        assert_eq!(refused.code(), ProblemCode::CrossSiteRequest);
    }

    #[test]
    fn credentials_requests_without_browser_headers_pass() {
        let policy = OriginPolicy::default();
        let check = |h: &HeaderMap| {
            policy
                .check(
                    &Method::POST,
                    &Uri::from_static("/"),
                    h,
                    Strictness::Credentials,
                )
                .is_ok()
        };
        assert!(check(&headers(&[])), "curl, a backend");
        assert!(!check(&headers(&[
            ("host", "a.test"),
            ("origin", "https://evil.test")
        ])));
        assert!(!check(&headers(&[("sec-fetch-site", "cross-site")])));
    }

    #[test]
    fn the_public_origin_replaces_the_host() {
        let policy = OriginPolicy::new(vec![], Some("https://auth.example.com".into()));
        let check = |h: &HeaderMap| {
            policy
                .check(
                    &Method::POST,
                    &Uri::from_static("/"),
                    h,
                    Strictness::CookieAuthenticated,
                )
                .is_ok()
        };
        assert!(check(&headers(&[
            ("host", "internal:8080"),
            ("origin", "https://auth.example.com")
        ])));
        assert!(
            !check(&headers(&[
                ("host", "evil.test:8080"),
                ("origin", "http://evil.test:8080")
            ])),
            "DNS rebinding: Host and Origin agree, but it is not the service"
        );
    }

    #[test]
    fn listed_origins_are_allowed() {
        let policy = OriginPolicy::new(vec!["https://app.example.com".into()], None);
        let h = headers(&[
            ("host", "auth.example.com"),
            ("origin", "https://app.example.com"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(
            policy
                .check(
                    &Method::POST,
                    &Uri::from_static("/"),
                    &h,
                    Strictness::CookieAuthenticated
                )
                .is_ok()
        );
    }
}
