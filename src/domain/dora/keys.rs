//! Names kept as 128-bit fingerprints, and the maps keyed by them.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A commit id or a deployment id as 128 bits of its hash: a history of
/// millions of them keeps no copy of their names, and two names share a
/// fingerprint with a chance of about one in 10^26 at a million names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub(super) struct Fingerprint(u64, u64);

impl Fingerprint {
    pub(super) fn of(name: &str) -> Fingerprint {
        // Two SipHash sums of the name, told apart by what precedes it.
        let half = |salt: u8| {
            let mut h = std::hash::DefaultHasher::new();
            salt.hash(&mut h);
            name.hash(&mut h);
            h.finish()
        };
        Fingerprint(half(0), half(1))
    }
}

/// A fingerprint is a hash already: the map uses its first half as it is
/// instead of hashing it again.
#[derive(Default)]
pub(super) struct Passthrough(u64);

impl Hasher for Passthrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only fingerprints are hashed here, through `write_u64`; anything
        // else still spreads over the table.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        // The second half mixed in cheaply, so that a derived `Hash` of both
        // halves still gives the first half's spread.
        self.0 ^= n;
    }
}

pub(super) type ByPrint<V> = HashMap<Fingerprint, V, BuildHasherDefault<Passthrough>>;

/// A map by fingerprint with room for `n` entries.
pub(super) fn with_capacity<V>(n: usize) -> ByPrint<V> {
    HashMap::with_capacity_and_hasher(n, BuildHasherDefault::default())
}

/// A map by fingerprint as a list of pairs (JSON keys are strings only),
/// for a session's journal.
pub(super) mod pairs {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{ByPrint, Fingerprint};

    pub fn serialize<V: Serialize, S: Serializer>(
        map: &ByPrint<V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub fn deserialize<'de, V: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<ByPrint<V>, D::Error> {
        let pairs: Vec<(Fingerprint, V)> = Vec::deserialize(d)?;
        Ok(pairs.into_iter().collect())
    }
}
