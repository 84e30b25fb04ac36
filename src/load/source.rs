//! Phase one of loading for a whole load: every file read and parsed into trees before any
//! is decoded, so that what one file says about a Kubernetes cluster (its Helm values) is
//! known when another file's manifests are decoded.

use std::path::{Path, PathBuf};

use crate::load::error::{Diagnostic, DiagnosticKind};
use crate::model::document::Format;
use crate::syntax::tree::{Limits, Node, Pos, SyntaxError};

/// One input read and parsed: its format and documents, or the diagnostic that stopped it.
pub(crate) struct Source {
    /// The file (`None` for a string).
    pub(crate) file: Option<PathBuf>,
    /// The format and the documents, in source order.
    pub(crate) docs: Result<(Format, Vec<SourceDoc>), Diagnostic>,
}

/// One document of a source.
pub(crate) struct SourceDoc {
    /// Its number in a multi-document YAML stream (from 1), when the stream holds more than
    /// one document.
    pub(crate) index: Option<u32>,
    /// The tree.
    pub(crate) tree: Node,
}

impl Source {
    /// The file, as diagnostics name it.
    pub(crate) fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }
}

/// Parses `src` in `format` into its documents: one for HCL and JSON, one per document of a
/// YAML stream.
pub(crate) fn parse(src: &str, format: Format, file: Option<&Path>, limits: &Limits) -> Source {
    let docs = parse_docs(src, format, limits)
        .map(|docs| (format, docs))
        .map_err(|e| syntax_diagnostic(e).in_file(file));
    Source {
        file: file.map(Path::to_path_buf),
        docs,
    }
}

fn parse_docs(src: &str, format: Format, limits: &Limits) -> Result<Vec<SourceDoc>, SyntaxError> {
    #[cfg(feature = "yaml")]
    if format == Format::Yaml {
        let stream = crate::syntax::yaml::parse_stream(src, limits)?;
        let many = stream.len() > 1;
        return Ok(stream
            .into_iter()
            .map(|d| SourceDoc {
                index: many.then_some(d.index),
                tree: d.tree,
            })
            .collect());
    }
    let tree = crate::load::parse_tree(src, format, limits)?;
    Ok(vec![SourceDoc { index: None, tree }])
}

fn syntax_diagnostic(e: SyntaxError) -> Diagnostic {
    let kind = if e.over_limit {
        DiagnosticKind::Limit
    } else {
        DiagnosticKind::Syntax
    };
    Diagnostic::error(kind, e.pos, "", e.message)
}

/// A source that could not be read at all.
pub(crate) fn unreadable(file: &Path, d: Diagnostic) -> Source {
    Source {
        file: Some(file.to_path_buf()),
        docs: Err(d.in_file(Some(file))),
    }
}

/// The file's format (by extension) and text, within the size limit and UTF-8.
pub(crate) fn read(path: &Path, limits: &Limits) -> Result<(Format, String), Diagnostic> {
    let format = Format::from_path(path).ok_or_else(|| {
        Diagnostic::error(
            DiagnosticKind::Io,
            Pos::default(),
            "",
            "unknown file extension (expected .hcl, .json, .yaml or .yml)",
        )
    })?;
    Ok((format, read_text(path, limits)?))
}

/// The file's text, within the size limit and UTF-8.
pub(crate) fn read_text(path: &Path, limits: &Limits) -> Result<String, Diagnostic> {
    let len = std::fs::metadata(path).map_err(|e| io_error(&e))?.len();
    if len > limits.max_bytes as u64 {
        let message = format!(
            "file is {len} bytes, over the limit of {} bytes",
            limits.max_bytes
        );
        return Err(Diagnostic::error(
            DiagnosticKind::Limit,
            Pos::default(),
            "",
            message,
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| io_error(&e))?;
    let src = String::from_utf8(bytes).map_err(|e| {
        let message = format!(
            "file is not valid UTF-8 (at byte {})",
            e.utf8_error().valid_up_to()
        );
        Diagnostic::error(DiagnosticKind::Syntax, Pos::default(), "", message)
    })?;
    Ok(src)
}

/// `cannot read: …`.
pub(crate) fn io_error(e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        DiagnosticKind::Io,
        Pos::default(),
        "",
        format!("cannot read: {e}"),
    )
}

/// Every file below `dir` with a known extension, in name order, recursively.
pub(crate) fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
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
