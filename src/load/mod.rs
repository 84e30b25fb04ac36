//! Loading files, directories and strings into [`Document`]s.
//!
//! Phases two to four of reading: the generic tree from [`crate::syntax`] is normalized and
//! decoded into the typed models of [`crate::model`] with key paths (`decode`, one decoder
//! per document kind, over the shared decoding context of `context`), Consul's validation
//! rules run on the result (`validate`), and every problem becomes a located
//! [`Diagnostic`] ([`error`]). Inside this folder the calls go one way: decode → validate →
//! context.

use std::path::{Path, PathBuf};

mod context;
mod decode;
pub mod error;
mod validate;

use crate::load::error::{Diagnostic, DiagnosticKind, LoadError};
use crate::model::document::{Document, Format};
use crate::syntax::tree::{Limits, Node, Pos, SyntaxError};

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

    /// Loads one file, its format taken from its extension.
    pub fn load_file(&self, path: &Path) -> Loaded {
        let mut out = Loaded::default();
        self.load_file_into(path, &mut out);
        out
    }

    /// Loads one file in `format`, whatever its extension (a `.conf` file, say).
    pub fn load_file_as(&self, path: &Path, format: Format) -> Loaded {
        let mut out = Loaded::default();
        match self.read_text(path) {
            Ok(src) => self.load_into(&src, format, Some(path), &mut out),
            Err(d) => out.diagnostics.push(d.in_file(Some(path))),
        }
        out
    }

    /// Loads files and directories; directories are searched recursively, in name order, for
    /// `.hcl`, `.json`, `.yaml` and `.yml` files.
    pub fn load_paths<P: AsRef<Path>>(&self, paths: &[P]) -> Loaded {
        let mut out = Loaded::default();
        for p in paths {
            let p = p.as_ref();
            if p.is_dir() {
                let mut files = Vec::new();
                if let Err(e) = collect_files(p, &mut files) {
                    out.diagnostics.push(io_error(p, &e));
                }
                for f in files {
                    self.load_file_into(&f, &mut out);
                }
            } else {
                self.load_file_into(p, &mut out);
            }
        }
        out
    }

    fn load_file_into(&self, path: &Path, out: &mut Loaded) {
        match self.read_file(path) {
            Ok((format, src)) => self.load_into(&src, format, Some(path), out),
            Err(d) => out.diagnostics.push(d.in_file(Some(path))),
        }
    }

    /// The format (by extension) and the text of the file at `path`, within the size limit
    /// and UTF-8.
    fn read_file(&self, path: &Path) -> Result<(Format, String), Diagnostic> {
        let format = Format::from_path(path).ok_or_else(|| {
            Diagnostic::error(
                DiagnosticKind::Io,
                Pos::default(),
                "",
                "unknown file extension (expected .hcl, .json, .yaml or .yml)",
            )
        })?;
        Ok((format, self.read_text(path)?))
    }

    /// The text of the file at `path`, within the size limit and UTF-8.
    fn read_text(&self, path: &Path) -> Result<String, Diagnostic> {
        let len = std::fs::metadata(path)
            .map_err(|e| io_error(path, &e))?
            .len();
        if len > self.limits.max_bytes as u64 {
            let message = format!(
                "file is {len} bytes, over the limit of {} bytes",
                self.limits.max_bytes
            );
            return Err(Diagnostic::error(
                DiagnosticKind::Limit,
                Pos::default(),
                "",
                message,
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
        String::from_utf8(bytes).map_err(|e| {
            let message = format!(
                "file is not valid UTF-8 (at byte {})",
                e.utf8_error().valid_up_to()
            );
            Diagnostic::error(DiagnosticKind::Syntax, Pos::default(), "", message)
        })
    }

    fn load_into(&self, src: &str, format: Format, file: Option<&Path>, out: &mut Loaded) {
        let tree = match parse_tree(src, format, &self.limits) {
            Ok(t) => t,
            Err(e) => {
                let kind = if e.over_limit {
                    DiagnosticKind::Limit
                } else {
                    DiagnosticKind::Syntax
                };
                out.diagnostics
                    .push(Diagnostic::error(kind, e.pos, "", e.message).in_file(file));
                return;
            }
        };
        let start = out.diagnostics.len();
        let docs = crate::load::decode::decode_document(&tree, &mut out.diagnostics);
        for d in &mut out.diagnostics[start..] {
            d.file = file.map(Path::to_path_buf);
        }
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
            Pos::default(),
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

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        DiagnosticKind::Io,
        Pos::default(),
        "",
        format!("cannot read: {e}"),
    )
    .in_file(Some(path))
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_files(&p, out)?;
        } else if Format::from_path(&p).is_some() {
            out.push(p);
        }
    }
    Ok(())
}
