//! `meshroute check`: exit codes, the text lines and the JSON shape.
#![cfg(feature = "cli")]

fn meshroute(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let run = crate::run::meshroute(args, stdin.map(str::as_bytes));
    (run.code, run.stdout, run.stderr)
}

#[test]
fn valid_fixtures_exit_zero_and_list_documents() {
    let (code, stdout, stderr) =
        meshroute(&["check", "--format", "json", "tests/fixtures/load"], None);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let docs = v["result"]["documents"].as_array().unwrap();
    assert!(docs.len() >= 14, "{}", docs.len());
    let agent = docs.iter().find(|d| d["kind"] == "agent").unwrap();
    assert!(
        agent["file"]
            .as_str()
            .unwrap()
            .ends_with("agent-snake.json")
    );
    assert_eq!(agent["value"]["datacenter"], "secondary");
    let pd = docs
        .iter()
        .find(|d| {
            d["file"]
                .as_str()
                .unwrap()
                .ends_with("doc1-proxy-defaults.hcl")
        })
        .unwrap();
    assert_eq!(pd["kind"], "proxy-defaults");
    assert_eq!(
        pd["value"],
        serde_json::json!({"Kind": "proxy-defaults", "Name": "global", "MeshGateway": {"Mode": "local"}})
    );
    assert_eq!(v["errors"], serde_json::json!([]));
}

/// The documents' echo is indented as the rest of the output, their opaque maps written as
/// they are kept (compact), as every command writes them.
#[test]
fn echoed_documents_are_indented_and_their_opaque_maps_compact() {
    let hcl = "Kind = \"proxy-defaults\"\nName = \"global\"\nConfig {\n  protocol = \"http\"\n  retries = 3\n}\n";
    let args = ["check", "--format", "json", "--input-format", "hcl", "-"];
    let (code, stdout, stderr) = meshroute(&args, Some(hcl));
    assert_eq!(code, 0, "{stderr}");
    let value = concat!(
        "        \"value\": {\n",
        "          \"Kind\": \"proxy-defaults\",\n",
        "          \"Name\": \"global\",\n",
        "          \"Config\": {\"protocol\":\"http\",\"retries\":3},\n",
        "          \"MeshGateway\": {}\n",
        "        }\n",
    );
    assert!(stdout.contains(value), "{stdout}");
    let (_, shown, _) = meshroute(
        &["show", "--format", "json", "--input-format", "hcl", "-"],
        Some(hcl),
    );
    assert!(
        shown.contains("\"Config\": {\"protocol\":\"http\",\"retries\":3},"),
        "{shown}"
    );
}

#[test]
fn errors_exit_one_with_file_line_column_and_path() {
    let src = "Kind = \"proxy-defaults\"\nName = \"global\"\nMeshGateway {\n  Mode = \"Local\"\n}\nCornfig {}\n";
    let (code, stdout, stderr) = meshroute(&["check", "--input-format", "hcl", "-"], Some(src));
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    let lines: Vec<_> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0]
            .starts_with("<stdin>:4:10: [invalid-mode-accepted-by-consul] MeshGateway.Mode: Invalid Mesh Gateway Mode: \"Local\""),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1],
        "<stdin>:6:1: Cornfig: invalid config key \"Cornfig\" (did you mean \"Config\"?)"
    );

    let (code, stdout, _) = meshroute(
        &["check", "--format", "json", "--input-format", "hcl", "-"],
        Some(src),
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let e = &v["errors"][1];
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(6), Some(1))
    );
    assert_eq!(e["path"], "Cornfig");
    assert_eq!(e["message"], "invalid config key \"Cornfig\"");
    assert_eq!(e["suggestion"], "Config");
    assert_eq!(v["result"]["documents"], serde_json::json!([]));
    // A load diagnostic is the library's serialization of it: its Problem, key for key.
    assert_eq!(
        serde_json::to_string(e).unwrap(),
        r#"{"code":"unknown-key","source":"load","severity":"error","message":"invalid config key \"Cornfig\"","file":"<stdin>","line":6,"column":1,"path":"Cornfig","suggestion":"Config"}"#
    );
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(meshroute(&["check"], None).0, 2);
    assert_eq!(meshroute(&["check", "--format", "xml", "tests"], None).0, 2);
    assert_eq!(meshroute(&["check", "no/such/path"], None).0, 2);
    assert_eq!(
        meshroute(&["check", "-"], Some("")).0,
        2,
        "stdin needs --input-format"
    );
}

#[test]
fn the_bundled_example_is_valid() {
    let (code, _, stderr) = meshroute(&["check", "examples/primary", "examples/secondary"], None);
    assert_eq!(code, 0, "{stderr}");
}

/// `check --format json` in a given temporary directory (`TMPDIR`): exit code, stdout, stderr.
fn check_json_in_tmpdir(tmpdir: &std::path::Path, paths: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_meshroute"))
        .args(["check", "--format", "json"])
        .args(paths)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TMPDIR", tmpdir)
        .output()
        .unwrap();
    (
        out.status.code().expect("exited, not killed"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The documents' echo waits in a temporary file while the topology is built and checked,
/// unlinked as soon as it is made; where none can be made, in memory: the output is the same.
#[test]
fn the_echo_is_the_same_spilled_or_kept_and_no_file_is_left() {
    let scratch = crate::run::Scratch::new("check-echo-tmpdir");
    let gone = scratch.0.join("not-there");
    for paths in [
        &["examples"][..],
        &["tests/fixtures/load"],
        &["examples", "tests/fixtures/broken-example"],
    ] {
        let spilled = check_json_in_tmpdir(&scratch.0, paths);
        assert_eq!(
            std::fs::read_dir(&scratch.0).unwrap().count(),
            0,
            "{paths:?}"
        );
        let kept = check_json_in_tmpdir(&gone, paths);
        assert_eq!(spilled, kept, "{paths:?}");
        assert!(
            spilled.0 <= 1 && spilled.1.contains("\"documents\": [\n"),
            "{spilled:?}"
        );
    }
}
