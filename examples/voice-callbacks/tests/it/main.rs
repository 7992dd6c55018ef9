//! The example's tests, one binary: over TCP against the running binary
//! (`e2e`), and in-process through the router (`oneshot`).

mod e2e;
mod oneshot;
