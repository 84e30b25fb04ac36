//! [`Finding`]: one problem a check found, located.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::load::error::{Location, Problem, Severity, Source};
use crate::preflight::check::Check;
use crate::syntax::tree::Pos;
use crate::text::Escaped;
use crate::topology::placement::Loc;

/// One problem found by a check.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// Which check.
    pub check: Check,
    /// How serious ([`Check::default_severity`] unless changed).
    pub severity: Severity,
    /// The file it concerns (`None` for documents read from no file).
    pub file: Option<PathBuf>,
    /// Where in the file (line and column; `0` when unknown).
    pub pos: Pos,
    /// The key path it concerns, as load diagnostics give it
    /// (`MeshGateway.Mode`); empty when the finding concerns a whole setting or document.
    pub path: String,
    /// What is wrong and what to change.
    pub message: String,
}

impl Finding {
    /// A finding of `check` with its default severity.
    pub fn new(check: Check, file: Option<&Path>, pos: Pos, message: impl Into<String>) -> Self {
        Self {
            check,
            severity: check.default_severity(),
            file: file.map(Path::to_path_buf),
            pos,
            path: String::new(),
            message: message.into(),
        }
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Finding {
    /// `FILE:LINE:COL: [check-name] message`, with `warning: ` before the name of warnings
    /// and the key path, when there is one, before the message (`PATH: message`); control
    /// characters escaped ([`Escaped`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Location(self.file.as_deref(), self.pos))?;
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        write!(f, "[{}] ", self.check)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", Escaped(&self.path))?;
        }
        write!(f, "{}", Escaped(&self.message))
    }
}

impl Serialize for Finding {
    /// As its [`Problem`]: the check's name is the `code`, `source` is `check`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Problem::from(self).serialize(s)
    }
}

impl From<&Finding> for Problem {
    fn from(f: &Finding) -> Self {
        Problem {
            path: Some(f.path.clone()).filter(|p| !p.is_empty()),
            ..Problem::new(
                f.check.as_str(),
                Source::Check,
                f.severity,
                f.message.clone(),
            )
            .at(f.file.as_deref(), f.pos)
        }
    }
}

/// A file as messages name it (`<input>` for none).
pub(crate) fn show(file: Option<&Path>) -> String {
    file.map_or_else(|| "<input>".to_owned(), |f| f.display().to_string())
}

/// `FILE:LINE`, as messages point at another place.
pub(crate) fn show_loc(loc: Loc<'_>) -> String {
    format!("{}:{}", show(loc.0), loc.1.line)
}
