//! Routes as data: a [`RouteTable`] registers each route once and remembers
//! it, so the list used for metrics labels and checked against
//! `/openapi.json` is the list that was served. An [`ApiExtension`] (the
//! accounts mode's routes, or a host application's) carries its own table
//! into the API router.

use axum::Router;
use axum::routing::MethodRouter;
use serde_json::Value;

use crate::problem::{Problem, ProblemCode};

/// What every API route can answer whatever it does, because it is served
/// behind the per-IP limit and the request timeout.
pub(crate) const LAYER_PROBLEMS: &[ProblemCode] =
    &[ProblemCode::RateLimited, ProblemCode::RequestTimeout];

/// Which listener a route is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// The public API port (`--listen`).
    Api,
    /// The private admin port (`--admin-listen`).
    Admin,
}

/// One route of the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteInfo {
    /// The listener.
    pub listener: Listener,
    /// The method.
    pub method: &'static str,
    /// The path template.
    pub path: &'static str,
}

/// A router under construction that records every route it gets; other
/// methods on a registered path answer `405` with `Allow`.
#[derive(Debug)]
pub struct RouteTable<S = ()> {
    listener: Listener,
    /// Each path once, with its handlers so far and their methods.
    paths: Vec<(&'static str, MethodRouter<S>, Vec<&'static str>)>,
    list: Vec<RouteInfo>,
}

impl<S: Clone + Send + Sync + 'static> RouteTable<S> {
    /// An empty table for routes on `listener`.
    pub fn new(listener: Listener) -> Self {
        RouteTable {
            listener,
            paths: Vec::new(),
            list: Vec::new(),
        }
    }

    /// Serves `handler` for `method` on `path`. A path may be given several
    /// times, once per method.
    pub fn route(
        mut self,
        method: &'static str,
        path: &'static str,
        handler: MethodRouter<S>,
    ) -> Self {
        match self.paths.iter_mut().find(|(p, _, _)| *p == path) {
            Some((_, handlers, methods)) => {
                *handlers = std::mem::take(handlers).merge(handler);
                methods.push(method);
            }
            None => self.paths.push((path, handler, vec![method])),
        }
        self.list.push(RouteInfo {
            listener: self.listener,
            method,
            path,
        });
        self
    }

    /// The routes registered so far.
    pub fn list(&self) -> &[RouteInfo] {
        &self.list
    }

    /// The router with its state, and the route list.
    pub fn with_state(self, state: S) -> (Router, Vec<RouteInfo>) {
        let mut router = Router::new();
        for (path, handlers, methods) in self.paths {
            let allow = methods.join(", ");
            let handlers = handlers.fallback(move || {
                let allow = allow.clone();
                async move { Problem::method_not_allowed(allow) }
            });
            router = router.route(path, handlers);
        }
        (router.with_state(state), self.list)
    }
}

/// Routes a caller-authentication mode adds to the public API (the accounts
/// mode: sign-up, login, logout…), with their OpenAPI paths. They are served
/// behind the same layers as the credential routes: client IP and per-IP
/// limit, timeout, metrics and access log, CORS, `no-store`.
#[derive(Debug, Clone, Default)]
pub struct ApiExtension {
    router: Router,
    routes: Vec<RouteInfo>,
    openapi: Value,
}

impl ApiExtension {
    /// No routes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the routes of `table`, served with `state`.
    pub fn with_routes<S: Clone + Send + Sync + 'static>(
        mut self,
        table: RouteTable<S>,
        state: S,
    ) -> Self {
        let (router, routes) = table.with_state(state);
        self.router = self.router.merge(router);
        self.routes.extend(routes);
        self
    }

    /// Describes the routes: an OpenAPI fragment whose `paths` and
    /// `components` are merged into `/openapi.json` (for instance a
    /// `utoipa::OpenApi` serialized with `serde_json::to_value`).
    pub fn with_openapi(mut self, fragment: Value) -> Self {
        self.openapi = fragment;
        self
    }

    /// The routes it serves.
    pub fn routes(&self) -> &[RouteInfo] {
        &self.routes
    }

    /// The OpenAPI fragment describing them.
    pub fn openapi(&self) -> &Value {
        &self.openapi
    }

    pub(crate) fn into_router(self) -> Router {
        self.router
    }
}
