//! The general path: a handshake message read through a [`Cursor`] that crosses records,
//! for a hello split across records or cut short. The same checks, in the same order, with the
//! same answers as the slice path in `flat.rs`; both take their rules from `mod.rs`.

use super::config::{Config, Policy};
use super::cursor::{Cursor, Stop};
use super::error::{Error, Field, NameError};
use super::hello::{ClientHello, Span};
use super::name::{self, Bytes};
use super::{
    EXT_ALPN, EXT_ECH, EXT_PRE_SHARED_KEY, EXT_SERVER_NAME, EXT_SUPPORTED_VERSIONS, Entry,
    alpn_len, alpn_protocols, flat, once, server_name_entry, server_name_list, validate_name,
    versions_len,
};

/// Parses the handshake message into `hello` (filled in place: it is large); `total` gets the
/// message's length once its header is read.
pub(super) fn message<'a>(
    cur: &mut Cursor<'a>,
    config: &Config,
    total: &mut Option<usize>,
    hello: &mut ClientHello<'a>,
) -> Result<(), Stop> {
    let len = if let Some(&[ty, a, b, c]) = cur.peek(4) {
        if ty != 1 {
            return Err(Error::NotClientHello.into());
        }
        cur.skip(4)?;
        usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c)
    } else {
        // The header itself straddles records or is cut short.
        if cur.u8()? != 1 {
            return Err(Error::NotClientHello.into());
        }
        let hi = usize::from(cur.u8()?);
        (hi << 16) | usize::from(cur.u16()?)
    };
    let end = 4 + len;
    if end > config.max_hello_len() {
        return Err(Error::HelloTooLarge.into());
    }
    *total = Some(end);
    hello.message_len = end;
    let policy = *config.policy();
    // (A message wholly in the first record and present took the slice path in `parse`.)
    hello.legacy_version = fixed_fields(cur, end)?;
    if cur.off() < end {
        extensions(cur, end, policy, hello)?;
    }
    validate_name(policy, hello)?;
    hello.records = cur.records;
    hello.len = cur.pos();
    Ok(())
}

/// Fails with `field` unless `n` more bytes fit before the logical offset `end`.
#[inline]
fn fits(cur: &Cursor<'_>, n: usize, end: usize, field: Field) -> Result<(), Stop> {
    if cur.off() + n <= end {
        Ok(())
    } else {
        Err(Stop::Err(Error::Malformed(field)))
    }
}

/// Checks that `n` bytes fit (else `field` is malformed) and skips them.
fn skip_within(cur: &mut Cursor<'_>, n: usize, end: usize, field: Field) -> Result<(), Stop> {
    fits(cur, n, end, field)?;
    cur.skip(n)
}

/// Legacy version, random, session id, cipher suites and compression methods: the version.
fn fixed_fields(cur: &mut Cursor<'_>, end: usize) -> Result<u16, Stop> {
    fits(cur, 2, end, Field::LegacyVersion)?;
    let legacy_version = cur.u16()?;
    skip_within(cur, 32, end, Field::Random)?;
    fits(cur, 1, end, Field::SessionId)?;
    let sid = usize::from(cur.u8()?);
    if sid > 32 {
        return Err(Error::Malformed(Field::SessionId).into());
    }
    skip_within(cur, sid, end, Field::SessionId)?;
    fits(cur, 2, end, Field::CipherSuites)?;
    let suites = usize::from(cur.u16()?);
    if suites < 2 || suites % 2 != 0 {
        return Err(Error::Malformed(Field::CipherSuites).into());
    }
    skip_within(cur, suites, end, Field::CipherSuites)?;
    fits(cur, 1, end, Field::CompressionMethods)?;
    let comp = usize::from(cur.u8()?);
    if comp == 0 {
        return Err(Error::Malformed(Field::CompressionMethods).into());
    }
    skip_within(cur, comp, end, Field::CompressionMethods)?;
    Ok(legacy_version)
}

/// The extensions block: as a slice when it is contiguous and present, else extension by
/// extension.
fn extensions<'a>(
    cur: &mut Cursor<'a>,
    end: usize,
    policy: Policy,
    hello: &mut ClientHello<'a>,
) -> Result<(), Stop> {
    fits(cur, 2, end, Field::Extensions)?;
    let exts = usize::from(cur.u16()?);
    if cur.off() + exts != end {
        return Err(Error::Malformed(Field::Extensions).into());
    }
    if let Some(block) = cur.peek(exts) {
        flat::extensions(block, policy, hello)?;
        return cur.skip(exts);
    }
    let mut seen_sni = false;
    while cur.off() < end {
        extension(cur, end, policy, &mut seen_sni, hello)?;
    }
    Ok(())
}

/// One extension, header and body.
fn extension<'a>(
    cur: &mut Cursor<'a>,
    end: usize,
    policy: Policy,
    seen_sni: &mut bool,
    hello: &mut ClientHello<'a>,
) -> Result<(), Stop> {
    fits(cur, 4, end, Field::ExtensionLength)?;
    let ty = cur.u16()?;
    let n = usize::from(cur.u16()?);
    fits(cur, n, end, Field::ExtensionLength)?;
    match ty {
        EXT_SERVER_NAME if *seen_sni => {
            policy
                .duplicate_extension
                .apply(NameError::DuplicateExtension, &mut hello.issue)?;
            cur.skip(n)
        }
        EXT_SERVER_NAME => {
            *seen_sni = true;
            if let Some(body) = cur.peek(n) {
                flat::server_name(body, policy, &mut hello.issue, &mut hello.name)?;
                return cur.skip(n);
            }
            server_name(cur, n, policy, hello)
        }
        EXT_ALPN => {
            once(hello.alpn.is_some(), ty)?;
            hello.alpn = Some(alpn(cur, n)?);
            Ok(())
        }
        EXT_SUPPORTED_VERSIONS => {
            once(hello.versions.is_some(), ty)?;
            fits(cur, 1, cur.off() + n, Field::SupportedVersions)?;
            let list = usize::from(cur.u8()?);
            versions_len(Some(list), n)?;
            hello.versions = Some(Span::Records {
                cur: *cur,
                len: list,
            });
            cur.skip(list)
        }
        EXT_ECH => {
            once(hello.ech, ty)?;
            hello.ech = true;
            cur.skip(n)
        }
        EXT_PRE_SHARED_KEY if cur.off() + n != end => {
            Err(Error::Malformed(Field::PreSharedKey).into())
        }
        _ => cur.skip(n),
    }
}

/// The `server_name` extension body (`len` bytes) across records. Puts the chosen
/// `host_name` in `hello.name`, or, when it is longer than the inline buffer and split across
/// records, where it is in `hello.long_name`.
fn server_name<'a>(
    cur: &mut Cursor<'a>,
    len: usize,
    policy: Policy,
    hello: &mut ClientHello<'a>,
) -> Result<(), Stop> {
    let end = cur.off() + len;
    let list = if len >= 2 {
        Some(usize::from(cur.u16()?))
    } else {
        None
    };
    if !server_name_list(list, len, policy, &mut hello.issue)? {
        return Ok(());
    }
    while cur.off() < end {
        fits(cur, 3, end, Field::HostName)?;
        let name_type = cur.u8()?;
        let n = usize::from(cur.u16()?);
        fits(cur, n, end, Field::HostName)?;
        let have = hello.name.is_some() || hello.long_name.is_some();
        match server_name_entry(name_type, n, have, policy, &mut hello.issue)? {
            Entry::Skip => cur.skip(n)?,
            // Longer than any DNS name: borrowed if it can be, else where it is (too long to
            // reassemble inline, but sent all the same).
            Entry::Take if n > name::INLINE_MAX => {
                let at = *cur;
                match cur.take_borrowed(n)? {
                    Some(b) => hello.name = Some(Bytes::Borrowed(b)),
                    None => hello.long_name = Some(Span::Records { cur: at, len: n }),
                }
            }
            Entry::Take => cur.take_into(n, &mut hello.name)?,
        }
    }
    Ok(())
}

/// The ALPN extension body (`n` bytes) across records: its protocol list, checked.
fn alpn<'a>(cur: &mut Cursor<'a>, n: usize) -> Result<Span<'a>, Stop> {
    let ext_end = cur.off() + n;
    fits(cur, 2, ext_end, Field::Alpn)?;
    let list = usize::from(cur.u16()?);
    alpn_len(list, n)?;
    let span = Span::Records {
        cur: *cur,
        len: list,
    };
    if let Some(protocols) = cur.peek(list) {
        alpn_protocols(protocols)?;
        cur.skip(list)?;
        return Ok(span);
    }
    while cur.off() < ext_end {
        let p = usize::from(cur.u8()?);
        if p == 0 {
            return Err(Error::Malformed(Field::Alpn).into());
        }
        skip_within(cur, p, ext_end, Field::Alpn)?;
    }
    Ok(span)
}
