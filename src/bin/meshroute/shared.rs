//! What the subcommands share: their input arguments (clap structs each subcommand's `Args`
//! flattens), loading the inputs, and printing messages and JSON.

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use meshroute::text::Escaped;
use meshroute::topology::Datacenter;
use meshroute::tree::Limits;
use meshroute::{Diagnostic, Format, Loaded, Loader, Topology};

/// How a subcommand ends: `Ok` with its exit code, or `Err` with the exit code of a run that
/// stopped early, its reason already printed.
pub(crate) type Outcome = Result<ExitCode, ExitCode>;

/// A subcommand, by the name its messages start with: `meshroute NAME: ...` on stderr.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cmd(pub(crate) &'static str);

impl Cmd {
    /// Prints `meshroute NAME: message` on stderr, control characters escaped.
    pub(crate) fn say(self, message: impl Display) {
        eprintln!("meshroute {}: {}", self.0, Escaped(&message.to_string()));
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
    #[command(flatten)]
    pub(crate) max_input_size: MaxInputSize,
}

/// `--max-input-size`: the most bytes read from any one input.
#[derive(Debug, clap::Args)]
pub(crate) struct MaxInputSize {
    /// The most bytes read from one input (file, device, standard input): more is an error,
    /// found while reading. A number of bytes, or with a unit: KiB, MiB, GiB.
    #[arg(long, value_name = "SIZE", default_value = "16MiB", value_parser = parse_size)]
    pub(crate) max_input_size: usize,
}

impl MaxInputSize {
    /// The loader that reads within this size.
    pub(crate) fn loader(&self) -> Loader {
        Loader::new().with_limits(Limits::default().with_max_bytes(self.max_input_size))
    }
}

/// `123`, `64KiB`, `16MiB`, `1GiB` (also `K`, `M`, `G`, any case) as a number of bytes.
fn parse_size(s: &str) -> Result<usize, String> {
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit: u32 = match s[digits.len()..].to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kib" => 10,
        "m" | "mib" => 20,
        "g" | "gib" => 30,
        other => return Err(format!("unknown unit {other:?} (expected KiB, MiB or GiB)")),
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("expected a number of bytes, found {s:?}"))?;
    n.checked_mul(1 << unit)
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("expected a size from 1 byte to {} bytes", usize::MAX))
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

/// The bytes of `path`, standard input for `-` (a captured ClientHello), at most
/// `max.max_input_size` of them; exit 2 (the reason printed, in JSON too when `json`) when it
/// cannot be read.
#[cfg(feature = "sniff")]
pub(crate) fn read_bytes(
    cmd: Cmd,
    path: &Path,
    max: &MaxInputSize,
    json: bool,
) -> Result<Vec<u8>, ExitCode> {
    let limit = max.max_input_size;
    let read = if path.as_os_str() == "-" {
        meshroute::load::read_bounded(std::io::stdin().lock(), limit)
    } else {
        std::fs::File::open(path)
            .map_err(meshroute::load::ReadError::Io)
            .and_then(|f| meshroute::load::read_bounded(f, limit))
    };
    read.map_err(|e| {
        let message = format!("{}: {e}", show_path(path));
        if json {
            print_json_line(&serde_json::json!({"error": "unreadable", "message": message}));
        }
        cmd.fail(2, message)
    })
}

/// A path as messages show it, `<stdin>` for `-`, control characters escaped.
fn show_path(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Why the inputs were not loaded (exit 2): a usage problem, or inputs that cannot be read
/// at all (their errors).
#[derive(Debug)]
pub(crate) enum Unloaded {
    /// A usage problem, said in one line.
    Usage(String),
    /// Named inputs that cannot be read: missing, not readable, over the size limit, not
    /// UTF-8, of no known format.
    Unreadable(Vec<Diagnostic>),
}

impl Unloaded {
    /// Prints why on stderr (and as JSON `{"errors": [...], "warnings": []}` on stdout when
    /// `json`); exit 2.
    pub(crate) fn fail(self, cmd: Cmd, json: bool) -> ExitCode {
        match self {
            Self::Usage(message) => {
                if json {
                    let error = serde_json::json!({"message": message});
                    print_json_line(&serde_json::json!({"errors": [error], "warnings": []}));
                }
                cmd.fail(2, message)
            }
            Self::Unreadable(diagnostics) => {
                if json {
                    print_json_line(&serde_json::json!({"errors": diagnostics, "warnings": []}));
                }
                for d in &diagnostics {
                    eprintln!("{d}");
                }
                cmd.fail(2, "an input cannot be read")
            }
        }
    }
}

/// Loads `inputs`, in order, each file once; `-` is standard input in `input_format`. `Err`
/// when an input named on the command line cannot be read at all (problems found inside a
/// directory are diagnostics of the load).
pub(crate) fn load(inputs: &Inputs, input_format: Option<&str>) -> Result<Loaded, Unloaded> {
    let loader = inputs.max_input_size.loader();
    let mut out = Loaded::default();
    for group in inputs.paths.split_inclusive(|p| p.as_os_str() == "-") {
        let (files, stdin) = match group.split_last() {
            Some((last, files)) if last.as_os_str() == "-" => (files, true),
            _ => (group, false),
        };
        let mut l = loader.load_paths(files);
        if stdin {
            let more = load_stdin(&loader, input_format)?;
            l.documents.extend(more.documents);
            l.diagnostics.extend(more.diagnostics);
        }
        out.documents.extend(l.documents);
        out.diagnostics.extend(l.diagnostics);
    }
    let unreadable: Vec<Diagnostic> = out
        .diagnostics
        .iter()
        .filter(|d| d.is_unreadable() && is_named(d, &inputs.paths))
        .cloned()
        .collect();
    if unreadable.is_empty() {
        Ok(out)
    } else {
        Err(Unloaded::Unreadable(unreadable))
    }
}

/// Whether `d` is about an input named on the command line (`<stdin>` for `-`).
fn is_named(d: &Diagnostic, paths: &[PathBuf]) -> bool {
    let stdin = Path::new(STDIN);
    d.file().is_some_and(|f| {
        paths
            .iter()
            .any(|p| p == f || (p.as_os_str() == "-" && f == stdin))
    })
}

/// What diagnostics call standard input.
const STDIN: &str = "<stdin>";

fn load_stdin(loader: &Loader, input_format: Option<&str>) -> Result<Loaded, Unloaded> {
    let Some(fmt) = input_format else {
        let message = "reading standard input needs --input-format hcl|json|yaml";
        return Err(Unloaded::Usage(message.into()));
    };
    let format: Format = fmt
        .parse()
        .map_err(|e: meshroute::UnknownFormat| Unloaded::Usage(e.to_string()))?;
    Ok(loader.load_reader(std::io::stdin().lock(), format, Some(Path::new(STDIN))))
}

impl TopologyArgs {
    /// Loads the inputs and builds the topology; load diagnostics and topology warnings go to
    /// stderr (`FILE:LINE:COL: PATH: message`, warnings after `warning: `), and, when `json`,
    /// load errors also to stdout as `{"errors": [...], "warnings": [...]}`. `Err` holds the
    /// exit code: 2 for usage or inputs that cannot be read, 1 for load errors.
    pub(crate) fn load(&self, cmd: Cmd, json: bool) -> Result<Topology, ExitCode> {
        let loaded = load(&self.inputs, None).map_err(|u| u.fail(cmd, json))?;
        for d in &loaded.diagnostics {
            if d.is_error() {
                eprintln!("{d}");
            } else {
                eprintln!("warning: {d}");
            }
        }
        if loaded.has_errors() {
            if json {
                let (errors, warnings): (Vec<_>, Vec<_>) =
                    loaded.diagnostics.iter().partition(|d| d.is_error());
                print_json_line(&serde_json::json!({"errors": errors, "warnings": warnings}));
            }
            return Err(cmd.fail(1, "the inputs have errors; nothing resolved"));
        }
        let topo = Topology::from_documents(&loaded.documents, self.trust_domain.as_deref());
        for w in topo.warnings() {
            eprintln!("warning: {w}");
        }
        Ok(topo)
    }

    /// The most bytes read from one input.
    #[cfg(feature = "sniff")]
    pub(crate) fn max_input_size(&self) -> &MaxInputSize {
        &self.inputs.max_input_size
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

/// Prints `value` as pretty JSON on stdout, written as it is serialized; exit 1 (with the
/// reason) when it cannot be.
pub(crate) fn print_json(cmd: Cmd, value: &impl serde::Serialize) -> Result<(), ExitCode> {
    let pretty = SafeJson(serde_json::ser::PrettyFormatter::new());
    write_json(value, pretty).map_err(|e| cmd.fail(1, e))
}

/// Prints `value` as JSON on one line of stdout, written as it is serialized.
pub(crate) fn print_json_line(value: &impl serde::Serialize) {
    let _ = write_json(value, SafeJson(serde_json::ser::CompactFormatter));
}

/// Serializes `value` straight to stdout (no copy of the whole output is made in memory),
/// then a newline.
fn write_json<F: serde_json::ser::Formatter>(
    value: &impl serde::Serialize,
    formatter: F,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out, formatter,
    ))?;
    out.write_all(b"\n")?;
    out.flush()
}

/// A JSON formatter that also escapes, as `\uXXXX`, the characters JSON lets through raw but a
/// terminal may act on: DEL, the C1 controls (U+009B is a one-character CSI) and the
/// bidirectional controls ([`meshroute::text::is_unsafe`]). C0 controls JSON escapes itself.
struct SafeJson<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for SafeJson<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some(i) = rest.find(meshroute::text::is_unsafe) {
            w.write_all(&rest.as_bytes()[..i])?;
            let c = rest[i..].chars().next().unwrap_or_default();
            write!(w, "\\u{:04x}", u32::from(c))?;
            rest = &rest[i + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}
