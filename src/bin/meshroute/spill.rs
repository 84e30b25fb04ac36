//! [`Spill`]: texts kept in a temporary file instead of memory, read back one at a time.
//!
//! `check --format json` echoes every document it loaded, but prints only once the topology
//! is built and checked; its documents' JSON (21 MB for 40,000 services) waits in a spill,
//! not next to the topology (docs/performance.md). The file is made in the temporary
//! directory (`TMPDIR`) and unlinked at once, so that nothing is left behind whatever
//! happens; the texts live in it as long as the [`Spill`] does.

use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::path::Path;

use serde::Serialize;
use serde_json::value::RawValue;

/// What a [`Spill`] serializes to: a JSON text no serializer writes (compact JSON holds no
/// newline), which the CLI's formatter replaces with the spilled texts as an array.
pub(crate) const MARK: &str = "[\n]";

/// Texts written one after the other, each after its length (8 bytes, little-endian).
#[derive(Debug)]
pub(crate) struct Spill {
    file: File,
    count: usize,
}

/// A [`Spill`] being written.
#[derive(Debug)]
pub(crate) struct SpillWriter {
    out: BufWriter<File>,
    count: usize,
}

impl SpillWriter {
    /// A new, empty spill in the temporary directory.
    ///
    /// # Errors
    ///
    /// When no file can be made (or unlinked) there.
    pub(crate) fn new() -> io::Result<Self> {
        Ok(Self {
            out: BufWriter::with_capacity(64 * 1024, unlinked_file(&std::env::temp_dir())?),
            count: 0,
        })
    }

    /// Appends `text`.
    pub(crate) fn push(&mut self, text: &[u8]) -> io::Result<()> {
        let len = u64::try_from(text.len()).map_err(io::Error::other)?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(text)?;
        self.count += 1;
        Ok(())
    }

    /// The texts written, to be read back.
    pub(crate) fn finish(self) -> io::Result<Spill> {
        let file = self
            .out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        Ok(Spill {
            file,
            count: self.count,
        })
    }
}

impl Spill {
    /// Calls `f` with each text, in the order written.
    ///
    /// # Errors
    ///
    /// When the file cannot be read back (or a text is not UTF-8), or `f` fails.
    pub(crate) fn each(&self, mut f: impl FnMut(&str) -> io::Result<()>) -> io::Result<()> {
        let mut file = &self.file;
        file.rewind()?;
        let mut input = BufReader::with_capacity(64 * 1024, file);
        let mut text = Vec::new();
        for _ in 0..self.count {
            let mut len = [0; 8];
            input.read_exact(&mut len)?;
            let len = usize::try_from(u64::from_le_bytes(len)).map_err(io::Error::other)?;
            text.clear();
            text.resize(len, 0);
            input.read_exact(&mut text)?;
            f(std::str::from_utf8(&text).map_err(io::Error::other)?)?;
        }
        Ok(())
    }
}

/// Serializes as [`MARK`] (a raw JSON text), which the formatter that prints it replaces.
impl Serialize for Spill {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mark: &RawValue = serde_json::from_str(MARK).map_err(serde::ser::Error::custom)?;
        mark.serialize(s)
    }
}

/// A new file in `dir`, readable and writable by this user only, already unlinked.
fn unlinked_file(dir: &Path) -> io::Result<File> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut last = None;
    for attempt in 0..16 {
        let name = format!(
            "meshroute-echo-{}-{stamp:08x}-{attempt}",
            std::process::id()
        );
        let path = dir.join(name);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(file) => {
                return match std::fs::remove_file(&path) {
                    Ok(()) => Ok(file),
                    Err(e) => {
                        // Closed first: a system that keeps open files may let it go then.
                        drop(file);
                        let _ = std::fs::remove_file(&path);
                        Err(e)
                    }
                };
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary file")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_read_back_in_order_every_time() {
        let texts = ["{\"a\":1}", "", "é\t\"x\"", "[\n]"];
        let mut w = SpillWriter::new().unwrap();
        for t in texts {
            w.push(t.as_bytes()).unwrap();
        }
        let spill = w.finish().unwrap();
        for _ in 0..2 {
            let mut back = Vec::new();
            spill
                .each(|t| {
                    back.push(t.to_owned());
                    Ok(())
                })
                .unwrap();
            assert_eq!(back, texts);
        }
    }

    #[test]
    fn nothing_is_left_in_the_directory() {
        let dir = std::env::temp_dir().join(format!("meshroute-spill-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = unlinked_file(&dir).unwrap();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        drop(file);
        std::fs::remove_dir(&dir).unwrap();
        assert!(unlinked_file(&dir).is_err());
    }
}
