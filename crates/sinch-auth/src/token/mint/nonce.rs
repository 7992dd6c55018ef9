//! Default nonces: UUIDv4 strings from the operating system's CSPRNG, read
//! in batches.
//!
//! One `getrandom` system call costs more than the rest of a token (about a
//! microsecond on a virtual machine), so each thread reads 32 nonces' worth
//! of random bytes at once and hands them out 16 at a time. This is as safe
//! as one call per nonce:
//!
//! - every byte still comes straight from the kernel's CSPRNG; nothing is
//!   stretched or derived, so the nonces are exactly as unpredictable;
//! - each byte serves one nonce only and is zeroed once taken, so two tokens
//!   never share random bytes (the pool is per thread: no locking, no sharing);
//! - a nonce is not a secret (it travels in the token), so bytes waiting in
//!   the pool reveal nothing that the tokens themselves will not.
//!
//! One caveat, shared by every user-space random buffer: a process that
//! `fork()`s without `exec` gives the child a copy of the forking thread's
//! pool, and both could then mint tokens with the same nonce. Rust servers do
//! not fork like that (`std::process::Command` execs at once); if yours
//! does, give each token an explicit nonce.

use std::cell::RefCell;

/// Random bytes fetched per system call: 32 nonces.
const POOL_BYTES: usize = 32 * 16;

struct Pool {
    bytes: [u8; POOL_BYTES],
    next: usize,
}

thread_local! {
    static POOL: RefCell<Pool> = const {
        RefCell::new(Pool { bytes: [0; POOL_BYTES], next: POOL_BYTES })
    };
}

impl Pool {
    fn take_16(&mut self) -> [u8; 16] {
        if self.next == POOL_BYTES {
            // uuid::Uuid::new_v4 panics the same way: an OS without a working
            // CSPRNG cannot mint safe tokens at all.
            getrandom::fill(&mut self.bytes).expect("the operating system's CSPRNG failed");
            self.next = 0;
        }
        let taken = &mut self.bytes[self.next..self.next + 16];
        let out: [u8; 16] = (*taken).try_into().expect("16 bytes");
        taken.fill(0);
        self.next += 16;
        out
    }
}

/// Appends a fresh random UUIDv4, hyphenated, lower-case (36 ASCII bytes).
pub(super) fn push_uuid_v4(out: &mut String) {
    let random = POOL.with_borrow_mut(Pool::take_16);
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
    fn nonces_do_not_repeat_across_refills_and_threads() {
        // Several pools' worth on each of several threads.
        let per_thread = 10 * POOL_BYTES / 16;
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

    #[test]
    fn taken_bytes_are_zeroed() {
        let mut pool = Pool {
            bytes: [0; POOL_BYTES],
            next: POOL_BYTES,
        };
        let first = pool.take_16();
        assert_ne!(first, [0; 16], "refilled from the OS");
        assert_eq!(pool.bytes[..16], [0; 16]);
        assert_eq!(pool.next, 16);
    }
}
