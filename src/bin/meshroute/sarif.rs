//! `check --format sarif`: the problems as a SARIF 2.1.0 log, the format code scanning and
//! CI annotators read. Each problem is a result with its rule (the check's name, or the load
//! diagnostic's kind), level, message, and location: the file's URI relative to `--root`
//! (`%SRCROOT%`) and its line and column. The rules carry their help from docs/checks.md.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use meshroute::preflight::Check;
use meshroute::{Problem, Severity, Source};
use serde::{Serialize, Serializer};
use serde_json::{Value, json};

use crate::shared::{self, Stop};

/// The SARIF 2.1.0 schema's URI, the log's `$schema`.
const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The base the result URIs are relative to.
const SRCROOT: &str = "%SRCROOT%";

/// Prints the log of a run that found `problems`.
pub(crate) fn print(problems: &[Problem], root: Option<&Path>) {
    let rules = rules(problems);
    let root = absolute(root.unwrap_or(Path::new(".")));
    let results = Results {
        problems,
        rules: &rules,
        root: &root,
    };
    let invocation = json!({"executionSuccessful": true});
    shared::print_json(&log(&rules, results, &invocation));
}

/// Prints the log of a run that could not check (a usage or input problem) and returns its
/// exit code: no results, the reason as a tool execution notification.
pub(crate) fn print_failure(stop: &Stop) -> ExitCode {
    let notifications: Vec<Value> = stop
        .problems
        .iter()
        .map(|p| {
            json!({
                "level": "error",
                "message": {"text": p.message},
                "descriptor": {"id": p.code},
            })
        })
        .collect();
    let invocation = json!({
        "executionSuccessful": false,
        "exitCode": stop.code,
        "toolExecutionNotifications": notifications,
    });
    shared::print_json(&log(&[], [(); 0], &invocation));
    ExitCode::from(stop.code)
}

/// The log: one run, its tool with `rules`, its invocation, and its `results`.
fn log<'a, R: Serialize>(rules: &[Rule], results: R, invocation: &'a Value) -> Log<'a, R> {
    let rules: Vec<Value> = rules.iter().map(Rule::to_json).collect();
    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: json!({"driver": {
                "name": "meshroute",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }}),
            invocations: [invocation],
            column_kind: "unicodeCodePoints",
            results,
        }],
    }
}

/// A SARIF log, its members in the order they always had. Typed, so that the
/// results serialize one at a time as they are written ([`Results`]) instead of first
/// becoming one JSON value (tens of thousands of findings made a log 15x its input).
#[derive(Serialize)]
struct Log<'a, R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a, R>; 1],
}

/// The log's one run.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a, R> {
    tool: Value,
    invocations: [&'a Value; 1],
    column_kind: &'static str,
    results: R,
}

/// A run's results, each made from its problem as it is written.
struct Results<'a> {
    problems: &'a [Problem],
    rules: &'a [Rule],
    root: &'a Path,
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.problems
                .iter()
                .map(|p| result(p, self.rules, self.root)),
        )
    }
}

/// A reporting descriptor: a check, or a kind of load diagnostic.
struct Rule {
    id: String,
    summary: String,
    /// What the rule checks, in a paragraph.
    full: String,
    help: String,
    level: &'static str,
}

impl Rule {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "shortDescription": {"text": self.summary},
            "fullDescription": {"text": self.full},
            "help": {"text": self.help, "markdown": self.help},
            "defaultConfiguration": {"level": self.level},
        })
    }
}

/// Every check, then the kinds of the load diagnostics among `problems`.
fn rules(problems: &[Problem]) -> Vec<Rule> {
    let mut rules: Vec<Rule> = Check::ALL
        .iter()
        .map(|c| Rule {
            id: c.as_str().to_owned(),
            summary: c.summary().to_owned(),
            full: description(c.help()),
            help: c.help().to_owned(),
            level: c.default_severity().as_str(),
        })
        .collect();
    for p in problems.iter().filter(|p| p.source != Source::Check) {
        if !rules.iter().any(|r| r.id == p.code) {
            let summary = load_summary(&p.code);
            rules.push(Rule {
                id: p.code.clone(),
                summary: summary.to_owned(),
                full: summary.to_owned(),
                help: format!("{summary}. See docs/loading.md."),
                level: "error",
            });
        }
    }
    rules
}

/// A check's description: the first paragraph of its help after the severity line, on one
/// line.
fn description(help: &str) -> String {
    let paragraph = help.split("\n\n").nth(1).unwrap_or(help);
    paragraph.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a kind of load diagnostic means (`DiagnosticKind`'s names).
fn load_summary(code: &str) -> &'static str {
    match code {
        "io" => "The file could not be read",
        "syntax" => "The format reader rejected the text",
        "limit" => "Input over a size or nesting limit",
        "unknown-key" => "A key Consul does not know",
        "wrong-type" => "A value of the wrong type",
        "out-of-range" => "A number out of range for its field",
        "interpolation" => "An HCL interpolation or template where a literal belongs",
        "too-many" => "A list of several where one value is expected",
        "invalid-mode" => "A mesh gateway mode string Consul does not know",
        "invalid" => "A configuration Consul's validation rejects",
        "unknown-document" => "A document that is none of the shapes meshroute reads",
        _ => "A problem found while loading the configuration",
    }
}

fn result(p: &Problem, rules: &[Rule], root: &Path) -> Value {
    let index = rules.iter().position(|r| r.id == p.code).unwrap_or(0);
    let text = match &p.path {
        Some(path) => format!("{path}: {}", p.message),
        None => p.message.clone(),
    };
    let mut r = json!({
        "ruleId": p.code,
        "ruleIndex": index,
        "level": match p.severity {
            Severity::Error => "error",
            Severity::Note => "note",
            _ => "warning",
        },
        "message": {"text": text},
    });
    if let Some(location) = p.file.as_deref().and_then(|f| location(f, p, root)) {
        r["locations"] = json!([location]);
    }
    r
}

/// The physical location of `p` in `file`: its URI (relative to `root` when inside it) and
/// its region. `None` for standard input, which has no URI.
fn location(file: &Path, p: &Problem, root: &Path) -> Option<Value> {
    if file == Path::new("<stdin>") {
        return None;
    }
    let file = absolute(file);
    let artifact = match file.strip_prefix(root) {
        Ok(rel) => json!({"uri": uri_path(rel), "uriBaseId": SRCROOT}),
        Err(_) => json!({"uri": format!("file://{}", uri_path(&file))}),
    };
    let mut physical = json!({"artifactLocation": artifact});
    if let Some(line) = p.line {
        physical["region"] = json!({"startLine": line});
        if let Some(column) = p.column {
            physical["region"]["startColumn"] = json!(column);
        }
    }
    Some(json!({"physicalLocation": physical}))
}

/// `path` made absolute against the current directory, `.` and `..` resolved lexically.
fn absolute(path: &Path) -> PathBuf {
    let joined = std::env::current_dir().map_or_else(|_| path.to_path_buf(), |d| d.join(path));
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A path as a URI path: `/`-separated, every byte but unreserved ones and `/`
/// percent-encoded.
fn uri_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}
