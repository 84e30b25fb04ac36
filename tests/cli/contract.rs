//! The JSON contract: every command's `--format json` output, on the examples and on the error
//! fixtures, is one envelope that `schema/meshroute-1.json` accepts, with `errors` empty
//! exactly when the exit code is 0.
#![cfg(feature = "cli")]

use crate::run::{Scratch, meshroute};

fn validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/meshroute-1.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("schema/meshroute-1.json is a valid JSON Schema")
}

const TD: &str = "7f2ee3b4-5a44-4d5e-9b1c-4a2b9c1c7e0d.consul";
const BROKEN: &str = "tests/fixtures/broken-example";
const HELLOS: &str = "tests/clienthello";

/// `(args, standard input, exit code)`: every command, answered and failing.
fn cases(scratch: &Scratch) -> Vec<(Vec<String>, Option<Vec<u8>>, i32)> {
    let empty = scratch.path();
    let conf = scratch.file(
        "agent.conf",
        b"datacenter = \"dc1\"\nserver = true\nconnect {\n  enabled = true\n}\nports {\n  grpc = 8502\n}\n",
    );
    let fwd = format!("api.default.secondary.internal.{TD}");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let hello = std::fs::read(root.join(HELLOS).join("curl.bin")).unwrap();
    let s = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let mut out = vec![
        (s(&["check", "examples"]), None, 0),
        (s(&["check", BROKEN]), None, 1),
        (s(&["check", "no/such/path"]), None, 2),
        (s(&["check", &empty]), None, 2),
        (
            s(&["check", "--deny", "no-such-check", "examples"]),
            None,
            2,
        ),
        (s(&["check", "-"]), Some(b"x = 1".to_vec()), 2),
        (s(&["check", &conf]), None, 2),
        (s(&["check", "--input-format", "hcl", &conf]), None, 0),
        (
            s(&["check", "--input-format", "hcl", "-"]),
            Some(b"Kind = \"proxy-defaults\"\nCornfig {}\n".to_vec()),
            1,
        ),
        (s(&["checks"]), None, 0),
        (s(&["resolve", "examples"]), None, 0),
        (
            s(&["resolve", "--datacenter", "secondary", "examples"]),
            None,
            0,
        ),
        (
            s(&["resolve", "--datacenter", "nowhere", "examples"]),
            None,
            2,
        ),
        (s(&["resolve", BROKEN]), None, 1),
        (s(&["resolve", "tests/fixtures/resolve"]), None, 0),
        (
            s(&["resolve", "tests/fixtures/resolve/east/services"]),
            None,
            1,
        ),
        (s(&["resolve", "no/such/path"]), None, 2),
        (
            s(&[
                "explain",
                "--service",
                "web",
                "--upstream",
                "api",
                "examples",
            ]),
            None,
            0,
        ),
        (
            s(&[
                "explain",
                "--service",
                "web",
                "--upstream",
                "nope",
                "examples",
            ]),
            None,
            1,
        ),
        (
            s(&[
                "explain",
                "--service",
                "web",
                "--upstream",
                "api",
                "--datacenter",
                "x",
                "examples",
            ]),
            None,
            2,
        ),
        (
            s(&[
                "route",
                "--datacenter",
                "primary",
                "--sni",
                &fwd,
                "examples",
            ]),
            None,
            0,
        ),
        (
            s(&[
                "route",
                "--datacenter",
                "secondary",
                "--sni",
                &fwd,
                "examples",
            ]),
            None,
            0,
        ),
        (
            s(&[
                "route",
                "--datacenter",
                "primary",
                "--sni",
                "example.com",
                "examples",
            ]),
            None,
            1,
        ),
        (
            s(&[
                "route",
                "--datacenter",
                "nowhere",
                "--sni",
                &fwd,
                "examples",
            ]),
            None,
            2,
        ),
        (
            s(&["route", "--datacenter", "primary", "examples"]),
            None,
            2,
        ),
        (
            s(&["route", "--datacenter", "primary", "--sni", &fwd, BROKEN]),
            None,
            1,
        ),
        (s(&["show", "examples"]), None, 0),
        (s(&["show", BROKEN]), None, 1),
        (s(&["show", &empty]), None, 2),
    ];
    if cfg!(feature = "sniff") {
        out.extend([
            (s(&["sni", &format!("{HELLOS}/curl.bin")]), None, 0),
            (s(&["sni", &format!("{HELLOS}/openssl-nosni.bin")]), None, 3),
            (
                s(&["sni", &format!("{HELLOS}/synthetic/http-get.bin")]),
                None,
                1,
            ),
            (s(&["sni", "-"]), Some(hello[..100].to_vec()), 4),
            (s(&["sni", "no/such/file"]), None, 2),
            (
                s(&[
                    "route",
                    "--datacenter",
                    "primary",
                    "--client-hello",
                    "-",
                    "examples",
                ]),
                Some(hello[..100].to_vec()),
                4,
            ),
            (
                s(&[
                    "route",
                    "--datacenter",
                    "primary",
                    "--client-hello",
                    &format!("{HELLOS}/openssl-nosni.bin"),
                    "examples",
                ]),
                None,
                3,
            ),
        ]);
    }
    for fixture in std::fs::read_dir(root.join("tests/fixtures/preflight")).unwrap() {
        let dir = fixture.unwrap().path().display().to_string();
        out.push((s(&["check", &dir]), None, -1));
    }
    out
}

#[test]
fn every_commands_json_matches_the_schema() {
    let validator = validator();
    let scratch = Scratch::new("contract");
    let mut commands = std::collections::BTreeSet::new();
    for (mut args, stdin, code) in cases(&scratch) {
        args.insert(1, "--format".to_owned());
        args.insert(2, "json".to_owned());
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = meshroute(&argv, stdin.as_deref());
        if code >= 0 {
            assert_eq!(run.code, code, "{argv:?}: {run:?}");
        }
        let v = run.json();
        let problems: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(problems.is_empty(), "{argv:?}: {problems:#?}\n{v:#}");
        assert_eq!(v["command"], argv[0], "{argv:?}");
        let no_errors = v["errors"].as_array().unwrap().is_empty();
        assert_eq!(no_errors, run.code == 0, "{argv:?}: {v:#}");
        assert!(
            run.stderr.is_empty(),
            "{argv:?}: JSON says it all: {}",
            run.stderr
        );
        commands.insert(argv[0].to_owned());
    }
    let mut expected = vec!["check", "checks", "explain", "resolve", "route", "show"];
    if cfg!(feature = "sniff") {
        expected.push("sni");
        expected.sort_unstable();
    }
    assert_eq!(commands.into_iter().collect::<Vec<_>>(), expected);
}

#[test]
fn the_schema_rejects_what_is_not_the_contract() {
    let validator = validator();
    let run = meshroute(&["resolve", "--format", "json", "examples"], None);
    let good = run.json();
    assert!(validator.is_valid(&good));
    let mut bad = good.clone();
    bad["schema"] = "meshroute/2".into();
    assert!(!validator.is_valid(&bad));
    let mut bad = good.clone();
    bad["result"]["routes"][0]["upstream"]["type"] = "service".into();
    assert!(!validator.is_valid(&bad), "an undocumented field is caught");
    let mut bad = good;
    bad["warnings"] = serde_json::json!([{"code": "x", "message": "m"}]);
    assert!(!validator.is_valid(&bad), "a problem has every key");
}
