//! Finding the files to read under a directory: each file once, whatever links lead to it.
//!
//! The walk goes depth first in name order and visits a directory once, recognised by its
//! device and inode (the canonical path where the platform has no inodes): a symbolic link to
//! a directory is followed the first time, and a link back to a directory that contains it (a
//! cycle) or to one already read is reported and not followed. Special files (FIFOs, sockets,
//! devices) found in a walk are skipped with a warning, never opened: opening a FIFO blocks
//! until something writes to it. Every error is reported at the path where it happened, with
//! the operating system's cause, and the walk goes on with the next entry.

use std::collections::HashMap;
use std::fs::{self, FileType, Metadata};
use std::path::{Path, PathBuf};

use crate::load::error::{Diagnostic, DiagnosticKind};
use crate::load::read;
use crate::model::document::Format;
use crate::syntax::tree::Pos;

/// What identifies a file or directory whatever path leads to it.
#[cfg(unix)]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct FileId(u64, u64);

/// What identifies a file or directory whatever path leads to it.
#[cfg(not(unix))]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct FileId(PathBuf);

impl FileId {
    /// The identity of what `path` (whose metadata, links followed, is `meta`) names.
    #[cfg(unix)]
    pub(crate) fn of(_path: &Path, meta: &Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        Self(meta.dev(), meta.ino())
    }

    /// The identity of what `path` (whose metadata, links followed, is `meta`) names.
    #[cfg(not(unix))]
    pub(crate) fn of(path: &Path, _meta: &Metadata) -> Self {
        Self(fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }
}

/// The files and directories one load has already visited, by identity, with the path each
/// was first reached by.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    dirs: HashMap<FileId, PathBuf>,
    files: HashMap<FileId, PathBuf>,
}

impl Seen {
    /// Records the file `id` found at `path`; a warning naming the first path when it was
    /// already found.
    pub(crate) fn file(&mut self, id: FileId, path: &Path) -> Result<(), Diagnostic> {
        if let Some(first) = self.files.get(&id) {
            let message = format!("the same file as {}: read once", first.display());
            return Err(warning(path, message));
        }
        self.files.insert(id, path.to_path_buf());
        Ok(())
    }
}

/// What one entry of a directory is, links followed.
enum Step {
    /// A directory to walk.
    Dir(FileId),
    /// A file to read.
    File(FileId),
    /// Nothing to read here (reported, when it needed to be).
    Skip,
}

/// A directory being walked: its identity and the entries not visited yet.
struct Frame {
    id: FileId,
    entries: std::vec::IntoIter<(PathBuf, FileType)>,
}

/// One walk: in walk order, the files to read (`Ok`) and the problems found on the way
/// (`Err`, each at the path it concerns).
pub(crate) struct Walk<'s> {
    seen: &'s mut Seen,
    /// What was found, in walk order.
    pub(crate) found: Vec<Result<PathBuf, Diagnostic>>,
}

impl<'s> Walk<'s> {
    /// A walk that records what it visits in `seen`.
    pub(crate) fn new(seen: &'s mut Seen) -> Self {
        Self {
            seen,
            found: Vec::new(),
        }
    }

    /// Walks the directory `root` (identity `id`), depth first in name order.
    pub(crate) fn dir(&mut self, root: &Path, id: FileId) {
        if !self.enter(root, &id, &[]) {
            return;
        }
        let mut stack: Vec<Frame> = self
            .list(root)
            .map(|e| Frame { id, entries: e })
            .into_iter()
            .collect();
        while let Some(top) = stack.last_mut() {
            let Some((path, ty)) = top.entries.next() else {
                stack.pop();
                continue;
            };
            match self.step(&path, ty) {
                Step::Dir(id) => {
                    if self.enter(&path, &id, &stack) {
                        stack.extend(self.list(&path).map(|e| Frame { id, entries: e }));
                    }
                }
                Step::File(id) => {
                    let found = self.seen.file(id, &path).map(|()| path);
                    self.found.push(found);
                }
                Step::Skip => {}
            }
        }
    }

    /// Whether to walk the directory `path` (identity `id`) under the open `stack`: not when
    /// it contains `path` (a cycle) or was walked already, each reported.
    fn enter(&mut self, path: &Path, id: &FileId, stack: &[Frame]) -> bool {
        let Some(first) = self.seen.dirs.get(id) else {
            self.seen.dirs.insert(id.clone(), path.to_path_buf());
            return true;
        };
        let message = if stack.iter().any(|f| f.id == *id) {
            format!(
                "a link to {}, which contains it: a cycle, not followed",
                first.display()
            )
        } else {
            format!("the same directory as {}: read once", first.display())
        };
        self.found.push(Err(warning(path, message)));
        false
    }

    /// The entries of the directory `dir` in name order, or `None` (reported) when it cannot
    /// be listed. An entry that cannot be read is reported and left out.
    fn list(&mut self, dir: &Path) -> Option<std::vec::IntoIter<(PathBuf, FileType)>> {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                self.found.push(Err(dir_error(dir, &e)));
                return None;
            }
        };
        let mut out = Vec::new();
        for entry in entries {
            match entry.and_then(|e| Ok((e.path(), e.file_type()?))) {
                Ok(e) => out.push(e),
                Err(e) => self.found.push(Err(dir_error(dir, &e))),
            }
        }
        out.sort_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
        Some(out.into_iter())
    }

    /// What the entry at `path` (of type `ty`, links not followed) is, links followed.
    fn step(&mut self, path: &Path, ty: FileType) -> Step {
        let wanted = Format::from_path(path).is_some();
        if ty.is_file() && !wanted {
            return Step::Skip;
        }
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                // A broken link that names no config file is like any other file we skip; a
                // link that cannot be followed for another reason (a loop) is said, as a
                // warning unless it names a config file.
                if ty.is_dir() {
                    self.found.push(Err(dir_error(path, &e)));
                } else if wanted {
                    self.found.push(Err(read::io_error(&e).in_file(Some(path))));
                } else if e.kind() != std::io::ErrorKind::NotFound {
                    let message = format!("cannot follow the link: {e}; skipped");
                    self.found.push(Err(warning(path, message)));
                }
                return Step::Skip;
            }
        };
        let id = FileId::of(path, &meta);
        if meta.is_dir() {
            Step::Dir(id)
        } else if !wanted {
            Step::Skip
        } else if meta.is_file() {
            Step::File(id)
        } else {
            let message = format!(
                "{}: skipped (a directory's special files are not opened; name it to read it)",
                special_kind(&meta)
            );
            self.found.push(Err(warning(path, message)));
            Step::Skip
        }
    }
}

/// An error reading the directory `dir`, with the operating system's cause.
fn dir_error(dir: &Path, e: &std::io::Error) -> Diagnostic {
    read::unreadable(
        DiagnosticKind::Io,
        format!("cannot read the directory: {e}"),
    )
    .in_file(Some(dir))
}

/// A warning about `path` found in a walk.
fn warning(path: &Path, message: String) -> Diagnostic {
    Diagnostic::warning(DiagnosticKind::Io, Pos::default(), "", message).in_file(Some(path))
}

/// What kind of special file `meta` describes: `a FIFO`, `a socket`, `a device`.
fn special_kind(meta: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let ty = meta.file_type();
        if ty.is_fifo() {
            return "a FIFO";
        } else if ty.is_socket() {
            return "a socket";
        } else if ty.is_block_device() || ty.is_char_device() {
            return "a device";
        }
    }
    let _ = meta;
    "not a regular file"
}
