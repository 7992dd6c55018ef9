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

// TEMP: scratch min-of-batches timing, interleaved
fn scratch() {
    use std::time::Instant;
    let app = app();
    let t = time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
    let ticket = app.user_ticket(USER).mint().unwrap();
    let payload = STANDARD
        .decode(ticket.as_str().split(':').next().unwrap())
        .unwrap();
    let keyed = Hmac::<Sha256>::new_from_slice(app.secret().expose_bytes()).unwrap();
    let minted = app.registration_token(USER).mint().unwrap();
    let signing_input = minted.as_str().rsplit_once('.').unwrap().0.to_owned();
    let day_key = token::derive_signing_key(app.secret(), minted.issued_at().date());
    let dkeyed = Hmac::<Sha256>::new_from_slice(&*day_key).unwrap();
    let data = vec![b'x'; 300];
    let mut ops: Vec<(&str, Box<dyn FnMut()>)> = vec![
        (
            "ticket/mint",
            Box::new(|| {
                black_box(app.user_ticket(black_box(USER)).mint().unwrap());
            }),
        ),
        (
            "ticket/mint_fixed",
            Box::new(|| {
                black_box(
                    app.user_ticket(black_box(USER))
                        .with_created(t)
                        .mint()
                        .unwrap(),
                );
            }),
        ),
        (
            "ticket/hmac",
            Box::new(|| {
                let mut m = keyed.clone();
                m.update(black_box(&payload));
                black_box(m.finalize().into_bytes());
            }),
        ),
        (
            "token/mint",
            Box::new(|| {
                black_box(app.registration_token(black_box(USER)).mint().unwrap());
            }),
        ),
        (
            "token/mint_fixed",
            Box::new(|| {
                black_box(
                    app.registration_token(black_box(USER))
                        .with_issued_at(t)
                        .with_nonce("6b438bda-2d5c-4e8c-92b0-39f20a94b34e")
                        .mint()
                        .unwrap(),
                );
            }),
        ),
        (
            "token/hmac",
            Box::new(|| {
                let mut m = dkeyed.clone();
                m.update(black_box(signing_input.as_bytes()));
                black_box(m.finalize().into_bytes());
            }),
        ),
        (
            "now_utc",
            Box::new(|| {
                black_box(time::OffsetDateTime::now_utc());
            }),
        ),
        (
            "systemtime",
            Box::new(|| {
                black_box(std::time::SystemTime::now());
            }),
        ),
        (
            "b64_300",
            Box::new(|| {
                black_box(
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(black_box(&data)),
                );
            }),
        ),
        (
            "b64simd_300",
            Box::new(|| {
                let mut out = String::with_capacity(400);
                base64_simd::URL_SAFE_NO_PAD.encode_append(black_box(&data), &mut out);
                black_box(out);
            }),
        ),
        (
            "b64simd_200",
            Box::new(|| {
                let mut out = String::with_capacity(400);
                base64_simd::STANDARD.encode_append(black_box(&data[..197]), &mut out);
                black_box(out);
            }),
        ),
        (
            "b64_200",
            Box::new(|| {
                let mut out = String::with_capacity(400);
                STANDARD.encode_string(black_box(&data[..197]), &mut out);
                black_box(out);
            }),
        ),
        (
            "b64_slice_200",
            Box::new(|| {
                let mut out = vec![0u8; 400];
                let n = STANDARD
                    .encode_slice(black_box(&data[..197]), &mut out)
                    .unwrap();
                black_box((out, n));
            }),
        ),
        (
            "now_secs",
            Box::new(|| {
                let secs = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs();
                black_box(time::OffsetDateTime::from_unix_timestamp(secs as i64).unwrap());
            }),
        ),
        (
            "alloc_200",
            Box::new(|| {
                black_box(String::with_capacity(black_box(200)));
            }),
        ),
    ];
    if let Ok(only) = std::env::var("ONLY") {
        ops.retain(|(n, _)| *n == only);
    }
    let mut best = vec![f64::MAX; ops.len()];
    for _ in 0..std::env::var("ROUNDS").map_or(300, |r| r.parse().unwrap()) {
        for (i, (_, f)) in ops.iter_mut().enumerate() {
            let start = Instant::now();
            for _ in 0..200 {
                f();
            }
            let ns = start.elapsed().as_nanos() as f64 / 200.0;
            if ns < best[i] {
                best[i] = ns;
            }
        }
    }
    for (i, (name, _)) in ops.iter().enumerate() {
        println!("{name:20} {:8.1} ns", best[i]);
    }
    if best.len() < 6 {
        return;
    }
    println!(
        "ratio ticket {:.2} (fixed {:.2}), token {:.2} (fixed {:.2})",
        best[0] / best[2],
        best[1] / best[2],
        best[3] / best[5],
        best[4] / best[5]
    );
}

fn main() {
    if std::env::var_os("SCRATCH").is_some() {
        scratch();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
