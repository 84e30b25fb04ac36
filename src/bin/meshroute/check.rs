//! `meshroute check`: load, validate, and run the preflight checks.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use meshroute::preflight::{self, Check, Finding};
use meshroute::{Diagnostic, Format, Loaded, Loader, Severity, Topology};

/// Arguments of `meshroute check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Output format: problems as `FILE:LINE:COL: PATH: message` lines (preflight findings as
    /// `FILE:LINE:COL: [check-name] message`) on stderr, or one JSON object on stdout.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// The format of standard input (`-` among the paths).
    #[arg(long, value_parser = ["hcl", "json", "yaml"])]
    input_format: Option<String>,
    /// Make a check's findings errors (`warnings`: every warning, load warnings included).
    #[arg(long, value_name = "NAME")]
    deny: Vec<String>,
    /// Do not report a check's findings (wins over --deny for the same check).
    #[arg(long, value_name = "NAME")]
    allow: Vec<String>,
    /// Files and directories (searched recursively); `-` reads standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
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
            Entry::Load(d) => d.is_error() || (self.deny_warnings && !is_note(d)),
            Entry::Finding(f) => f.is_error(),
        }
    }

    fn has_errors(&self) -> bool {
        self.entries.iter().any(|e| self.is_error(e))
    }
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let levels = match Levels::parse(args) {
        Ok(l) => l,
        Err(msg) => {
            eprintln!("meshroute check: {msg}");
            return ExitCode::from(2);
        }
    };
    let loaded = match load(&args.paths, args.input_format.as_deref()) {
        Ok(l) => l,
        Err(msg) => {
            eprintln!("meshroute check: {msg}");
            return ExitCode::from(2);
        }
    };
    let report = Report::new(&loaded, &levels);
    if args.format == "json" {
        println!("{}", to_json(&loaded, &report));
    } else {
        for e in &report.entries {
            match e {
                Entry::Load(d) => {
                    let label = if report.is_error(e) {
                        ""
                    } else if is_note(d) {
                        "note: "
                    } else {
                        "warning: "
                    };
                    eprintln!("{}{label}{}", location(d), rest(d));
                }
                Entry::Finding(f) => eprintln!("{f}"),
            }
        }
    }
    if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Loads `paths`; `-` is standard input in `input_format`.
pub(crate) fn load(paths: &[PathBuf], input_format: Option<&str>) -> Result<Loaded, String> {
    let loader = Loader::new();
    let mut out = Loaded::default();
    for p in paths {
        let l = if p.as_os_str() == "-" {
            let Some(fmt) = input_format else {
                return Err("reading standard input needs --input-format hcl|json|yaml".into());
            };
            let format = fmt.parse::<Format>().map_err(|e| e.to_string())?;
            let mut src = String::new();
            std::io::stdin()
                .read_to_string(&mut src)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            loader.load_str(&src, format, Some(std::path::Path::new("<stdin>")))
        } else if !p.exists() {
            return Err(format!("{}: no such file or directory", p.display()));
        } else {
            loader.load_paths(std::slice::from_ref(p))
        };
        out.documents.extend(l.documents);
        out.diagnostics.extend(l.diagnostics);
    }
    Ok(out)
}

/// A note: information only, never an error (`--deny warnings` leaves it alone).
pub(crate) fn is_note(d: &Diagnostic) -> bool {
    d.severity() == Severity::Note
}

fn location(d: &Diagnostic) -> String {
    let file = d
        .file()
        .map_or_else(|| "<input>".to_owned(), |f| f.display().to_string());
    format!("{file}:{}:{}: ", d.line(), d.column())
}

fn rest(d: &Diagnostic) -> String {
    let mut s = String::new();
    if let Some(n) = d.document() {
        s.push_str("document ");
        s.push_str(&n.to_string());
        s.push_str(": ");
    }
    if !d.path().is_empty() {
        s.push_str(d.path());
        s.push_str(": ");
    }
    s.push_str(d.message());
    if let Some(h) = d.suggestion() {
        s.push_str(" (did you mean \"");
        s.push_str(h);
        s.push_str("\"?)");
    }
    s
}

/// A finding in the shape of a load diagnostic, with its check's name.
fn finding_json(f: &Finding) -> serde_json::Value {
    serde_json::json!({
        "check": f.check.as_str(),
        "file": f.file.as_ref().map(|p| p.display().to_string()),
        "line": f.pos.line,
        "column": f.pos.column,
        "path": f.path,
        "message": f.message,
        "suggestion": null,
    })
}

/// A load diagnostic as the library serializes it, with no check's name.
fn load_diagnostic_json(d: &Diagnostic) -> serde_json::Value {
    let mut v = serde_json::to_value(d).unwrap_or(serde_json::Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("check".to_owned(), serde_json::Value::Null);
    }
    v
}

fn to_json(loaded: &Loaded, report: &Report) -> serde_json::Value {
    let documents: Vec<_> = loaded
        .documents
        .iter()
        .map(|d| {
            serde_json::json!({
                "file": d.file.as_ref().map(|f| f.display().to_string()),
                "line": d.pos().line,
                "kind": d.kind(),
                "value": d.to_json(),
            })
        })
        .collect();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut notes = Vec::new();
    for e in &report.entries {
        let v = match e {
            Entry::Load(d) => load_diagnostic_json(d),
            Entry::Finding(f) => finding_json(f),
        };
        if report.is_error(e) {
            errors.push(v);
        } else if matches!(e, Entry::Load(d) if is_note(d)) {
            notes.push(v);
        } else {
            warnings.push(v);
        }
    }
    let mut out =
        serde_json::json!({"documents": documents, "errors": errors, "warnings": warnings});
    if !notes.is_empty() {
        out["notes"] = serde_json::Value::Array(notes);
    }
    out
}
