//! What the subcommands share: their arguments (clap structs each subcommand's `Args`
//! flattens), loading the inputs, and how a run ends: the JSON envelope on stdout, or text
//! with the problems on stderr (docs/json.md, the exit codes in the README).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use meshroute::report::Envelope;
use meshroute::topology::Datacenter;
use meshroute::{DiagnosticKind, Format, Loaded, Loader, Problem, Severity, Source, Topology};
use serde::Serialize;

/// `--format text|json` (`table` is an alias of `text`, `resolve`'s name for it before).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OutputFormat {
    /// Text for people: results on stdout, problems on stderr.
    #[value(alias = "table")]
    Text,
    /// One JSON document on stdout, the envelope of docs/json.md, whatever the outcome.
    Json,
}

/// The `--format` argument of the commands that print text or JSON.
#[derive(Debug, clap::Args)]
pub(crate) struct FormatArg {
    /// Output format: text, or one JSON document on stdout (schema/meshroute-1.json).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) format: OutputFormat,
}

impl FormatArg {
    /// Whether the output is JSON.
    pub(crate) fn is_json(&self) -> bool {
        self.format == OutputFormat::Json
    }
}

/// A subcommand and its output format: how its run ends.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cmd {
    /// The subcommand's name, what text messages start with (`meshroute NAME: ...`).
    pub(crate) name: &'static str,
    /// Whether the output is the JSON envelope.
    pub(crate) json: bool,
}

/// A run that stopped before its answer: the exit code and why.
#[derive(Debug)]
pub(crate) struct Stop {
    /// The exit code.
    pub(crate) code: u8,
    /// Every problem found so far (the reason among them).
    pub(crate) problems: Vec<Problem>,
}

impl Stop {
    /// Stops with exit `exit` for a problem of the caller's own (`code`, `message`).
    pub(crate) fn new(exit: u8, code: &str, message: impl Into<String>) -> Self {
        Self {
            code: exit,
            problems: vec![caller_error(code, message)],
        }
    }
}

/// An error of the caller's own: a usage or input problem, or an answer that is "no".
pub(crate) fn caller_error(code: &str, message: impl Into<String>) -> Problem {
    Problem::new(code, Source::Caller, Severity::Error, message)
}

/// An error of a ClientHello (incomplete, no server name).
#[cfg(feature = "sniff")]
pub(crate) fn hello_error(code: &str, message: impl Into<String>) -> Problem {
    Problem::new(code, Source::ClientHello, Severity::Error, message)
}

/// A warning of the caller's own.
pub(crate) fn caller_warning(code: &str, message: impl Into<String>) -> Problem {
    Problem::new(code, Source::Caller, Severity::Warning, message)
}

impl Cmd {
    /// Ends the run with exit `code`. JSON: the envelope with `result` and `problems` on
    /// stdout. Text: the problems on stderr (the command printed its result already).
    pub(crate) fn finish<T: Serialize>(
        self,
        code: u8,
        result: Option<T>,
        problems: Vec<Problem>,
    ) -> ExitCode {
        if self.json {
            let mut envelope = Envelope::new(self.name, result);
            envelope.extend(problems);
            print_json(&envelope);
        } else {
            for p in &problems {
                self.say(p);
            }
        }
        ExitCode::from(code)
    }

    /// Ends a run that stopped early: no result.
    pub(crate) fn stop(self, stop: Stop) -> ExitCode {
        self.finish(stop.code, None::<()>, stop.problems)
    }

    /// A problem as a line of text on stderr: the caller's own as `meshroute NAME: message`,
    /// a topology warning as `warning: message` (its message names the place), a gateway's
    /// reject not at all (the decision printed says it), the others located.
    fn say(self, p: &Problem) {
        match p.source {
            Source::Caller | Source::ClientHello => {
                eprintln!("meshroute {}: {}", self.name, p.message);
            }
            Source::Topology => eprintln!("warning: {}", p.message),
            Source::Gateway => {}
            _ => eprintln!("{p}"),
        }
    }
}

/// Prints `value` as pretty JSON on stdout.
pub(crate) fn print_json(value: &impl Serialize) {
    use std::io::Write;
    match serde_json::to_string_pretty(value) {
        // A closed pipe (`| head`) is the reader's choice, not an error of ours.
        Ok(s) => drop(writeln!(std::io::stdout(), "{s}")),
        // Not reached: the envelope and everything in it serialize to JSON.
        Err(e) => eprintln!("meshroute: cannot write JSON: {e}"),
    }
}

/// `--input-format`'s values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum InputFormat {
    /// HCL (version 1, as Consul reads it).
    Hcl,
    /// JSON.
    Json,
    /// YAML (one document or a stream of them).
    Yaml,
    /// HCL2 (Nomad job files).
    Hcl2,
}

impl From<InputFormat> for Format {
    fn from(f: InputFormat) -> Self {
        match f {
            InputFormat::Hcl => Format::Hcl,
            InputFormat::Json => Format::Json,
            InputFormat::Yaml => Format::Yaml,
            InputFormat::Hcl2 => Format::Hcl2,
        }
    }
}

/// The files and directories a subcommand reads.
#[derive(Debug, clap::Args)]
pub(crate) struct Inputs {
    /// The format of standard input (`-`) and of named files whose extension does not tell
    /// (a `.conf` file); files found in directories are read by extension.
    #[arg(long, value_enum)]
    pub(crate) input_format: Option<InputFormat>,
    /// Files and directories (one directory per agent or datacenter, searched recursively for
    /// .hcl, .json, .yaml and .yml files); `-` reads standard input.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
}

impl Inputs {
    /// Loads the paths, in order. `Err` (exit 2) when a named path cannot be read, its format
    /// cannot be told, or there is no document at all.
    pub(crate) fn load(&self) -> Result<Loaded, Stop> {
        let loader = Loader::new();
        let mut out = Loaded::default();
        for p in &self.paths {
            let l = self.load_one(&loader, p)?;
            out.documents.extend(l.documents);
            out.diagnostics.extend(l.diagnostics);
        }
        if out.documents.is_empty() && !out.has_errors() {
            let message =
                "no documents in the inputs (no .hcl, .json, .yaml or .yml file with content)";
            return Err(Stop::new(2, "no-documents", message));
        }
        Ok(out)
    }

    fn load_one(&self, loader: &Loader, path: &Path) -> Result<Loaded, Stop> {
        if path.as_os_str() == "-" {
            return self.load_stdin(loader);
        }
        let Ok(meta) = std::fs::metadata(path) else {
            let message = format!("{}: no such file or directory", path.display());
            return Err(Stop::new(2, "missing-path", message));
        };
        let loaded = if meta.is_file() && meta.len() == 0 {
            // An empty file holds no document, in any format (JSON would call it a syntax
            // error); the run stops for want of documents if nothing else has any.
            Loaded::default()
        } else if path.is_dir() || Format::from_path(path).is_some() {
            loader.load_paths(&[path])
        } else if let Some(f) = self.input_format {
            loader.load_file_as(path, f.into())
        } else {
            let message = format!(
                "{}: cannot tell the format from the extension (expected .hcl, .json, .yaml or .yml); pass --input-format hcl|json|yaml",
                path.display()
            );
            return Err(Stop::new(2, "unknown-format", message));
        };
        if let Some(d) = loaded.diagnostics.iter().find(|d| unreadable(d, path)) {
            let mut problem = Problem::from(d);
            "unreadable-path".clone_into(&mut problem.code);
            return Err(Stop {
                code: 2,
                problems: vec![problem],
            });
        }
        Ok(loaded)
    }

    fn load_stdin(&self, loader: &Loader) -> Result<Loaded, Stop> {
        let Some(format) = self.input_format else {
            let message = "reading standard input needs --input-format hcl|json|yaml";
            return Err(Stop::new(2, "unknown-format", message));
        };
        let mut src = String::new();
        std::io::stdin().read_to_string(&mut src).map_err(|e| {
            Stop::new(
                2,
                "unreadable-path",
                format!("cannot read standard input: {e}"),
            )
        })?;
        if src.is_empty() {
            return Ok(Loaded::default());
        }
        Ok(loader.load_str(&src, format.into(), Some(Path::new("<stdin>"))))
    }
}

/// Whether `d` says that the path named on the command line could not be read at all (not
/// there, no permission, an I/O error, over the size limit, not UTF-8): a diagnostic of that
/// very path with no position. Problems of files found inside a directory are the inputs'
/// own (exit 1), not this.
fn unreadable(d: &meshroute::Diagnostic, named: &Path) -> bool {
    let kind = matches!(
        d.kind(),
        DiagnosticKind::Io | DiagnosticKind::Limit | DiagnosticKind::Syntax
    );
    kind && d.line() == 0 && d.file() == Some(named)
}

/// What a topology is built from: the inputs and `--trust-domain`.
#[derive(Debug, clap::Args)]
pub(crate) struct TopologyArgs {
    /// The trust domain for SNI names (else the TrustDomain of a saved /v1/connect/ca/roots
    /// response among the inputs).
    #[arg(long)]
    trust_domain: Option<String>,
    #[command(flatten)]
    inputs: Inputs,
}

impl TopologyArgs {
    /// Loads the inputs and builds the topology, with the load warnings. `Err`: exit 2 for
    /// input problems, 1 for load errors (every diagnostic with them).
    pub(crate) fn load(&self) -> Result<(Topology, Vec<Problem>), Stop> {
        let loaded = self.inputs.load()?;
        let mut problems: Vec<Problem> = loaded.diagnostics.iter().map(Problem::from).collect();
        if loaded.has_errors() {
            problems.push(caller_error(
                "load-errors",
                "the inputs have errors; nothing resolved",
            ));
            return Err(Stop { code: 1, problems });
        }
        let topo = Topology::from_documents(&loaded.documents, self.trust_domain.as_deref());
        Ok((topo, problems))
    }

    /// [`TopologyArgs::load`], then exit 2 when `--datacenter` names no datacenter of it.
    pub(crate) fn load_in(
        &self,
        datacenter: &DatacenterArg,
    ) -> Result<(Topology, Vec<Problem>), Stop> {
        let (topo, problems) = self.load()?;
        datacenter.check(&topo)?;
        Ok((topo, problems))
    }
}

/// `--datacenter` as a filter: only the proxies of one datacenter.
#[derive(Debug, clap::Args)]
pub(crate) struct DatacenterArg {
    /// Only the proxies of this datacenter.
    #[arg(long)]
    pub(crate) datacenter: Option<String>,
}

impl DatacenterArg {
    /// Whether the datacenter `name` passes the filter.
    pub(crate) fn includes(&self, name: &str) -> bool {
        self.datacenter.as_deref().is_none_or(|dc| dc == name)
    }

    /// Exit 2 when `--datacenter` names no datacenter of `topo`.
    pub(crate) fn check(&self, topo: &Topology) -> Result<(), Stop> {
        match self.datacenter.as_deref() {
            Some(dc) => require_datacenter(topo, topo.datacenter(dc), dc),
            None => Ok(()),
        }
    }
}

/// Exit 2 (`unknown-datacenter`) when `found` is `None`: `name` is not among the inputs.
pub(crate) fn require_datacenter(
    topo: &Topology,
    found: Option<&Datacenter>,
    name: &str,
) -> Result<(), Stop> {
    if found.is_some() {
        return Ok(());
    }
    let known: Vec<_> = topo.datacenters().iter().map(Datacenter::name).collect();
    let known = if known.is_empty() {
        "none".to_owned()
    } else {
        known.join(", ")
    };
    let message = format!("datacenter {name:?} is not among the inputs (found: {known})");
    Err(Stop::new(2, "unknown-datacenter", message))
}

/// What the command says when no trust domain is known.
pub(crate) const NO_TRUST_DOMAIN: &str = "no trust domain: SNI names need one; pass it explicitly (--trust-domain) or include a saved /v1/connect/ca/roots response (its TrustDomain) among the inputs";

/// Exit 1 with [`NO_TRUST_DOMAIN`] when `topo` has no trust domain (the SNI names are
/// missing); else 0.
pub(crate) fn trust_domain_exit(topo: &Topology, problems: &mut Vec<Problem>) -> u8 {
    if topo.trust_domain().is_none() {
        problems.push(caller_error("no-trust-domain", NO_TRUST_DOMAIN));
        1
    } else {
        0
    }
}

/// Reads the bytes of `path`, standard input for `-` (a captured ClientHello); exit 2 when it
/// cannot be read.
#[cfg(feature = "sniff")]
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, Stop> {
    let read = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map(|_| bytes)
    } else {
        std::fs::read(path)
    };
    read.map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            "missing-path"
        } else {
            "unreadable-path"
        };
        Stop::new(2, code, format!("{}: {e}", path.display()))
    })
}
