//! What the subcommands share: their arguments (clap structs each subcommand's `Args`
//! flattens), loading the inputs, and how a run ends: the JSON envelope on stdout, or text
//! with the problems on stderr (docs/json.md, the exit codes in the README).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use meshroute::Resolution;
use meshroute::report::{Envelope, JsonStyle, TerminalSafe};
use meshroute::text::Escaped;
use meshroute::topology::Datacenter;
use meshroute::tree::Limits;
use meshroute::{
    Diagnostic, Document, Format, Loaded, Loader, Problem, Severity, Source, Topology,
};
use serde::Serialize;

use crate::spill::{self, Spill};

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
        self.finish_spliced(code, result, problems, None)
    }

    /// [`Cmd::finish`] with a result that holds `spill`: its texts are printed where it
    /// serializes. Exit 2 when they cannot be read back (the output is cut short there).
    pub(crate) fn finish_spliced<T: Serialize>(
        self,
        code: u8,
        result: Option<T>,
        problems: Vec<Problem>,
        spill: Option<&Spill>,
    ) -> ExitCode {
        if self.json {
            let mut envelope = Envelope::new(self.name, result);
            envelope.extend(problems);
            if let Err(e) = print_spliced(&envelope, spill) {
                eprintln!("meshroute {}: {e}", self.name);
                return ExitCode::from(2);
            }
        } else {
            for p in &problems {
                self.say(p);
            }
        }
        ExitCode::from(code)
    }

    /// [`Cmd::finish`] with a resolution: in JSON, the envelope written by the library's
    /// writer ([`Envelope::write_json`]: the same bytes, faster).
    pub(crate) fn finish_resolution(
        self,
        code: u8,
        resolution: &Resolution<'_>,
        problems: Vec<Problem>,
    ) -> ExitCode {
        if !self.json {
            return self.finish(code, None::<()>, problems);
        }
        let mut envelope = Envelope::new(self.name, Some(resolution));
        envelope.extend(problems);
        let mut out = std::io::stdout().lock();
        let written = envelope
            .write_json(&mut out, JsonStyle::PRETTY.terminal_safe())
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        // As in `print_json`: a closed pipe is the reader's choice.
        drop(written);
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
        let message = Escaped(&p.message);
        match p.source {
            Source::Caller | Source::ClientHello => {
                eprintln!("meshroute {}: {message}", self.name);
            }
            Source::Topology => eprintln!("warning: {message}"),
            Source::Gateway => {}
            _ => eprintln!("{p}"),
        }
    }
}

/// Prints `value` as pretty JSON on stdout, written as it is serialized: no copy of the
/// whole output (as JSON values or as text) is made in memory. Characters JSON lets through
/// raw but a terminal may act on are escaped too ([`SafeJson`], with [`TerminalSafe`]'s escape).
pub(crate) fn print_json(value: &impl Serialize) {
    // Without a spill, nothing of ours can fail.
    drop(print_spliced(value, None));
}

/// [`print_json`], with `spill`'s texts where it serializes ([`SafeJson`]).
///
/// # Errors
///
/// When `spill` cannot be read back; a failure to write is not one (a closed pipe, `| head`,
/// is the reader's choice, and the envelope and everything in it serialize to JSON).
fn print_spliced(value: &impl Serialize, spill: Option<&Spill>) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut pretty = SafeJson::new(serde_json::ser::PrettyFormatter::new());
    pretty.spill = spill;
    let written = value
        .serialize(&mut serde_json::Serializer::with_formatter(
            &mut out, pretty,
        ))
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Err(e) if matches!(e.get_ref(), Some(i) if i.is::<SpillLost>()) => Err(e),
        _ => Ok(()),
    }
}

/// The error of a [`Spill`] that could not be read back while printed.
#[derive(Debug)]
struct SpillLost(std::io::Error);

impl std::fmt::Display for SpillLost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the documents' JSON could not be read back from its temporary file: {}",
            self.0
        )
    }
}

impl std::error::Error for SpillLost {}

/// `value` as compact JSON text, to be printed later by [`print_json`] (which indents it in
/// place) without keeping `value`: characters escaped as [`print_json`] escapes them.
///
/// The text marks itself with JSON whitespace, which neither serde_json's compact output nor
/// the crate's own raw texts (opaque maps, written by serde_json) ever hold: a `\r` after its
/// first bracket says that it is to be indented, and a `\t` before and after each raw text
/// inside it says that that part is written as it is (as the pretty formatter writes raw
/// texts: an opaque map stays compact).
pub(crate) fn raw_json(value: &impl Serialize) -> Box<serde_json::value::RawValue> {
    let mut out = Vec::new();
    let written = write_raw_json(value, &mut out);
    // What the meshroute types serialize to is JSON (string keys, finite numbers), written
    // as UTF-8: neither can fail.
    let text = written.ok().and_then(|()| String::from_utf8(out).ok());
    let raw = text.and_then(|t| serde_json::value::RawValue::from_string(t).ok());
    raw.unwrap_or_default()
}

/// Appends `value` to `out` as [`raw_json`]'s text, unchecked (for a [`Spill`]).
pub(crate) fn write_raw_json(value: &impl Serialize, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let compact = SafeJson::compact();
    value.serialize(&mut serde_json::Serializer::with_formatter(out, compact))
}

/// A JSON formatter that also escapes, as `\uXXXX`, the characters JSON lets through raw but
/// a terminal may act on: DEL, the C1 controls (U+009B is a one-character CSI) and the
/// bidirectional controls ([`meshroute::text::is_unsafe`]), as the library's [`TerminalSafe`]
/// does (whose escape it calls). C0 controls JSON escapes itself.
///
/// It counts how deep in arrays and objects it is, to indent compact JSON written raw (a
/// [`raw_json`] value) as the pretty formatter would have written it there. Where a
/// [`Spill`] serialized its mark ([`spill::MARK`]), it writes the spilled texts as an array
/// of such raw values.
struct SafeJson<'s, F> {
    inner: F,
    /// How deep in arrays and objects, when indenting (`None`: compact, for [`raw_json`]).
    depth: Option<usize>,
    /// Compact: whether the mark that says "indent this" is written ([`raw_json`]).
    marked: bool,
    /// The texts to write where a spill's mark is.
    spill: Option<&'s Spill>,
}

impl SafeJson<'_, serde_json::ser::PrettyFormatter<'_>> {
    fn new(inner: serde_json::ser::PrettyFormatter<'static>) -> Self {
        Self {
            inner,
            depth: Some(0),
            marked: false,
            spill: None,
        }
    }
}

impl SafeJson<'_, serde_json::ser::CompactFormatter> {
    fn compact() -> Self {
        Self {
            inner: serde_json::ser::CompactFormatter,
            depth: None,
            marked: false,
            spill: None,
        }
    }
}

impl<F: serde_json::ser::Formatter> SafeJson<'_, F> {
    /// A raw JSON text: indented when it is a [`raw_json`] value and the output is pretty,
    /// as it is otherwise; marked as raw when the output is a [`raw_json`] value itself.
    fn raw<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let raw = fragment.as_bytes();
        match self.depth {
            Some(depth) if raw.get(1) == Some(&b'\r') => write_indented(w, raw, depth),
            Some(_) => w.write_all(raw),
            None => {
                self.mark(w)?;
                w.write_all(b"\t")?;
                w.write_all(raw)?;
                w.write_all(b"\t")
            }
        }
    }

    /// `spill`'s texts as an array of raw values, as serde_json writes a `Vec` of them.
    fn splice<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        spill: &Spill,
    ) -> std::io::Result<()> {
        use serde_json::ser::Formatter;
        self.begin_array(w)?;
        let mut first = true;
        // A failure to write (a closed pipe) is kept apart from the spill's own.
        let mut write_error = None;
        let read = spill.each(|text| {
            let written = self
                .begin_array_value(w, std::mem::take(&mut first))
                .and_then(|()| self.raw(w, text))
                .and_then(|()| self.end_array_value(w));
            written.map_err(|e| std::io::Error::from(write_error.insert(e).kind()))
        });
        match (read, write_error) {
            (_, Some(e)) => return Err(e),
            (Err(e), None) => return Err(std::io::Error::other(SpillLost(e))),
            (Ok(()), None) => {}
        }
        self.end_array(w)
    }
}

impl<F> SafeJson<'_, F> {
    /// Compact, before the first element of the first array or object: the mark.
    fn mark<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        if self.depth.is_some() || self.marked {
            return Ok(());
        }
        self.marked = true;
        w.write_all(b"\r")
    }
}

/// Writes `raw`, compact JSON as [`raw_json`] writes it (no space between tokens, its marks
/// in place), as serde_json's pretty formatter would have written the same value `depth`
/// levels deep: two spaces a level, `": "` after keys, empty arrays and objects as `[]` and
/// `{}`, raw texts as they are.
fn write_indented<W: ?Sized + std::io::Write>(
    w: &mut W,
    raw: &[u8],
    mut depth: usize,
) -> std::io::Result<()> {
    let newline = |w: &mut W, depth: usize| -> std::io::Result<()> {
        w.write_all(b"\n")?;
        (0..depth).try_for_each(|_| w.write_all(b"  "))
    };
    let (mut from, mut i, mut in_string) = (0, 0, false);
    while i < raw.len() {
        let b = raw[i];
        i += 1;
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'\r' => {
                w.write_all(&raw[from..i - 1])?;
                from = i;
            }
            b'\t' => {
                w.write_all(&raw[from..i - 1])?;
                let end = raw[i..]
                    .iter()
                    .position(|&c| c == b'\t')
                    .map_or(raw.len(), |n| i + n);
                w.write_all(&raw[i..end])?;
                i = (end + 1).min(raw.len());
                from = i;
            }
            b'{' | b'[' if matches!(raw.get(i), Some(b'}' | b']')) => i += 1,
            b'{' | b'[' => {
                w.write_all(&raw[from..i])?;
                depth += 1;
                newline(w, depth)?;
                from = i;
            }
            b',' | b':' => {
                w.write_all(&raw[from..i])?;
                if b == b',' {
                    newline(w, depth)?;
                } else {
                    w.write_all(b" ")?;
                }
                from = i;
            }
            b'}' | b']' => {
                w.write_all(&raw[from..i - 1])?;
                depth = depth.saturating_sub(1);
                newline(w, depth)?;
                from = i - 1;
            }
            _ => {}
        }
    }
    w.write_all(&raw[from..])
}

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for SafeJson<'_, F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // The library's escape (a word-at-a-time scan; the layout is this formatter's).
        TerminalSafe(serde_json::ser::CompactFormatter).write_string_fragment(w, fragment)
    }

    fn write_raw_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // Only where a spill is printed: every other output is written as before.
        match self.spill {
            Some(spill) if fragment == spill::MARK => self.splice(w, spill),
            _ => self.raw(w, fragment),
        }
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth = self.depth.map(|d| d + 1);
        self.inner.begin_array(w)
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth = self.depth.map(|d| d.saturating_sub(1));
        self.inner.end_array(w)
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.inner.begin_array_value(w, first)?;
        self.mark(w)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_array_value(w)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth = self.depth.map(|d| d + 1);
        self.inner.begin_object(w)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth = self.depth.map(|d| d.saturating_sub(1));
        self.inner.end_object(w)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.inner.begin_object_key(w, first)?;
        self.mark(w)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.inner.end_object_value(w)
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
    #[command(flatten)]
    pub(crate) max_input_size: MaxInputSize,
}

/// `--max-input-size`: the most bytes read from any one input.
#[derive(Debug, clap::Args)]
pub(crate) struct MaxInputSize {
    /// The most bytes read from one input (a file, a device, standard input): more is an
    /// error, found while reading. A number of bytes, or with a unit: KiB, MiB, GiB.
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

impl Inputs {
    /// Loads the paths, in order. `Err` (exit 2) when a named path cannot be read, its format
    /// cannot be told, or there is no document at all.
    pub(crate) fn load(&self) -> Result<Loaded, Stop> {
        let mut out = Loaded::default();
        out.diagnostics = self.load_each(|d| out.documents.push(d))?;
        Ok(out)
    }

    /// [`Inputs::load`], handing each document to `sink` as it is decoded; returns the
    /// diagnostics.
    pub(crate) fn load_each(
        &self,
        mut sink: impl FnMut(Document),
    ) -> Result<Vec<Diagnostic>, Stop> {
        let loader = self.max_input_size.loader();
        let mut diagnostics = Vec::new();
        let mut count = 0usize;
        let mut counted = |d| {
            count += 1;
            sink(d);
        };
        for p in &self.paths {
            diagnostics.extend(self.load_one(&loader, p, &mut counted)?);
        }
        if count == 0 && !diagnostics.iter().any(Diagnostic::is_error) {
            let message =
                "no documents in the inputs (no .hcl, .json, .yaml or .yml file with content)";
            return Err(Stop::new(2, "no-documents", message));
        }
        Ok(diagnostics)
    }

    fn load_one(
        &self,
        loader: &Loader,
        path: &Path,
        sink: &mut impl FnMut(Document),
    ) -> Result<Vec<Diagnostic>, Stop> {
        let diagnostics = if path.as_os_str() == "-" {
            handed(self.load_stdin(loader)?, sink)
        } else {
            self.load_path(loader, path, sink)?
        };
        if let Some(d) = diagnostics.iter().find(|d| unreadable(d, path)) {
            let mut problem = Problem::from(d);
            "unreadable-path".clone_into(&mut problem.code);
            return Err(Stop {
                code: 2,
                problems: vec![problem],
            });
        }
        Ok(diagnostics)
    }

    /// A named file or directory: by extension, else in `--input-format`.
    fn load_path(
        &self,
        loader: &Loader,
        path: &Path,
        sink: &mut impl FnMut(Document),
    ) -> Result<Vec<Diagnostic>, Stop> {
        let meta = std::fs::metadata(path).map_err(|e| unreadable_path(path, &e))?;
        let diagnostics = if meta.is_file() && meta.len() == 0 {
            // An empty file holds no document, in any format (JSON would call it a syntax
            // error); the run stops for want of documents if nothing else has any.
            Vec::new()
        } else if path.is_dir() || Format::from_path(path).is_some() {
            loader.load_paths_with(&[path], sink)
        } else if let Some(f) = self.input_format {
            handed(loader.load_file_as(path, f.into()), sink)
        } else {
            let message = format!(
                "{}: cannot tell the format from the extension (expected .hcl, .json, .yaml or .yml); pass --input-format hcl|json|yaml",
                path.display()
            );
            return Err(Stop::new(2, "unknown-format", message));
        };
        Ok(diagnostics)
    }

    /// Standard input, read within the size limit (`check -` on an endless stream stops at
    /// it) and loaded in `--input-format`; empty, it holds no document.
    fn load_stdin(&self, loader: &Loader) -> Result<Loaded, Stop> {
        use std::io::BufRead;
        let Some(format) = self.input_format else {
            let message = "reading standard input needs --input-format hcl|json|yaml";
            return Err(Stop::new(2, "unknown-format", message));
        };
        let mut stdin = std::io::stdin().lock();
        let empty = stdin
            .fill_buf()
            .map_err(|e| unreadable_path(Path::new(STDIN), &e))?
            .is_empty();
        if empty {
            return Ok(Loaded::default());
        }
        Ok(loader.load_reader(stdin, format.into(), Some(Path::new(STDIN))))
    }
}

/// The documents of `loaded` handed to `sink`; its diagnostics.
fn handed(loaded: Loaded, sink: &mut impl FnMut(Document)) -> Vec<Diagnostic> {
    loaded.documents.into_iter().for_each(sink);
    loaded.diagnostics
}

/// What diagnostics call standard input.
const STDIN: &str = "<stdin>";

/// Exit 2 for a path named on the command line that cannot be read, with the operating
/// system's cause (`missing-path` when it is not there, else `unreadable-path`).
fn unreadable_path(path: &Path, e: &std::io::Error) -> Stop {
    if e.kind() == std::io::ErrorKind::NotFound {
        let message = format!("{}: no such file or directory", path.display());
        return Stop::new(2, "missing-path", message);
    }
    Stop::new(
        2,
        "unreadable-path",
        format!("{}: cannot read: {e}", path.display()),
    )
}

/// Whether `d` says that the path named on the command line (`<stdin>` for `-`) could not be
/// read at all ([`meshroute::Diagnostic::is_unreadable`]: not there, no permission, an I/O
/// error, over the size limit, not UTF-8). Problems of files found inside a directory are the
/// inputs' own (exit 1), not this.
fn unreadable(d: &meshroute::Diagnostic, named: &Path) -> bool {
    let named = if named.as_os_str() == "-" {
        Path::new(STDIN)
    } else {
        named
    };
    d.is_unreadable() && d.file() == Some(named)
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
        // Each document moves into the builder as it is decoded: its upstreams are kept as
        // compact records and the rest dropped when built, so the documents are never all
        // in memory.
        let mut builder = Topology::builder();
        if let Some(td) = &self.trust_domain {
            builder.trust_domain(td);
        }
        let diagnostics = self.inputs.load_each(|d| {
            builder.add_document(d);
        })?;
        let mut problems: Vec<Problem> = diagnostics.iter().map(Problem::from).collect();
        if diagnostics.iter().any(Diagnostic::is_error) {
            problems.push(caller_error(
                "load-errors",
                "the inputs have errors; nothing resolved",
            ));
            return Err(Stop { code: 1, problems });
        }
        Ok((builder.build(), problems))
    }

    /// The most bytes read from one input.
    #[cfg(feature = "sniff")]
    pub(crate) fn max_input_size(&self) -> &MaxInputSize {
        &self.inputs.max_input_size
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

/// Reads the bytes of `path`, standard input for `-` (a captured ClientHello), at most
/// `max.max_input_size` of them (reading stops one byte past it); exit 2 when it cannot be
/// read or holds more.
#[cfg(feature = "sniff")]
pub(crate) fn read_bytes(path: &Path, max: &MaxInputSize) -> Result<Vec<u8>, Stop> {
    use meshroute::load::{ReadError, read_bounded};
    let limit = max.max_input_size;
    let read = if path.as_os_str() == "-" {
        read_bounded(std::io::stdin().lock(), limit)
    } else {
        std::fs::File::open(path)
            .map_err(ReadError::Io)
            .and_then(|f| read_bounded(f, limit))
    };
    let shown = if path.as_os_str() == "-" {
        Path::new(STDIN)
    } else {
        path
    };
    read.map_err(|e| match e {
        ReadError::Io(e) => unreadable_path(shown, &e),
        e => Stop::new(2, "unreadable-path", format!("{}: {e}", shown.display())),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `value` written pretty by the formatter of [`print_json`].
    fn pretty(value: &impl Serialize) -> String {
        let mut out = Vec::new();
        let f = SafeJson::new(serde_json::ser::PrettyFormatter::new());
        value
            .serialize(&mut serde_json::Serializer::with_formatter(&mut out, f))
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn raw_json_is_printed_as_the_value_itself_would_be() {
        let values = [
            json!({"a": [], "b": {}, "c": [[], {}, [1, [2, {"d": null}]]], "e": true}),
            json!(["{[,:]}\"", "\\\"", ":", ",", "\\", "a\"b{"]),
            json!({"{\"k\":": {"x,y": [{"": ""}], "\u{9b}[2J": "\u{202e}", "n": -1.5e-7}}),
            json!([]),
            json!({}),
            json!("text"),
            json!([[[[]]]]),
        ];
        for v in values {
            // At the top, and nested as a value of an object in an array.
            assert_eq!(pretty(&raw_json(&v)), pretty(&v), "{v}");
            assert_eq!(pretty(&Nested(raw_json(&v))), pretty(&Nested(&v)), "{v}");
        }
    }

    /// Raw texts inside the value (the opaque maps of documents) stay as they are, compact,
    /// as the pretty formatter writes them; the rest is indented.
    #[test]
    fn raw_texts_inside_stay_compact() {
        use serde_json::value::RawValue;
        #[derive(Serialize)]
        struct WithRaw<'a> {
            before: serde_json::Value,
            raw: &'a RawValue,
            list: Vec<&'a RawValue>,
            empty: serde_json::Value,
        }
        let opaque = RawValue::from_string(r#"{"a":[1,{"b":"x\ty,:"}],"c":{},"d":[]}"#.into());
        let opaque = opaque.unwrap();
        let value = WithRaw {
            before: json!({"x": [1, {"y": "\t\r"}]}),
            raw: &opaque,
            list: vec![&opaque, &opaque],
            empty: json!({}),
        };
        let expected = pretty(&value);
        assert!(expected.contains(opaque.get()), "{expected}");
        assert_eq!(pretty(&raw_json(&value)), expected);
        assert_eq!(pretty(&Nested(raw_json(&value))), pretty(&Nested(&value)));
        // A raw text first, and a raw text alone.
        let list = vec![&*opaque, &*opaque];
        assert_eq!(pretty(&raw_json(&list)), pretty(&list));
        assert_eq!(pretty(&raw_json(&&*opaque)), opaque.get());
    }

    /// A spill is printed as the list of its texts kept in memory would be, at any depth,
    /// empty or not.
    #[test]
    fn a_spill_is_printed_as_its_texts_in_memory_would_be() {
        use crate::spill::SpillWriter;
        let values = [
            json!({"a": [1, {"b": []}], "c": "\u{9b}", "d": {}}),
            json!({}),
            json!({"x": null, "y": [[]]}),
        ];
        for n in 0..=values.len() {
            let texts: Vec<_> = values[..n].iter().map(raw_json).collect();
            let mut w = SpillWriter::new().unwrap();
            for v in &values[..n] {
                let mut text = Vec::new();
                write_raw_json(v, &mut text).unwrap();
                w.push(&text).unwrap();
            }
            let spill = w.finish().unwrap();
            let mut out = Vec::new();
            let mut f = SafeJson::new(serde_json::ser::PrettyFormatter::new());
            f.spill = Some(&spill);
            Nested(&spill)
                .serialize(&mut serde_json::Serializer::with_formatter(&mut out, f))
                .unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                pretty(&Nested(&texts)),
                "{n}"
            );
        }
    }

    /// `[{"k": VALUE, "z": 1}]`.
    struct Nested<T>(T);

    impl<T: Serialize> Serialize for Nested<T> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::{SerializeMap, SerializeSeq};
            struct Inner<'a, T>(&'a T);
            impl<T: Serialize> Serialize for Inner<'_, T> {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    let mut m = s.serialize_map(Some(2))?;
                    m.serialize_entry("k", self.0)?;
                    m.serialize_entry("z", &1)?;
                    m.end()
                }
            }
            let mut seq = s.serialize_seq(Some(1))?;
            seq.serialize_element(&Inner(&self.0))?;
            seq.end()
        }
    }
}
