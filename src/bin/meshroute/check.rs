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

/// Load diagnostics that belong to no check, and findings (checks and the load diagnostics
/// that belong to one), severities adjusted.
#[derive(Debug, Default)]
struct Report {
    diagnostics: Vec<Diagnostic>,
    findings: Vec<Finding>,
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
                Some(f) => r.findings.extend(levels.apply(f)),
                None => r.diagnostics.push(d.clone()),
            }
        }
        let topology = Topology::from_documents(&loaded.documents, None);
        r.findings.extend(
            preflight::run(&loaded.documents, &topology)
                .into_iter()
                .filter_map(|f| levels.apply(f)),
        );
        r
    }

    fn diagnostic_is_error(&self, d: &Diagnostic) -> bool {
        d.is_error() || self.deny_warnings
    }

    fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| self.diagnostic_is_error(d))
            || self.findings.iter().any(Finding::is_error)
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
        for d in &report.diagnostics {
            let label = if report.diagnostic_is_error(d) {
                ""
            } else {
                "warning: "
            };
            eprintln!("{}{label}{}", location(d), rest(d));
        }
        for f in &report.findings {
            eprintln!("{f}");
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
            let format: Format = fmt.parse()?;
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

fn location(d: &Diagnostic) -> String {
    let file = d
        .file()
        .map_or_else(|| "<input>".to_owned(), |f| f.display().to_string());
    format!("{file}:{}:{}: ", d.line(), d.column())
}

fn rest(d: &Diagnostic) -> String {
    let mut s = String::new();
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

pub(crate) fn diagnostic_json(d: &Diagnostic) -> serde_json::Value {
    serde_json::json!({
        "file": d.file().map(|f| f.display().to_string()),
        "line": d.line(),
        "column": d.column(),
        "path": d.path(),
        "message": d.message(),
        "suggestion": d.suggestion(),
    })
}

fn finding_json(f: &Finding) -> serde_json::Value {
    serde_json::json!({
        "check": f.check.as_str(),
        "file": f.file.as_ref().map(|p| p.display().to_string()),
        "line": f.pos.line,
        "column": f.pos.column,
        "message": f.message,
    })
}

fn load_diagnostic_json(d: &Diagnostic) -> serde_json::Value {
    let mut v = diagnostic_json(d);
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
    for d in &report.diagnostics {
        if report.diagnostic_is_error(d) {
            errors.push(load_diagnostic_json(d));
        } else {
            warnings.push(load_diagnostic_json(d));
        }
    }
    for f in &report.findings {
        if f.is_error() {
            errors.push(finding_json(f));
        } else {
            warnings.push(finding_json(f));
        }
    }
    serde_json::json!({"documents": documents, "errors": errors, "warnings": warnings})
}
