//! The whole job of a library user, stage by stage, for `benches/e2e.py` (issue 13).
//!
//! ```console
//! cargo build --release --example whole_job
//! target/release/examples/whole_job job DIR...        # load, build, resolve, write JSON
//! target/release/examples/whole_job stream DIR...     # the same, loaded file by file
//! target/release/examples/whole_job documents DIR...  # the same, with main's API before
//! target/release/examples/whole_job peer DIR...       # serde_json parses the same files
//! target/release/examples/whole_job peer-hcl DIR...   # hcl-rs parses the same HCL files
//! ```
//!
//! `job` does what `Topology::load_paths` does (each file read, parsed and decoded in turn,
//! each document moved into the builder as it is decoded: `Loader::load_paths_with`),
//! resolves every upstream and writes the routes as JSON to `/dev/null`, then drops
//! everything, as a program using the crate would. `stream` calls `Loader::load_paths_each`
//! instead, which is now the same load (it was the file-by-file one while `load_paths_with`
//! read and parsed every file first).
//! `documents` is the job as written before issue 13: `Loader::load_paths`, then
//! `Topology::from_documents`, the documents kept to the end. `load-drop` and `load-keep`
//! load file by file and drop or keep the documents.
//! `peer` reads the same files (every `.json` file under the directories, in name order) and
//! parses each into a `serde_json::Value`; `peer-hcl` parses every `.hcl` file into an
//! `hcl::Value` with hcl-rs (and any `.json` file with serde_json). Each prints one line per stage on stderr: the
//! stage, its seconds, and the process's resident and peak resident memory after it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use meshroute::{Loader, Topology};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((mode, dirs)) = args.split_first() else {
        eprintln!("usage: whole_job job|stream|documents|peer DIR...");
        std::process::exit(2);
    };
    match mode.as_str() {
        "job" => job(dirs),
        "stream" => stream(dirs),
        "documents" => documents(dirs),
        "load-keep" => {
            let mut stages = Stages::new();
            let mut kept = Vec::new();
            Loader::new().load_paths_each(dirs, |d| kept.push(d));
            stages.done("load");
            eprintln!("documents {}", kept.len());
        }
        "load-drop" => {
            let mut stages = Stages::new();
            let mut n = 0usize;
            Loader::new().load_paths_each(dirs, |_| n += 1);
            stages.done("load");
            eprintln!("documents {n}");
        }
        "peer" => peer(dirs, false),
        "peer-hcl" => peer(dirs, true),
        other => {
            eprintln!("unknown mode {other:?}: job, stream, documents or peer");
            std::process::exit(2);
        }
    }
}

/// Times stages and reports each with the process's memory after it.
struct Stages {
    start: Instant,
    last: Instant,
}

impl Stages {
    fn new() -> Self {
        let now = Instant::now();
        Self {
            start: now,
            last: now,
        }
    }

    fn done(&mut self, stage: &str) {
        let now = Instant::now();
        let (rss, hwm) = memory();
        eprintln!(
            "stage {stage} {:.4} rss_mib {rss:.1} peak_mib {hwm:.1}",
            (now - self.last).as_secs_f64()
        );
        self.last = now;
    }

    fn total(&self) {
        let (_, hwm) = memory();
        eprintln!(
            "stage total {:.4} rss_mib 0 peak_mib {hwm:.1}",
            self.start.elapsed().as_secs_f64()
        );
    }
}

/// VmRSS and VmHWM of this process, in MiB (0 where /proc is not there).
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn job(dirs: &[String]) {
    // What `Topology::load_paths` does, in two stages to time them apart: each document
    // taken by the builder as it is decoded.
    built(dirs, false);
}

fn stream(dirs: &[String]) {
    built(dirs, true);
}

/// Loads `dirs` into a builder (with `each`, `Loader::load_paths_each`; else
/// `load_paths_with`, the same load), builds, then [`finish`]es.
fn built(dirs: &[String], each: bool) {
    let mut stages = Stages::new();
    let mut builder = Topology::builder();
    let sink = |d| {
        builder.add_document(d);
    };
    let diagnostics = if each {
        Loader::new().load_paths_each(dirs, sink)
    } else {
        Loader::new().load_paths_with(dirs, sink)
    };
    assert!(
        diagnostics.iter().all(|d| !d.is_error()),
        "the inputs have errors"
    );
    stages.done("load");
    let topology = builder.build();
    drop(builder);
    stages.done("build");
    finish(stages, topology, ());
}

/// Resolves, writes the routes, drops everything (`kept` last: what the job held to the end).
fn finish<K>(mut stages: Stages, topology: Topology, kept: K) {
    let resolution = topology.resolve();
    stages.done("resolve");
    write(&resolution);
    stages.done("write");
    eprintln!("routes {}", resolution.len());
    drop(resolution);
    drop(topology);
    drop(kept);
    stages.done("drop");
    stages.total();
}

/// The routes as JSON, to `/dev/null` (or the file `WHOLE_JOB_OUT` names): with the
/// library's writer (`report::write_resolution`, the bytes of `serde_json::to_writer`), or
/// with `serde_json::to_writer` itself when `WHOLE_JOB_SERDE` is set.
fn write(resolution: &meshroute::Resolution<'_>) {
    let path = std::env::var_os("WHOLE_JOB_OUT").unwrap_or_else(|| "/dev/null".into());
    let out = std::fs::File::create(&path).expect("an output file");
    if std::env::var_os("WHOLE_JOB_SERDE").is_some() {
        let mut out = std::io::BufWriter::new(out);
        serde_json::to_writer(&mut out, resolution).expect("written");
        out.flush().expect("flushed");
    } else {
        let style = meshroute::report::JsonStyle::COMPACT;
        meshroute::report::write_resolution(out, resolution, style).expect("written");
    }
}

fn documents(dirs: &[String]) {
    let mut stages = Stages::new();
    let loaded = Loader::new().load_paths(dirs);
    assert!(!loaded.has_errors(), "the inputs have errors");
    stages.done("load");
    let topology = Topology::from_documents(&loaded.documents, None);
    stages.done("build");
    finish(stages, topology, loaded);
}

/// Each peer's generic parse of every input file: serde_json's `Value` for `.json`, and with
/// `hcl`, hcl-rs's `Value` for `.hcl`.
fn peer(dirs: &[String], hcl: bool) {
    let mut stages = Stages::new();
    let mut files = Vec::new();
    let exts: &[&str] = if hcl { &["json", "hcl"] } else { &["json"] };
    for d in dirs {
        input_files(Path::new(d), exts, &mut files);
    }
    let mut values = 0usize;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable");
        values += usize::from(if f.extension().is_some_and(|e| e == "hcl") {
            !hcl::from_str::<hcl::Value>(&text).expect("HCL").is_null()
        } else {
            !serde_json::from_str::<serde_json::Value>(&text)
                .expect("JSON")
                .is_null()
        });
    }
    stages.done("parse");
    eprintln!("files {} values {values}", files.len());
    stages.total();
}

/// Every file under `path` with one of the extensions `exts`, directories in name order.
fn input_files(path: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    if !path.is_dir() {
        if path
            .extension()
            .is_some_and(|e| exts.iter().any(|x| e == *x))
        {
            out.push(path.to_path_buf());
        }
        return;
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .expect("readable directory")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for e in entries {
        input_files(&e, exts, out);
    }
}
