//! Host names of [`MIN`] to 253 bytes checked sixteen bytes at a time.
//!
//! [`clean`] answers one question: is every byte a letter, a digit, `-` or `.`, with no empty
//! label, no label over 63 bytes and none that starts or ends with `-`? It is written as plain
//! loops over 16-byte arrays, with no `unsafe` and no target-specific code, which the compiler
//! turns into vector compares: on x86-64 (SSE2, where it was measured) about 30 instructions
//! per 16 bytes, where the byte-at-a-time pass of `name.rs` spends 6 a byte and 5 more a byte
//! on label lengths. Other targets get what their vectorizer makes of it, with the same
//! answers. `false` only means "look closer": that pass then finds which rule broke, so
//! what is reported, and in which order the rules apply, is decided in one place.

/// The shortest name checked here: shorter ones cost less byte by byte (measured with
/// callgrind: at 17 bytes the windows cost 10 instructions more, from 20 bytes they cost the
/// same and then less). [`clean`] itself needs `W + 1` bytes.
pub(super) const MIN: usize = 20;

/// Lanes per window.
const W: usize = 16;

/// Whether `x` lies in `lo..lo + k`, written as one signed comparison (a single vector
/// compare; the unsigned form costs two).
#[inline(always)]
#[allow(clippy::cast_possible_wrap, clippy::inline_always)] // the wrap is the point
fn within(x: u8, lo: u8, k: u8) -> bool {
    (x.wrapping_add(0x80u8.wrapping_sub(lo)) as i8) < i8::MIN.wrapping_add(k as i8)
}

/// One window: marks in `bad` the lanes whose byte `cur[i]` is not a letter, digit, `-` or
/// `.`, or which close a bad pair with the byte before, `prev[i]`: `..`, `.-` and `-.` (an
/// empty label, a label starting or ending with `-`). For valid bytes the pair's sum says it:
/// 0x5b and 0x5c are those three, `--` is 0x5a, anything with a letter or digit is 0x5d or
/// more. Says whether the window holds a dot.
#[inline(always)]
#[allow(clippy::inline_always)] // the loop's body: a call would spill every vector
fn window(prev: &[u8; W], cur: &[u8; W], bad: &mut [u8; W]) -> bool {
    let mut dots = [0u8; W];
    for i in 0..W {
        let c = cur[i];
        let ok = within(c | 0x20, b'a', 26) | within(c, b'0', 10) | within(c, b'-', 2);
        let pair = within(prev[i].wrapping_add(c), 0x5b, 2);
        // All ones for true, as vector compares give: no masking to 0 or 1.
        bad[i] |= u8::from(!ok | pair).wrapping_neg();
        dots[i] = u8::from(c == b'.').wrapping_neg();
    }
    dots != [0; W]
}

/// Dot flags of eight bytes: 0x80 in each byte that is `.` (exact for bytes under 0x80; a
/// window with other bytes is rejected anyway), byte `i` of the word being byte `i`.
#[inline]
fn dot_flags(b: &[u8]) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    let mut word = [0u8; 8];
    word.copy_from_slice(b);
    let x = u64::from_le_bytes(word) ^ (ONES * u64::from(b'.'));
    !x.wrapping_add(ONES * 0x7f) & (ONES * 0x80)
}

/// Position of the first dot of a window that has one.
#[inline]
fn first_dot(w: &[u8; W]) -> usize {
    let (lo, hi) = (dot_flags(&w[..8]), dot_flags(&w[8..]));
    if lo != 0 {
        lo.trailing_zeros() as usize / 8
    } else {
        8 + hi.trailing_zeros() as usize / 8
    }
}

/// Position of the last dot of a window that has one.
#[inline]
fn last_dot(w: &[u8; W]) -> usize {
    let (lo, hi) = (dot_flags(&w[..8]), dot_flags(&w[8..]));
    if hi != 0 {
        15 - hi.leading_zeros() as usize / 8
    } else {
        7 - lo.leading_zeros() as usize / 8
    }
}

/// Label lengths from which windows hold a dot. Positions are in `cur` (the name without its
/// first byte), where the name starts after a dot at -2 and ends before one at `cur.len()`.
/// A label of 64 bytes or more spans at least three whole aligned windows without a dot, so
/// only after three such windows are positions looked at.
struct Labels<'a> {
    cur: &'a [u8],
    /// Dotless windows since the last one with a dot.
    run: u32,
    /// Where the last window with a dot starts.
    dotted: Option<usize>,
    long: bool,
}

impl Labels<'_> {
    /// Records the window at `base`.
    #[inline(always)]
    #[allow(clippy::inline_always)] // in the loop, as `window`
    fn window(&mut self, base: usize, w: &[u8; W], has_dot: bool) {
        if !has_dot {
            self.run += 1;
            return;
        }
        if self.run >= 3 {
            self.gap_to(base + first_dot(w));
        }
        self.run = 0;
        self.dotted = Some(base);
    }

    /// Checks the label that ends before the dot at `next`.
    #[inline]
    fn gap_to(&mut self, next: usize) {
        // The label starts after the last dot of the last window with one (`cur` + 2 keeps
        // positions unsigned: -2 is 0).
        let start = match self.dotted {
            Some(b) => {
                b + 2
                    + self
                        .cur
                        .get(b..b + W)
                        .and_then(|w| w.try_into().ok())
                        .map_or(0, last_dot)
            }
            None => 0,
        };
        self.long |= next + 2 - start > 64;
    }
}

/// Whether `s` (`W + 1` to 253 bytes, trailing dot removed) is a host name that breaks no rule
/// this module checks; see the module documentation.
pub(super) fn clean(s: &[u8]) -> bool {
    let (Some((&first, cur)), Some((&last, prev))) = (s.split_first(), s.split_last()) else {
        return false;
    };
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() || cur.len() < W {
        return false;
    }
    let mut bad = [0u8; W];
    let mut labels = Labels {
        cur,
        run: 0,
        dotted: None,
        long: false,
    };
    let (cw, _) = cur.as_chunks::<W>();
    let (pw, _) = prev.as_chunks::<W>();
    for (k, (c, p)) in cw.iter().zip(pw).enumerate() {
        labels.window(k * W, c, window(p, c, &mut bad));
    }
    // The last window ends with the name (overlapping the one before: checks repeat).
    if let (Some(c), Some(p)) = (cur.last_chunk::<W>(), prev.last_chunk::<W>()) {
        labels.window(cur.len() - W, c, window(p, c, &mut bad));
    }
    if labels.run >= 3 {
        labels.gap_to(cur.len());
    }
    bad == [0; W] && !labels.long
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The rules as stated.
    fn reference(s: &[u8]) -> bool {
        s.split(|&c| c == b'.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .iter()
                    .all(|&c| c.is_ascii_alphanumeric() || c == b'-')
                && label.first() != Some(&b'-')
                && label.last() != Some(&b'-')
        })
    }

    fn same(s: &[u8]) {
        assert_eq!(clean(s), reference(s), "{:?}", s.escape_ascii());
    }

    fn labels(parts: &[usize]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, &n) in parts.iter().enumerate() {
            if i > 0 {
                out.push(b'.');
            }
            out.extend((0..n).map(|j| b"a1b2c-d3"[(i + j) % 8]));
            if let Some(c) = out.last_mut() {
                *c = b'z';
            }
            let start = out.len() - n;
            out[start] = b'y';
        }
        out
    }

    #[test]
    fn label_lengths_at_every_offset() {
        // A 63- or 64-byte label at every position relative to the windows, first, inside
        // and last.
        for long in [62, 63, 64, 65] {
            for before in 0..40 {
                for after in [0, 1, 5, 17, 40] {
                    let mut parts = Vec::new();
                    if before > 0 {
                        parts.push(before);
                    }
                    parts.push(long);
                    if after > 0 {
                        parts.push(after);
                    }
                    let s = labels(&parts);
                    if (W + 1..=253).contains(&s.len()) {
                        same(&s);
                    }
                }
            }
        }
        same(&labels(&[63, 63, 63, 61]));
        same(&labels(&[63, 63, 63, 62]));
        same(&labels(&[20, 20, 20, 20]));
    }

    #[test]
    fn each_bad_byte_and_pair_at_every_position() {
        let base = labels(&[10, 30, 12]);
        for i in 0..base.len() {
            for c in [
                b'.', b'-', b'_', b':', b' ', 0, 0x80, 0xff, b'@', b'[', b'`', b'{', b'/',
            ] {
                let mut s = base.clone();
                s[i] = c;
                same(&s);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn matches_the_rules(raw in proptest::collection::vec(
            prop_oneof![
                8 => Just(b'a'), 2 => Just(b'7'), 2 => Just(b'.'), 2 => Just(b'-'),
                1 => Just(b'Z'), 1 => any::<u8>(),
            ],
            W + 1..=253,
        )) {
            same(&raw);
        }

        #[test]
        fn matches_the_rules_on_long_labels(
            parts in proptest::collection::vec(1usize..=70, 1..6),
        ) {
            let s = labels(&parts);
            if (W + 1..=253).contains(&s.len()) {
                same(&s);
            }
        }
    }
}
