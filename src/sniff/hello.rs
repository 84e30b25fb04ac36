//! The parsed ClientHello and its borrowed lists.

use core::fmt;

use super::cursor::Cursor;
use super::error::NameError;
use super::name::{self, Bytes, HostName};

/// Three outcomes, like httparse: a complete hello, or more bytes needed. Rejections are the
/// `Err` side of [`parse`](super::parse).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status<T> {
    /// The whole ClientHello was read.
    Complete(T),
    /// The input is a valid prefix of a ClientHello; at least this many more bytes are needed
    /// (a lower bound from the record and handshake framing, always at least 1).
    Partial(usize),
}

impl<T> Status<T> {
    /// Whether this is [`Status::Complete`].
    pub fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }

    /// Whether this is [`Status::Partial`].
    pub fn is_partial(&self) -> bool {
        matches!(self, Status::Partial(_))
    }

    /// The complete value, if any.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(t) => Some(t),
            Status::Partial(_) => None,
        }
    }
}

/// A validated stretch of the hello, read again on demand.
#[derive(Clone, Copy)]
pub(crate) enum Span<'a> {
    /// Contiguous in the input (the common case: two words to store).
    Flat(&'a [u8]),
    /// Possibly across records: a cursor at its start and its length.
    Records { cur: Cursor<'a>, len: usize },
}

impl<'a> Span<'a> {
    fn raw(&self) -> Option<&'a [u8]> {
        match *self {
            Span::Flat(b) => Some(b),
            Span::Records { mut cur, len } => cur.take_borrowed(len).ok().flatten(),
        }
    }

    /// A cursor at the start and the logical offset of the end.
    fn bounds(&self) -> (Cursor<'a>, usize) {
        match *self {
            Span::Flat(b) => (Cursor::flat(b), b.len()),
            Span::Records { cur, len } => (cur, cur.off() + len),
        }
    }

    fn len(&self) -> usize {
        match self {
            Span::Flat(b) => b.len(),
            Span::Records { len, .. } => *len,
        }
    }
}

impl fmt::Debug for Span<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Span({} bytes)", self.len())
    }
}

/// A complete ClientHello: the server name and the few other fields a router needs.
#[derive(Clone, Copy, Debug)]
pub struct ClientHello<'a> {
    pub(crate) name: Option<Bytes<'a>>,
    /// A `host_name` longer than the inline buffer and split across records: where it is
    /// (it is in the input, but not in one piece to lend).
    pub(crate) long_name: Option<Span<'a>>,
    pub(crate) host_len: Option<usize>,
    pub(crate) issue: Option<NameError>,
    pub(crate) alpn: Option<Span<'a>>,
    pub(crate) versions: Option<Span<'a>>,
    pub(crate) legacy_version: u16,
    pub(crate) ech: bool,
    pub(crate) records: usize,
    pub(crate) len: usize,
    pub(crate) message_len: usize,
}

impl<'a> ClientHello<'a> {
    /// A copy made field by field, with the name only if it is borrowed. For returning a
    /// hello whose name is not inline: the hello is 456 bytes, mostly the inline name buffer,
    /// and returning it whole costs a memcpy call (measured: 40 instructions of some 800 a
    /// parse).
    #[inline]
    pub(crate) fn copy_borrowed(&self) -> Self {
        ClientHello {
            name: self
                .name
                .as_ref()
                .and_then(Bytes::borrowed)
                .map(Bytes::Borrowed),
            long_name: self.long_name,
            host_len: self.host_len,
            issue: self.issue,
            alpn: self.alpn,
            versions: self.versions,
            legacy_version: self.legacy_version,
            ech: self.ech,
            records: self.records,
            len: self.len,
            message_len: self.message_len,
        }
    }

    /// The `host_name` exactly as the client sent it; `None` when there is no `server_name`
    /// extension or no `host_name` in it. A tolerated empty extension or list also gives
    /// `None`, a tolerated empty `host_name` gives `Some(b"")`; [`name_issue`](Self::name_issue)
    /// then says `Empty`.
    pub fn server_name(&self) -> Option<&[u8]> {
        self.name.as_ref().map(Bytes::as_bytes)
    }

    /// The `host_name` exactly as the client sent it, copied, whatever its length: also one
    /// longer than 255 bytes split across records, which [`server_name`](Self::server_name)
    /// cannot lend (it gives `None` for it, and [`name_issue`](Self::name_issue) says
    /// `TooLong`). `None` only when the hello carries no `host_name`.
    pub fn server_name_vec(&self) -> Option<Vec<u8>> {
        if let Some(name) = self.server_name() {
            return Some(name.to_vec());
        }
        let (mut cur, end) = self.long_name.as_ref()?.bounds();
        let mut out = Vec::with_capacity(end - cur.off());
        while cur.off() < end {
            // The span was read whole while parsing: every byte of it is present.
            out.push(cur.u8().ok()?);
        }
        Some(out)
    }

    /// Whether the hello carries a `host_name` (even one [`server_name`](Self::server_name)
    /// cannot lend: see [`server_name_vec`](Self::server_name_vec)).
    pub fn has_server_name(&self) -> bool {
        self.name.is_some() || self.long_name.is_some()
    }

    /// The name as sent with the input's lifetime, when it was contiguous in the input
    /// (`None` when absent or reassembled inline across a record boundary).
    pub fn server_name_borrowed(&self) -> Option<&'a [u8]> {
        self.name.as_ref().and_then(Bytes::borrowed)
    }

    /// The name as sent, borrowed or inline.
    pub fn server_name_bytes(&self) -> Option<&Bytes<'a>> {
        self.name.as_ref()
    }

    /// The validated view of the name: one trailing dot removed, only letters, digits, `-`
    /// and `_`; `None` when there is no name or the policy tolerated an invalid one.
    /// Compare it case-insensitively ([`HostName::matches`]).
    pub fn host_name(&self) -> Option<HostName<'_>> {
        let len = self.host_len?;
        name::host_name(self.name.as_ref()?.as_bytes(), len)
    }

    /// The first policy violation that was tolerated rather than rejected, if any.
    pub fn name_issue(&self) -> Option<NameError> {
        self.issue
    }

    /// Whether an ALPN extension was sent.
    pub fn has_alpn(&self) -> bool {
        self.alpn.is_some()
    }

    /// The ALPN protocol names, in the client's order (empty if none were offered).
    pub fn alpn(&self) -> Alpn<'a> {
        Alpn {
            span: self.alpn.as_ref().map(Span::bounds),
        }
    }

    /// The raw ALPN `ProtocolNameList` body (without its length), borrowed when it is
    /// contiguous in the input.
    pub fn alpn_raw(&self) -> Option<&'a [u8]> {
        self.alpn.as_ref().and_then(Span::raw)
    }

    /// Whether an `encrypted_client_hello` extension (0xfe0d) is present: then the name is
    /// the ECH configuration's public name (or GREASE ECH with the real name).
    pub fn ech(&self) -> bool {
        self.ech
    }

    /// The ClientHello's `legacy_version` (0x0303 for TLS 1.2 and 1.3 clients).
    pub fn legacy_version(&self) -> u16 {
        self.legacy_version
    }

    /// The versions of the `supported_versions` extension, in the client's order (GREASE
    /// values included); empty if absent.
    pub fn supported_versions(&self) -> Versions<'a> {
        Versions {
            span: self.versions.as_ref().map(Span::bounds),
        }
    }

    /// Whether TLS 1.3 (0x0304) is offered.
    pub fn offers_tls13(&self) -> bool {
        self.supported_versions().any(|v| v == 0x0304)
    }

    /// How many records the hello spans.
    pub fn records(&self) -> usize {
        self.records
    }

    /// How many input bytes the hello occupies, record headers included, up to its last byte.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a complete hello is never empty (for clippy's `len_without_is_empty`).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The handshake message's length, its 4-byte header included.
    pub fn message_len(&self) -> usize {
        self.message_len
    }
}

/// Iterator over the offered ALPN protocol names.
#[derive(Clone)]
pub struct Alpn<'a> {
    span: Option<(Cursor<'a>, usize)>,
}

impl fmt::Debug for Alpn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<'a> Iterator for Alpn<'a> {
    type Item = Bytes<'a>;

    fn next(&mut self) -> Option<Bytes<'a>> {
        let (cur, end) = self.span.as_mut()?;
        if cur.off() >= *end {
            self.span = None;
            return None;
        }
        let item = cur.u8().and_then(|n| cur.take(usize::from(n))).ok();
        if item.is_none() {
            self.span = None;
        }
        item
    }
}

/// Iterator over the versions of `supported_versions`.
#[derive(Clone)]
pub struct Versions<'a> {
    span: Option<(Cursor<'a>, usize)>,
}

impl fmt::Debug for Versions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl Iterator for Versions<'_> {
    type Item = u16;

    fn next(&mut self) -> Option<u16> {
        let (cur, end) = self.span.as_mut()?;
        if cur.off() + 2 > *end {
            self.span = None;
            return None;
        }
        let v = cur.u16().ok();
        if v.is_none() {
            self.span = None;
        }
        v
    }
}

/// Equal when every answer is equal: the name as sent and its validation, the ALPN list, the
/// versions, ECH, and the framing (records, length). Where the bytes live does not matter.
impl PartialEq for ClientHello<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.server_name() == other.server_name()
            && self.host_len == other.host_len
            && self.issue == other.issue
            && self.legacy_version == other.legacy_version
            && self.ech == other.ech
            && self.records == other.records
            && self.len == other.len
            && self.message_len == other.message_len
            && self.has_alpn() == other.has_alpn()
            && self.alpn().eq(other.alpn())
            && self.supported_versions().eq(other.supported_versions())
    }
}

impl Eq for ClientHello<'_> {}
