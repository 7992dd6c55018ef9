//! Log capture tests: one binary of their own, because the capture is the
//! process's global `tracing` subscriber (nothing else in this binary may
//! install one).

#[path = "../it/common/mod.rs"]
mod common;
#[path = "../it/accounts_suite/harness.rs"]
mod harness;

mod accounts;
mod api;
