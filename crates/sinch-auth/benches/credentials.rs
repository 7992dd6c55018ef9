//! Minting and verifying, against the cost of the one HMAC each credential
//! needs (FORMATS §1–2). Goals, as ratios within one run:
//! `ticket/mint` ≤ 1.5 × `ticket/hmac_baseline`,
//! `token/mint` ≤ 2.5 × `token/hmac_baseline`.
//!
//! The mint benches take the path a server takes: system clock, and for
//! tokens a fresh random nonce, so the figures include reading the clock and
//! the CSPRNG. The baselines clone an already keyed `Hmac<Sha256>` (the ticket
//! keyed with the secret, the token with the day key), feed it the same bytes
//! a real credential signs, and finalize.
//!
//! Run: `cargo bench -p sinch-auth --bench credentials`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::Mac;
use sinch_auth::VerifyOptions;

mod common;
use common::{USER, app, ticket_baseline, token_baseline};

fn tickets(c: &mut Criterion) {
    let app = app();
    let mut group = c.benchmark_group("ticket");

    group.bench_function("mint", |b| {
        b.iter(|| app.user_ticket(black_box(USER)).mint().unwrap())
    });

    let ticket = app.user_ticket(USER).mint().unwrap();
    let options = VerifyOptions::default();
    group.bench_function("verify", |b| {
        b.iter(|| {
            app.verify_ticket(black_box(ticket.as_str()), &options)
                .unwrap()
        })
    });

    let (keyed, payload) = ticket_baseline(&app, ticket.as_str());
    group.bench_function("hmac_baseline", |b| {
        b.iter(|| {
            let mut mac = keyed.clone();
            mac.update(black_box(&payload));
            mac.finalize().into_bytes()
        })
    });
    group.finish();
}

fn tokens(c: &mut Criterion) {
    let app = app();
    let mut group = c.benchmark_group("token");

    group.bench_function("mint", |b| {
        b.iter(|| app.registration_token(black_box(USER)).mint().unwrap())
    });

    let minted = app.registration_token(USER).mint().unwrap();
    let options = VerifyOptions::default();
    group.bench_function("verify", |b| {
        b.iter(|| {
            app.verify_token(black_box(minted.as_str()), &options)
                .unwrap()
        })
    });

    let (keyed, signing_input) = token_baseline(&app, &minted);
    group.bench_function("hmac_baseline", |b| {
        b.iter(|| {
            let mut mac = keyed.clone();
            mac.update(black_box(&signing_input));
            mac.finalize().into_bytes()
        })
    });
    group.finish();
}

criterion_group!(benches, tickets, tokens);
criterion_main!(benches);
