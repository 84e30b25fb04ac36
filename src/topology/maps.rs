//! The maps of the topology: keyed by short names from the operator's own files, hashed with
//! FNV-1a.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// FNV-1a: the maps are keyed by short service and partition names from the operator's own
/// files, and resolution looks them up several times per upstream, where SipHash dominated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Fnv;

pub(crate) struct FnvHasher(u64);

impl BuildHasher for Fnv {
    type Hasher = FnvHasher;

    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for FnvHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A word at a time, for the keys the build makes once per upstream or destination (a
/// destination's names, a name, numbers), where FNV-1a's byte at a time showed: each 8 bytes
/// mixed by one wide multiplication. Only for maps whose order nothing reads (or read in
/// insertion order, as an index set's): the outputs do not depend on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Words;

pub(crate) struct WordsHasher(u64);

impl WordsHasher {
    /// An odd constant with its bits spread (2^64 over the golden ratio).
    const K: u64 = 0x9e37_79b9_7f4a_7c15;

    /// The word folded in: the 128-bit product's halves xored, so that every bit of the
    /// word moves both the high bits (the table's tag) and the low ones (its bucket).
    #[inline]
    #[allow(clippy::cast_possible_truncation)] // the product's halves, on purpose
    fn mix(&mut self, word: u64) {
        let product = u128::from(self.0 ^ word) * u128::from(Self::K);
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }
}

impl BuildHasher for Words {
    type Hasher = WordsHasher;

    fn build_hasher(&self) -> WordsHasher {
        WordsHasher(0)
    }
}

impl Hasher for WordsHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.mix(<[u8; 8]>::try_from(w).map_or(0, u64::from_le_bytes));
        }
        self.mix(tail(words.remainder()));
    }

    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The last bytes of a key (under 8) as a word, read without a loop or a copy: from 4, its
/// first and last 4 (overlapping), else its first, middle and last byte; their count flips
/// the top bits ("a" and "a\0", "aaaa" and "aaaaa" differ).
#[inline]
fn tail(rest: &[u8]) -> u64 {
    let n = rest.len();
    let word = |b: &[u8]| <[u8; 4]>::try_from(b).map_or(0, u32::from_le_bytes);
    let bits = if n >= 4 {
        u64::from(word(&rest[..4])) << 32 | u64::from(word(&rest[n - 4..]))
    } else if n > 0 {
        u64::from(rest[0]) << 16 | u64::from(rest[n / 2]) << 8 | u64::from(rest[n - 1])
    } else {
        0
    };
    bits ^ (n as u64) << 60
}

pub(crate) type Map<V> = HashMap<String, V, Fnv>;
/// Maps whose entries the plan refers to by index.
pub(crate) type IndexedMap<V> = indexmap::IndexMap<String, V, Fnv>;

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::hash::BuildHasher;

    use super::Words;

    #[test]
    fn words_tells_apart_names_differing_in_a_byte_or_a_trailing_zero() {
        let names: Vec<String> = (0..20_000).map(|i| format!("svc-{i}")).collect();
        let hashes: HashSet<u64> = names.iter().map(|n| Words.hash_one(n)).collect();
        assert_eq!(hashes.len(), names.len());
        // The low bits pick the bucket: they spread too.
        let low: HashSet<u64> = names.iter().map(|n| Words.hash_one(n) & 0xffff).collect();
        assert!(low.len() > 12_000, "{}", low.len());
        assert_ne!(
            Words.hash_one(b"a".as_slice()),
            Words.hash_one(b"a\0".as_slice())
        );
        assert_ne!(Words.hash_one("aaaa"), Words.hash_one("aaaaa"));
        assert_ne!(Words.hash_one([1u32, 2]), Words.hash_one([2u32, 1]));
    }
}
