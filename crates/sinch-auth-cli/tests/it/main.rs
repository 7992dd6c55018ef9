//! Runs the real `sinch-auth` binary: byte-exact output against the shared
//! vectors, JSON shapes, stdin, exit codes, and that no failing run ever
//! prints the application secret.

#[cfg(feature = "serve")]
mod accounts;
mod common;
mod credentials;
mod decode;
#[cfg(feature = "serve")]
mod healthcheck;
mod shell;
mod signing;
#[cfg(feature = "simulate")]
mod simulate;
mod ticket;
mod token;
mod usage;
mod verify;
#[cfg(not(feature = "serve"))]
mod without_serve;
