//! A forward reader over the bytes of one handshake message spread across TLS records.
//!
//! Record headers are read lazily, when a read crosses the end of the current record, so the
//! common single-record hello costs one bounds check per read and no record bookkeeping.

use super::error::{Error, Field};
use super::name::{Bytes, INLINE_MAX};

/// The largest legal TLS plaintext record.
pub(crate) const MAX_RECORD: usize = 1 << 14;
/// A record header: type, version, length.
pub(crate) const HEADER: usize = 5;
/// The handshake record content type.
pub(crate) const HANDSHAKE: u8 = 22;

/// Why a read stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The input ends first.
    More,
    /// The input is wrong.
    Err(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Err(e)
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    /// Absolute position of the next handshake byte.
    pos: usize,
    /// Absolute end of the current record's payload (may lie beyond `buf`).
    frag_end: usize,
    /// `min(frag_end, buf.len())`: the fast paths need one comparison.
    lim: usize,
    /// `pos - off`: the logical offset is derived, so reads update one counter.
    base: usize,
    /// Records entered so far.
    pub(crate) records: usize,
}

// Profiling showed the fast paths left as calls: they must inline into the parser.
#[allow(clippy::inline_always)]
impl<'a> Cursor<'a> {
    /// A cursor at the start of the payload of the record whose header is at 0 and whose
    /// payload is `len` bytes long (already validated by the caller).
    pub(crate) fn new(buf: &'a [u8], len: usize) -> Self {
        let frag_end = HEADER + len;
        Cursor {
            buf,
            pos: HEADER,
            frag_end,
            lim: frag_end.min(buf.len()),
            base: HEADER,
            records: 1,
        }
    }

    /// A cursor over bytes already known to be contiguous (no record headers): offsets are
    /// positions in `bytes`.
    pub(crate) fn flat(bytes: &'a [u8]) -> Self {
        Cursor {
            buf: bytes,
            pos: 0,
            frag_end: bytes.len(),
            lim: bytes.len(),
            base: 0,
            records: 1,
        }
    }

    /// Handshake bytes consumed so far (the logical offset in the message).
    #[inline(always)]
    pub(crate) fn off(&self) -> usize {
        self.pos - self.base
    }

    /// Absolute position just past the last byte consumed.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Enters the next record, whose header starts at `frag_end`.
    #[cold]
    #[inline(never)]
    fn next_record(&mut self) -> Result<(), Stop> {
        let h = self.frag_end;
        let Some(hdr) = self.buf.get(h..h + HEADER) else {
            self.pos = h;
            return Err(Stop::More);
        };
        if hdr[0] != HANDSHAKE || hdr[1] != 3 {
            return Err(Error::Malformed(Field::RecordType).into());
        }
        let len = usize::from(u16::from_be_bytes([hdr[3], hdr[4]]));
        if len == 0 {
            return Err(Error::Malformed(Field::RecordLength).into());
        }
        if len > MAX_RECORD {
            return Err(Error::RecordOverflow.into());
        }
        self.pos = h + HEADER;
        self.base += HEADER;
        self.frag_end = self.pos + len;
        self.lim = self.frag_end.min(self.buf.len());
        self.records += 1;
        Ok(())
    }

    /// The next `n` bytes if they are contiguous and present, without consuming them.
    #[inline(always)]
    pub(crate) fn peek(&self, n: usize) -> Option<&'a [u8]> {
        if self.pos + n <= self.lim {
            self.buf.get(self.pos..self.pos + n)
        } else {
            None
        }
    }

    #[inline(always)]
    pub(crate) fn u8(&mut self) -> Result<u8, Stop> {
        if self.pos < self.lim
            && let Some(&b) = self.buf.get(self.pos)
        {
            self.pos += 1;
            return Ok(b);
        }
        self.u8_slow()
    }

    #[cold]
    #[inline(never)]
    fn u8_slow(&mut self) -> Result<u8, Stop> {
        if self.pos >= self.frag_end {
            self.next_record()?;
        }
        let b = *self.buf.get(self.pos).ok_or(Stop::More)?;
        self.pos += 1;
        Ok(b)
    }

    #[inline(always)]
    pub(crate) fn u16(&mut self) -> Result<u16, Stop> {
        if let Some(b) = self.peek(2) {
            self.pos += 2;
            return Ok(u16::from_be_bytes([b[0], b[1]]));
        }
        self.u16_slow()
    }

    #[cold]
    #[inline(never)]
    fn u16_slow(&mut self) -> Result<u16, Stop> {
        let hi = self.u8_slow()?;
        let lo = self.u8_slow()?;
        Ok(u16::from_be_bytes([hi, lo]))
    }

    #[inline(always)]
    pub(crate) fn skip(&mut self, n: usize) -> Result<(), Stop> {
        if self.pos + n <= self.lim {
            self.pos += n;
            return Ok(());
        }
        self.skip_slow(n)
    }

    #[cold]
    #[inline(never)]
    fn skip_slow(&mut self, mut n: usize) -> Result<(), Stop> {
        loop {
            let room = self.frag_end - self.pos;
            if n <= room {
                self.pos += n;
                return if self.pos <= self.buf.len() {
                    Ok(())
                } else {
                    Err(Stop::More)
                };
            }
            n -= room;
            self.pos = self.frag_end;
            self.next_record()?;
        }
    }

    /// Takes `n` bytes, borrowed if contiguous; `None` if they straddle a record boundary
    /// (the cursor is then past them).
    #[inline]
    pub(crate) fn take_borrowed(&mut self, n: usize) -> Result<Option<&'a [u8]>, Stop> {
        if let Some(b) = self.peek(n) {
            self.pos += n;
            return Ok(Some(b));
        }
        if self.pos + n <= self.frag_end {
            // Contiguous but not all here yet.
            return Err(Stop::More);
        }
        self.skip_slow(n)?;
        Ok(None)
    }

    /// Takes `n <= 255` bytes into `out`: borrowed if contiguous, else reassembled inline.
    /// Writes in place: the 255-byte inline variant is never moved around.
    pub(crate) fn take_into(&mut self, n: usize, out: &mut Option<Bytes<'a>>) -> Result<(), Stop> {
        let start = *self;
        if let Some(b) = self.take_borrowed(n)? {
            *out = Some(Bytes::Borrowed(b));
            return Ok(());
        }
        // Straddles: the bytes are all present (take_borrowed checked); copy them piecewise.
        *self = start;
        let len = n.min(INLINE_MAX);
        let buf = match out.insert(Bytes::Inline {
            buf: [0u8; INLINE_MAX],
            len: u8::try_from(len).unwrap_or(u8::MAX),
        }) {
            Bytes::Inline { buf, .. } => buf,
            Bytes::Borrowed(_) => return Ok(()),
        };
        let mut done = 0;
        while done < len {
            if self.pos >= self.frag_end {
                self.next_record()?;
            }
            let chunk = (self.frag_end - self.pos).min(len - done);
            let src = self.buf.get(self.pos..self.pos + chunk).ok_or(Stop::More)?;
            buf[done..done + chunk].copy_from_slice(src);
            done += chunk;
            self.pos += chunk;
        }
        Ok(())
    }

    /// Takes `n <= 255` bytes by value (for iterators over validated spans).
    pub(crate) fn take(&mut self, n: usize) -> Result<Bytes<'a>, Stop> {
        let mut out = None;
        self.take_into(n, &mut out)?;
        out.ok_or(Stop::More)
    }

    /// A lower bound on how many more input bytes are needed for the whole message, once its
    /// total length `total` (header included) is known.
    pub(crate) fn needed(&self, total: Option<usize>) -> usize {
        let have = self.buf.len();
        let end = match total {
            Some(total) => {
                let covered = self.off() + self.frag_end.saturating_sub(self.pos);
                if covered >= total {
                    self.frag_end.saturating_sub(covered - total)
                } else {
                    let rem = total - covered;
                    self.frag_end + rem + HEADER * rem.div_ceil(MAX_RECORD)
                }
            }
            None if self.pos < self.frag_end => self.pos + 1,
            None => self.frag_end + HEADER,
        };
        end.saturating_sub(have).max(1)
    }
}
