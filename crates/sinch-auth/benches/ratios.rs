//! The ratios the goals are about, `op / hmac_baseline` for mint and
//! verify, measured so that a busy machine moves both sides alike: short batches of the credential and
//! of its baseline, alternating, many times; the ratio of the fastest
//! batches, and of the 10th percentiles and medians. Criterion measures one
//! bench after the other, so a burst of load during one of them moves its
//! ratio; here a burst hits neighbouring batches of both.
//!
//! Same operations and inputs as `credentials.rs`.
//!
//! Run: `cargo bench -p sinch-auth --bench ratios [-- NAME...]` (about
//! 5 s; `RATIOS_BATCHES=N` batches of each, default 4000; names filter by
//! substring, e.g. `ticket/mint`).

use std::hint::black_box;
use std::time::Instant;

use hmac::Mac;
use sinch_auth::VerifyOptions;

mod common;
use common::{USER, app, ticket_baseline, token_baseline};

/// Calls per batch: long enough to dwarf reading the clock, short enough
/// that load changes little within one batch.
const CALLS: u32 = 200;

/// Nanoseconds per call of one batch of `f`.
fn batch(f: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..CALLS {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(CALLS)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Alternates batches of `op` and `base` and prints their figures and
/// ratios, unless `name` is filtered out (arguments other than flags are
/// substrings of the names to run, as with criterion).
fn compare(name: &str, batches: usize, op: &mut dyn FnMut(), base: &mut dyn FnMut()) {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
        return;
    }
    for _ in 0..batches / 10 {
        batch(op);
        batch(base);
    }
    let (mut ops, mut bases) = (Vec::with_capacity(batches), Vec::with_capacity(batches));
    for _ in 0..batches {
        ops.push(batch(op));
        bases.push(batch(base));
    }
    ops.sort_by(f64::total_cmp);
    bases.sort_by(f64::total_cmp);
    let at = |q| (quantile(&ops, q), quantile(&bases, q));
    let [(o0, b0), (o10, b10), (o50, b50)] = [at(0.0), at(0.1), at(0.5)];
    println!(
        "{name:<15} fastest {o0:7.1} / {b0:7.1} ns = {:.3}   p10 {o10:7.1} / {b10:7.1} ns = {:.3}   median {o50:7.1} / {b50:7.1} ns = {:.3}",
        o0 / b0,
        o10 / b10,
        o50 / b50,
    );
}

fn main() {
    let batches = std::env::var("RATIOS_BATCHES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4000);
    let app = app();
    let options = VerifyOptions::default();

    let ticket = app.user_ticket(USER).mint().unwrap();
    let (keyed, payload) = ticket_baseline(&app, ticket.as_str());
    let mut ticket_baseline = || {
        let mut mac = keyed.clone();
        mac.update(black_box(&payload));
        black_box(mac.finalize().into_bytes());
    };
    let mut ticket_mint = || {
        black_box(app.user_ticket(black_box(USER)).mint().unwrap());
    };
    let mut ticket_verify = || {
        black_box(
            app.verify_ticket(black_box(ticket.as_str()), &options)
                .unwrap(),
        );
    };

    let token = app.registration_token(USER).mint().unwrap();
    let (day_keyed, signing_input) = token_baseline(&app, &token);
    let mut token_baseline = || {
        let mut mac = day_keyed.clone();
        mac.update(black_box(&signing_input));
        black_box(mac.finalize().into_bytes());
    };
    let mut token_mint = || {
        black_box(app.registration_token(black_box(USER)).mint().unwrap());
    };
    let mut token_verify = || {
        black_box(
            app.verify_token(black_box(token.as_str()), &options)
                .unwrap(),
        );
    };

    println!("{batches} alternating batches of {CALLS} calls each; op / hmac_baseline");
    compare(
        "ticket/mint",
        batches,
        &mut ticket_mint,
        &mut ticket_baseline,
    );
    compare("token/mint", batches, &mut token_mint, &mut token_baseline);
    compare(
        "ticket/verify",
        batches / 4,
        &mut ticket_verify,
        &mut ticket_baseline,
    );
    compare(
        "token/verify",
        batches / 4,
        &mut token_verify,
        &mut token_baseline,
    );
}
