//! The JSON writer behind [`write_resolution`](super::write_resolution): the bytes serde_json
//! writes, laid out as its `CompactFormatter` or `PrettyFormatter` does, with a faster string
//! escape; and [`TerminalSafe`], the formatter that also escapes what a terminal acts on.
//!
//! serde_json checks every byte of every string (keys included) against its escape table and
//! writes each string in three calls to the writer; this writer checks 8 bytes at a time and
//! writes into its own buffer, handed to the writer in 64 KiB pieces.

use std::io::{self, Write};

use serde::Serialize;

use crate::text::is_unsafe;

/// How JSON is laid out: as `serde_json::to_writer` writes it (compact) or as
/// `serde_json::to_writer_pretty` does (two spaces an indent); and whether the characters a
/// terminal acts on are escaped too ([`TerminalSafe`], as the `meshroute` command prints).
///
/// ```
/// use meshroute::report::JsonStyle;
///
/// let style = JsonStyle::PRETTY.terminal_safe();
/// assert!(style.pretty && style.terminal_safe);
/// assert!(!JsonStyle::COMPACT.pretty);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct JsonStyle {
    /// Indented, one value a line (serde_json's `PrettyFormatter`).
    pub pretty: bool,
    /// DEL, the C1 controls and the bidirectional controls escaped as `\uXXXX`
    /// ([`TerminalSafe`]).
    pub terminal_safe: bool,
}

impl JsonStyle {
    /// serde_json's compact layout.
    pub const COMPACT: Self = Self {
        pretty: false,
        terminal_safe: false,
    };
    /// serde_json's pretty layout.
    pub const PRETTY: Self = Self {
        pretty: true,
        terminal_safe: false,
    };

    /// The same layout, terminal-safe.
    #[must_use]
    pub const fn terminal_safe(self) -> Self {
        Self {
            terminal_safe: true,
            ..self
        }
    }
}

/// A serde_json formatter that also escapes, as `\uXXXX`, the characters JSON lets through
/// raw but a terminal may act on: DEL, the C1 controls (U+009B is a one-character CSI) and
/// the bidirectional controls ([`is_unsafe`]). C0 controls JSON escapes itself.
///
/// ```
/// use meshroute::report::TerminalSafe;
/// use serde_json::ser::{CompactFormatter, Serializer};
/// use serde::Serialize;
///
/// let mut out = Vec::new();
/// "a\u{9b}b\u{202e}".serialize(&mut Serializer::with_formatter(&mut out, TerminalSafe(CompactFormatter)))?;
/// assert_eq!(out, br#""a\u009bb\u202e""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct TerminalSafe<F>(pub F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for TerminalSafe<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if clean(fragment.as_bytes(), true) {
            return w.write_all(fragment.as_bytes());
        }
        let mut escaped = Vec::with_capacity(fragment.len() + 6);
        escape_into(&mut escaped, fragment, true);
        w.write_all(&escaped)
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The bytes of `x` that need a look, each as its high bit: a C0 control, `"` or `\`, and
/// with `safe` any byte from 0x7F on (DEL and every byte of a non-ASCII character). A clean
/// byte may be flagged above one that needs a look (a borrow or carry runs into it), never
/// below: the lowest flag is exact, and no byte that needs a look is missed.
#[inline]
fn flags(x: u64, safe: bool) -> u64 {
    let below_space = x.wrapping_sub(ONES * 0x20) & !x;
    let is = |b: u8| {
        let y = x ^ (ONES * u64::from(b));
        y.wrapping_sub(ONES) & !y
    };
    let mut m = below_space | is(b'"') | is(b'\\');
    if safe {
        m |= x | x.wrapping_add(ONES);
    }
    m & HIGHS
}

/// Whether any of the 8 bytes of `x` needs a look ([`flags`]).
#[inline]
fn flagged(x: u64, safe: bool) -> bool {
    flags(x, safe) != 0
}

/// Per byte: [`JSON_ESCAPE`] when serde_json escapes it (C0 controls, `"`, `\\`),
/// [`MAYBE_UNSAFE`] when it may start a character a terminal acts on (DEL, every byte of a
/// non-ASCII character).
static LOOK: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        if b < 0x20 || b == b'"' as usize || b == b'\\' as usize {
            t[b] = JSON_ESCAPE;
        } else if b >= 0x7f {
            t[b] = MAYBE_UNSAFE;
        }
        b += 1;
    }
    t
};
const JSON_ESCAPE: u8 = 1;
const MAYBE_UNSAFE: u8 = 2;

/// Whether byte `b` needs a look ([`flagged`], one byte).
#[inline]
fn needs_look(b: u8, safe: bool) -> bool {
    let mask = if safe {
        JSON_ESCAPE | MAYBE_UNSAFE
    } else {
        JSON_ESCAPE
    };
    LOOK[b as usize] & mask != 0
}

/// The index of the first byte from `i` on that needs a look, or `bytes.len()`: 8 bytes at
/// a time, the first flagged byte of a word found by its flag ([`flags`]: the lowest is
/// exact), the last few bytes one by one.
#[inline]
fn next_look(bytes: &[u8], mut i: usize, safe: bool) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let m = flags(u64::from_le_bytes(word), safe);
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let rest = bytes.get(i..).unwrap_or_default();
    rest.iter()
        .position(|&b| needs_look(b, safe))
        .map_or(bytes.len(), |p| i + p)
}

/// Whether no byte of `bytes` needs a look (as [`next_look`] says, without the position):
/// whole words where there are 8 bytes or more (the last overlapping the one before), two
/// overlapping 4-byte halves of one word for 4 to 7 bytes.
#[allow(clippy::inline_always)] // measured: out of line, its call cost more than the check of a short name
#[inline(always)]
fn clean(bytes: &[u8], safe: bool) -> bool {
    let n = bytes.len();
    if n >= 8 {
        let mut at = 0;
        while at + 8 < n {
            match word_at(bytes, at) {
                Some(w) if !flagged(u64::from_le_bytes(w), safe) => at += 8,
                _ => return false,
            }
        }
        word_at(bytes, n - 8).is_some_and(|w| !flagged(u64::from_le_bytes(w), safe))
    } else if let (Some(lo), Some(hi)) = (
        half_at(bytes, 0),
        n.checked_sub(4).and_then(|at| half_at(bytes, at)),
    ) {
        let x = u64::from(u32::from_le_bytes(lo)) | u64::from(u32::from_le_bytes(hi)) << 32;
        !flagged(x, safe)
    } else if let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) {
        // One to three bytes: the first, the middle one and the last in one word, the rest
        // of it clean (`a`).
        let mid = bytes.get(n / 2).copied().unwrap_or(b'a');
        let x = ((ONES * u64::from(b'a')) & !0xff_ffff)
            | u64::from(first)
            | u64::from(mid) << 8
            | u64::from(last) << 16;
        !flagged(x, safe)
    } else {
        true
    }
}

/// The 8 bytes of `bytes` from `at`, if there are 8.
#[inline]
fn word_at(bytes: &[u8], at: usize) -> Option<[u8; 8]> {
    bytes
        .get(at..at + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
}

/// The 4 bytes of `bytes` from `at`, if there are 4.
#[inline]
fn half_at(bytes: &[u8], at: usize) -> Option<[u8; 4]> {
    bytes
        .get(at..at + 4)
        .and_then(|w| <[u8; 4]>::try_from(w).ok())
}

/// Appends `s` escaped as serde_json escapes a string's contents (`\"`, `\\`, `\b`, `\t`,
/// `\n`, `\f`, `\r`, other C0 controls as `\u00xx`) and, with `safe`, every character
/// [`is_unsafe`] as `\uxxxx` (as [`TerminalSafe`]); runs that need nothing are copied whole.
pub(crate) fn escape_into(out: &mut Vec<u8>, s: &str, safe: bool) {
    let bytes = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    loop {
        i = next_look(bytes, i, safe);
        let Some(&b) = bytes.get(i) else {
            break;
        };
        if b >= 0x7f {
            // Only with `safe`; `i` is a character's first byte (every byte of a character
            // is looked at, and a character is passed whole).
            let c = s
                .get(i..)
                .and_then(|r| r.chars().next())
                .unwrap_or_default();
            let len = c.len_utf8();
            if is_unsafe(c) {
                out.extend_from_slice(&bytes[start..i]);
                unicode_escape(out, u32::from(c));
                start = i + len;
            }
            i += len;
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => unicode_escape(out, u32::from(b)),
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// `\u` and four lowercase hex digits (every character escaped so is below U+10000).
fn unicode_escape(out: &mut Vec<u8>, code: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[((code >> shift) & 0xf) as usize]);
    }
}

/// The two digits of every number below 100 as a little-endian word: the tens digit in
/// its low byte (first in memory), the units in its high byte.
static PAIRS: [u16; 100] = {
    const ZERO: u16 = b'0' as u16;
    let mut t = [0u16; 100];
    let mut i: u16 = 0;
    while i < 100 {
        t[i as usize] = (ZERO + i / 10) | (ZERO + i % 10) << 8;
        i += 1;
    }
    t
};

/// When the buffer is handed to the writer.
const FLUSH_AT: usize = 64 * 1024;

/// Writes JSON values piece by piece, laid out as serde_json's formatters do, into a buffer
/// handed to `out` every [`FLUSH_AT`] bytes ([`JsonWriter::step`]).
pub(crate) struct JsonWriter<W> {
    out: W,
    buf: Vec<u8>,
    scratch: Vec<u8>,
    style: JsonStyle,
    depth: usize,
}

// The pieces are inlined where a shape calls them, so that a key's length is known there and
// its copy is a move (`#[inline]` alone left `key` and `str` out of line; forcing it, with
// `clean`, took the 10k-proxy mesh's write from 402M to 344M instructions).
#[allow(clippy::inline_always)]
impl<W: Write> JsonWriter<W> {
    pub(crate) fn new(out: W, style: JsonStyle) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(FLUSH_AT + FLUSH_AT / 4),
            scratch: Vec::new(),
            style,
            depth: 0,
        }
    }

    /// Hands the buffer to the writer once it holds [`FLUSH_AT`] bytes.
    pub(crate) fn step(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Hands what is left to the writer and flushes it.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.out.flush()
    }

    /// A string value.
    #[inline(always)]
    pub(crate) fn str(&mut self, s: &str) {
        let safe = self.style.terminal_safe;
        self.buf.push(b'"');
        if clean(s.as_bytes(), safe) {
            self.buf.extend_from_slice(s.as_bytes());
        } else {
            escape_into(&mut self.buf, s, safe);
        }
        self.buf.push(b'"');
    }

    /// A string of ours that needs no escape (an enum's name), written as it is.
    #[inline(always)]
    pub(crate) fn name(&mut self, s: &'static str) {
        debug_assert!(next_look(s.as_bytes(), 0, true) == s.len());
        self.buf.push(b'"');
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(b'"');
    }

    /// A string or `null`.
    #[inline(always)]
    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    /// `null`.
    #[inline(always)]
    pub(crate) fn null(&mut self) {
        self.buf.extend_from_slice(b"null");
    }

    /// An unsigned number, or `null`. Below 10^8 (ports, lines), its digits are gathered in
    /// a word, first digit lowest, copied whole (a move) and cut back to their count, where a
    /// copy of their length is a call to `memcpy`.
    pub(crate) fn opt_u32(&mut self, n: Option<u32>) {
        let Some(mut n) = n else {
            return self.null();
        };
        if n >= 100_000_000 {
            return self.buf.extend_from_slice(n.to_string().as_bytes());
        }
        let (mut word, mut len) = (0u64, 0);
        while n >= 100 {
            word = word << 16 | u64::from(PAIRS[(n % 100) as usize]);
            len += 2;
            n /= 100;
        }
        if n >= 10 {
            word = word << 16 | u64::from(PAIRS[n as usize]);
            len += 2;
        } else {
            word = word << 8 | u64::from(b'0' + (n % 10) as u8);
            len += 1;
        }
        let end = self.buf.len() + len;
        self.buf.extend_from_slice(&word.to_le_bytes());
        self.buf.truncate(end);
    }

    /// `{` (or `[` with `array`), one level deeper.
    #[inline(always)]
    pub(crate) fn open(&mut self, array: bool) {
        self.depth += 1;
        self.buf.push(if array { b'[' } else { b'{' });
    }

    /// `}` (or `]` with `array`), on a line of its own when pretty and the value has members.
    #[inline(always)]
    pub(crate) fn close(&mut self, array: bool, empty: bool) {
        self.depth -= 1;
        if self.style.pretty && !empty {
            self.newline();
        }
        self.buf.push(if array { b']' } else { b'}' });
    }

    /// An object's key, given as `"name":` for the first, `,"name":` for the others (a name
    /// of ours, written as it is): compact, one copy of a known length with its comma.
    #[inline(always)]
    pub(crate) fn key(&mut self, quoted: &'static str) {
        debug_assert!(quoted.trim_start_matches(',').starts_with('"') && quoted.ends_with("\":"));
        if self.style.pretty {
            let (first, quoted) = match quoted.strip_prefix(',') {
                Some(q) => (false, q),
                None => (true, quoted),
            };
            self.member(first);
            self.buf.extend_from_slice(quoted.as_bytes());
            self.buf.push(b' ');
        } else {
            self.buf.extend_from_slice(quoted.as_bytes());
        }
    }

    /// Where an array's element or an object's key starts: after a comma unless `first`, on
    /// a line of its own when pretty.
    #[inline(always)]
    pub(crate) fn member(&mut self, first: bool) {
        if !self.style.pretty {
            if !first {
                self.buf.push(b',');
            }
        } else if first {
            self.newline();
        } else {
            self.comma_newline();
        }
    }

    /// A newline and the indent of the current depth (two spaces a level). Up to depth 15, a
    /// copy of a fixed 32 bytes cut back (a move, where a copy of the indent's length is a
    /// call to `memcpy`).
    #[inline(always)]
    fn newline(&mut self) {
        const LINE: &[u8; 32] = b"\n                               ";
        self.line_from(LINE, 1);
    }

    /// A comma, then [`JsonWriter::newline`], in one copy.
    #[inline(always)]
    fn comma_newline(&mut self) {
        const LINE: &[u8; 32] = b",\n                              ";
        self.line_from(LINE, 2);
    }

    /// The first `head` bytes of `line` (ending with its newline) and the indent of the
    /// current depth: `line`, all spaces after its head, copied whole and cut back when it
    /// is long enough.
    #[inline(always)]
    fn line_from(&mut self, line: &[u8; 32], head: usize) {
        let n = head + 2 * self.depth;
        let end = self.buf.len() + n;
        if n <= line.len() {
            self.buf.extend_from_slice(line);
            self.buf.truncate(end);
            return;
        }
        self.buf.extend_from_slice(&line[..head]);
        self.buf.resize(end, b' ');
    }

    /// A value this writer has no shape for, serialized by serde_json with the same layout
    /// and indented to where it goes.
    pub(crate) fn serde<T: Serialize + ?Sized>(&mut self, v: &T) -> io::Result<()> {
        use serde_json::ser::{CompactFormatter, PrettyFormatter, Serializer};
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let s = &mut scratch;
        let done = match (self.style.pretty, self.style.terminal_safe) {
            (false, false) => v.serialize(&mut Serializer::new(s)),
            (false, true) => v.serialize(&mut Serializer::with_formatter(
                s,
                TerminalSafe(CompactFormatter),
            )),
            (true, false) => v.serialize(&mut Serializer::pretty(s)),
            (true, true) => v.serialize(&mut Serializer::with_formatter(
                s,
                TerminalSafe(PrettyFormatter::new()),
            )),
        };
        done.map_err(io::Error::from)?;
        // A newline in pretty JSON is always layout (strings escape theirs).
        let mut lines = scratch.split(|&b| b == b'\n');
        self.buf.extend_from_slice(lines.next().unwrap_or_default());
        for line in lines {
            self.newline();
            self.buf.extend_from_slice(line);
        }
        self.scratch = scratch;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What serde_json writes for `s` (through [`TerminalSafe`] with `safe`), quotes cut.
    fn serde_escaped(s: &str, safe: bool) -> Vec<u8> {
        use serde_json::ser::{CompactFormatter, Serializer};
        let mut out = Vec::new();
        if safe {
            s.serialize(&mut Serializer::with_formatter(
                &mut out,
                TerminalSafe(CompactFormatter),
            ))
        } else {
            s.serialize(&mut Serializer::new(&mut out))
        }
        .unwrap();
        out[1..out.len() - 1].to_vec()
    }

    fn ours(s: &str, safe: bool) -> Vec<u8> {
        let mut out = Vec::new();
        escape_into(&mut out, s, safe);
        out
    }

    #[test]
    fn every_character_that_needs_it_is_escaped_as_serde_json_does() {
        let every: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        for safe in [false, true] {
            assert_eq!(ours(&every, safe), serde_escaped(&every, safe));
            for c in every.chars() {
                // At every offset of a word, and alone.
                for pad in 0..9 {
                    let s = format!("{}{c}{}", "a".repeat(pad), "b".repeat(9 - pad));
                    assert_eq!(ours(&s, safe), serde_escaped(&s, safe), "{c:?} {pad}");
                }
            }
        }
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        let mut w = JsonWriter::new(Vec::new(), JsonStyle::COMPACT);
        let mut expected = String::new();
        let mut ns = vec![None, Some(u32::MAX), Some(u32::MAX - 1)];
        for p in 0..10 {
            let t = 10u32.pow(p);
            ns.extend([
                Some(t - 1),
                Some(t),
                Some(t + 1),
                Some(t.saturating_mul(7) / 3),
            ]);
        }
        for n in ns {
            w.opt_u32(n);
            w.buf.push(b',');
            expected.push_str(&serde_json::to_string(&n).unwrap());
            expected.push(',');
        }
        assert_eq!(String::from_utf8(w.buf).unwrap(), expected);
    }

    proptest! {
        #[test]
        fn strings_are_escaped_as_serde_json_escapes_them(
            s in "[\\x00-\\x22\\\\a-z\\x7f-\\u{a0}é\\u{200e}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}🚀]{0,40}",
        ) {
            prop_assert_eq!(ours(&s, false), serde_escaped(&s, false));
            prop_assert_eq!(ours(&s, true), serde_escaped(&s, true));
        }

        #[test]
        fn the_next_look_is_the_first_byte_that_needs_one(
            s in "[\x00-\x22\\a-z\x7f-\u{a0}é]{0,40}",
            from in 0usize..40,
        ) {
            let b = s.as_bytes();
            let from = from.min(b.len());
            for safe in [false, true] {
                let first = (from..b.len()).find(|&i| needs_look(b[i], safe)).unwrap_or(b.len());
                prop_assert_eq!(next_look(b, from, safe), first);
            }
        }

        #[test]
        fn clean_is_no_byte_to_look_at(s in "[\x00-\x22\\a-z\x7f-\u{a0}é]{0,20}") {
            for safe in [false, true] {
                let b = s.as_bytes();
                prop_assert_eq!(clean(b, safe), !b.iter().any(|&c| needs_look(c, safe)));
                prop_assert_eq!(clean(b, safe), next_look(b, 0, safe) == b.len());
            }
        }
    }
}
