//! A tree of directories, config files, symbolic links and special files built from bytes,
//! and what a walk of it must give: shared by the `walk` fuzz target and the test that
//! replays its corpus on stable.
//!
//! Each step reads a few bytes: what to make (a directory, a `.hcl` or `.json` file, a link to
//! a node made before, a link to `.`, `..`, nowhere or `/dev/zero`, a link to itself, a FIFO
//! or a socket named like a config file), in which directory made before, and a number for
//! its name and content.
#![cfg(unix)]
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// The most nodes a tree gets, whatever the input's length (a walk of it stays fast).
pub const MAX_NODES: usize = 48;

/// Builds the tree described by `data` under the empty directory `root`; returns how many
/// nodes it made.
pub fn build(root: &Path, data: &[u8]) -> usize {
    let mut dirs = vec![root.to_path_buf()];
    let mut nodes: Vec<PathBuf> = Vec::new();
    for (i, step) in data.chunks(3).take(MAX_NODES).enumerate() {
        let [what, parent, n] = [
            step[0],
            *step.get(1).unwrap_or(&0),
            *step.get(2).unwrap_or(&0),
        ];
        let dir = &dirs[usize::from(parent) % dirs.len()];
        let made = make(dir, i, what, n, &nodes);
        if let Some(p) = made {
            if p.is_dir() && !p.is_symlink() {
                dirs.push(p.clone());
            }
            nodes.push(p);
        }
    }
    nodes.len()
}

/// One node named after `i` in `dir`; `None` when the system refused it.
fn make(dir: &Path, i: usize, what: u8, n: u8, nodes: &[PathBuf]) -> Option<PathBuf> {
    let named = |ext: &str| dir.join(format!("n{i}{ext}"));
    let done = |p: PathBuf, r: std::io::Result<()>| r.ok().map(|()| p);
    match what % 10 {
        0 | 1 => done(named(""), std::fs::create_dir(named(""))),
        2 => {
            let text = format!(
                "service {{\n  name = \"s{n}\"\n  port = {}\n}}\n",
                u16::from(n) + 1
            );
            done(named(".hcl"), std::fs::write(named(".hcl"), text))
        }
        3 => {
            let text = if n.is_multiple_of(4) {
                "{ not json".to_owned()
            } else {
                format!("{{\"Name\": \"j{n}\"}}")
            };
            done(named(".json"), std::fs::write(named(".json"), text))
        }
        4 | 5 if !nodes.is_empty() => {
            let target = &nodes[usize::from(n) % nodes.len()];
            let ext = if n.is_multiple_of(2) { ".hcl" } else { "" };
            done(named(ext), symlink(target, named(ext)))
        }
        6 => {
            // `..` only below the top: the walk must stay inside the tree it was given.
            let up = if dirs_below_root(dir, nodes) {
                ".."
            } else {
                "."
            };
            let target = [up, ".", "absent.hcl", "/dev/zero"][usize::from(n) % 4];
            let ext = if n.is_multiple_of(3) { "" } else { ".json" };
            done(named(ext), symlink(target, named(ext)))
        }
        7 => done(named(".hcl"), symlink(format!("n{i}.hcl"), named(".hcl"))),
        8 => {
            let ok = std::process::Command::new("mkfifo")
                .arg(named(".hcl"))
                .status();
            ok.ok()
                .filter(std::process::ExitStatus::success)
                .map(|_| named(".hcl"))
        }
        9 => std::os::unix::net::UnixListener::bind(named(".yaml"))
            .ok()
            .map(|_| named(".yaml")),
        _ => None,
    }
}

/// Whether `dir` is below the tree's top (it is one of the nodes made).
fn dirs_below_root(dir: &Path, nodes: &[PathBuf]) -> bool {
    nodes.iter().any(|n| n == dir)
}

/// What a walk of any tree must give: every file read at most once, by one path (a file and
/// a link to it, a directory and a link to it, a cycle: one of the paths, never both).
pub fn check(loaded: &meshroute::Loaded) {
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    let files = loaded
        .documents
        .iter()
        .filter_map(|d| d.file.clone())
        .chain(
            loaded
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .filter_map(|d| d.file().map(Path::to_path_buf)),
        );
    for spelled in files {
        let Ok(real) = std::fs::canonicalize(&spelled) else {
            continue;
        };
        if real.is_dir() {
            continue;
        }
        let first = seen.entry(real.clone()).or_insert_with(|| spelled.clone());
        assert_eq!(*first, spelled, "{} read as two paths", real.display());
    }
    for d in &loaded.diagnostics {
        assert!(!d.to_string().is_empty());
    }
}
