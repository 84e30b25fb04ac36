//! `meshroute sni` end to end: the built binary on corpus files.
#![cfg(all(feature = "cli", feature = "sniff"))]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn file(name: &str) -> String {
    format!("{}/tests/clienthello/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn sni(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshroute"))
        .arg("sni")
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

#[test]
fn text_prints_the_name_as_sent() {
    let out = sni(&[&file("curl.bin")]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "curl.example\n");
    let out = sni(&[&file("synthetic/uppercase-hostname.bin")]);
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), "UPPER.EXAMPLE.COM\n".to_owned())
    );
}

#[test]
fn no_server_name_exits_3_with_nothing_on_stdout() {
    let out = sni(&[&file("openssl-nosni.bin")]);
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("no server name"));
}

#[test]
fn incomplete_input_exits_4_with_the_count() {
    let data = std::fs::read(file("curl.bin")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_meshroute"))
        .args(["sni", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&data[..100]).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains(&format!("at least {} more bytes", data.len() - 100)),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn rejected_input_exits_1_with_the_reason() {
    let out = sni(&[&file("synthetic/http-get.bin")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not a TLS handshake record"));
    let out = sni(&["--format", "json", &file("synthetic/multi-hostname.bin")]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"][0]["code"], "invalid-name");
    assert_eq!(
        v["errors"][0]["message"],
        "invalid server name: more than one host_name"
    );
    // A lenient policy takes the first name instead.
    let out = sni(&["--policy", "lenient", &file("synthetic/multi-hostname.bin")]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn json_reports_the_hello() {
    let out = sni(&["--format", "json", &file("chromium.bin")]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = &v["result"]["hello"];
    assert_eq!(v["server_name"], "chromium.example");
    assert_eq!(v["normalized"], "chromium.example");
    assert_eq!(v["alpn"], serde_json::json!(["h2", "http/1.1"]));
    assert_eq!(v["ech"], true);
    assert_eq!(v["records"], 1);
    assert_eq!(v["length"], 1988);

    let out = sni(&["--format", "json", &file("openssl-nosni.bin")]);
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"][0]["code"], "no-server-name");
    let v = &v["result"]["hello"];
    assert!(v["server_name"].is_null() && v["normalized"].is_null());

    // The 20 KiB hello is over a 16 KiB cap, and within the default (64 KiB).
    let big = file("chromium-20k-two-records.bin");
    assert_eq!(
        sni(&["--max-hello-len", "16384", &big]).status.code(),
        Some(1)
    );
    let out = sni(&["--format", "json", &big]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = &v["result"]["hello"];
    assert_eq!(
        (v["records"].as_u64(), v["length"].as_u64()),
        (Some(2), Some(20490))
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        sni(&["--format", "xml", &file("curl.bin")]).status.code(),
        Some(2)
    );
    assert_eq!(sni(&[]).status.code(), Some(2));
}

/// `--policy lenient` on a 256-byte name split across records: the name was sent, so it is
/// printed (exit 0), not "no server name" (exit 3, before issue 14).
#[test]
fn lenient_prints_a_long_name_split_across_records() {
    use crate::sniff_common::{reframe, rename};
    let curl = std::fs::read(file("curl.bin")).unwrap();
    let long: String = (0..256u32)
        .map(|i| char::from(b'a' + u8::try_from(i % 26).unwrap()))
        .collect();
    let hello = reframe(&rename(&curl, b"curl.example", long.as_bytes()), 100);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-sni-long");
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("long.bin");
    std::fs::write(&f, &hello).unwrap();
    let out = sni(&["--policy", "lenient", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("{long}\n"));
    let out = sni(&[
        "--policy",
        "lenient",
        "--format",
        "json",
        f.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"]["hello"]["server_name"], long.as_str());
    assert_eq!(
        v["result"]["hello"]["name_issue"],
        "server name longer than 253 bytes"
    );
    // The default policy rejects it, as before.
    assert_eq!(sni(&[f.to_str().unwrap()]).status.code(), Some(1));
}
