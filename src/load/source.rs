//! Phase one of loading: each file read and parsed into trees. A load decodes each file
//! before reading the next, until one holds a Kubernetes manifest or Helm values: from there
//! every file is read and parsed before those are decoded, so that what one file says about a
//! cluster (its Helm values) is known when another file's manifests are decoded.
//!
//! A source's trees borrow their strings from its text (`'a`); a source kept after its text
//! is gone (until a whole load is read) owns them ([`Source::into_owned`]).

use std::path::{Path, PathBuf};

use crate::load::error::{Diagnostic, DiagnosticKind};
use crate::model::document::Format;
use crate::syntax::tree::{Limits, Node, SyntaxError};

/// One input read, not parsed yet: its format and text, or the diagnostic that stopped it.
pub(crate) struct Text {
    /// The file (`None` for a string).
    pub(crate) file: Option<PathBuf>,
    /// The format and the text.
    pub(crate) text: Result<(Format, String), Diagnostic>,
}

impl Text {
    /// An input that stopped at `d` (it could not be read, or was not read on purpose),
    /// which names its file.
    pub(crate) fn failed(d: Diagnostic) -> Self {
        Self {
            file: d.file.clone(),
            text: Err(d),
        }
    }

    /// The text parsed into its documents, borrowing from it.
    pub(crate) fn parse(&self, limits: &Limits) -> Source<'_> {
        match &self.text {
            Ok((format, src)) => parse(src, *format, self.file.as_deref(), limits),
            Err(d) => failed(d.clone()),
        }
    }
}

/// One input read and parsed: its format and documents, or the diagnostic that stopped it.
pub(crate) struct Source<'a> {
    /// The file (`None` for a string).
    pub(crate) file: Option<PathBuf>,
    /// The format and the documents, in source order.
    pub(crate) docs: Result<(Format, Vec<SourceDoc<'a>>), Diagnostic>,
}

/// One document of a source.
pub(crate) struct SourceDoc<'a> {
    /// Its number in a multi-document YAML stream (from 1), when the stream holds more than
    /// one document.
    pub(crate) index: Option<u32>,
    /// The tree.
    pub(crate) tree: Node<'a>,
}

impl Source<'_> {
    /// The file, as diagnostics name it.
    pub(crate) fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The same source owning its trees' strings, free of its text.
    pub(crate) fn into_owned(self) -> Source<'static> {
        let docs = self.docs.map(|(format, docs)| {
            let docs = docs
                .into_iter()
                .map(|d| SourceDoc {
                    index: d.index,
                    tree: d.tree.into_owned(),
                })
                .collect();
            (format, docs)
        });
        Source {
            file: self.file,
            docs,
        }
    }
}

/// Parses `src` in `format` into its documents: one for HCL and JSON, one per document of a
/// YAML stream.
pub(crate) fn parse<'a>(
    src: &'a str,
    format: Format,
    file: Option<&Path>,
    limits: &Limits,
) -> Source<'a> {
    let docs = parse_docs(src, format, limits)
        .map(|docs| (format, docs))
        .map_err(|e| {
            let document = error_document(src, format, e.pos.line);
            let mut d = syntax_diagnostic(e).in_file(file);
            d.document = document;
            d
        });
    Source {
        file: file.map(Path::to_path_buf),
        docs,
    }
}

/// The document of a YAML stream where its syntax error is (the error stops the stream
/// before its documents are numbered; it names its document all the same).
#[cfg(feature = "yaml")]
fn error_document(src: &str, format: Format, line: u32) -> Option<u32> {
    (format == Format::Yaml)
        .then(|| crate::syntax::yaml::document_of_line(src, line))
        .flatten()
}

#[cfg(not(feature = "yaml"))]
fn error_document(_src: &str, _format: Format, _line: u32) -> Option<u32> {
    None
}

fn parse_docs<'a>(
    src: &'a str,
    format: Format,
    limits: &Limits,
) -> Result<Vec<SourceDoc<'a>>, SyntaxError> {
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

/// A source that stopped at `d` (it could not be read, or was not read on purpose), which
/// names its file.
pub(crate) fn failed(d: Diagnostic) -> Source<'static> {
    Source {
        file: d.file.clone(),
        docs: Err(d),
    }
}
