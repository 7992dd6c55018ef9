//! The core's integration tests, one binary. The byte-level vectors stay in
//! `tests/vectors/` (data, shared with the CLI's tests).

mod common;

#[cfg(feature = "axum")]
mod axum_callback;
mod jsonwebtoken_crosscheck;
mod properties;
mod redaction;
mod signing_properties;
mod signing_vectors;
#[cfg(feature = "simulate")]
mod svaml_checker;
mod tickets;
mod tokens;
mod vectors;
