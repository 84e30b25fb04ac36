//! Problems found while loading: where (file, line, column, key path), what, and a hint.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::ser::Serializer;

use crate::syntax::tree::Pos;
use crate::text::Escaped;

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
/// It serializes to the [`Problem`] object every `meshroute` command prints in its JSON
/// `errors` and `warnings`: `code` (the [`DiagnosticKind`]'s name), `source` (`load`),
/// `severity`, `message`, `file` (the path as displayed, or null), `line`, `column` (null when
/// unknown), `path` (the key path, null for the whole document) and `suggestion` (or null);
/// in a multi-document YAML stream, `document` (its number in the stream, from 1) follows
/// `file`.
///
/// ```
/// use meshroute::{Format, Loader};
///
/// let src = r#"{"Kind": "proxy-defaults", "Nmae": "global"}"#;
/// let loaded = Loader::new().load_str(src, Format::Json, None);
/// assert_eq!(
///     serde_json::to_value(&loaded.diagnostics[0])?,
///     serde_json::json!({
///         "code": "unknown-key",
///         "source": "load",
///         "severity": "error",
///         "message": "invalid config key \"Nmae\"",
///         "file": null,
///         "line": 1,
///         "column": 28,
///         "path": "Nmae",
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
    /// Whether the whole input could not be read (see [`Diagnostic::is_unreadable`]).
    pub(crate) unreadable: bool,
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
            unreadable: false,
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

    /// The same diagnostic, saying that its input could not be read at all.
    #[must_use]
    pub(crate) fn unreadable(mut self) -> Self {
        self.unreadable = true;
        self
    }

    /// Whether this error says that its input could not be read at all, so nothing of it was
    /// loaded: the file or directory does not exist or cannot be opened or read (the cause as
    /// the operating system gives it), is over the size limit, is not UTF-8, or has a file
    /// extension that names no format. Problems found *inside* a directory are located at
    /// the file or subdirectory they concern, not at the directory.
    pub fn is_unreadable(&self) -> bool {
        self.unreadable
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
            Some(file) => write!(f, "{}", Escaped(&file.to_string_lossy()))?,
            None => f.write_str("<input>")?,
        }
        write!(f, ":{}:{}: ", self.1.line, self.1.column)
    }
}

impl fmt::Display for Diagnostic {
    /// `FILE:LINE:COL: KEY.PATH: message (did you mean "…"?)`, leaving out what is unknown;
    /// `document N: ` follows the location in a multi-document stream; control characters
    /// escaped ([`Escaped`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Location(self.file.as_deref(), self.pos))?;
        if let Some(n) = self.document {
            write!(f, "document {n}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", Escaped(&self.path))?;
        }
        write!(f, "{}", Escaped(&self.message))?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean \"{}\"?)", Escaped(s))?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

impl Serialize for Diagnostic {
    /// As its [`Problem`].
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Problem::from(self).serialize(s)
    }
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Self {
        Problem {
            path: Some(d.path.clone()).filter(|p| !p.is_empty()),
            suggestion: d.suggestion.clone(),
            document: d.document,
            ..Problem::new(d.kind.as_str(), Source::Load, d.severity, d.message.clone())
                .at(d.file.as_deref(), d.pos)
        }
    }
}

/// Which stage of the work found a [`Problem`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Source {
    /// The caller, about its own arguments and inputs (a path that does not exist, no
    /// documents at all, a datacenter that is not among the inputs).
    Caller,
    /// Loading and validating the documents ([`Diagnostic`]s).
    Load,
    /// A preflight check (its code is the check's name).
    Check,
    /// Building the topology or resolving routes (its code is the warning's kind).
    Topology,
    /// A mesh gateway's decision for a server name (a reject reason).
    Gateway,
    /// Reading a TLS ClientHello.
    ClientHello,
}

impl Source {
    /// The kebab-case name: `caller`, `load`, `check`, `topology`, `gateway`, `client-hello`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Caller => "caller",
            Self::Load => "load",
            Self::Check => "check",
            Self::Topology => "topology",
            Self::Gateway => "gateway",
            Self::ClientHello => "client-hello",
        }
    }
}

impl Serialize for Source {
    /// As its name, [`Source::as_str`].
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Any error or warning, in one shape: load diagnostics, preflight findings, topology and
/// route warnings, a gateway's reject reason, a caller's own problems.
///
/// It serializes with every key present, in this order: `code` (a stable kebab-case name),
/// `source`, `severity`, `message`, `file`, `line`, `column`, `path` (a key path) and
/// `suggestion`; what is unknown is `null`. [`Diagnostic`], [`Finding`](crate::Finding) and
/// [`Warning`](crate::Warning) serialize as their `Problem`.
///
/// ```
/// use meshroute::{Problem, Severity, Source};
///
/// let p = Problem::new("no-documents", Source::Caller, Severity::Error, "nothing to read");
/// assert_eq!(
///     serde_json::to_string(&p)?,
///     r#"{"code":"no-documents","source":"caller","severity":"error","message":"nothing to read","file":null,"line":null,"column":null,"path":null,"suggestion":null}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Problem {
    /// The stable machine name of what is wrong (`unknown-key`, `gateway-missing`, …).
    pub code: String,
    /// Which stage found it.
    pub source: Source,
    /// Error, warning or note.
    pub severity: Severity,
    /// What is wrong, without location.
    pub message: String,
    /// The file it concerns, when known.
    #[serde(serialize_with = "ser_path")]
    pub file: Option<PathBuf>,
    /// The document's number in a multi-document YAML stream (from 1); the key is present
    /// only then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<u32>,
    /// The line (1-based), when known.
    pub line: Option<u32>,
    /// The column (1-based), when known.
    pub column: Option<u32>,
    /// The key path it concerns (`MeshGateway.Mode`), when it concerns one.
    pub path: Option<String>,
    /// A did-you-mean suggestion, when one is close.
    pub suggestion: Option<String>,
}

#[allow(clippy::ref_option)] // serde's `serialize_with` passes a reference to the field
fn ser_path<S: Serializer>(file: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
    match file {
        Some(f) => s.serialize_some(&f.display().to_string()),
        None => s.serialize_none(),
    }
}

impl Problem {
    /// A problem with no location.
    pub fn new(
        code: impl Into<String>,
        source: Source,
        severity: Severity,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code: code.into(),
            source,
            severity,
            message: message.into(),
            file: None,
            document: None,
            line: None,
            column: None,
            path: None,
            suggestion: None,
        }
    }

    /// The same problem, located in `file` at `pos` (a line or column of 0 is unknown).
    #[must_use]
    pub fn at(mut self, file: Option<&Path>, pos: Pos) -> Self {
        self.file = file.map(Path::to_path_buf);
        self.line = known(pos.line);
        self.column = known(pos.column);
        self
    }

    /// Its fields, borrowed (what the JSON writer reads).
    pub(crate) fn borrowed(&self) -> ProblemRef<'_> {
        ProblemRef {
            code: &self.code,
            source: self.source,
            severity: self.severity,
            message: &self.message,
            file: self.file.as_deref(),
            document: self.document,
            line: self.line,
            column: self.column,
            path: self.path.as_deref(),
            suggestion: self.suggestion.as_deref(),
        }
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A line or column of 0 is unknown.
fn known(n: u32) -> Option<u32> {
    Some(n).filter(|n| *n > 0)
}

/// A [`Problem`]'s fields, borrowed: from a problem, or from what would make one (a topology
/// warning) without its three allocations. What the JSON writer reads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProblemRef<'a> {
    pub(crate) code: &'a str,
    pub(crate) source: Source,
    pub(crate) severity: Severity,
    pub(crate) message: &'a str,
    pub(crate) file: Option<&'a Path>,
    pub(crate) document: Option<u32>,
    pub(crate) line: Option<u32>,
    pub(crate) column: Option<u32>,
    pub(crate) path: Option<&'a str>,
    pub(crate) suggestion: Option<&'a str>,
}

impl<'a> ProblemRef<'a> {
    /// As [`Problem::new`].
    pub(crate) fn new(code: &'a str, source: Source, severity: Severity, message: &'a str) -> Self {
        Self {
            code,
            source,
            severity,
            message,
            file: None,
            document: None,
            line: None,
            column: None,
            path: None,
            suggestion: None,
        }
    }

    /// As [`Problem::at`].
    #[must_use]
    pub(crate) fn at(mut self, file: Option<&'a Path>, pos: Pos) -> Self {
        self.file = file;
        self.line = known(pos.line);
        self.column = known(pos.column);
        self
    }

    /// The problem these fields are.
    pub(crate) fn to_problem(self) -> Problem {
        Problem {
            code: self.code.to_owned(),
            source: self.source,
            severity: self.severity,
            message: self.message.to_owned(),
            file: self.file.map(Path::to_path_buf),
            document: self.document,
            line: self.line,
            column: self.column,
            path: self.path.map(str::to_owned),
            suggestion: self.suggestion.map(str::to_owned),
        }
    }
}

impl fmt::Display for Problem {
    /// `FILE:LINE:COL: PATH: message`, leaving out what is unknown, with `warning: ` (or
    /// `note: `) after the location of warnings (notes), `document N: ` in a multi-document
    /// stream, and `[check-name] ` before the path of a check's finding; control characters
    /// escaped ([`Escaped`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}:", Escaped(&file.to_string_lossy()))?;
            if let Some(line) = self.line {
                write!(f, "{line}:")?;
                if let Some(column) = self.column {
                    write!(f, "{column}:")?;
                }
            }
            f.write_str(" ")?;
        }
        match self.severity {
            Severity::Error => {}
            Severity::Note => f.write_str("note: ")?,
            _ => f.write_str("warning: ")?,
        }
        if let Some(n) = self.document {
            write!(f, "document {n}: ")?;
        }
        if self.source == Source::Check {
            write!(f, "[{}] ", self.code)?;
        }
        if let Some(path) = &self.path {
            write!(f, "{}: ", Escaped(path))?;
        }
        write!(f, "{}", Escaped(&self.message))?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean \"{}\"?)", Escaped(s))?;
        }
        Ok(())
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
