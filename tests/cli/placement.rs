//! One placement rule for every command: a directory's agent files are merged (later names
//! winning, as Consul merges a config directory) before its datacenter is read.
#![cfg(feature = "cli")]

use std::process::Command;

fn run(args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_meshroute"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `a/a1.hcl` has no `datacenter`, `a/a2.hcl` names `dc2`: Consul merges both and runs the
/// agent in dc2. `resolve` and `check` both place `a/` there (they once said dc1 and dc2).
#[test]
fn resolve_and_check_place_a_merged_directory_alike() {
    let dir = "tests/fixtures/placement";
    let (table, _) = run(&["resolve", "--trust-domain", "x.consul", dir]);
    let row = table.lines().nth(1).unwrap();
    assert!(row.starts_with("dc2 "), "{table}");
    assert!(!table.contains("dc1"), "{table}");
    let (_, report) = run(&["check", dir]);
    assert!(report.contains("server of datacenter \"dc2\""), "{report}");
    assert!(!report.contains("dc1"), "{report}");
}

/// A document's datacenter does not depend on how its path is spelled: `web.hcl` from inside
/// `examples/primary` and the same file by absolute path are both in `primary` (the relative
/// spelling once gave `dc1`, with a warning naming an empty directory).
#[test]
fn relative_and_absolute_paths_place_a_file_alike() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/primary");
    let canonical = std::fs::canonicalize(dir).unwrap();
    let resolve = |path: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_meshroute"))
            .args(["resolve", "--trust-domain", "x.consul", path])
            .current_dir(dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
    };
    let (relative, warnings) = resolve("web.hcl");
    let (absolute, _) = resolve(&format!("{dir}/web.hcl"));
    assert_eq!(relative, absolute);
    assert!(
        relative.lines().nth(1).unwrap().starts_with("primary "),
        "{relative}"
    );
    let assumed = format!(
        "warning: {}: no agent configuration with a datacenter here or above; datacenter \"primary\" assumed from the directory name",
        canonical.display()
    );
    assert!(warnings.lines().any(|l| l == assumed), "{warnings}");
}
