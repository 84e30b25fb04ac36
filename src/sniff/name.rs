//! Server names: the bytes as sent, and the validated view.

use core::fmt;

use super::config::Policy;
use super::error::{Error, NameError};
use super::lanes;

/// The largest name kept inline when it straddles a record boundary.
pub(crate) const INLINE_MAX: usize = 255;

/// Bytes from the hello: borrowed from the input when they are contiguous in it, or copied
/// into a fixed inline buffer (never the heap) when they straddle a record boundary.
///
/// This is `meshroute::sniff::Bytes`, not the `bytes` crate's type: read it with
/// [`as_bytes`](Self::as_bytes) or [`AsRef<[u8]>`](AsRef).
///
/// ```
/// use meshroute::sniff::{self, Config};
///
/// // A minimal ClientHello asking for "example.com" (as in the module's example).
/// let mut hello = vec![22, 3, 1, 0, 67, 1, 0, 0, 63, 3, 3];
/// hello.extend_from_slice(&[0; 32]);
/// hello.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
/// hello.extend_from_slice(&[0, 20, 0, 0, 0, 16, 0, 14, 0, 0, 11]);
/// hello.extend_from_slice(b"example.com");
///
/// let ch = sniff::parse(&hello, &Config::default()).unwrap().complete().unwrap();
/// let name: &sniff::Bytes<'_> = ch.server_name_bytes().unwrap();
/// let as_slice: &[u8] = name.as_ref();
/// assert_eq!(as_slice, b"example.com");
/// ```
#[derive(Clone, Copy)]
#[allow(clippy::large_enum_variant)] // on purpose: the inline variant replaces the heap
pub enum Bytes<'a> {
    /// Contiguous in the input.
    Borrowed(&'a [u8]),
    /// Straddled a record boundary: reassembled inline.
    Inline {
        /// The storage; only the first `len` bytes are meaningful.
        buf: [u8; INLINE_MAX],
        /// How many bytes of `buf` are used.
        len: u8,
    },
}

impl<'a> Bytes<'a> {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Bytes::Borrowed(b) => b,
            Bytes::Inline { buf, len } => buf.get(..usize::from(*len)).unwrap_or(&[]),
        }
    }

    /// The bytes with the input's lifetime, when they were contiguous in it.
    pub fn borrowed(&self) -> Option<&'a [u8]> {
        match self {
            Bytes::Borrowed(b) => Some(b),
            Bytes::Inline { .. } => None,
        }
    }
}

impl AsRef<[u8]> for Bytes<'_> {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for Bytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.as_bytes().escape_ascii())
    }
}

impl PartialEq for Bytes<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Bytes<'_> {}

/// A validated host name: ASCII letters, digits, `-` and `_` in dot-separated labels of 1 to
/// 63 bytes that neither start nor end with `-`, at most 253 bytes, without a trailing dot. Compare it case-insensitively.
#[derive(Clone, Copy)]
pub struct HostName<'n> {
    name: &'n [u8],
}

impl<'n> HostName<'n> {
    /// The name, in the case the client sent it (ASCII only).
    pub fn as_str(&self) -> &'n str {
        // Validated ASCII: the conversion cannot fail.
        core::str::from_utf8(self.name).unwrap_or_default()
    }

    /// The name's bytes.
    pub fn as_bytes(&self) -> &'n [u8] {
        self.name
    }

    /// Case-insensitive comparison (the way DNS names compare).
    pub fn matches(&self, other: &str) -> bool {
        self.name.eq_ignore_ascii_case(other.as_bytes())
    }
}

impl fmt::Debug for HostName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for HostName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Case-insensitive, like DNS.
impl PartialEq for HostName<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.name.eq_ignore_ascii_case(other.name)
    }
}

impl Eq for HostName<'_> {}

/// Case-insensitive, like DNS.
impl PartialEq<str> for HostName<'_> {
    fn eq(&self, other: &str) -> bool {
        self.matches(other)
    }
}

/// Case-insensitive, like DNS.
impl PartialEq<&str> for HostName<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.matches(other)
    }
}

/// Byte classes, OR-ed together over the name in one branch-free pass. The low bits say what
/// the byte is; `EMPTY`, `HYPHEN_START` and `HYPHEN_END` mark the byte pairs that make a bad
/// label: each byte's classes are masked by the previous byte's high byte, which lets through
/// the plain classes and the pair bits that are bad right after it.
const INVALID: u16 = 1;
const UNDERSCORE: u16 = 2;
const COLON: u16 = 4;
/// `.` after `.` (or at either end): an empty label.
const EMPTY: u16 = 8;
/// `-` after `.` (or first): a label starting with a hyphen.
const HYPHEN_START: u16 = 16;
/// `.` after `-` (or at the end): a label ending with a hyphen.
const HYPHEN_END: u16 = 32;
/// An ASCII hex digit (no mask lets it through: it never reaches the flags).
const HEX: u16 = 64;
/// Not a class: the labels' lengths are known to be 1 to 63 (`lanes::clean` passed the name).
const LABELS_CHECKED: u16 = 128;
/// The classes every byte lets through to the next one's.
const PLAIN: u16 = INVALID | UNDERSCORE | COLON;
/// The high byte holds the mask for the next byte.
const NEXT: u32 = 8;
/// A dot: the name behaves as if it were between two dots.
const DOT: u16 = EMPTY | HYPHEN_END | (PLAIN | EMPTY | HYPHEN_START) << NEXT;

const fn classes() -> [u16; 256] {
    let mut t = [INVALID | PLAIN << NEXT; 256];
    let mut i = 0;
    while i < 256 {
        #[allow(clippy::cast_possible_truncation)] // i < 256
        let c = i as u8;
        if c.is_ascii_hexdigit() {
            t[i] = HEX | PLAIN << NEXT;
        } else if c.is_ascii_alphanumeric() {
            t[i] = PLAIN << NEXT;
        } else if c == b'-' {
            t[i] = HYPHEN_START | (PLAIN | HYPHEN_END) << NEXT;
        } else if c == b'.' {
            t[i] = DOT;
        } else if c == b'_' {
            t[i] = UNDERSCORE | PLAIN << NEXT;
        } else if c == b':' {
            t[i] = INVALID | COLON | PLAIN << NEXT;
        }
        i += 1;
    }
    t
}

static CLASS: [u16; 256] = classes();

fn is_ip_literal(s: &[u8]) -> bool {
    // Only ASCII reaches here (the caller checked), and core's parsers do not allocate.
    let Ok(text) = core::str::from_utf8(s) else {
        return false;
    };
    text.parse::<core::net::Ipv4Addr>().is_ok() || text.parse::<core::net::Ipv6Addr>().is_ok()
}

/// Whether the last label of `s` is a decimal or `0x` hex number: it reads as (part of) an
/// IPv4 address. Walks back over the trailing hex digits only, so a name whose last label
/// ends in a non-hex letter is settled in a byte or two.
#[inline]
fn numeric_last_label(s: &[u8]) -> bool {
    let mut i = s.len();
    while let Some(&c) = s.get(i.wrapping_sub(1))
        && CLASS[usize::from(c)] & HEX != 0
    {
        i -= 1;
    }
    let (head, tail) = s.split_at(i);
    match head.split_last() {
        // The whole label is hex digits: a number only if they are all decimal.
        None | Some((b'.', _)) => !tail.is_empty() && tail.iter().all(u8::is_ascii_digit),
        // `0x` and hex digits (possibly none).
        Some((b'x' | b'X', rest)) => matches!(rest, [b'0'] | [.., b'.', b'0']),
        _ => false,
    }
}

fn digit_led(s: &[u8]) -> bool {
    s.first().is_some_and(u8::is_ascii_digit)
}

/// Validates `raw` against `policy`. Returns the length of the validated view (no trailing
/// dot) when there is one; records the first tolerated problem in `issue`.
#[inline]
pub(crate) fn validate(
    raw: &[u8],
    policy: Policy,
    issue: &mut Option<NameError>,
) -> Result<Option<usize>, Error> {
    if raw.is_empty() {
        policy.empty_name.apply(NameError::Empty, issue)?;
        return Ok(None);
    }
    let mut s = raw;
    if let [head @ .., b'.'] = raw {
        policy.trailing_dot.apply(NameError::TrailingDot, issue)?;
        s = head;
    }
    // A long name sixteen bytes at a time; anything it does not pass, byte by byte.
    let flags = if (lanes::MIN..=253).contains(&s.len()) && lanes::clean(s) {
        LABELS_CHECKED
    } else {
        classes_of(s)
    };
    judge(raw, s, flags, policy, issue)
}

/// One pass: byte classes OR-ed together, and the bad pairs (empty label, hyphen at a label's
/// edge) by AND-ing each byte with what the previous one forbids.
#[inline]
fn classes_of(s: &[u8]) -> u16 {
    let mut flags = 0u16;
    let mut mask = DOT >> NEXT;
    for &c in s {
        let t = CLASS[usize::from(c)];
        flags |= t & mask;
        mask = t >> NEXT;
    }
    flags | DOT & mask
}

/// Applies the policy to the name `s` (`raw` without its trailing dot) whose classes are
/// `flags`: every rule, in its order of precedence.
#[inline]
fn judge(
    raw: &[u8],
    s: &[u8],
    flags: u16,
    policy: Policy,
    issue: &mut Option<NameError>,
) -> Result<Option<usize>, Error> {
    let colon = flags & COLON != 0;
    // Only printable ASCII can be an address; one with a trailing dot is none (it then fails
    // as a name below, as in rustls).
    let ascii_only = flags & INVALID == 0
        || colon
            && s.iter()
                .all(|&c| c == b':' || CLASS[usize::from(c)] & INVALID == 0);
    if ascii_only && s.len() == raw.len() && (colon || digit_led(s)) && is_ip_literal(s) {
        policy.ip_literal.apply(NameError::IpLiteral, issue)?;
        return Ok(None);
    }
    let long_label = || {
        flags & LABELS_CHECKED == 0 && s.len() > 63 && s.split(|&c| c == b'.').any(|l| l.len() > 63)
    };
    let invalid = if flags & INVALID != 0 {
        Some(NameError::InvalidByte)
    } else if s.len() > 253 {
        Some(NameError::TooLong)
    } else if flags & EMPTY != 0 || long_label() {
        Some(NameError::LabelLength)
    } else if flags & (HYPHEN_START | HYPHEN_END) != 0 {
        Some(NameError::Hyphen)
    } else if numeric_last_label(s) {
        Some(NameError::NumericLastLabel)
    } else {
        None
    };
    if let Some(e) = invalid {
        policy.invalid_name.apply(e, issue)?;
        return Ok(None);
    }
    if flags & UNDERSCORE != 0 {
        policy.underscore.apply(NameError::Underscore, issue)?;
    }
    Ok(Some(s.len()))
}

/// Builds the validated view over a prefix of `raw` that [`validate`] accepted.
pub(crate) fn host_name(raw: &[u8], len: usize) -> Option<HostName<'_>> {
    raw.get(..len).map(|name| HostName { name })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The straightforward validator (a class fold, then label by label) that [`validate`]
    /// replaced: the fused pass must give the same answers.
    fn reference(
        raw: &[u8],
        policy: Policy,
        issue: &mut Option<NameError>,
    ) -> Result<Option<usize>, Error> {
        const OLD_INVALID: u8 = 1;
        const OLD_UNDERSCORE: u8 = 2;
        const OLD_COLON: u8 = 4;
        let class = |c: u8| -> u8 {
            if c.is_ascii_alphanumeric() || c == b'-' || c == b'.' {
                0
            } else if c == b'_' {
                OLD_UNDERSCORE
            } else if c == b':' {
                OLD_INVALID | OLD_COLON
            } else {
                OLD_INVALID
            }
        };
        let numeric_label = |label: &[u8]| match label {
            [] => false,
            [b'0', b'x' | b'X', hex @ ..] => hex.iter().all(u8::is_ascii_hexdigit),
            digits => digits.iter().all(u8::is_ascii_digit),
        };
        if raw.is_empty() {
            policy.empty_name.apply(NameError::Empty, issue)?;
            return Ok(None);
        }
        let mut s = raw;
        if let [head @ .., b'.'] = raw {
            policy.trailing_dot.apply(NameError::TrailingDot, issue)?;
            s = head;
        }
        let flags = s.iter().fold(0u8, |f, &c| f | class(c));
        let labels: Vec<&[u8]> = s.split(|&c| c == b'.').collect();
        let bad_label = labels.iter().any(|l| l.is_empty() || l.len() > 63);
        let hyphen = labels
            .iter()
            .any(|l| l.first() == Some(&b'-') || l.last() == Some(&b'-'));
        let last = labels.last().copied().unwrap_or_default();
        let colon = flags & OLD_COLON != 0;
        let ascii_only = flags & OLD_INVALID == 0
            || colon && s.iter().all(|&c| c == b':' || class(c) & OLD_INVALID == 0);
        if ascii_only && s.len() == raw.len() && (colon || digit_led(s)) && is_ip_literal(s) {
            policy.ip_literal.apply(NameError::IpLiteral, issue)?;
            return Ok(None);
        }
        let invalid = if flags & OLD_INVALID != 0 {
            Some(NameError::InvalidByte)
        } else if s.len() > 253 {
            Some(NameError::TooLong)
        } else if bad_label {
            Some(NameError::LabelLength)
        } else if hyphen {
            Some(NameError::Hyphen)
        } else if numeric_label(last) {
            Some(NameError::NumericLastLabel)
        } else {
            None
        };
        if let Some(e) = invalid {
            policy.invalid_name.apply(e, issue)?;
            return Ok(None);
        }
        if flags & OLD_UNDERSCORE != 0 {
            policy.underscore.apply(NameError::Underscore, issue)?;
        }
        Ok(Some(s.len()))
    }

    fn same(raw: &[u8]) {
        for policy in [Policy::DEFAULT, Policy::STRICT, Policy::LENIENT] {
            let (mut a, mut b) = (None, None);
            let got = validate(raw, policy, &mut a);
            let want = reference(raw, policy, &mut b);
            assert_eq!((got, a), (want, b), "{:?} {policy:?}", raw.escape_ascii());
        }
    }

    #[test]
    fn edge_cases_match_the_reference() {
        for raw in [
            &b""[..],
            b".",
            b"..",
            b"a.",
            b"a..",
            b".a",
            b"-",
            b"-.",
            b"a-.b",
            b"a.-b",
            b"a--b.c",
            b"a.b-",
            b"0x",
            b"a.0x",
            b"a.0X1f",
            b"a.0x1g",
            b"a.x0x1",
            b"a.10x1",
            b"a.00x1",
            b"a.123",
            b"a.12f",
            b"a.abc",
            b"a.1.",
            b"0x.",
            b"1.2.3.4",
            b"1.2.3.4.",
            b"::1",
            b"[::1]",
            b"a_b.c",
            b"a:b",
            b"curl.example",
            b"www.chromium-two.example",
        ] {
            same(raw);
        }
        let long = [b'a'; 64];
        same(&long);
        same(&[&long[..], b".b"].concat());
        same(&[b"b.", &long[..]].concat());
        same(&[b"b.", &long[..63], b".c"].concat());
        same(&[b'a'; 254]);
        same(&[b'a'; 253]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn matches_the_reference(raw in proptest::collection::vec(
            prop_oneof![
                Just(b'.'), Just(b'-'), Just(b'0'), Just(b'1'), Just(b'x'), Just(b'X'),
                Just(b'a'), Just(b'f'), Just(b'g'), Just(b'_'), Just(b':'), Just(0xc3u8),
                any::<u8>(),
            ],
            0..80,
        )) {
            same(&raw);
        }

        #[test]
        fn long_names_match_the_reference(
            labels in proptest::collection::vec(
                proptest::collection::vec(
                    prop_oneof![
                        20 => Just(b'a'), 4 => Just(b'7'), 2 => Just(b'-'), 2 => Just(b'Q'),
                        1 => Just(b'_'), 1 => Just(b':'), 1 => Just(b'.'), 1 => any::<u8>(),
                    ],
                    1..70,
                ),
                1..8,
            ),
            trailing_dot in any::<bool>(),
        ) {
            // Mostly valid names of 20 to 254 bytes (the 16-byte windows of `lanes`), with
            // every kind of fault now and then.
            let mut raw = labels.join(&b'.');
            if trailing_dot {
                raw.push(b'.');
            }
            same(&raw);
        }

        #[test]
        fn matches_the_reference_on_long_labels(
            parts in proptest::collection::vec((1usize..70, prop_oneof![Just(b'a'), Just(b'1'), Just(b'-')]), 1..6),
        ) {
            let raw: Vec<u8> = parts
                .iter()
                .map(|&(n, c)| vec![c; n])
                .collect::<Vec<_>>()
                .join(&b'.');
            same(&raw);
        }
    }
}
