//! Which items of a list repeat an earlier one's key: the duplicate rules of a proxy's
//! upstreams.

/// For each item of a list, whether one before it has an equal key (a set's failed
/// inserts, in order).
pub(super) enum Repeats {
    /// At most [`Repeats::FEW`] items, each compared with those before it: bit `i` for
    /// item `i`.
    Few(u64),
    /// More: found by sorting the indices by key, stably, so that of equal keys the first
    /// comes first.
    Many(Vec<bool>),
}

impl Repeats {
    /// Up to this many items, comparing each pair for equality costs less than sorting
    /// (keys are compared as text when ordered, and mostly differ early when tested equal:
    /// a sidecar's ten upstreams took 13,000 instructions sorted, 2,000 pairwise).
    const FEW: usize = 32;

    pub(super) fn of<'u, T, K: Ord + Print>(items: &'u [T], key: impl Fn(&'u T) -> K) -> Self {
        if items.len() <= Self::FEW {
            // Keys are compared only where their prints are equal.
            let mut prints = [0; Self::FEW];
            let mut bits = 0;
            for (i, item) in items.iter().enumerate() {
                let k = key(item);
                prints[i] = k.print();
                let same = |j: usize| prints[j] == prints[i] && key(&items[j]) == k;
                if (0..i).any(same) {
                    bits |= 1 << i;
                }
            }
            return Self::Few(bits);
        }
        let keys: Vec<K> = items.iter().map(key).collect();
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
        let mut seen = vec![false; keys.len()];
        for pair in order.windows(2) {
            if keys[pair[0]] == keys[pair[1]] {
                seen[pair[1]] = true;
            }
        }
        Self::Many(seen)
    }

    pub(super) fn at(&self, i: usize) -> bool {
        match self {
            Self::Few(bits) => bits & (1 << i) != 0,
            Self::Many(seen) => seen[i],
        }
    }
}

/// A key's print: equal keys have equal prints, and most different ones different prints.
pub(super) trait Print {
    /// The print.
    fn print(&self) -> u64;
}

/// A print of a text from its length and last byte.
pub(super) fn text_print(len: usize, last: u8) -> u64 {
    (len as u64) << 8 | u64::from(last)
}
