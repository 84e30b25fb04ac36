//! Zero-copy TLS ClientHello server-name reader.
//!
//! [`parse`] reads the bytes received so far on a connection and answers one of three ways:
//! the hello is complete ([`Status::Complete`] with its server name, or none), more bytes are
//! needed ([`Status::Partial`] with a lower bound on how many), or the input is rejected
//! ([`Error`], with a typed reason). Malformed input is never reported as "more needed": every
//! field is checked against the bytes already present.
//!
//! It never allocates and never copies the input: the name is borrowed from the input, or,
//! when it straddles a record boundary, reassembled into a fixed 255-byte inline buffer.
//! Hellos split across any number of records are read in place. The module uses nothing else
//! from the crate.
//!
//! A caller that reads in pieces calls [`parse`] again with everything received so far, or
//! lets a [`Sniffer`] skip the calls that the last [`Status::Partial`] proved useless. Names
//! are judged by a [`Policy`] (RFC 6066 defaults, each rule switchable); the hello size cap is
//! in [`Config`] (64 KiB by default, which is also the most). See `docs/sniff.md`.
//!
//! ```
//! use meshroute::sniff::{self, Config, Status};
//!
//! // A minimal TLS 1.3 ClientHello asking for "example.com".
//! let mut hello = vec![22, 3, 1, 0, 67, 1, 0, 0, 63, 3, 3];
//! hello.extend_from_slice(&[0; 32]); // random
//! hello.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]); // session id, suites, compression
//! hello.extend_from_slice(&[0, 20, 0, 0, 0, 16, 0, 14, 0, 0, 11]); // server_name extension
//! hello.extend_from_slice(b"example.com");
//!
//! let config = Config::default();
//! // Only the first 40 bytes have arrived: more are needed, and the framing says how many.
//! assert_eq!(sniff::parse(&hello[..40], &config), Ok(Status::Partial(hello.len() - 40)));
//!
//! let Ok(Status::Complete(ch)) = sniff::parse(&hello, &config) else { panic!() };
//! assert_eq!(ch.server_name(), Some(&b"example.com"[..]));
//! assert!(ch.host_name().unwrap().matches("EXAMPLE.com"));
//!
//! // Not TLS at all.
//! assert_eq!(sniff::parse(b"GET / HTTP/1.1\r\n", &config), Err(sniff::Error::NotTls));
//! ```

mod config;
mod cursor;
mod error;
mod flat;
mod hello;
mod lanes;
mod name;
mod records;

pub use config::{Config, Policy, Rule};
pub use error::{Error, Field, NameError};
pub use hello::{Alpn, ClientHello, Status, Versions};
pub use name::{Bytes, HostName};

use cursor::{Cursor, HANDSHAKE, HEADER, MAX_RECORD, Stop};

const EXT_SERVER_NAME: u16 = 0;
const EXT_ALPN: u16 = 16;
const EXT_SUPPORTED_VERSIONS: u16 = 43;
const EXT_PRE_SHARED_KEY: u16 = 41;
const EXT_ECH: u16 = 0xfe0d;

/// Parses the bytes received so far.
///
/// `Ok(Status::Complete(hello))` once the whole ClientHello is in `buf` (bytes after it are
/// ignored); `Ok(Status::Partial(n))` when `buf` is a valid prefix and at least `n` more bytes
/// are needed; `Err(_)` as soon as the bytes present cannot start a valid ClientHello.
///
/// # Errors
///
/// See [`Error`]: not TLS, an SSLv2-compatible hello, not a ClientHello, a record over 2^14
/// bytes, a hello over [`Config::max_hello_len`], a malformed [`Field`], a duplicate
/// extension, or a server name that breaks the [`Policy`].
///
/// ```
/// use meshroute::sniff::{parse, Config, Error, Status};
///
/// assert_eq!(parse(&[], &Config::default()), Ok(Status::Partial(5)));
/// assert_eq!(parse(&[22, 3, 1, 0x40, 1], &Config::default()), Err(Error::RecordOverflow));
/// ```
#[inline]
pub fn parse<'a>(buf: &'a [u8], config: &Config) -> Result<Status<ClientHello<'a>>, Error> {
    let Some(&first) = buf.first() else {
        return Ok(Status::Partial(HEADER));
    };
    if first != HANDSHAKE {
        // SSLv2-compatible record: high bit of the 2-byte length set, then msg_type 1.
        if first & 0x80 != 0 {
            return match buf.get(2) {
                None => Ok(Status::Partial(3 - buf.len())),
                Some(1) => Err(Error::Sslv2Hello),
                Some(_) => Err(Error::NotTls),
            };
        }
        return Err(Error::NotTls);
    }
    if buf.get(1).is_some_and(|&v| v != 3) {
        return Err(Error::NotTls);
    }
    let Some(hdr) = buf.get(..HEADER) else {
        return Ok(Status::Partial(HEADER - buf.len()));
    };
    let rlen = usize::from(u16::from_be_bytes([hdr[3], hdr[4]]));
    if rlen == 0 {
        return Err(Error::Malformed(Field::RecordLength));
    }
    if rlen > MAX_RECORD {
        return Err(Error::RecordOverflow);
    }
    let mut hello = ClientHello {
        name: None,
        long_name: None,
        host_len: None,
        issue: None,
        alpn: None,
        versions: None,
        legacy_version: 0,
        ech: false,
        records: 0,
        len: 0,
        message_len: 0,
    };
    // The common case: the whole message is in the first record and present. Read it as a
    // slice, with no cursor; anything else (including every error before the body) takes the
    // general path below, which gives the same answers.
    if let Some(&[1, a, b, c]) = buf.get(HEADER..HEADER + 4) {
        let end = 4 + (usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c));
        if end <= rlen
            && end <= config.max_hello_len()
            && let Some(msg) = buf.get(HEADER + 4..HEADER + end)
        {
            hello.message_len = end;
            let policy = *config.policy();
            flat::body(msg, policy, &mut hello)?;
            validate_name(policy, &mut hello)?;
            hello.records = 1;
            hello.len = HEADER + end;
            // A name in one slice is borrowed: no inline buffer to copy.
            return Ok(Status::Complete(hello.copy_borrowed()));
        }
    }
    let mut cur = Cursor::new(buf, rlen);
    let mut total = None;
    match records::message(&mut cur, config, &mut total, &mut hello) {
        Ok(()) if !matches!(hello.name, Some(Bytes::Inline { .. })) => {
            Ok(Status::Complete(hello.copy_borrowed()))
        }
        Ok(()) => Ok(Status::Complete(hello)),
        Err(Stop::More) => Ok(Status::Partial(cur.needed(total))),
        Err(Stop::Err(e)) => Err(e),
    }
}

/// [`parse`] for a caller that reads a connection in pieces: it remembers the lower bound of
/// the last [`Status::Partial`] and skips parsing until that many bytes have arrived, so a
/// hello that arrives in many reads is parsed about twice (first read, then complete) instead
/// of once per read. The cost: an error inside the skipped bytes is reported only once the
/// promised count has arrived, not at the read that brought it; if the framing promised bytes
/// that never come (a length field that lies), such an error is never reported and the caller's
/// read timeout ends the connection, as for any truncated hello. [`parse`] at every read is the
/// strict choice: it reports an error at the first read that contains it.
///
/// Feed it the whole buffer received so far each time (it keeps no reference to it).
///
/// ```
/// use meshroute::sniff::{Config, Sniffer, Status};
///
/// let mut sniffer = Sniffer::new(Config::default());
/// let hello = [22, 3, 1, 0, 100, 1, 0, 0, 96]; // the first 9 bytes of a 105-byte hello
/// assert_eq!(sniffer.feed(&hello), Ok(Status::Partial(96)));
/// // Nothing is parsed until 96 more bytes are there.
/// assert_eq!(sniffer.feed(&[&hello[..], &[0; 50]].concat()), Ok(Status::Partial(46)));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Sniffer {
    config: Config,
    want: usize,
}

impl Sniffer {
    /// A sniffer for a new connection.
    pub const fn new(config: Config) -> Self {
        Sniffer { config, want: 0 }
    }

    /// Parses `buf` (everything received so far) unless the last answer already proved that
    /// more bytes are needed.
    ///
    /// # Errors
    ///
    /// As [`parse`].
    pub fn feed<'a>(&mut self, buf: &'a [u8]) -> Result<Status<ClientHello<'a>>, Error> {
        if buf.len() < self.want {
            return Ok(Status::Partial(self.want - buf.len()));
        }
        let status = parse(buf, &self.config)?;
        if let Status::Partial(n) = status {
            self.want = buf.len() + n;
        }
        Ok(status)
    }
}

// The rules both paths share: `flat.rs` reads a contiguous message, `records.rs` one that
// crosses records, and each asks these for every decision that is not about where bytes are.

/// ALPN, supported_versions and ECH may each appear once (RFC 8446 §4.2).
fn once(seen: bool, ty: u16) -> Result<(), Error> {
    if seen {
        Err(Error::DuplicateExtension(ty))
    } else {
        Ok(())
    }
}

/// The `server_name` body's framing: its length `len` and the list length it starts with
/// (`None` when `len` is under 2). False when the policy tolerated an empty extension or list:
/// there is then nothing to read.
fn server_name_list(
    list: Option<usize>,
    len: usize,
    policy: Policy,
    issue: &mut Option<NameError>,
) -> Result<bool, Error> {
    if len == 0 {
        policy.empty_name.apply(NameError::Empty, issue)?;
        return Ok(false);
    }
    match list {
        Some(list) if list + 2 == len => {
            if list == 0 {
                policy.empty_name.apply(NameError::Empty, issue)?;
            }
            Ok(list != 0)
        }
        _ => Err(Error::Malformed(Field::ServerNameList)),
    }
}

/// What to do with one `server_name` list entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entry {
    /// Skip it by its length.
    Skip,
    /// It is the host name.
    Take,
}

/// Judges one list entry of type `name_type` and `n` bytes, `have` telling whether a host name
/// was already taken.
#[inline]
fn server_name_entry(
    name_type: u8,
    n: usize,
    have: bool,
    policy: Policy,
    issue: &mut Option<NameError>,
) -> Result<Entry, Error> {
    if name_type != 0 {
        policy
            .unknown_name_type
            .apply(NameError::UnknownNameType, issue)?;
        return Ok(Entry::Skip);
    }
    if have {
        policy
            .multiple_names
            .apply(NameError::MultipleNames, issue)?;
        return Ok(Entry::Skip);
    }
    if n > name::INLINE_MAX {
        // Longer than any DNS name.
        policy.invalid_name.apply(NameError::TooLong, issue)?;
    }
    Ok(Entry::Take)
}

/// The ALPN body of `n` bytes holds a `list`-byte protocol list of at least one name.
fn alpn_len(list: usize, n: usize) -> Result<(), Error> {
    if list + 2 != n || list < 2 {
        return Err(Error::Malformed(Field::Alpn));
    }
    Ok(())
}

/// A contiguous ALPN protocol list: non-empty names that end exactly at its end.
fn alpn_protocols(list: &[u8]) -> Result<(), Error> {
    let mut i = 0;
    while let Some(&p) = list.get(i) {
        if p == 0 {
            return Err(Error::Malformed(Field::Alpn));
        }
        i += 1 + usize::from(p);
    }
    if i == list.len() {
        Ok(())
    } else {
        Err(Error::Malformed(Field::Alpn))
    }
}

/// The supported_versions body of `n` bytes starts with the length of its list of 2-byte
/// versions (`None` when the body is empty).
fn versions_len(list: Option<usize>, n: usize) -> Result<(), Error> {
    match list {
        Some(list) if list + 1 == n && list >= 2 && list % 2 == 0 => Ok(()),
        _ => Err(Error::Malformed(Field::SupportedVersions)),
    }
}

/// Validates the name found, if any, against the policy.
fn validate_name(policy: Policy, hello: &mut ClientHello<'_>) -> Result<(), Error> {
    if let Some(name) = &hello.name {
        hello.host_len = name::validate(name.as_bytes(), policy, &mut hello.issue)?;
    }
    Ok(())
}
