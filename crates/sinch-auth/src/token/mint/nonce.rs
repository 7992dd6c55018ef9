//! Default nonces: UUIDv4 strings from `rand`'s thread-local CSPRNG
//! (`rand::rng()`, ChaCha12 seeded from the operating system and reseeded
//! from it after every 64 KiB of output), as `uuid`'s own `fast-rng` feature
//! does.
//!
//! Why not the kernel for every nonce: its generator runs ChaCha20 in
//! scalar code, and 16 bytes from `getrandom` cost about 50 ns on the
//! benchmark machine even when read 512 bytes per system call, a tenth of
//! a whole token (docs/performance.md); 16 bytes from `rand::rng()` cost
//! about 10 ns. A nonce is not a secret (it
//! travels in the token); what it needs is to be unpredictable and never
//! repeat, which a CSPRNG seeded from the kernel provides.
//!
//! One caveat, shared by every user-space generator: a process that
//! `fork()`s without `exec` gives the child a copy of the forking thread's
//! generator, and both could then mint tokens with the same nonce until
//! one of them reseeds. Rust servers do not fork like that
//! (`std::process::Command` execs at once); if yours does, give each token
//! an explicit nonce.

use rand::Rng as _;

/// Appends a fresh random UUIDv4, hyphenated, lower-case (36 ASCII bytes).
pub(super) fn push_uuid_v4(out: &mut String) {
    let mut random = [0u8; 16];
    rand::rng().fill_bytes(&mut random);
    let uuid = uuid::Builder::from_random_bytes(random).into_uuid();
    out.push_str(
        uuid.hyphenated()
            .encode_lower(&mut uuid::Uuid::encode_buffer()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn uuid() -> String {
        let mut s = String::new();
        push_uuid_v4(&mut s);
        s
    }

    #[test]
    fn nonces_are_v4_uuids() {
        for _ in 0..100 {
            let s = uuid();
            let parsed = uuid::Uuid::parse_str(&s).unwrap();
            assert_eq!(parsed.get_version_num(), 4, "{s}");
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122, "{s}");
            assert_eq!(s, parsed.hyphenated().to_string());
        }
    }

    #[test]
    fn nonces_do_not_repeat_across_reseeds_and_threads() {
        // Past the 64 KiB reseed point (4096 nonces) on each of several threads.
        let per_thread = 5000;
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(move || (0..per_thread).map(|_| uuid()).collect::<Vec<_>>())
            })
            .collect();
        let mut seen = HashSet::new();
        for t in threads {
            for n in t.join().unwrap() {
                assert!(seen.insert(n.clone()), "repeated nonce {n}");
            }
        }
        assert_eq!(seen.len(), 4 * per_thread);
    }
}
