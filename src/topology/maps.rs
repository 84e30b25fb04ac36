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

pub(crate) type Map<V> = HashMap<String, V, Fnv>;
/// Maps whose entries the plan refers to by index.
pub(crate) type IndexedMap<V> = indexmap::IndexMap<String, V, Fnv>;
