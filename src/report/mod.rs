//! [`Envelope`]: the one JSON document every `meshroute` command prints, and the
//! [`Problem`]s it carries.
//!
//! The last stage of the pipeline: it reads what the others produced (a resolution, an
//! explanation, a gateway's decision, findings, diagnostics, warnings) and puts it in one
//! versioned shape, `{"schema": "meshroute/1", "command", "result", "errors", "warnings"}`.
//! `schema/meshroute-1.json` is its JSON Schema; `docs/json.md` describes it.
//!
//! A resolution is written faster without serde ([`write_resolution`],
//! [`Envelope::write_json`]): the same bytes as `serde_json` writes for its `Serialize`.
//!
//! ```
//! use meshroute::report::{Envelope, SCHEMA};
//! use meshroute::{Loader, Problem, Topology};
//!
//! // The VM datacenters of examples/ (its Kubernetes and Nomad ones need default features).
//! let loaded = Loader::new().load_paths(&["examples/primary", "examples/secondary", "examples/failover"]);
//! let topology = Topology::from_documents(&loaded.documents, None);
//! let resolution = topology.resolve();
//! let mut envelope = Envelope::new("resolve", Some(&resolution));
//! envelope.extend(resolution.warnings.iter().map(Problem::from));
//! let v = serde_json::to_value(&envelope)?;
//! assert_eq!(v["schema"], SCHEMA);
//! assert_eq!(v["result"]["routes"].as_array().unwrap().len(), 8);
//! assert_eq!(v["errors"], serde_json::json!([]));
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::io::Write;

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::resolve::Resolution;

mod shapes;
mod writer;

pub use crate::load::error::{Problem, Source};
pub use writer::{JsonStyle, TerminalSafe};

/// The version of the JSON contract: the value of every envelope's `schema`.
pub const SCHEMA: &str = "meshroute/1";

/// A command's JSON output: what it was, its result, and every problem in one shape.
///
/// It serializes as `{"schema", "command", "result", "errors", "warnings"}`, in that order:
/// `schema` is [`SCHEMA`]; `result` is `null` when there is none (the inputs could not be
/// read, a usage problem); `errors` and `warnings` are [`Problem`]s.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Envelope<T> {
    /// What produced it (`resolve`, `check`, …).
    pub command: String,
    /// The answer, when there is one.
    pub result: Option<T>,
    /// The problems of severity error.
    pub errors: Vec<Problem>,
    /// The problems of severity warning.
    pub warnings: Vec<Problem>,
}

impl<T> Envelope<T> {
    /// An envelope for `command` with `result` and no problems yet.
    pub fn new(command: impl Into<String>, result: Option<T>) -> Self {
        Self {
            command: command.into(),
            result,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Files `problem` under `errors` or `warnings` by its severity.
    pub fn push(&mut self, problem: Problem) {
        if problem.is_error() {
            self.errors.push(problem);
        } else {
            self.warnings.push(problem);
        }
    }

    /// Files every problem by its severity.
    pub fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        for p in problems {
            self.push(p);
        }
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

impl<T: Serialize> Serialize for Envelope<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("schema", SCHEMA)?;
        m.serialize_entry("command", &self.command)?;
        m.serialize_entry("result", &self.result)?;
        m.serialize_entry("errors", &self.errors)?;
        m.serialize_entry("warnings", &self.warnings)?;
        m.end()
    }
}

impl Envelope<&Resolution<'_>> {
    /// Writes the envelope as JSON to `out`, laid out as `style` says: the same bytes as
    /// serializing it with serde_json (through [`TerminalSafe`] when `style` is
    /// terminal-safe), written faster ([`write_resolution`]). `out` is written in 64 KiB
    /// pieces, then flushed.
    ///
    /// ```
    /// use meshroute::report::{Envelope, JsonStyle};
    /// use meshroute::Topology;
    ///
    /// let topology = Topology::builder().add_datacenter("dc1").build();
    /// let resolution = topology.resolve();
    /// let envelope = Envelope::new("resolve", Some(&resolution));
    /// let mut out = Vec::new();
    /// envelope.write_json(&mut out, JsonStyle::PRETTY)?;
    /// assert_eq!(out, serde_json::to_vec_pretty(&envelope)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When `out` fails.
    pub fn write_json(&self, out: impl Write, style: JsonStyle) -> std::io::Result<()> {
        let mut w = writer::JsonWriter::new(out, style);
        shapes::envelope(&mut w, self)?;
        w.finish()
    }
}

/// Writes `resolution` as JSON to `out`, laid out as `style` says: the same bytes as
/// `serde_json::to_writer` (or `to_writer_pretty`, or either through [`TerminalSafe`]) writes
/// for its `Serialize`, with fewer instructions (2.5x fewer on the generated mesh of
/// docs/performance.md). `out` is written in 64 KiB pieces, then flushed: it needs no
/// `BufWriter`.
///
/// ```
/// use meshroute::report::{JsonStyle, write_resolution};
/// use meshroute::{Loader, Topology};
///
/// let loaded = Loader::new().load_paths(&["examples/primary", "examples/secondary"]);
/// let topology = Topology::from_owned_documents(loaded.documents, None);
/// let resolution = topology.resolve();
/// let mut out = Vec::new();
/// write_resolution(&mut out, &resolution, JsonStyle::COMPACT)?;
/// assert_eq!(out, serde_json::to_vec(&resolution)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// When `out` fails.
pub fn write_resolution(
    out: impl Write,
    resolution: &Resolution<'_>,
    style: JsonStyle,
) -> std::io::Result<()> {
    let mut w = writer::JsonWriter::new(out, style);
    shapes::resolution(&mut w, resolution)?;
    w.finish()
}

#[cfg(feature = "sniff")]
impl From<crate::sniff::Error> for Problem {
    /// An error of source `client-hello`, coded [`sniff::Error::code`](crate::sniff::Error::code).
    fn from(e: crate::sniff::Error) -> Self {
        Problem::new(
            e.code(),
            Source::ClientHello,
            crate::load::error::Severity::Error,
            e.to_string(),
        )
    }
}
