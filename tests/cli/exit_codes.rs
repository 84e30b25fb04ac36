//! The exit-code table of the README, row by row and case by case, for every command it
//! names, in text and in JSON (where, past argument parsing, the envelope says why on stdout).
#![cfg(feature = "cli")]

use crate::run::{Run, Scratch, meshroute};

const TD: &str = "7f2ee3b4-5a44-4d5e-9b1c-4a2b9c1c7e0d.consul";
const BROKEN: &str = "tests/fixtures/broken-example";
const WARN_ONLY: &str = "tests/fixtures/preflight/mode-ignored";
const HELLOS: &str = "tests/clienthello";

/// Runs `args` in text and in JSON; both must exit `code`. Returns the JSON run's error codes.
fn exits(code: i32, args: &[&str], stdin: Option<&[u8]>) -> Vec<String> {
    let text = meshroute(args, stdin);
    assert_eq!(text.code, code, "{args:?}: {text:?}");
    let mut json_args = args.to_vec();
    json_args.splice(1..1, ["--format", "json"]);
    let json = meshroute(&json_args, stdin);
    assert_eq!(json.code, code, "{json_args:?}: {json:?}");
    error_codes(&json)
}

fn error_codes(run: &Run) -> Vec<String> {
    let v = run.json();
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

fn fwd() -> String {
    format!("api.default.secondary.internal.{TD}")
}

#[test]
fn zero_the_question_was_answered_and_nothing_is_wrong() {
    assert!(exits(0, &["resolve", "examples"], None).is_empty());
    assert!(exits(0, &["check", "examples"], None).is_empty());
    let sni = fwd();
    assert!(
        exits(
            0,
            &[
                "route",
                "--datacenter",
                "primary",
                "--sni",
                &sni,
                "examples"
            ],
            None
        )
        .is_empty()
    );
    assert!(
        exits(
            0,
            &[
                "explain",
                "--service",
                "web",
                "--upstream",
                "api",
                "examples"
            ],
            None
        )
        .is_empty()
    );
    assert!(exits(0, &["show", "examples"], None).is_empty());
    assert!(exits(0, &["checks"], None).is_empty());
    if cfg!(feature = "sniff") {
        assert!(exits(0, &["sni", &format!("{HELLOS}/curl.bin")], None).is_empty());
    }
}

#[test]
fn zero_check_findings_only_warnings() {
    assert!(exits(0, &["check", WARN_ONLY], None).is_empty());
}

#[test]
fn one_check_findings_with_errors() {
    let codes = exits(1, &["check", BROKEN], None);
    assert!(codes.contains(&"gateway-missing".to_owned()), "{codes:?}");
    let codes = exits(1, &["check", "--deny", "warnings", WARN_ONLY], None);
    assert!(
        !codes.is_empty() && codes.iter().all(|c| c == "mode-ignored"),
        "{codes:?}"
    );
}

#[test]
fn one_a_bad_file_load_errors_in_every_command() {
    let sni = fwd();
    for args in [
        vec!["check", BROKEN],
        vec!["resolve", BROKEN],
        vec!["explain", "--service", "web", "--upstream", "api", BROKEN],
        vec!["route", "--datacenter", "primary", "--sni", &sni, BROKEN],
        vec!["show", BROKEN],
    ] {
        let codes = exits(1, &args, None);
        assert!(
            codes.contains(&"invalid-mode".to_owned())
                || codes.contains(&"invalid-mode-accepted-by-consul".to_owned()),
            "{args:?}: {codes:?}"
        );
    }
    // A file inside a directory walk that cannot be read as text is a diagnostic: 1, not 2.
    let dir = Scratch::new("exit-walk");
    dir.file("agent.hcl", b"datacenter = \"dc1\"\n");
    dir.file("bad.hcl", b"name = \"\xff\"\n");
    let codes = exits(1, &["check", &dir.path()], None);
    assert_eq!(codes, ["syntax"]);
}

#[test]
fn one_the_answer_is_no() {
    let codes = exits(
        1,
        &[
            "route",
            "--datacenter",
            "primary",
            "--sni",
            "example.com",
            "examples",
        ],
        None,
    );
    assert_eq!(codes, ["not-consul-name"]);
    let codes = exits(
        1,
        &[
            "explain",
            "--service",
            "web",
            "--upstream",
            "nope",
            "examples",
        ],
        None,
    );
    assert_eq!(codes, ["no-such-upstream"]);
    let no_td = [
        "tests/fixtures/resolve/west/agent.json",
        "tests/fixtures/resolve/east/services",
    ];
    let codes = exits(1, &["resolve", no_td[0], no_td[1]], None);
    assert_eq!(codes, ["no-trust-domain"]);
    if cfg!(feature = "sniff") {
        let bad = format!("{HELLOS}/synthetic/http-get.bin");
        assert_eq!(exits(1, &["sni", &bad], None), ["not-tls"]);
        let codes = exits(
            1,
            &[
                "route",
                "--datacenter",
                "primary",
                "--client-hello",
                &bad,
                "examples",
            ],
            None,
        );
        assert_eq!(codes, ["not-tls"]);
    }
}

#[test]
fn two_usage_errors_before_the_format_is_known_stay_on_stderr() {
    for args in [
        vec!["resolve"],
        vec!["resolve", "--format", "xml", "examples"],
        vec!["check", "--no-such-flag", "examples"],
        vec!["route", "--sni", "x", "examples"],
        vec!["resolve", "--format", "json", "--no-such-flag", "examples"],
    ] {
        let run = meshroute(&args, None);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stdout.is_empty(), "{args:?}: {run:?}");
        assert!(run.stderr.starts_with("error: "), "{args:?}: {run:?}");
    }
}

#[test]
fn two_usage_errors_after_parsing() {
    assert_eq!(
        exits(2, &["check", "--deny", "no-such-check", "examples"], None),
        ["unknown-check"]
    );
    assert_eq!(
        exits(2, &["route", "--datacenter", "primary", "examples"], None),
        ["usage"]
    );
    assert_eq!(
        exits(2, &["check", "-"], Some(b"x = 1")),
        ["unknown-format"]
    );
}

#[test]
fn two_unknown_datacenter_in_every_command() {
    let sni = fwd();
    for args in [
        vec!["resolve", "--datacenter", "nowhere", "examples"],
        vec![
            "explain",
            "--service",
            "web",
            "--upstream",
            "api",
            "--datacenter",
            "nowhere",
            "examples",
        ],
        vec![
            "route",
            "--datacenter",
            "nowhere",
            "--sni",
            &sni,
            "examples",
        ],
    ] {
        assert_eq!(exits(2, &args, None), ["unknown-datacenter"], "{args:?}");
    }
}

#[test]
fn two_missing_path_in_every_command() {
    let sni = fwd();
    for args in [
        vec!["check", "no/such/path"],
        vec!["resolve", "no/such/path"],
        vec![
            "explain",
            "--service",
            "web",
            "--upstream",
            "api",
            "no/such/path",
        ],
        vec![
            "route",
            "--datacenter",
            "primary",
            "--sni",
            &sni,
            "no/such/path",
        ],
        vec!["show", "no/such/path"],
        vec!["check", "examples", "no/such/path"],
    ] {
        assert_eq!(exits(2, &args, None), ["missing-path"], "{args:?}");
    }
    if cfg!(feature = "sniff") {
        assert_eq!(exits(2, &["sni", "no/such/file"], None), ["missing-path"]);
    }
}

#[test]
fn two_empty_directory_and_empty_file() {
    let dir = Scratch::new("exit-empty");
    assert_eq!(exits(2, &["check", &dir.path()], None), ["no-documents"]);
    assert_eq!(exits(2, &["resolve", &dir.path()], None), ["no-documents"]);
    let empty = dir.file("empty.hcl", b"");
    assert_eq!(exits(2, &["check", &empty], None), ["no-documents"]);
    assert_eq!(exits(2, &["show", &empty], None), ["no-documents"]);
    assert_eq!(
        exits(2, &["check", "--input-format", "json", "-"], Some(b"")),
        ["no-documents"]
    );
}

#[test]
fn two_a_named_file_that_cannot_be_read_or_told() {
    let dir = Scratch::new("exit-unreadable");
    let latin1 = dir.file("latin1.hcl", b"name = \"\xe9\"\n");
    assert_eq!(exits(2, &["check", &latin1], None), ["unreadable-path"]);
    // Over the size limit (16 MiB; a sparse file): named, 2; inside a directory walk, 1.
    let big = dir.0.join("big").join("big.hcl");
    std::fs::create_dir_all(big.parent().unwrap()).unwrap();
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(16 * 1024 * 1024 + 1).unwrap();
    assert_eq!(
        exits(2, &["check", big.to_str().unwrap()], None),
        ["unreadable-path"]
    );
    let walked = big.parent().unwrap().to_str().unwrap().to_owned();
    assert_eq!(exits(1, &["check", &walked], None), ["limit"]);
    let conf = dir.file("agent.conf", b"datacenter = \"dc1\"\n");
    assert_eq!(exits(2, &["check", &conf], None), ["unknown-format"]);
    assert!(exits(0, &["check", "--input-format", "hcl", &conf], None).is_empty());
}

#[cfg(feature = "sniff")]
#[test]
fn three_and_four_client_hellos() {
    let nosni = format!("{HELLOS}/openssl-nosni.bin");
    assert_eq!(exits(3, &["sni", &nosni], None), ["no-server-name"]);
    let route = ["route", "--datacenter", "primary", "--client-hello"];
    let args = [&route[..], &[nosni.as_str(), "examples"]].concat();
    assert_eq!(exits(3, &args, None), ["no-server-name"]);
    let hello = std::fs::read(format!("{}/{HELLOS}/curl.bin", env!("CARGO_MANIFEST_DIR"))).unwrap();
    assert_eq!(
        exits(4, &["sni", "-"], Some(&hello[..100])),
        ["incomplete-client-hello"]
    );
    let args = [&route[..], &["-", "examples"]].concat();
    assert_eq!(
        exits(4, &args, Some(&hello[..100])),
        ["incomplete-client-hello"]
    );
}
