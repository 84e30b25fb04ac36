//! Loading files, directories and strings into [`Document`]s.
//!
//! Phases two to four of reading: the generic tree from [`crate::syntax`] is normalized and
//! decoded into the typed models of [`crate::model`] with key paths (`decode`, one decoder
//! per document kind, over the shared decoding context of `context`), Consul's validation
//! rules run on the result (`validate`), and every problem becomes a located
//! [`Diagnostic`] ([`error`]). Inside this folder the calls go one way: decode → validate →
//! context.

use std::io::Read;
use std::path::Path;

mod context;
mod decode;
pub mod error;
mod read;
mod validate;
mod walk;

pub use context::MAX_DIAGNOSTICS_PER_FILE;
pub use read::{ReadError, read_bounded};

use crate::load::error::{Diagnostic, DiagnosticKind, LoadError};
use crate::model::document::{Document, Format};
use crate::syntax::tree::{Limits, Node, SyntaxError};

/// Reads documents with limits. `Loader::default()` is what [`from_str`] uses.
#[derive(Clone, Debug, Default)]
pub struct Loader {
    limits: Limits,
}

/// What a load produced: the documents that loaded, and every problem found.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Loaded {
    /// The documents, in file order then source order.
    pub documents: Vec<Document>,
    /// Every error and warning, in file order then source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The documents, or every diagnostic when any is an error.
    ///
    /// # Errors
    ///
    /// A [`LoadError`] holding every diagnostic when any of them is an error.
    pub fn into_result(self) -> Result<Vec<Document>, LoadError> {
        if self.has_errors() {
            let mut diagnostics = self.diagnostics;
            diagnostics.sort_by_key(Diagnostic::severity);
            Err(LoadError { diagnostics })
        } else {
            Ok(self.documents)
        }
    }
}

impl Loader {
    /// A loader with the default [`Limits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The same loader with other limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Loads one document text in `format`; `file` names it in diagnostics.
    pub fn load_str(&self, src: &str, format: Format, file: Option<&Path>) -> Loaded {
        let mut out = Loaded::default();
        self.load_into(src, format, file, &mut out);
        out
    }

    /// Loads one file, its format taken from its extension. The file is read whatever it is
    /// (a FIFO or a device too), never more than [`Limits::max_bytes`] of it.
    pub fn load_file(&self, path: &Path) -> Loaded {
        let mut out = Loaded::default();
        self.load_file_into(path, &mut out);
        out
    }

    /// Loads one file in `format`, whatever its extension (a `.conf` file, say), read as
    /// [`Loader::load_file`] reads.
    pub fn load_file_as(&self, path: &Path, format: Format) -> Loaded {
        let mut out = Loaded::default();
        match read::file_text_as(path, self.limits.max_bytes) {
            Ok(src) => self.load_owned(src, format, Some(path), &mut out),
            Err(d) => out.diagnostics.push(d.in_file(Some(path))),
        }
        out
    }

    /// Loads one document in `format` from `reader` (standard input, a socket, any stream),
    /// reading at most [`Limits::max_bytes`] of it: more is an error found while reading, so
    /// an endless stream costs no more than the limit. `file` names it in diagnostics.
    ///
    /// ```
    /// use meshroute::tree::Limits;
    /// use meshroute::{Format, Loader};
    ///
    /// let loader = Loader::new().with_limits(Limits::default().with_max_bytes(1024));
    /// let loaded = loader.load_reader(std::io::repeat(b' '), Format::Json, None);
    /// let d = &loaded.diagnostics[0];
    /// assert_eq!(d.message(), "input is over the limit of 1024 bytes");
    /// assert!(d.is_unreadable());
    /// ```
    pub fn load_reader<R: Read>(&self, reader: R, format: Format, file: Option<&Path>) -> Loaded {
        let mut out = Loaded::default();
        match read::text(reader, self.limits.max_bytes, "input") {
            Ok(src) => self.load_owned(src, format, file, &mut out),
            Err(d) => out.diagnostics.push(d.in_file(file)),
        }
        out
    }

    /// Loads files and directories, each file once (by device and inode, whatever path or
    /// link leads to it). Directories are searched recursively, in name order, for `.hcl`,
    /// `.json`, `.yaml` and `.yml` files; a symbolic link to a directory is followed once, a
    /// link back to a directory that contains it (a cycle) is reported and not followed, and
    /// special files (FIFOs, sockets, devices) found in a directory are skipped with a
    /// warning; a path given here is read whatever it is. A file or directory that cannot be
    /// read is reported at its own path, with the operating system's cause, and the search
    /// goes on.
    ///
    /// [`Loader::load_paths_each`] does the same without collecting the documents.
    pub fn load_paths<P: AsRef<Path>>(&self, paths: &[P]) -> Loaded {
        let mut documents = Vec::new();
        let diagnostics = self.load_paths_each(paths, |d| documents.push(d));
        Loaded {
            documents,
            diagnostics,
        }
    }

    /// [`Loader::load_paths`], handing each document to `sink` as soon as its file is
    /// decoded, in the same order, and returning the diagnostics. Only one file's text and
    /// tree are in memory at a time, and nothing is kept of the documents here: a sink that
    /// turns them into something smaller (a `TopologyBuilder`, say) never holds them all.
    ///
    /// ```
    /// use meshroute::{Loader, Topology};
    ///
    /// let mut builder = Topology::builder();
    /// let diagnostics = Loader::new().load_paths_each(&["examples"], |d| {
    ///     builder.add_document(d);
    /// });
    /// assert!(diagnostics.iter().all(|d| !d.is_error()));
    /// let topology = builder.build();
    /// assert_eq!(topology.resolve().len(), 8);
    /// ```
    pub fn load_paths_each<P: AsRef<Path>>(
        &self,
        paths: &[P],
        mut sink: impl FnMut(Document),
    ) -> Vec<Diagnostic> {
        let mut out = Loaded::default();
        let mut seen = walk::Seen::default();
        for p in paths {
            let p = p.as_ref();
            let meta = match std::fs::metadata(p) {
                Ok(m) => m,
                Err(e) => {
                    out.diagnostics.push(read::io_error(&e).in_file(Some(p)));
                    continue;
                }
            };
            let id = walk::FileId::of(p, &meta);
            if meta.is_dir() {
                let mut walk = walk::Walk::new(&mut seen);
                walk.dir(p, id);
                for found in walk.found {
                    match found {
                        Ok(f) => self.load_file_each(&f, &mut out, &mut sink),
                        Err(d) => out.diagnostics.push(d),
                    }
                }
            } else {
                match seen.file(id, p) {
                    Ok(()) => self.load_file_each(p, &mut out, &mut sink),
                    Err(d) => out.diagnostics.push(d),
                }
            }
        }
        out.diagnostics
    }

    /// Loads one file into `out`, then hands its documents to `sink`.
    fn load_file_each(&self, path: &Path, out: &mut Loaded, sink: &mut impl FnMut(Document)) {
        self.load_file_into(path, out);
        out.documents.drain(..).for_each(sink);
    }

    fn load_file_into(&self, path: &Path, out: &mut Loaded) {
        match read::file_text(path, self.limits.max_bytes) {
            Ok((format, src)) => self.load_owned(src, format, Some(path), out),
            Err(d) => out.diagnostics.push(d.in_file(Some(path))),
        }
    }

    fn load_into(&self, src: &str, format: Format, file: Option<&Path>, out: &mut Loaded) {
        if let Some(tree) = self.tree(src, format, file, out) {
            Self::decode_into(&tree, format, file, out);
        }
    }

    /// [`Loader::load_into`] for a text read here: the text is dropped once its tree is
    /// built (the tree owns what it needs), so the two are never in memory with the
    /// documents.
    fn load_owned(&self, src: String, format: Format, file: Option<&Path>, out: &mut Loaded) {
        let tree = self.tree(&src, format, file, out);
        drop(src);
        if let Some(tree) = tree {
            Self::decode_into(&tree, format, file, out);
        }
    }

    /// The tree of `src`, or `None` with its syntax error in `out`.
    fn tree(
        &self,
        src: &str,
        format: Format,
        file: Option<&Path>,
        out: &mut Loaded,
    ) -> Option<Node> {
        match parse_tree(src, format, &self.limits) {
            Ok(t) => Some(t),
            Err(e) => {
                let kind = if e.over_limit {
                    DiagnosticKind::Limit
                } else {
                    DiagnosticKind::Syntax
                };
                out.diagnostics
                    .push(Diagnostic::error(kind, e.pos, "", e.message).in_file(file));
                None
            }
        }
    }

    /// Decodes and validates `tree` into documents and diagnostics.
    fn decode_into(tree: &Node, format: Format, file: Option<&Path>, out: &mut Loaded) {
        let start = out.diagnostics.len();
        let docs = crate::load::decode::decode_document(tree, &mut out.diagnostics);
        for d in &mut out.diagnostics[start..] {
            d.file = file.map(Path::to_path_buf);
        }
        // Room for exactly these: a vector of 584-byte documents grown one by one keeps room
        // for up to twice as many.
        out.documents.reserve_exact(docs.len());
        out.documents
            .extend(docs.into_iter().map(|content| Document {
                file: file.map(Path::to_path_buf),
                format,
                content,
            }));
    }
}

/// Reads `src` in `format` into the generic tree, without decoding it.
///
/// # Errors
///
/// A [`SyntaxError`] when the text is not valid in that format, or over the limits.
pub fn parse_tree(src: &str, format: Format, limits: &Limits) -> Result<Node, SyntaxError> {
    // Each reader applies the size limit itself (`Limits::check_len`), first.
    match format {
        Format::Hcl => crate::syntax::hcl::parse(src, limits),
        Format::Json => crate::syntax::json::parse(src, limits),
        #[cfg(feature = "yaml")]
        Format::Yaml => crate::syntax::yaml::parse(src, limits),
        #[cfg(not(feature = "yaml"))]
        Format::Yaml => Err(SyntaxError::new(
            crate::syntax::tree::Pos::default(),
            "YAML support is not compiled in (enable the `yaml` feature)",
        )),
    }
}

/// Loads one document text with the default limits.
///
/// ```
/// use meshroute::{Format, MeshGatewayMode, load};
///
/// let docs = load::from_str(
///     r#"{"Kind": "proxy-defaults", "Name": "global", "MeshGateway": {"Mode": "local"}}"#,
///     Format::Json,
/// )?;
/// let entry = docs[0].as_config_entry().unwrap();
/// assert_eq!(entry.kind(), "proxy-defaults");
/// # Ok::<(), meshroute::LoadError>(())
/// ```
///
/// # Errors
///
/// A [`LoadError`] with every problem found when the text has any error.
pub fn from_str(src: &str, format: Format) -> Result<Vec<Document>, LoadError> {
    Loader::new().load_str(src, format, None).into_result()
}
