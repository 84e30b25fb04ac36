//! Output that cannot attack a terminal: control characters from the inputs (keys, values,
//! names, file names, a ClientHello's name) are escaped (`\u{1b}`) in every text output, and
//! long values are cut in messages.
#![cfg(all(feature = "cli", unix))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("meshroute-term-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshroute"))
        .args(args)
        .output()
        .unwrap()
}

/// Fails when `bytes` holds a control character other than a line feed (C0, DEL, or C1 in
/// UTF-8), and says where.
fn assert_no_controls(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if let Some((i, c)) = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && c != '\n')
    {
        let around = &text[i.saturating_sub(40)..(i + 10).min(text.len())];
        panic!("{what}: raw {c:?} at byte {i}: {around:?}");
    }
}

/// A service whose name, upstream, datacenter and an unknown key carry ESC, BEL, CSI and a
/// newline, in a directory whose name carries ESC.
fn hostile(dir: &Path) -> PathBuf {
    let sub = dir.join("dc\x1b]0;owned\x07");
    std::fs::create_dir_all(&sub).unwrap();
    let f = sub.join("web\x1b[2J.hcl");
    let src = "service {\n  name = \"w\\u001b[31meb\"\n  port = 80\n  connect { sidecar_service { proxy {\n    upstreams = [{ destination_name = \"a\\u0007p\\ni\", local_bind_port = 9000, datacenter = \"d\\u001bc\\u009b2\" }]\n  } } }\n}\n";
    std::fs::write(&f, src).unwrap();
    f
}

#[test]
fn resolve_explain_and_route_escape_names_from_the_inputs() {
    let dir = scratch("names");
    let f = hostile(&dir);
    let f = f.to_str().unwrap();
    let td = ["--trust-domain", "x.consul"];
    let resolve = run(&[&["resolve"][..], &td, &[f]].concat());
    assert_eq!(resolve.status.code(), Some(0));
    assert_no_controls("resolve stdout", &resolve.stdout);
    assert_no_controls("resolve stderr", &resolve.stderr);
    let table = String::from_utf8_lossy(&resolve.stdout);
    assert!(table.contains(r"w\u{1b}[31meb  a\u{7}p\u{a}i"), "{table}");
    assert_eq!(
        table.lines().count(),
        2,
        "one row, not forged ones: {table}"
    );

    let explain = [
        &["explain", "--service"][..],
        &["w\x1b[31meb", "--upstream", "a\x07p\ni"],
        &td,
        &[f],
    ]
    .concat();
    let out = run(&explain);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_no_controls("explain stdout", &out.stdout);
    assert_no_controls("explain stderr", &out.stderr);
    let route = [
        &["route", "--datacenter"][..],
        &[
            "dc\x1b]0;owned\x07",
            "--sni",
            "w.default.dc.internal.x.consul",
        ],
        &td,
        &[f],
    ]
    .concat();
    let out = run(&route);
    assert_no_controls("route stdout", &out.stdout);
    assert_no_controls("route stderr", &out.stderr);
}

#[test]
fn check_escapes_keys_values_and_file_names_and_cuts_long_values() {
    let dir = scratch("check");
    let f = hostile(&dir);
    let long = "k".repeat(100_000);
    let bad = f.with_file_name("bad\x1b.hcl");
    let src = format!(
        "service {{\n  name = \"web\"\n  \"k\\u0007\\u001b[2J\" = 1\n  {long} = 2\n  port = \"\\u001b]8;;\"\n}}\n"
    );
    std::fs::write(&bad, src).unwrap();
    let out = run(&["check", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_no_controls("check stderr", &out.stderr);
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(report.len() < 4_000, "{} bytes: {report}", report.len());
    assert!(report.contains(r"bad\u{1b}.hcl:3:3: service.k\u{7}\u{1b}[2J: invalid config key"));
    let cut = format!("{}…(100000 bytes)", "k".repeat(64));
    assert!(
        report.contains(&format!("service.{cut}: invalid config key")),
        "{report}"
    );
    let quoted = format!("invalid config key \"{}…\" (100000 bytes)", "k".repeat(64));
    assert!(report.contains(&quoted), "{report}");
    // JSON keeps every character (escaped the JSON way), and cuts the same long values.
    let out = run(&["check", "--format", "json", dir.to_str().unwrap()]);
    assert_no_controls("check json", &out.stdout);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<_> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        paths.contains(&"service.k\u{7}\u{1b}[2J".to_owned()),
        "{paths:?}"
    );
    assert!(paths.contains(&format!("service.{cut}")), "{paths:?}");
}

#[test]
fn sni_lenient_prints_a_name_with_control_bytes_escaped() {
    let curl = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clienthello/curl.bin"
    ))
    .unwrap();
    let at = curl.windows(12).position(|w| w == b"curl.example").unwrap();
    let mut hello = curl.clone();
    hello[at..at + 12].copy_from_slice(b"cu\x1b[31mrl.e\x07");
    let dir = scratch("sni");
    let f = dir.join("hello.bin");
    std::fs::write(&f, &hello).unwrap();
    let out = run(&["sni", "--policy", "lenient", f.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "cu\\u{1b}[31mrl.e\\u{7}\n"
    );
}
