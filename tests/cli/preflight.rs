//! `meshroute check` with the preflight checks, run as a user would.
#![cfg(feature = "cli")]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshroute"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The check name of a problem (its code when its source is `check`), `None` for others.
fn check_of(e: &serde_json::Value) -> Option<&str> {
    (e["source"] == "check").then(|| e["code"].as_str().unwrap())
}

/// The check names of the entries of `v[key]`, sorted, duplicates kept.
fn checks(v: &serde_json::Value, key: &str) -> Vec<String> {
    let mut out: Vec<String> = v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| check_of(e).unwrap_or("<load>").to_owned())
        .collect();
    out.sort();
    out
}

const BROKEN: &str = "tests/fixtures/broken-example";
const WARN_ONLY: &str = "tests/fixtures/preflight/mode-ignored";

#[test]
fn the_bundled_example_passes_clean() {
    let out = run(&["check", "--format", "json", "examples"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["errors"], serde_json::json!([]));
    assert_eq!(v["warnings"], serde_json::json!([]));
    let out = run(&["check", "--deny", "warnings", "examples"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_broken_example_shows_several_checks_at_once() {
    let out = run(&["check", "--format", "json", BROKEN]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(
        checks(&v, "errors"),
        [
            "connect-disabled",
            "gateway-missing",
            "gateway-missing",
            "gateway-missing",
            "invalid-mode-accepted-by-consul",
            "primary-datacenter-mismatch",
        ]
    );
    assert_eq!(
        checks(&v, "warnings"),
        [
            "gateway-token-missing",
            "gateway-token-missing",
            "mode-ignored"
        ]
    );
    let e = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| check_of(e) == Some("connect-disabled"))
        .unwrap();
    assert_eq!(e["file"], format!("{BROKEN}/secondary/agent.hcl"));
    assert_eq!(e["line"], 3);
    assert_eq!(e["column"], 1);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("connect { enabled = true }")
    );
}

#[test]
fn text_lines_name_the_check_and_mark_warnings() {
    let out = run(&["check", BROKEN]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines().any(|l| l.starts_with(&format!(
            "{BROKEN}/secondary/agent.hcl:3:1: [connect-disabled] "
        ))),
        "{err}"
    );
    assert!(
        err.lines().any(|l| l.starts_with(&format!(
            "{BROKEN}/primary/web.hcl:37:11: warning: [mode-ignored] "
        ))),
        "{err}"
    );
}

#[test]
fn allow_hides_a_check_and_deny_makes_it_an_error() {
    let v = json(&run(&[
        "check",
        "--format",
        "json",
        "--allow",
        "gateway-missing",
        "--deny",
        "mode-ignored",
        BROKEN,
    ]));
    let errors = checks(&v, "errors");
    assert!(!errors.iter().any(|c| c == "gateway-missing"), "{errors:?}");
    assert!(errors.iter().any(|c| c == "mode-ignored"), "{errors:?}");
    assert_eq!(
        checks(&v, "warnings"),
        ["gateway-token-missing", "gateway-token-missing"]
    );
}

#[test]
fn warnings_alone_exit_zero_unless_denied() {
    assert_eq!(run(&["check", WARN_ONLY]).status.code(), Some(0));
    assert_eq!(
        run(&["check", "--deny", "warnings", WARN_ONLY])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run(&["check", "--deny", "mode-ignored", WARN_ONLY])
            .status
            .code(),
        Some(1)
    );
    let out = run(&[
        "check",
        "--deny",
        "warnings",
        "--allow",
        "mode-ignored",
        WARN_ONLY,
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_unknown_check_name_is_a_usage_error() {
    for flag in ["--deny", "--allow"] {
        let out = run(&["check", flag, "no-such-check", "examples"]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("unknown check \"no-such-check\""), "{err}");
        assert!(err.contains("gateway-missing"), "{err}");
    }
}

#[test]
fn load_diagnostics_keep_their_shape_with_source_load() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meshroute"))
        .args(["check", "--format", "json", "--input-format", "hcl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"service {\n  name = \"x\"\n  kind = \"weird\"\n}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let w = &v["warnings"][0];
    assert_eq!(check_of(w), None);
    assert_eq!(w["source"], "load");
    assert_eq!(w["severity"], "warning");
    for key in [
        "code",
        "file",
        "line",
        "column",
        "path",
        "message",
        "suggestion",
    ] {
        assert!(w.get(key).is_some(), "{key} missing in {w}");
    }
}

#[test]
fn a_fragment_without_agent_configuration_is_not_judged_for_gateways() {
    // web.hcl alone: its datacenter's gateways are in another file, not given.
    let out = run(&["check", "--format", "json", "examples/primary/web.hcl"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["errors"], serde_json::json!([]));
    assert_eq!(v["warnings"], serde_json::json!([]));
}

fn check_stdin(args: &[&str], src: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meshroute"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(src.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_load_diagnostic_named_by_a_check_keeps_its_place_and_path() {
    let src = "Kind = \"proxy-defaults\"\nName = \"global\"\nMeshGateway {\n  Mode = \"Local\"\n}\nCornfig {}\n";
    let out = check_stdin(&["check", "--input-format", "hcl", "-"], src);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<_> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with(
            "<stdin>:4:10: [invalid-mode-accepted-by-consul] MeshGateway.Mode: Invalid Mesh Gateway Mode: \"Local\""
        ),
        "{err}"
    );
    assert!(lines[1].starts_with("<stdin>:6:1: Cornfig: "), "{err}");

    let out = check_stdin(
        &["check", "--format", "json", "--input-format", "hcl", "-"],
        src,
    );
    let v = json(&out);
    let e = &v["errors"][0];
    assert_eq!(check_of(e), Some("invalid-mode-accepted-by-consul"));
    assert_eq!(e["path"], "MeshGateway.Mode");
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(4), Some(10))
    );
    assert_eq!(v["errors"][1]["path"], "Cornfig");
    assert_eq!(check_of(&v["errors"][1]), None);
    assert_eq!(v["errors"][1]["source"], "load");
}
