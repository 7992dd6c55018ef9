//! The service's integration tests, one binary (one link of the whole
//! stack). Only tests that need process-global state have their own:
//! `logs` (the global log subscriber) and `signal` (signals to the process).

mod common;

mod accounts_config;
mod accounts_processes;
mod accounts_proptest;
mod accounts_suite;
mod admin_and_openapi;
mod api_key_mode;
mod audit_commit;
mod bad_input;
mod client_config;
mod client_guide;
mod config;
mod extension;
mod jwt_mode;
mod reload;
mod security;
mod serve;
