//! Instruction counts (gungraun on valgrind's callgrind) of the same six
//! operations as `credentials.rs`: `ticket/{mint,verify,hmac_baseline}` and
//! `token/{mint,verify,hmac_baseline}`, with the same inputs. Counts do not
//! move with the machine's load, so `.ci/bench-guard.sh` uses them to guard
//! our own overhead, `count(op) - count(hmac_baseline)`, against the
//! figures in `benches/overhead-baseline.toml` (docs/performance.md).
//!
//! Each bench runs its operation [`CALLS`] times in a row, after a warm-up in
//! its setup (not counted): the per-thread state that a server fills on its
//! first request (the ticket's payload tail, the token's claims head, the
//! day's signer, the thread's random generator) is filled, as in
//! criterion's loop. The loop spreads the one-off costs a server also pays,
//! about once per second (a new tail or head) or every few tokens (a new
//! block of random bytes), over the calls the way they occur, so a second
//! boundary during the run moves the count per call by a few instructions,
//! not by a whole rewrite.
//!
//! Run: `cargo bench -p sinch-auth --bench instructions` (needs valgrind
//! and `gungraun-runner` at the version of `gungraun` in Cargo.lock; see
//! `.ci/bench-guard.sh`).

use std::hint::black_box;

use gungraun::prelude::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sinch_auth::{Application, VerifyOptions};

mod common;
use common::{USER, ticket_baseline, token_baseline};

/// Operations per bench; the guard divides the counts by this.
const CALLS: usize = 100;

/// An application for the whole process: leaked, so that freeing it is not
/// counted in the bench that uses it.
fn app() -> &'static Application {
    leak(common::app())
}

/// What a verify bench needs: the application and a credential it minted.
struct Minted {
    app: &'static Application,
    text: &'static str,
}

/// What a baseline bench needs: a keyed MAC and the bytes a credential signs.
struct Keyed {
    mac: &'static Hmac<Sha256>,
    message: &'static [u8],
}

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

fn warm_ticket_app() -> &'static Application {
    let app = app();
    black_box(app.user_ticket(USER).mint().unwrap());
    app
}

fn minted_ticket() -> Minted {
    let app = warm_ticket_app();
    let text = app.user_ticket(USER).mint().unwrap().into_string().leak();
    black_box(app.verify_ticket(text, &VerifyOptions::default()).unwrap());
    Minted { app, text }
}

/// The secret-keyed MAC and a ticket's JSON payload, as in `credentials.rs`.
fn ticket_keyed() -> Keyed {
    let Minted { app, text } = minted_ticket();
    let (mac, payload) = ticket_baseline(app, text);
    Keyed {
        mac: leak(mac),
        message: payload.leak(),
    }
}

fn warm_token_app() -> &'static Application {
    let app = app();
    black_box(app.registration_token(USER).mint().unwrap());
    app
}

fn minted_token() -> Minted {
    let app = warm_token_app();
    let text = app
        .registration_token(USER)
        .mint()
        .unwrap()
        .into_string()
        .leak();
    black_box(app.verify_token(text, &VerifyOptions::default()).unwrap());
    Minted { app, text }
}

/// The day-key-keyed MAC and a token's signing input, as in `credentials.rs`.
fn token_keyed() -> Keyed {
    let app = app();
    let minted = app.registration_token(USER).mint().unwrap();
    let (mac, signing_input) = token_baseline(app, &minted);
    Keyed {
        mac: leak(mac),
        message: signing_input.leak(),
    }
}

fn hmac_calls(keyed: &Keyed) {
    for _ in 0..CALLS {
        let mut mac = keyed.mac.clone();
        mac.update(black_box(keyed.message));
        black_box(mac.finalize().into_bytes());
    }
}

#[library_benchmark(setup = warm_ticket_app)]
fn ticket_mint(app: &'static Application) {
    for _ in 0..CALLS {
        black_box(app.user_ticket(black_box(USER)).mint().unwrap());
    }
}

#[library_benchmark(setup = minted_ticket)]
fn ticket_verify(minted: Minted) {
    let options = VerifyOptions::default();
    for _ in 0..CALLS {
        black_box(
            minted
                .app
                .verify_ticket(black_box(minted.text), &options)
                .unwrap(),
        );
    }
}

#[library_benchmark(setup = ticket_keyed)]
fn ticket_hmac_baseline(keyed: Keyed) {
    hmac_calls(&keyed);
}

#[library_benchmark(setup = warm_token_app)]
fn token_mint(app: &'static Application) {
    for _ in 0..CALLS {
        black_box(app.registration_token(black_box(USER)).mint().unwrap());
    }
}

#[library_benchmark(setup = minted_token)]
fn token_verify(minted: Minted) {
    let options = VerifyOptions::default();
    for _ in 0..CALLS {
        black_box(
            minted
                .app
                .verify_token(black_box(minted.text), &options)
                .unwrap(),
        );
    }
}

#[library_benchmark(setup = token_keyed)]
fn token_hmac_baseline(keyed: Keyed) {
    hmac_calls(&keyed);
}

library_benchmark_group!(
    name = ticket,
    benchmarks = [ticket_mint, ticket_verify, ticket_hmac_baseline]
);
library_benchmark_group!(
    name = token,
    benchmarks = [token_mint, token_verify, token_hmac_baseline]
);

main!(library_benchmark_groups = ticket, token);
