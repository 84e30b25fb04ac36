//! Reading bytes and text with a size limit that holds while reading.
//!
//! Every input (a file, a symbolic link to a device, a FIFO, standard input) is read through
//! [`read_bounded`], which stops one byte past the limit: a size reported by the file system
//! is a hint, never trusted, and an endless stream costs at most `limit + 1` bytes.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::load::error::{Diagnostic, DiagnosticKind};
use crate::model::document::Format;
use crate::syntax::tree::Pos;

/// Why [`read_bounded`] returned no bytes.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadError {
    /// The reader failed: its error, as the operating system gave it.
    Io(std::io::Error),
    /// The input holds more than `limit` bytes (reading stopped one byte past the limit).
    OverLimit {
        /// The limit, in bytes.
        limit: usize,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "cannot read: {e}"),
            Self::OverLimit { limit } => write!(f, "over the limit of {limit} bytes"),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            Self::OverLimit { .. } => None,
        }
    }
}

/// Reads everything `reader` holds, at most `limit` bytes: reading stops one byte past the
/// limit, so an endless or huge stream (`/dev/zero`, a pipe) costs at most `limit + 1` bytes.
///
/// ```
/// use meshroute::load::{ReadError, read_bounded};
///
/// assert_eq!(read_bounded(&b"hello"[..], 5)?, b"hello");
/// let endless = std::io::repeat(b'x');
/// assert!(matches!(read_bounded(endless, 1024), Err(ReadError::OverLimit { limit: 1024 })));
/// # Ok::<(), ReadError>(())
/// ```
///
/// # Errors
///
/// [`ReadError::OverLimit`] when there are more than `limit` bytes, [`ReadError::Io`] when
/// the reader fails.
pub fn read_bounded<R: Read>(reader: R, limit: usize) -> Result<Vec<u8>, ReadError> {
    read_with_hint(reader, limit, 0)
}

/// [`read_bounded`] with room for `hint` bytes reserved first (a file's reported size).
fn read_with_hint<R: Read>(reader: R, limit: usize, hint: u64) -> Result<Vec<u8>, ReadError> {
    let room = usize::try_from(hint).unwrap_or(usize::MAX).min(limit);
    let mut bytes = Vec::with_capacity(room.saturating_add(1));
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(cap)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() > limit {
        return Err(ReadError::OverLimit { limit });
    }
    Ok(bytes)
}

/// An error about a whole input that could not be read: located in no line, and
/// [`Diagnostic::is_unreadable`].
pub(crate) fn unreadable(kind: DiagnosticKind, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(kind, Pos::default(), "", message).unreadable()
}

/// The diagnostic for a [`ReadError`] (`what` names the input: `file`, `input`).
fn read_error(e: &ReadError, what: &str) -> Diagnostic {
    match e {
        ReadError::Io(e) => io_error(e),
        ReadError::OverLimit { limit } => unreadable(
            DiagnosticKind::Limit,
            format!("{what} is over the limit of {limit} bytes"),
        ),
    }
}

/// The diagnostic for an I/O error, its cause as the operating system gave it.
pub(crate) fn io_error(e: &std::io::Error) -> Diagnostic {
    unreadable(DiagnosticKind::Io, format!("cannot read: {e}"))
}

/// The text of `reader`, within `limit` bytes and UTF-8 (`what` names it in messages).
pub(crate) fn text<R: Read>(reader: R, limit: usize, what: &str) -> Result<String, Diagnostic> {
    let bytes = read_bounded(reader, limit).map_err(|e| read_error(&e, what))?;
    utf8(bytes, what)
}

/// The format (by extension) and the text of the file at `path`, within `limit` bytes and
/// UTF-8. A regular file's reported size is checked first; every file is read bounded.
pub(crate) fn file_text(path: &Path, limit: usize) -> Result<(Format, String), Diagnostic> {
    let format = Format::from_path(path).ok_or_else(|| {
        unreadable(
            DiagnosticKind::Io,
            "unknown file extension (expected .hcl, .json, .yaml or .yml)",
        )
    })?;
    Ok((format, file_text_as(path, limit)?))
}

/// The text of the file at `path`, within `limit` bytes and UTF-8, whatever its extension.
pub(crate) fn file_text_as(path: &Path, limit: usize) -> Result<String, Diagnostic> {
    let file = File::open(path).map_err(|e| io_error(&e))?;
    let len = file.metadata().map_err(|e| io_error(&e))?.len();
    if len > limit as u64 {
        let message = format!("file is {len} bytes, over the limit of {limit} bytes");
        return Err(unreadable(DiagnosticKind::Limit, message));
    }
    let bytes = read_with_hint(file, limit, len).map_err(|e| read_error(&e, "file"))?;
    utf8(bytes, "file")
}

/// `bytes` as text, or an error at the line and column of the first byte that is not UTF-8.
pub(crate) fn utf8(bytes: Vec<u8>, what: &str) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let found = match e.utf8_error().error_len() {
            Some(_) => format!("the byte 0x{:02x}", bytes[at]),
            None => "a character cut short by the end of the input".to_owned(),
        };
        let message = format!("{what} is not UTF-8: expected a character, found {found}");
        let pos = position(&bytes[..at]);
        Diagnostic::error(DiagnosticKind::Syntax, pos, "", message).unreadable()
    })
}

/// The line and column just after `before` (valid UTF-8): lines from 1, columns in characters
/// from 1.
fn position(before: &[u8]) -> Pos {
    let lines = before.split(|&b| b == b'\n');
    let (count, last) = lines.fold((0, &before[..0]), |(n, _), l| (n + 1, l));
    let column = last.iter().filter(|&&b| (b & 0xC0) != 0x80).count() + 1;
    Pos::new(clamp(count), clamp(column))
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        let mut counted = CountingReader::default();
        let r = read_bounded(&mut counted, 100);
        assert!(matches!(r, Err(ReadError::OverLimit { limit: 100 })));
        assert_eq!(counted.served, 101);
        assert_eq!(read_bounded(&b"0123456789"[..], 10).unwrap().len(), 10);
    }

    /// An endless reader that counts the bytes it served.
    #[derive(Default)]
    struct CountingReader {
        served: usize,
    }

    impl Read for CountingReader {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            buf.fill(b'x');
            self.served += buf.len();
            Ok(buf.len())
        }
    }

    #[test]
    fn invalid_utf8_is_located_by_line_and_column() {
        let d = utf8(b"a = 1\nb = \"\xc3\xa9\xff\"".to_vec(), "file").unwrap_err();
        assert_eq!((d.line(), d.column()), (2, 7));
        assert_eq!(
            d.message(),
            "file is not UTF-8: expected a character, found the byte 0xff"
        );
        assert!(d.is_unreadable());
        let d = utf8(b"ab\xe2\x82".to_vec(), "input").unwrap_err();
        assert_eq!((d.line(), d.column()), (1, 3));
        assert!(
            d.message()
                .ends_with("found a character cut short by the end of the input")
        );
    }
}
