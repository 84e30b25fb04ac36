//! Problems found while loading: where (file, line, column, key path), what, and a hint.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::syntax::tree::Pos;

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// The document (or part of it) could not be loaded as Consul would load it.
    Error,
    /// Loaded, but worth a look.
    Warning,
    /// Information only: what was read differently or left out on purpose (a Kubernetes
    /// manifest that is not Consul's, a workload the injector leaves alone).
    Note,
}

impl Severity {
    /// The lowercase name: `error`, `warning` or `note`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Note => "note",
        }
    }
}

impl Serialize for Severity {
    /// As its name, [`Severity::as_str`].
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What kind of problem a [`Diagnostic`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// The file could not be read.
    Io,
    /// The format reader rejected the text.
    Syntax,
    /// Input over a size or nesting limit.
    Limit,
    /// A key the schema does not know (`invalid config key "…"`).
    UnknownKey,
    /// A value of the wrong type (a number where a string belongs, …).
    WrongType,
    /// A number out of range for its field.
    OutOfRange,
    /// An HCL interpolation or template (`${…}`) where a literal belongs.
    Interpolation,
    /// A list of several where one value is expected.
    TooMany,
    /// A mesh gateway mode string Consul does not know.
    InvalidMode,
    /// One of Consul's validation rules (the message is Consul's text).
    Invalid,
    /// A document that is none of the shapes this crate reads.
    UnknownDocument,
    /// A document read and left out on purpose: a Kubernetes manifest that is not Consul's,
    /// a workload the connect injector does not inject (a note).
    Skipped,
    /// A value a Nomad job computes when it runs (an interpolation, a variable), which
    /// cannot be evaluated offline.
    Unevaluated,
}

impl DiagnosticKind {
    /// The kebab-case name: `io`, `syntax`, `limit`, `unknown-key`, `wrong-type`,
    /// `out-of-range`, `interpolation`, `too-many`, `invalid-mode`, `invalid`,
    /// `unknown-document`, `skipped`, `unevaluated`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Io => "io",
            Self::Syntax => "syntax",
            Self::Limit => "limit",
            Self::UnknownKey => "unknown-key",
            Self::WrongType => "wrong-type",
            Self::OutOfRange => "out-of-range",
            Self::Interpolation => "interpolation",
            Self::TooMany => "too-many",
            Self::InvalidMode => "invalid-mode",
            Self::Invalid => "invalid",
            Self::UnknownDocument => "unknown-document",
            Self::Skipped => "skipped",
            Self::Unevaluated => "unevaluated",
        }
    }
}

impl Serialize for DiagnosticKind {
    /// As its name, [`DiagnosticKind::as_str`].
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One problem, located.
///
/// It serializes to the object `meshroute check --format json` prints for it, keys in this
/// order: `file` (the path as displayed, or null), `line`, `column`, `path` (the key path,
/// empty for the whole document), `message`, `suggestion` (or null). Severity and kind are
/// not in it: the CLI files a diagnostic under `errors` or `warnings` by severity. A
/// diagnostic in a multi-document YAML stream adds `document` (its number in the stream, from
/// 1) after `file`.
///
/// ```
/// use meshroute::{Format, Loader};
///
/// let src = r#"{"Kind": "proxy-defaults", "Nmae": "global"}"#;
/// let loaded = Loader::new().load_str(src, Format::Json, None);
/// assert_eq!(
///     serde_json::to_value(&loaded.diagnostics[0])?,
///     serde_json::json!({
///         "file": null,
///         "line": 1,
///         "column": 28,
///         "path": "Nmae",
///         "message": "invalid config key \"Nmae\"",
///         "suggestion": "Name",
///     })
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub(crate) severity: Severity,
    pub(crate) kind: DiagnosticKind,
    pub(crate) file: Option<PathBuf>,
    pub(crate) document: Option<u32>,
    pub(crate) pos: Pos,
    pub(crate) path: String,
    pub(crate) message: String,
    pub(crate) suggestion: Option<String>,
}

impl Diagnostic {
    /// An error of `kind` at `pos` and key `path`.
    pub fn error(
        kind: DiagnosticKind,
        pos: Pos,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Error,
            kind,
            file: None,
            document: None,
            pos,
            path: path.into(),
            message: message.into(),
            suggestion: None,
        }
    }

    /// A warning of `kind` at `pos` and key `path`.
    pub fn warning(
        kind: DiagnosticKind,
        pos: Pos,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(kind, pos, path, message)
        }
    }

    /// The same diagnostic, located in `file`.
    #[must_use]
    pub fn in_file(mut self, file: Option<&Path>) -> Self {
        self.file = file.map(Path::to_path_buf);
        self
    }

    /// A note (information only) of `kind` at `pos` and key `path`.
    pub fn note(
        kind: DiagnosticKind,
        pos: Pos,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Note,
            ..Self::error(kind, pos, path, message)
        }
    }

    /// The same diagnostic, located in document `index` (from 1) of a multi-document stream.
    #[must_use]
    pub fn in_document(mut self, index: Option<u32>) -> Self {
        self.document = index;
        self
    }

    /// The same diagnostic with a did-you-mean suggestion.
    #[must_use]
    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }

    /// Error or warning.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// What kind of problem.
    pub fn kind(&self) -> DiagnosticKind {
        self.kind
    }

    /// The file, when loaded from one.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The document's number in a multi-document YAML stream (from 1), when the file holds
    /// more than one.
    pub fn document(&self) -> Option<u32> {
        self.document
    }

    /// Line (1-based; 0 when the source gives none).
    pub fn line(&self) -> u32 {
        self.pos.line
    }

    /// Column (1-based; 0 when the source gives none).
    pub fn column(&self) -> u32 {
        self.pos.column
    }

    /// The position.
    pub fn pos(&self) -> Pos {
        self.pos
    }

    /// The key path, e.g. `service.connect.sidecar_service.proxy.upstreams[1].mesh_gateway.mode`
    /// (empty for the whole document).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The message, without location.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A did-you-mean suggestion (a key name), when one is close.
    pub fn suggestion(&self) -> Option<&str> {
        self.suggestion.as_deref()
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `FILE:LINE:COL: `, as every located message starts (`<input>` for no file).
pub(crate) struct Location<'a>(pub(crate) Option<&'a Path>, pub(crate) Pos);

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(file) => write!(f, "{}", file.display())?,
            None => f.write_str("<input>")?,
        }
        write!(f, ":{}:{}: ", self.1.line, self.1.column)
    }
}

impl fmt::Display for Diagnostic {
    /// `FILE:LINE:COL: KEY.PATH: message (did you mean "…"?)`, leaving out what is unknown;
    /// `document N: ` follows the location in a multi-document stream.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Location(self.file.as_deref(), self.pos))?;
        if let Some(n) = self.document {
            write!(f, "document {n}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean \"{s}\"?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

impl Serialize for Diagnostic {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = s.serialize_struct("Diagnostic", 6 + usize::from(self.document.is_some()))?;
        let file = self.file.as_ref().map(|f| f.display().to_string());
        o.serialize_field("file", &file)?;
        match self.document {
            Some(n) => o.serialize_field("document", &n)?,
            None => o.skip_field("document")?,
        }
        o.serialize_field("line", &self.pos.line)?;
        o.serialize_field("column", &self.pos.column)?;
        o.serialize_field("path", &self.path)?;
        o.serialize_field("message", &self.message)?;
        o.serialize_field("suggestion", &self.suggestion)?;
        o.end()
    }
}

/// A load that found errors: every diagnostic of the input, errors first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    /// Every diagnostic (errors and warnings).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Only the errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for d in self.errors() {
            if !first {
                f.write_str("\n")?;
            }
            first = false;
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}
