//! Server names: the bytes as sent, and the validated view.

use core::fmt;

use super::config::{Policy, Rule};
use super::error::{Error, NameError};

/// The largest name kept inline when it straddles a record boundary.
pub(crate) const INLINE_MAX: usize = 255;

/// Bytes from the hello: borrowed from the input when they are contiguous in it, or copied
/// into a fixed inline buffer (never the heap) when they straddle a record boundary.
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
        f.write_str(self.as_str())
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

/// Byte classes, OR-ed together over the name in one branch-free pass.
const INVALID: u8 = 1;
const UNDERSCORE: u8 = 2;
const COLON: u8 = 4;

const fn classes() -> [u8; 256] {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 256 {
        #[allow(clippy::cast_possible_truncation)] // i < 256
        let c = i as u8;
        if c.is_ascii_alphanumeric() || c == b'-' || c == b'.' {
            t[i] = 0;
        } else if c == b'_' {
            t[i] = UNDERSCORE;
        } else if c == b':' {
            t[i] = INVALID | COLON;
        }
        i += 1;
    }
    t
}

static CLASS: [u8; 256] = classes();

fn apply(rule: Rule, e: NameError, issue: &mut Option<NameError>) -> Result<(), Error> {
    match rule {
        Rule::Reject => Err(Error::InvalidName(e)),
        Rule::Tolerate => {
            if issue.is_none() {
                *issue = Some(e);
            }
            Ok(())
        }
    }
}

fn is_ip_literal(s: &[u8]) -> bool {
    // Only ASCII reaches here (the caller checked), and core's parsers do not allocate.
    let Ok(text) = core::str::from_utf8(s) else {
        return false;
    };
    text.parse::<core::net::Ipv4Addr>().is_ok() || text.parse::<core::net::Ipv6Addr>().is_ok()
}

/// A last label that is a decimal or `0x` hex number: it reads as (part of) an IPv4 address.
fn numeric_label(label: &[u8]) -> bool {
    match label {
        [] => false,
        [b'0', b'x' | b'X', hex @ ..] => hex.iter().all(u8::is_ascii_hexdigit),
        digits => digits.iter().all(u8::is_ascii_digit),
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
        apply(policy.empty_name, NameError::Empty, issue)?;
        return Ok(None);
    }
    let mut s = raw;
    if let [head @ .., b'.'] = raw {
        apply(policy.trailing_dot, NameError::TrailingDot, issue)?;
        s = head;
    }
    // Byte classes OR-ed together (a tight loop the compiler unrolls), then the labels.
    let flags = s.iter().fold(0u8, |f, &c| f | CLASS[usize::from(c)]);
    let mut bad_label = false;
    let mut hyphen = false;
    let mut rest = s;
    let last = loop {
        let (label, next) = match rest.iter().position(|&c| c == b'.') {
            Some(dot) => (&rest[..dot], rest.get(dot + 1..)),
            None => (rest, None),
        };
        bad_label |= label.is_empty() || label.len() > 63;
        hyphen |= label.first() == Some(&b'-') || label.last() == Some(&b'-');
        match next {
            Some(n) => rest = n,
            None => break label,
        }
    };
    let colon = flags & COLON != 0;
    // Only printable ASCII can be an address; one with a trailing dot is none (it then fails
    // as a name below, as in rustls).
    let ascii_only = flags & INVALID == 0
        || colon
            && s.iter()
                .all(|&c| c == b':' || CLASS[usize::from(c)] & INVALID == 0);
    if ascii_only && s.len() == raw.len() && (colon || digit_led(s)) && is_ip_literal(s) {
        apply(policy.ip_literal, NameError::IpLiteral, issue)?;
        return Ok(None);
    }
    let invalid = if flags & INVALID != 0 {
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
        apply(policy.invalid_name, e, issue)?;
        return Ok(None);
    }
    if flags & UNDERSCORE != 0 {
        apply(policy.underscore, NameError::Underscore, issue)?;
    }
    Ok(Some(s.len()))
}

/// Builds the validated view over a prefix of `raw` that [`validate`] accepted.
pub(crate) fn host_name(raw: &[u8], len: usize) -> Option<HostName<'_>> {
    raw.get(..len).map(|name| HostName { name })
}
