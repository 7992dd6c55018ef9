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
criterion_main!(benches, parts_group);

// TEMP: parts
fn parts(c: &mut Criterion) {
    let mut g = c.benchmark_group("parts");
    g.bench_function("now_utc", |b| b.iter(time::OffsetDateTime::now_utc));
    g.bench_function("systemtime", |b| b.iter(std::time::SystemTime::now));
    g.bench_function("uuid_v4_string", |b| b.iter(|| uuid::Uuid::new_v4().to_string()));
    g.bench_function("uuid_v4", |b| b.iter(uuid::Uuid::new_v4));
    let data = vec![b'x'; 300];
    g.bench_function("b64url_300", |b| {
        b.iter(|| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(black_box(&data)))
    });
    let app = app();
    g.bench_function("mac_clone", |b| b.iter(|| black_box(app.secret().expose_bytes())));
    let keyed = Hmac::<Sha256>::new_from_slice(app.secret().expose_bytes()).unwrap();
    g.bench_function("hmac_64", |b| b.iter(|| { let mut m = keyed.clone(); m.update(black_box(&data[..64])); m.finalize().into_bytes() }));
    g.bench_function("hmac_300", |b| b.iter(|| { let mut m = keyed.clone(); m.update(black_box(&data[..])); m.finalize().into_bytes() }));
    g.bench_function("sha256_640", |b| { let d = vec![1u8; 640]; b.iter(|| <Sha256 as sha2::Digest>::digest(black_box(&d))) });
    g.bench_function("mint_ticket_fixed", |b| { let t = time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap(); b.iter(|| app.user_ticket(black_box(USER)).with_created(t).mint().unwrap()) });
    g.bench_function("mint_token_fixed", |b| { let t = time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap(); b.iter(|| app.registration_token(black_box(USER)).with_issued_at(t).with_nonce("6b438bda-2d5c-4e8c-92b0-39f20a94b34e").mint().unwrap()) });
    g.finish();
}
criterion_group!(parts_group, parts);
