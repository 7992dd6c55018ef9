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

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sinch_auth::{Application, VerifyOptions, token};

const KEY: &str = "a32e5a8d-f7d8-411c-9645-9038e8dd051d";
const SECRET: &str = "ax8hTTQJF0OPXL32r1LHMA==";
const USER: &str = "alice";

fn app() -> Application {
    Application::from_base64(KEY, SECRET).expect("bench credentials are valid")
}

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

    let payload = STANDARD
        .decode(ticket.as_str().split(':').next().unwrap())
        .unwrap();
    let keyed = Hmac::<Sha256>::new_from_slice(app.secret().expose_bytes()).unwrap();
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

    let signing_input = minted.as_str().rsplit_once('.').unwrap().0.to_owned();
    let day_key = token::derive_signing_key(app.secret(), minted.issued_at().date());
    let keyed = Hmac::<Sha256>::new_from_slice(&*day_key).unwrap();
    group.bench_function("hmac_baseline", |b| {
        b.iter(|| {
            let mut mac = keyed.clone();
            mac.update(black_box(signing_input.as_bytes()));
            mac.finalize().into_bytes()
        })
    });
    group.finish();
}

criterion_group!(benches, tickets, tokens);
criterion_main!(benches);
