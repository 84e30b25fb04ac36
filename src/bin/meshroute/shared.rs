//! What the subcommands share: their input arguments (clap structs each subcommand's `Args`
//! flattens), loading the inputs, and printing messages and JSON.

use std::fmt::Display;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use meshroute::topology::Datacenter;
use meshroute::{Format, Loaded, Loader, Topology};

/// How a subcommand ends: `Ok` with its exit code, or `Err` with the exit code of a run that
/// stopped early, its reason already printed.
pub(crate) type Outcome = Result<ExitCode, ExitCode>;

/// A subcommand, by the name its messages start with: `meshroute NAME: ...` on stderr.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cmd(pub(crate) &'static str);

impl Cmd {
    /// Prints `meshroute NAME: message` on stderr.
    pub(crate) fn say(self, message: impl Display) {
        eprintln!("meshroute {}: {message}", self.0);
    }

    /// Prints `meshroute NAME: message` on stderr and returns `code`.
    pub(crate) fn fail(self, code: u8, message: impl Display) -> ExitCode {
        self.say(message);
        ExitCode::from(code)
    }
}

/// The files and directories a subcommand reads.
#[derive(Debug, clap::Args)]
pub(crate) struct Inputs {
    /// Files and directories (one directory per agent or datacenter, searched recursively).
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
}

/// `--input-format`: what `-` among the paths holds.
#[derive(Debug, clap::Args)]
pub(crate) struct InputFormatArg {
    /// The format of standard input (`-` among the paths).
    #[arg(long, value_parser = ["hcl", "json", "yaml"])]
    pub(crate) input_format: Option<String>,
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

    /// Exit 1 when `--datacenter` names no datacenter of `topo`.
    pub(crate) fn check(&self, cmd: Cmd, topo: &Topology) -> Result<(), ExitCode> {
        match self.datacenter.as_deref() {
            Some(dc) if topo.datacenter(dc).is_none() => {
                let known: Vec<_> = topo.datacenters().iter().map(Datacenter::name).collect();
                let known = if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                };
                let message = format!("datacenter {dc:?} is not among the inputs (found: {known})");
                Err(cmd.fail(1, message))
            }
            _ => Ok(()),
        }
    }
}

/// `--format text|json`.
#[derive(Debug, clap::Args)]
pub(crate) struct TextOrJson {
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

impl TextOrJson {
    /// Whether the output is JSON.
    pub(crate) fn is_json(&self) -> bool {
        self.format == "json"
    }
}

/// Reads the bytes of `path`, standard input for `-` (a captured ClientHello).
#[cfg(feature = "sniff")]
pub(crate) fn read_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(path)
    }
}

/// Loads `paths`, in order; `-` is standard input in `input_format`. `Err` is a usage problem.
pub(crate) fn load(paths: &[PathBuf], input_format: Option<&str>) -> Result<Loaded, String> {
    let loader = Loader::new();
    let mut out = Loaded::default();
    for p in paths {
        let l = load_one(&loader, p, input_format)?;
        out.documents.extend(l.documents);
        out.diagnostics.extend(l.diagnostics);
    }
    Ok(out)
}

fn load_one(loader: &Loader, path: &Path, input_format: Option<&str>) -> Result<Loaded, String> {
    if path.as_os_str() == "-" {
        let Some(fmt) = input_format else {
            return Err("reading standard input needs --input-format hcl|json|yaml".into());
        };
        let format: Format = fmt
            .parse()
            .map_err(|e: meshroute::UnknownFormat| e.to_string())?;
        let mut src = String::new();
        std::io::stdin()
            .read_to_string(&mut src)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(loader.load_str(&src, format, Some(Path::new("<stdin>"))))
    } else if !path.exists() {
        Err(format!("{}: no such file or directory", path.display()))
    } else {
        Ok(loader.load_paths(&[path]))
    }
}

impl TopologyArgs {
    /// Loads the inputs and builds the topology; load diagnostics and topology warnings go to
    /// stderr (`FILE:LINE:COL: PATH: message`, warnings after `warning: `). `Err` holds the
    /// exit code: 2 for usage, 1 for load errors.
    pub(crate) fn load(&self, cmd: Cmd) -> Result<Topology, ExitCode> {
        let loaded = load(&self.inputs.paths, None).map_err(|msg| cmd.fail(2, msg))?;
        for d in &loaded.diagnostics {
            if d.is_error() {
                eprintln!("{d}");
            } else {
                eprintln!("warning: {d}");
            }
        }
        if loaded.has_errors() {
            return Err(cmd.fail(1, "the inputs have errors; nothing resolved"));
        }
        let topo = Topology::from_documents(&loaded.documents, self.trust_domain.as_deref());
        for w in topo.warnings() {
            eprintln!("warning: {w}");
        }
        Ok(topo)
    }
}

/// What the command says when no trust domain is known.
pub(crate) const NO_TRUST_DOMAIN: &str = "no trust domain: SNI names need one; pass it explicitly (--trust-domain) or include a saved /v1/connect/ca/roots response (its TrustDomain) among the inputs";

/// Exit 1, saying how to give one, when `topo` has no trust domain (the SNI names are
/// missing); else success.
pub(crate) fn trust_domain_exit(cmd: Cmd, topo: &Topology) -> ExitCode {
    if topo.trust_domain().is_none() {
        cmd.fail(1, NO_TRUST_DOMAIN)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints `value` as pretty JSON on stdout; exit 1 (with the reason) when it cannot be
/// serialized.
pub(crate) fn print_json(cmd: Cmd, value: &impl serde::Serialize) -> Result<(), ExitCode> {
    let s = serde_json::to_string_pretty(value).map_err(|e| cmd.fail(1, e))?;
    println!("{s}");
    Ok(())
}

/// Prints `value` as JSON on one line of stdout.
pub(crate) fn print_json_line(value: &serde_json::Value) {
    println!("{value}");
}
