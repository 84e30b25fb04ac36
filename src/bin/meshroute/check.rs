//! `meshroute check`: load, validate, and run the preflight checks.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use meshroute::preflight::{self, Check, Finding};
use meshroute::topology::Datacenter;
use meshroute::{Diagnostic, Document, Loaded, Problem, Severity, Topology};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::sarif;
use crate::shared::{Cmd, Inputs, Stop, raw_json, write_raw_json};
use crate::spill::{Spill, SpillWriter};

/// `check`'s `--format`: text, JSON, or SARIF 2.1.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CheckFormat {
    /// Problems as `FILE:LINE:COL: PATH: message` lines (findings as `FILE:LINE:COL:
    /// [check-name] message`) on stderr, and what was checked on stdout.
    Text,
    /// One JSON document on stdout (schema/meshroute-1.json).
    Json,
    /// A SARIF 2.1.0 log on stdout, for code scanning and CI annotations.
    Sarif,
}

/// Arguments of `meshroute check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
    /// Make a check's findings errors (`warnings`: every warning, load warnings included).
    #[arg(long, value_name = "NAME")]
    deny: Vec<String>,
    /// Do not report a check's findings (wins over --deny for the same check).
    #[arg(long, value_name = "NAME")]
    allow: Vec<String>,
    /// Text: print nothing on success but warnings (do not say what was checked).
    #[arg(long, short)]
    quiet: bool,
    /// SARIF: file URIs are relative to this directory (default: the current one).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(flatten)]
    inputs: Inputs,
}

/// What --deny and --allow say.
#[derive(Debug, Default)]
struct Levels {
    allow: Vec<Check>,
    deny: Vec<Check>,
    deny_warnings: bool,
}

impl Levels {
    fn parse(args: &Args) -> Result<Self, Stop> {
        let unknown = |flag: &str, e: preflight::UnknownCheck| {
            Stop::new(2, "unknown-check", format!("{flag}: {e}"))
        };
        let mut l = Self::default();
        for name in &args.deny {
            if name == "warnings" {
                l.deny_warnings = true;
            } else {
                l.deny.push(name.parse().map_err(|e| unknown("--deny", e))?);
            }
        }
        for name in &args.allow {
            l.allow
                .push(name.parse().map_err(|e| unknown("--allow", e))?);
        }
        Ok(l)
    }

    /// The finding with its severity adjusted, or `None` when allowed.
    fn apply(&self, mut f: Finding) -> Option<Finding> {
        if self.allow.contains(&f.check) {
            return None;
        }
        if self.deny_warnings || self.deny.contains(&f.check) {
            f.severity = Severity::Error;
        }
        Some(f)
    }

    /// The problems: load diagnostics in load order (those that belong to a check as
    /// findings, in their place), then the `findings` of the checks, severities adjusted.
    fn problems(&self, diagnostics: &[Diagnostic], findings: Vec<Finding>) -> Vec<Problem> {
        let mut out = Vec::new();
        for d in diagnostics {
            if let Some(f) = preflight::from_diagnostic(d) {
                out.extend(self.apply(f).as_ref().map(Problem::from));
            } else {
                let mut p = Problem::from(d);
                // Notes are information: `--deny warnings` leaves them alone.
                if self.deny_warnings && p.severity != Severity::Note {
                    p.severity = Severity::Error;
                }
                out.push(p);
            }
        }
        out.extend(
            findings
                .into_iter()
                .filter_map(|f| self.apply(f))
                .map(|f| Problem::from(&f)),
        );
        out
    }
}

/// `check`'s result: what was checked.
#[derive(Debug, Serialize)]
pub(crate) struct Checked {
    /// How many files documents or problems came from.
    files: usize,
    /// The datacenters the documents make.
    datacenters: Vec<String>,
    /// How many documents were loaded.
    #[serde(skip)]
    count: usize,
    /// Every document loaded: where, its kind, and its value in Consul's API JSON form
    /// ([`Echo`]). Only the JSON output has it.
    documents: Option<Echo>,
}

/// The documents' JSON, serialized (compact, one text a document) before the documents move
/// into the topology, and kept until it is printed: in a temporary file, so that it is not
/// in memory with the topology and the findings (docs/performance.md); in memory when no
/// temporary file can be written. Printed the same either way.
#[derive(Debug)]
enum Echo {
    /// In a temporary file.
    Spilled(Spill),
    /// In memory: each text smaller than its document, and small allocations reuse the room
    /// the load freed better than one text of them all grown by doubling.
    Texts(Vec<Box<RawValue>>),
}

impl Echo {
    /// The JSON of `documents`, spilled when it can be.
    fn of(documents: &[Document]) -> Self {
        match Self::spill(documents) {
            Ok(spill) => Self::Spilled(spill),
            Err(_) => Self::Texts(
                documents
                    .iter()
                    .map(|d| raw_json(&DocumentJson(d)))
                    .collect(),
            ),
        }
    }

    fn spill(documents: &[Document]) -> std::io::Result<Spill> {
        let mut spill = SpillWriter::new()?;
        let mut text = Vec::new();
        for d in documents {
            text.clear();
            write_raw_json(&DocumentJson(d), &mut text)?;
            spill.push(&text)?;
        }
        spill.finish()
    }
}

impl Serialize for Echo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Spilled(spill) => spill.serialize(s),
            Self::Texts(texts) => texts.serialize(s),
        }
    }
}

impl Checked {
    /// What was loaded, taken before the documents go (`echo`: with the documents' JSON).
    fn of(loaded: &Loaded, echo: bool) -> Self {
        let files: BTreeSet<_> = loaded
            .documents
            .iter()
            .filter_map(|d| d.file.as_deref())
            .chain(loaded.diagnostics.iter().filter_map(|d| d.file()))
            .collect();
        Self {
            files: files.len(),
            datacenters: Vec::new(),
            count: loaded.documents.len(),
            documents: echo.then(|| Echo::of(&loaded.documents)),
        }
    }

    /// With the datacenters the documents make.
    fn in_datacenters(self, topology: &Topology) -> Self {
        let datacenters = topology.datacenters().iter().map(Datacenter::name);
        Self {
            datacenters: datacenters.map(str::to_owned).collect(),
            ..self
        }
    }

    /// `checked N file(s): N document(s) in N datacenter(s) (a, b); no problems` (or `N
    /// warning(s)`).
    fn summary(&self, problems: &[Problem]) -> String {
        let notes = problems
            .iter()
            .filter(|p| p.severity == Severity::Note)
            .count();
        let outcome = match (problems.len() - notes, notes) {
            (0, 0) => "no problems".to_owned(),
            (w, 0) => format!("{w} warning(s)"),
            (0, n) => format!("no problems, {n} note(s)"),
            (w, n) => format!("{w} warning(s), {n} note(s)"),
        };
        format!(
            "checked {} file(s): {} document(s) in {} datacenter(s) ({}); {outcome}",
            self.files,
            self.count,
            self.datacenters.len(),
            self.datacenters.join(", "),
        )
    }
}

/// Every document as `{"file", "line", "kind", "value"}`, `value` in Consul's API JSON form
/// ([`meshroute::Content`]'s own serialization): serialized straight from the documents, so
/// that echoing a 16 MiB input costs no copy of it as JSON values.
#[derive(Debug)]
pub(crate) struct DocumentsJson<'a>(pub(crate) &'a [Document]);

impl Serialize for DocumentsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(DocumentJson))
    }
}

/// One document of [`DocumentsJson`].
pub(crate) struct DocumentJson<'a>(pub(crate) &'a Document);

impl Serialize for DocumentJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let d = self.0;
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("file", &d.file.as_ref().map(|f| f.display().to_string()))?;
        m.serialize_entry("line", &d.pos().line)?;
        m.serialize_entry("kind", d.kind())?;
        m.serialize_entry("value", &d.content)?;
        m.end()
    }
}

/// Exit 0 when nothing is an error, 1 on any error, 2 on usage and input problems.
pub(crate) fn run(args: &Args) -> ExitCode {
    let cmd = Cmd {
        name: "check",
        json: args.format != CheckFormat::Text,
    };
    let loaded = match Levels::parse(args).and_then(|l| Ok((l, args.inputs.load()?))) {
        Ok(ok) => ok,
        Err(stop) if args.format == CheckFormat::Sarif => {
            return sarif::print_failure(&stop);
        }
        Err(stop) => return cmd.stop(stop),
    };
    let (levels, loaded) = loaded;
    let checked = Checked::of(&loaded, args.format == CheckFormat::Json);
    // The documents move into the topology, each dropped as it is taken.
    let topology = Topology::from_owned_documents(loaded.documents, None);
    let checked = checked.in_datacenters(&topology);
    let findings = preflight::run(&topology);
    // Gone before the problems are made and printed.
    drop(topology);
    let problems = levels.problems(&loaded.diagnostics, findings);
    let code = u8::from(problems.iter().any(Problem::is_error));
    match args.format {
        CheckFormat::Sarif => {
            sarif::print(&problems, args.root.as_deref());
            ExitCode::from(code)
        }
        CheckFormat::Json => {
            let spill = match &checked.documents {
                Some(Echo::Spilled(spill)) => Some(spill),
                _ => None,
            };
            cmd.finish_spliced(code, Some(&checked), problems, spill)
        }
        CheckFormat::Text => {
            // On success, what was checked (as `consul validate` says the configuration is
            // valid); on failure the problems say it.
            if code == 0 && !args.quiet {
                println!("{}", checked.summary(&problems));
            }
            cmd.finish(code, None::<()>, problems)
        }
    }
}
