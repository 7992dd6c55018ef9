//! Where simulated ids come from: fresh random ones by default, or a
//! reproducible sequence from a seed (for tests and documentation).

use time::OffsetDateTime;

/// The source of the random parts of a simulated callback (call ids, event
/// ids, nonces). Not for secrets: ids only need to be fresh.
#[derive(Debug, Clone)]
pub(crate) enum Ids {
    /// The operating system's CSPRNG.
    Os,
    /// SplitMix64 from a seed: the same seed gives the same ids.
    Seeded(u64),
}

/// Crockford's base32, the alphabet of ULIDs (Conversation API ids).
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl Ids {
    pub(crate) fn fill(&mut self, out: &mut [u8]) {
        match self {
            // A system without a working CSPRNG cannot mint the crate's
            // tokens either; ids do not justify a weaker fallback.
            Ids::Os => getrandom::fill(out).expect("the operating system's CSPRNG failed"),
            Ids::Seeded(state) => {
                for chunk in out.chunks_mut(8) {
                    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                    let mut z = *state;
                    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                    z ^= z >> 31;
                    chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
                }
            }
        }
    }

    /// A random UUIDv4, lower-case: Voice call ids and project ids.
    pub(crate) fn uuid_v4(&mut self) -> String {
        let mut bytes = [0u8; 16];
        self.fill(&mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    /// A ULID for `at` (48 bits of milliseconds, 80 random bits), upper-case
    /// as the Conversation API writes them.
    pub(crate) fn ulid(&mut self, at: OffsetDateTime) -> String {
        let millis = (at.unix_timestamp_nanos() / 1_000_000).clamp(0, (1 << 48) - 1) as u128;
        let mut random = [0u8; 10];
        self.fill(&mut random);
        let value = random
            .iter()
            .fold(millis, |acc, &b| (acc << 8) | u128::from(b));
        (0..26)
            .rev()
            .map(|i| char::from(CROCKFORD[((value >> (5 * i)) & 31) as usize]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn seeded_ids_repeat_and_differ_by_seed() {
        let at = datetime!(2026-11-28 08:00 UTC);
        let a = (Ids::Seeded(1).uuid_v4(), Ids::Seeded(1).ulid(at));
        let b = (Ids::Seeded(1).uuid_v4(), Ids::Seeded(1).ulid(at));
        assert_eq!(a, b);
        assert_ne!(Ids::Seeded(1).uuid_v4(), Ids::Seeded(2).uuid_v4());
        let mut os = Ids::Os;
        assert_ne!(os.uuid_v4(), os.uuid_v4());
    }

    #[test]
    fn ulid_shape_and_time_prefix() {
        let at = datetime!(2021-10-18 17:49:13 UTC);
        let id = Ids::Seeded(7).ulid(at);
        assert_eq!(id.len(), 26);
        assert!(id.bytes().all(|b| CROCKFORD.contains(&b)), "{id}");
        // The first 10 characters encode the milliseconds: same instant, same prefix.
        assert_eq!(id[..10], Ids::Seeded(8).ulid(at)[..10]);
        assert_ne!(
            id[..10],
            Ids::Seeded(7).ulid(at + time::Duration::SECOND)[..10]
        );
    }

    #[test]
    fn uuid_is_version_4() {
        let id = Ids::Seeded(3).uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}
