//! `meshroute check`: load and validate.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use meshroute::{Diagnostic, Format, Loaded, Loader};

/// Arguments of `meshroute check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Output format: problems as `FILE:LINE:COL: PATH: message` lines on stderr, or one JSON
    /// object on stdout.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// The format of standard input (`-` among the paths).
    #[arg(long, value_parser = ["hcl", "json", "yaml"])]
    input_format: Option<String>,
    /// Files and directories (searched recursively); `-` reads standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let loaded = match load(&args.paths, args.input_format.as_deref()) {
        Ok(l) => l,
        Err(msg) => {
            eprintln!("meshroute check: {msg}");
            return ExitCode::from(2);
        }
    };
    if args.format == "json" {
        println!("{}", to_json(&loaded));
    } else {
        for d in &loaded.diagnostics {
            let label = if d.is_error() { "" } else { "warning: " };
            eprintln!("{}{label}{}", location(d), rest(d));
        }
    }
    if loaded.has_errors() {
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

fn to_json(loaded: &Loaded) -> serde_json::Value {
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
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(diagnostic_json)
        .collect();
    let warnings: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| !d.is_error())
        .map(diagnostic_json)
        .collect();
    serde_json::json!({"documents": documents, "errors": errors, "warnings": warnings})
}
