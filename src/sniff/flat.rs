//! The common case: a handshake message wholly in its first record and present, read as one
//! slice with one bounds check per field and per extension. The same checks, in the same
//! order, with the same answers as the record-crossing path in `records.rs`; both take their
//! rules from `mod.rs`.

use super::config::Policy;
use super::error::{Error, Field, NameError};
use super::hello::{ClientHello, Span};
use super::name::Bytes;
use super::{
    EXT_ALPN, EXT_ECH, EXT_PRE_SHARED_KEY, EXT_SERVER_NAME, EXT_SUPPORTED_VERSIONS, Entry,
    alpn_len, alpn_protocols, once, server_name_entry, server_name_list, versions_len,
};

/// The message body (after its 4-byte header).
pub(super) fn body<'a>(
    msg: &'a [u8],
    policy: Policy,
    hello: &mut ClientHello<'a>,
) -> Result<(), Error> {
    let Some(&[v0, v1]) = msg.get(..2) else {
        return Err(Error::Malformed(Field::LegacyVersion));
    };
    hello.legacy_version = u16::from_be_bytes([v0, v1]);
    let p = fixed_fields(msg)?;
    if p == msg.len() {
        return Ok(());
    }
    let Some(&[e0, e1]) = msg.get(p..p + 2) else {
        return Err(Error::Malformed(Field::Extensions));
    };
    if p + 2 + usize::from(u16::from_be_bytes([e0, e1])) != msg.len() {
        return Err(Error::Malformed(Field::Extensions));
    }
    extensions(&msg[p + 2..], policy, hello)
}

/// Random, session id, cipher suites and compression methods: the offset just past them.
fn fixed_fields(msg: &[u8]) -> Result<usize, Error> {
    let end = msg.len();
    // The field named when the message ends before `at`, or at it.
    let cut = |at: usize, before: Field, at_field: Field| {
        Error::Malformed(if at > end { before } else { at_field })
    };
    let Some(&sid) = msg.get(34) else {
        return Err(cut(34, Field::Random, Field::SessionId));
    };
    let sid = usize::from(sid);
    if sid > 32 {
        return Err(Error::Malformed(Field::SessionId));
    }
    let mut p = 35 + sid;
    let Some(&[c0, c1]) = msg.get(p..p + 2) else {
        return Err(cut(p, Field::SessionId, Field::CipherSuites));
    };
    let suites = usize::from(u16::from_be_bytes([c0, c1]));
    if suites < 2 || suites % 2 != 0 {
        return Err(Error::Malformed(Field::CipherSuites));
    }
    p += 2 + suites;
    let Some(&comp) = msg.get(p) else {
        return Err(cut(p, Field::CipherSuites, Field::CompressionMethods));
    };
    p += 1 + usize::from(comp);
    if comp == 0 || p > end {
        return Err(Error::Malformed(Field::CompressionMethods));
    }
    Ok(p)
}

/// The extensions block when it is contiguous and present (also used by `records.rs` when
/// the block is). The ALPN and versions spans it keeps are slices.
pub(super) fn extensions<'a>(
    block: &'a [u8],
    policy: Policy,
    hello: &mut ClientHello<'a>,
) -> Result<(), Error> {
    let mut seen_sni = false;
    let mut i = 0;
    // The header read is the loop test: a block that ends inside one fails after the loop.
    while let Some(&[t0, t1, l0, l1]) = block.get(i..i + 4) {
        // One load for type and length.
        let head = u32::from_be_bytes([t0, t1, l0, l1]);
        #[allow(clippy::cast_possible_truncation)] // the high half
        let ty = (head >> 16) as u16;
        let start = i + 4;
        let stop = start + (head & 0xffff) as usize;
        let Some(body) = block.get(start..stop) else {
            return Err(Error::Malformed(Field::ExtensionLength));
        };
        i = stop;
        match ty {
            EXT_SERVER_NAME if seen_sni => policy
                .duplicate_extension
                .apply(NameError::DuplicateExtension, &mut hello.issue)?,
            EXT_SERVER_NAME => {
                seen_sni = true;
                server_name(body, policy, &mut hello.issue, &mut hello.name)?;
            }
            EXT_ALPN => {
                once(hello.alpn.is_some(), ty)?;
                alpn(body)?;
                hello.alpn = Some(Span::Flat(body.get(2..).unwrap_or_default()));
            }
            EXT_SUPPORTED_VERSIONS => {
                once(hello.versions.is_some(), ty)?;
                versions_len(body.first().map(|&l| usize::from(l)), body.len())?;
                hello.versions = Some(Span::Flat(body.get(1..).unwrap_or_default()));
            }
            EXT_ECH => {
                once(hello.ech, ty)?;
                hello.ech = true;
            }
            EXT_PRE_SHARED_KEY if stop != block.len() => {
                return Err(Error::Malformed(Field::PreSharedKey));
            }
            _ => {}
        }
    }
    if i == block.len() {
        Ok(())
    } else {
        Err(Error::Malformed(Field::ExtensionLength))
    }
}

/// A `server_name` extension body that is contiguous and present: the same checks, in the
/// same order, as `records::server_name`, on a slice. Puts the chosen `host_name` in `found`.
#[allow(clippy::inline_always)] // measured: 5% fewer instructions per hello, called once
#[inline(always)]
pub(super) fn server_name<'a>(
    body: &'a [u8],
    policy: Policy,
    issue: &mut Option<NameError>,
    found: &mut Option<Bytes<'a>>,
) -> Result<(), Error> {
    let list = body
        .get(..2)
        .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])));
    if !server_name_list(list, body.len(), policy, issue)? {
        return Ok(());
    }
    let mut i = 2;
    while i < body.len() {
        let Some(&[name_type, hi, lo]) = body.get(i..i + 3) else {
            return Err(Error::Malformed(Field::HostName));
        };
        let n = usize::from(u16::from_be_bytes([hi, lo]));
        let Some(name) = body.get(i + 3..i + 3 + n) else {
            return Err(Error::Malformed(Field::HostName));
        };
        i += 3 + n;
        if server_name_entry(name_type, n, found.is_some(), policy, issue)? == Entry::Take {
            *found = Some(Bytes::Borrowed(name));
        }
    }
    Ok(())
}

/// An ALPN extension body that is contiguous and present.
fn alpn(body: &[u8]) -> Result<(), Error> {
    let Some(&[a, b]) = body.get(..2) else {
        return Err(Error::Malformed(Field::Alpn));
    };
    alpn_len(usize::from(u16::from_be_bytes([a, b])), body.len())?;
    alpn_protocols(&body[2..])
}
