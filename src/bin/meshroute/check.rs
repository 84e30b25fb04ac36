//! `meshroute check`: load, validate, and run the preflight checks.

use std::process::ExitCode;

use meshroute::preflight::{self, Check, Finding};
use meshroute::{Diagnostic, Document, Loaded, Severity, Topology};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::shared::{self, Cmd, InputFormatArg, Inputs, Outcome, Unloaded};

/// The help of `check`'s paths: of the subcommands, it alone reads standard input.
const PATHS_HELP: &str = "Files and directories (searched recursively); `-` reads standard input";

/// Arguments of `meshroute check`.
#[derive(Debug, clap::Args)]
#[command(mut_arg("paths", |a| a.help(PATHS_HELP)))]
pub(crate) struct Args {
    /// Output format: problems as `FILE:LINE:COL: PATH: message` lines (preflight findings as
    /// `FILE:LINE:COL: [check-name] message`) on stderr, or one JSON object on stdout.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    #[command(flatten)]
    input_format: InputFormatArg,
    /// Make a check's findings errors (`warnings`: every warning, load warnings included).
    #[arg(long, value_name = "NAME")]
    deny: Vec<String>,
    /// Do not report a check's findings (wins over --deny for the same check).
    #[arg(long, value_name = "NAME")]
    allow: Vec<String>,
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
    fn parse(args: &Args) -> Result<Self, String> {
        let mut l = Self::default();
        for name in &args.deny {
            if name == "warnings" {
                l.deny_warnings = true;
            } else {
                l.deny
                    .push(name.parse().map_err(|e| format!("--deny: {e}"))?);
            }
        }
        for name in &args.allow {
            l.allow
                .push(name.parse().map_err(|e| format!("--allow: {e}"))?);
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
}

/// One line of the report: a load diagnostic that belongs to no check, or a finding.
#[derive(Debug)]
enum Entry {
    Load(Diagnostic),
    Finding(Finding),
}

/// Load diagnostics in load order (those that belong to a check as findings, in their
/// place), then the findings of the checks, severities adjusted.
#[derive(Debug, Default)]
struct Report {
    entries: Vec<Entry>,
    deny_warnings: bool,
}

impl Report {
    fn new(loaded: &Loaded, levels: &Levels) -> Self {
        let mut r = Self {
            deny_warnings: levels.deny_warnings,
            ..Self::default()
        };
        for d in &loaded.diagnostics {
            match preflight::from_diagnostic(d) {
                Some(f) => r.entries.extend(levels.apply(f).map(Entry::Finding)),
                None => r.entries.push(Entry::Load(d.clone())),
            }
        }
        let topology = Topology::from_documents(&loaded.documents, None);
        r.entries.extend(
            preflight::run(&topology)
                .into_iter()
                .filter_map(|f| levels.apply(f))
                .map(Entry::Finding),
        );
        r
    }

    fn is_error(&self, e: &Entry) -> bool {
        match e {
            Entry::Load(d) => d.is_error() || self.deny_warnings,
            Entry::Finding(f) => f.is_error(),
        }
    }

    fn has_errors(&self) -> bool {
        self.entries.iter().any(|e| self.is_error(e))
    }
}

const CHECK: Cmd = Cmd("check");

/// Exit 0 when nothing is an error, 1 on any error, 2 on usage errors and inputs named on the
/// command line that cannot be read (the report then holds their errors only).
pub(crate) fn run(args: &Args) -> Outcome {
    let json = args.format == "json";
    let levels = Levels::parse(args).map_err(|msg| CHECK.fail(2, msg))?;
    let input_format = args.input_format.input_format.as_deref();
    let (loaded, unreadable) = match shared::load(&args.inputs, input_format) {
        Ok(loaded) => (loaded, false),
        Err(Unloaded::Unreadable(diagnostics)) => (unread(diagnostics), true),
        Err(usage) => return Err(usage.fail(CHECK, json)),
    };
    let report = Report::new(&loaded, &levels);
    if json {
        shared::print_json_line(&ReportJson {
            loaded: &loaded,
            report: &report,
        });
    } else {
        print_text(&report);
    }
    Ok(if unreadable {
        ExitCode::from(2)
    } else if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A load of nothing but the errors of the inputs that cannot be read.
fn unread(diagnostics: Vec<Diagnostic>) -> Loaded {
    let mut loaded = Loaded::default();
    loaded.diagnostics = diagnostics;
    loaded
}

/// The report on stderr, a line an entry.
fn print_text(report: &Report) {
    for e in &report.entries {
        match e {
            Entry::Load(d) => eprintln!("{}", load_line(d, report.is_error(e))),
            Entry::Finding(f) => eprintln!("{f}"),
        }
    }
}

/// The diagnostic's own text, `warning: ` after its location unless it is an error.
fn load_line(d: &Diagnostic, is_error: bool) -> String {
    let text = d.to_string();
    let file = d.file().map_or_else(
        || "<input>".to_owned(),
        |f| meshroute::text::escape(&f.to_string_lossy()),
    );
    let location = format!("{file}:{}:{}: ", d.line(), d.column());
    let label = if is_error { "" } else { "warning: " };
    let rest = text.strip_prefix(&location).unwrap_or(&text);
    format!("{location}{label}{rest}")
}

/// A load diagnostic that belongs to no check: its own JSON, with `check` null.
fn diagnostic_json(d: &Diagnostic) -> serde_json::Value {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("check".to_owned(), serde_json::Value::Null);
    }
    v
}

/// `{"documents": [...], "errors": [...], "warnings": [...]}`, serialized as it is written:
/// no copy of the documents (as JSON values or as text) is made first.
struct ReportJson<'a> {
    loaded: &'a Loaded,
    report: &'a Report,
}

impl Serialize for ReportJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("documents", &DocumentsJson(&self.loaded.documents))?;
        let entries = |errors: bool| Entries {
            report: self.report,
            errors,
        };
        m.serialize_entry("errors", &entries(true))?;
        m.serialize_entry("warnings", &entries(false))?;
        m.end()
    }
}

/// The loaded documents, each `{"file", "line", "kind", "value"}` (the value in Consul's
/// JSON, [`meshroute::Content`]'s own serialization).
struct DocumentsJson<'a>(&'a [Document]);

impl Serialize for DocumentsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(DocumentJson))
    }
}

/// One loaded document.
struct DocumentJson<'a>(&'a Document);

impl Serialize for DocumentJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("file", &d.file.as_ref().map(|f| f.display().to_string()))?;
        m.serialize_entry("line", &d.pos().line)?;
        m.serialize_entry("kind", d.kind())?;
        m.serialize_entry("value", &d.content)?;
        m.end()
    }
}

/// The report's errors (or its warnings), each as its own JSON.
struct Entries<'a> {
    report: &'a Report,
    errors: bool,
}

impl Serialize for Entries<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let report = self.report;
        s.collect_seq(
            report
                .entries
                .iter()
                .filter(|e| report.is_error(e) == self.errors)
                .map(|e| match e {
                    Entry::Load(d) => diagnostic_json(d),
                    Entry::Finding(f) => serde_json::to_value(f).unwrap_or_default(),
                }),
        )
    }
}
