//! Differential test: `meshroute::hcl::parse` against Consul's own HCL1 decoder.
//!
//! The oracle is `tests/oracle/hcl1json/main.go`, built here with Debian's Go and the
//! `github.com/hashicorp/hcl` package (`golang-go`, `golang-github-hashicorp-hcl-dev`). The
//! tests that need it are `#[ignore]`d, so a plain `cargo test` reports them as ignored;
//! `cargo test --all-features --test syntax -- --ignored` runs them (CI does), and then a
//! missing oracle is a failure, never a pass.

use crate::json_value;
use json_value::same;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use meshroute::tree::Limits;
use proptest::prelude::*;
use serde_json::Value as J;

/// Why the oracle tests are ignored by default.
const NEEDS_ORACLE: &str = "needs Go and Debian's golang-github-hashicorp-hcl-dev (the HCL1 oracle): run with `cargo test --all-features --test syntax -- --ignored`";

/// Builds the oracle once per test run. The tests that call it are `#[ignore]`d unless asked
/// for; asked for without Go or the HCL package, they fail (never pass unchecked).
fn oracle() -> &'static Path {
    static ORACLE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match ORACLE.get_or_init(build_oracle) {
        Ok(p) => p.as_path(),
        Err(why) => panic!("the HCL1 oracle is unavailable: {why}; this test {NEEDS_ORACLE}"),
    }
}

fn build_oracle() -> Result<PathBuf, String> {
    let gopath = Path::new("/usr/share/gocode");
    if !gopath.join("src/github.com/hashicorp/hcl").is_dir() {
        return Err("the Go package github.com/hashicorp/hcl is not installed \
             (apt-get install golang-go golang-github-hashicorp-hcl-dev)"
            .into());
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hcl1json-oracle");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let main = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/hcl1json/main.go");
    std::fs::copy(&main, dir.join("main.go")).map_err(|e| e.to_string())?;
    let out = dir.join("hcl1json");
    let status = Command::new("go")
        .args(["build", "-o"])
        .arg(&out)
        .arg("main.go")
        .current_dir(&dir)
        .env("GO111MODULE", "off")
        .env("GOPATH", gopath)
        .env("GOCACHE", dir.join("gocache"))
        .env("GOFLAGS", "")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run `go`: {e}"))?;
    if !status.status.success() {
        return Err(format!(
            "go build failed: {}",
            String::from_utf8_lossy(&status.stderr)
        ));
    }
    Ok(out)
}

/// Runs the oracle on many documents at once: `Ok(tree)` or `Err(message)` for each.
fn run_oracle(bin: &Path, docs: &[String]) -> Vec<Result<J, String>> {
    let mut child = Command::new(bin)
        .arg("-batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the oracle");
    let input = serde_json::to_vec(docs).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("oracle output");
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<J> = serde_json::from_slice(&out.stdout).expect("oracle json");
    assert_eq!(results.len(), docs.len());
    results
        .into_iter()
        .map(|r| match r {
            J::Object(mut m) => match (m.remove("ok"), m.remove("err")) {
                (Some(tree), _) => Ok(tree),
                (_, Some(J::String(e))) => Err(e),
                other => panic!("bad oracle result {other:?}"),
            },
            other => panic!("bad oracle result {other:?}"),
        })
        .collect()
}

/// Compares every document; returns a report of the disagreements (empty when none).
fn disagreements(docs: &[String], oracle: &[Result<J, String>]) -> String {
    let mut report = String::new();
    for (doc, want) in docs.iter().zip(oracle) {
        let got = meshroute::hcl::parse(doc, &Limits::default());
        let agree = match (&got, want) {
            (Ok(g), Ok(w)) => same(&g.to_json(), w),
            (Err(_), Err(_)) => true,
            _ => false,
        };
        if !agree {
            let got = got.map(|n| n.to_json()).map_err(|e| e.to_string());
            let _ = writeln!(
                report,
                "--- document:\n{doc}\n--- oracle: {want:?}\n--- meshroute: {got:?}\n"
            );
        }
    }
    report
}

fn check_all(docs: &[String]) {
    let bin = oracle();
    let results = run_oracle(bin, docs);
    let report = disagreements(docs, &results);
    assert!(
        report.is_empty(),
        "disagreements with the HCL1 oracle:\n{report}"
    );
}

fn hcl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            hcl_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "hcl") {
            out.push(p);
        }
    }
}

#[test]
#[ignore = "needs the HCL1 oracle (Go): see NEEDS_ORACLE"]
fn every_fixture_matches_the_oracle() {
    let bin = oracle();
    let mut files = Vec::new();
    hcl_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &mut files,
    );
    files.sort();
    assert!(
        files.len() >= 8,
        "expected the fixtures under tests/fixtures, found {files:?}"
    );
    let docs: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let results = run_oracle(bin, &docs);
    let mut report = String::new();
    for ((file, doc), want) in files.iter().zip(&docs).zip(&results) {
        let got = meshroute::hcl::parse(doc, &Limits::default());
        match (&got, want) {
            (Ok(g), Ok(w)) if same(&g.to_json(), w) => {}
            (Err(_), Err(_)) => {}
            _ => {
                let _ = writeln!(
                    report,
                    "{}: oracle {want:?}, meshroute {:?}",
                    file.display(),
                    got.map(|n| n.to_json())
                );
            }
        }
    }
    assert!(report.is_empty(), "{report}");
    // The product document's examples must load, not just agree.
    for (file, want) in files.iter().zip(&results) {
        if file
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("doc_")
        {
            assert!(want.is_ok(), "{}: {want:?}", file.display());
        }
    }
}

/// Documents the oracle rejects; we must reject them too.
const REJECTED: &[&str] = &[
    "mode = local",
    "a = 1\na \"x\" { b = 1 }",
    "a {\n b = 1\n",
    "a = [1 2]",
    "true = 1",
    "a = \"unterminated\n",
    "s = \"\\400\"",
    "a b = 1",
    "= 1",
    "a = 1\na = \"x\"",
    "a = 1.5\na = 0x10",
    "a = <<EOF\nno end\n",
    "a = <<EOF\nhello\nEOF",
    "a = 1 /* open",
    "a = 99999999999999999999",
    "a = 1e400",
    "a = -",
    "a = +1",
    "a = 09",
    "a \"b\" {}\nA = 1",
    "x { a }",
    "a = \"\\q\"",
    "a = \"\\u12\"",
    "a = [ {a = } ]",
    "a = \0",
];

#[test]
#[ignore = "needs the HCL1 oracle (Go): see NEEDS_ORACLE"]
fn rejects_what_the_oracle_rejects() {
    let bin = oracle();
    let docs: Vec<String> = REJECTED.iter().map(|s| (*s).to_owned()).collect();
    let results = run_oracle(bin, &docs);
    for (doc, want) in docs.iter().zip(&results) {
        assert!(want.is_err(), "the oracle accepts {doc:?}: {want:?}");
        let got = meshroute::hcl::parse(doc, &Limits::default());
        assert!(
            got.is_err(),
            "{doc:?}: accepted as {:?}",
            got.map(|n| n.to_json())
        );
        let e = got.unwrap_err();
        assert!(e.pos.is_known(), "{doc:?}: {e}");
        assert!(e.message.starts_with("expected "), "{doc:?}: {e}");
    }
}

/// Corners of HCL1, each checked for agreement (accept with the same tree, or reject).
const CORNERS: &[&str] = &[
    // A leading 0 reads octal digits, but 8 and 9 are fine in a float's integer part.
    "a = 089.5",
    "a = 09e1",
    "a = 0.9",
    "a = 07",
    "",
    "   \n\t ",
    "# only a comment",
    "a = 1\nb =",
    "x { a = } }",
    "x { a = [ } }",
    "x { a = [[ } }",
    "x { b = 1 a = } }",
    "x = [ {a = }} ]",
    "x { a = [ { b = }} } }",
    "m = [[1] [2],,]",
    "m = [[1] 2]",
    "m = [,]",
    "m = [1,,2]",
    "a = 1, b = 2",
    "a = 1,, b = 2",
    ", a = 1",
    "a = .5",
    "a = .5e3",
    "a = 1.e3",
    "a = 1.5e",
    "a = 1e",
    "a = 0.",
    "a = 0e5",
    "a = 00.5",
    "a = 0755",
    "a = 0x",
    "a = 0xG",
    "a = -0x10",
    "a = -0",
    "a = -0.0",
    "a = 1e-400",
    "a = 9223372036854775807",
    "a = -9223372036854775808",
    "a = 9223372036854775808",
    "a = 1_000",
    "a = 1\na = \"1_000\"",
    "a = 1\na = \"+0b101\"",
    "a = 1\na = \"0o17\"",
    "a = 1\na = 2.5",
    "a = 1.5\na = 2",
    "a = 1.5\na = 010",
    "a = \"x\"\na = 1.5",
    "a = \"x\"\na = <<EOF\nh\nEOF\n",
    "a = \"x\"\na = 0x10",
    "a = true\na = false",
    "a = [1]\na { b = 1 }",
    "a { b = 1 }\na = [ {c = 1} ]",
    "a { b = 1 }\na = []",
    "a = []\na = 1",
    "a = [1]\na = { b = 1 }",
    "a { b = 1 }\na = 1",
    "a = 1\na { b = 1 }",
    "a \"x\" {}\nA \"y\" {}",
    "a \"x\" {}\nb = 1\na \"y\" {}",
    "a \"x\" \"y\" { z = 1 }\na \"x\" \"w\" {}",
    "a \"x\" { b = 1 }\na \"x\" { b = 2 }",
    "A = 1\na = 2",
    "a { b \"c\" { d = 1 } b \"e\" {} }",
    "\"a\" = 1",
    "\"\" = 1",
    "\"a.b\" { }",
    "a.b-c = 1",
    "a:b = 1",
    "a/b = 1",
    "_a = 1",
    "a1 = 1",
    "héllo = 1",
    "a = \"${\"}",
    "a = \"${ {} }\"",
    "a = \"${a}}\"",
    "a = \"${\n}\"",
    "a = \"x ${a \\\" b} y\"",
    "a = \"\\x80\"",
    "a = \"\\xff\\xfe\"",
    "a = \"\\uD800\"",
    "a = \"\\U00110000\"",
    "a = \"\\U0010FFFF\"",
    "a = \"\\Ua010FFFF\"",
    "a = \"\\U80000000\"",
    "a = \"\\U7FFFFFFF\"",
    "{\"a\": \"\\Ua010FFFF\"}",
    "a = \"\\377\"",
    "a = \"\\0\"",
    "a = \"\\00\"",
    "a = \"\\000\"",
    "a = \"\\'\"",
    "a = \"$\"",
    "a = \"{\"",
    "a = \"}\"",
    "a = \"$${a}\"",
    "a = <<EOF\nEOF\n",
    "a = <<EOF\n  x\n  EOF\n",
    "a = <<-EOF\n  x\nEOF\n",
    "a = <<-EOF\n  x\n EOF\n",
    "a = <<-EOF\n  x\n y\n  EOF\n",
    "a = <<-EOF\n\tx\n\tEOF\n",
    "a = <<EOF\r\nx\r\nEOF\r\n",
    "a = <<EOF\nx\nEOFX\nEOF\n",
    "a = <<EOF1\nx\nEOF1\n",
    "a = << EOF\nx\nEOF\n",
    "a = <<\nx\n\n",
    "a = <<-\nx\n",
    "a = <x",
    "a = [<<EOF\nx\nEOF\n, 1]",
    "a = 1 // c\nb = 2",
    "a = 1 # c\r\nb = 2",
    "a = /* c */ 1",
    "a /* c */ { }",
    "a = 1 / 2",
    "a = [1, /* c */ 2]",
    "a = {}",
    "a = { }\na = {}",
    "a = [{}, {}]",
    "a = [[], [[]]]",
    "a { b { c { d = 1 } } }",
    "a { \"b\" = 1 \"b\" = 2 }",
    "a = 1\r\nb = 2\r\n",
    "a = 1\rb = 2",
    "a = -x",
    "a = .",
    "a = true\n",
    "a = truex",
    "a = [true, false]",
    "true { }",
    "a true { }",
    "a 1 { }",
    "a = 1 }",
    "}",
    "]",
    "a = [",
    "a = {",
    "a {",
    "a",
    "a \"b\"",
    "a = 1 b",
    "a { b = 1 } c",
    "a = [1,]\n",
    "a = [\"x\" \"y\"]",
    "a = [{ } { }]",
    "a = [{ }, [ ] { }]",
    "a = \u{E123}",
    "a = \"\u{E123}\"",
    "a = \"\u{FFFD}\"",
    "a = \"${\u{FFFD}}\"",
    "# \u{E123}",
    "a = 1\n\u{a0}",
    "a = \"tab\there\"",
    "k\u{300} = 1",
    "\u{2160} = 1",
    "x\u{663} = 1",
    "\u{aa}\u{2c6} = 1",
    "\u{4e2d}\u{6587} = \"\u{4e2d}\"",
    "a = <<\u{e9}\u{663}\nx\n\u{e9}\u{663}\n",
    "a = <<x\u{300}\nx\nx\u{300}\n",
    "a\u{2028} = 1",
    "a\u{a0}= 1",
    "\u{feff}a = 1",
    "\u{feff}{}",
    "\u{85}a = 1",
    "a = 1\u{85}",
    "a = \"\u{85}\"",
    "a = 0x7FFFFFFFFFFFFFFF",
    "a = -0x8000000000000000",
    "a = 0xFFFFFFFFFFFFFFFF",
    "a = 1.7976931348623157e308",
    "a = 2e308",
    "a = 4.9e-324",
    "a = 123456789012345678901234567890.0",
];

/// Corners of HCL1's JSON dialect (text whose first non-space character is `{`).
const JSON_CORNERS: &[&str] = &[
    "{}",
    " \n {\"a\": 1}",
    "\u{a0}{\"a\": 1}",
    "{\"a\": 1} trailing garbage",
    "{\"a\": 1 \"b\": 2}",
    "{\"x\": {\"a\": 1 \"b\": 2}, \"c\": 3}",
    "{\"a\": 1,}",
    "{\"a\": 1",
    "{\"a\": 0",
    "{\"a\": ",
    "{\"a\"",
    "{",
    "{\"a\": null}",
    "{\"a\": [1, true, null]}",
    "{\"a\": [1, true, 2]}",
    "{\"a\": [[1, 2], 3]}",
    "{\"a\": [[1, 2]], \"b\": 1}",
    "{\"a\": []}",
    "{\"a\": {}}",
    "{\"a\": [{}]}",
    "{\"a\": [{\"b\": 1}, {\"c\": 2}]}",
    "{\"a\": [{\"b\": {\"c\": 1}}]}",
    "{\"a\": {\"b\": {\"c\": {\"d\": 1}}}}",
    "{\"service\": {\"web\": {\"port\": 80}, \"db\": {\"port\": 5432}}}",
    "{\"service\": {\"web\": {\"port\": 80}, \"x\": 1}}",
    "{\"a\": {\"b\": {}}}",
    "{\"a\": {\"b\": {}, \"c\": {\"d\": 1}}}",
    "{\"a\": 1, \"a\": 2}",
    "{\"a\": [1], \"a\": [2]}",
    "{\"a\": {\"x\": 1}, \"a\": {\"y\": 2}}",
    "{\"a\": {\"x\": {}}, \"A\": {\"y\": {}}}",
    "{\"a\" \"b\": {\"c\": 1}}",
    "{: 1}",
    "{\"a\": 01}",
    "{\"a\": 00}",
    "{\"a\": 01.5}",
    "{\"a\": -0}",
    "{\"a\": -01}",
    "{\"a\": 1.e5}",
    "{\"a\": .5}",
    "{\"a\": -.5}",
    "{\"a\": 1e400}",
    "{\"a\": 0x10}",
    "{\"a\": tru}",
    "{\"a\": True}",
    "{\"a\": nul}",
    "{\"a\": \"\\/\"}",
    "{\"a\": \"\\u00e9\\ud83d\\ude00\"}",
    "{\"a\": \"\\ud83d\"}",
    "{\"a\": \"\\x41\\101\\a\\v\"}",
    "{\"a\": \"\\x80\"}",
    "{\"a\": \"${var.x}\"}",
    "{\"a\": \"${\\\"}\"}",
    "{\"a\": \"\\'\"}",
    "{\"a\": \"tab\there\"}",
    "{\"a\": \"\u{e9}\"}",
    "{\"\u{e9}\": 1}",
    "{\"a\": 1}\u{0}",
    "{\"a\": 1\u{0}",
    "{\"a\": \"x\u{0}\"}",
    "{\"a\": \"\u{E123}\"}",
    "{\"a\": 1, \"b\": 2.5, \"c\": \"s\", \"d\": false}",
    "{\"a\": 1}\n{\"b\": 2}",
    "{\"a\": [{\"b\": 1}], \"a\": {\"c\": 2}}",
    "{\"a\": \"1\", \"a\": 2}",
    "{\"a\": 2, \"a\": \"0x10\"}",
    "{\"a\": 2, \"a\": null}",
    "{\"a\": null, \"a\": 2}",
    "{\"a\": 1.5, \"a\": 2}",
    "{\"a\": 1\r\n}",
];

#[test]
#[ignore = "needs the HCL1 oracle (Go): see NEEDS_ORACLE"]
fn json_dialect_corners_agree_with_the_oracle() {
    let docs: Vec<String> = JSON_CORNERS.iter().map(|s| (*s).to_owned()).collect();
    check_all(&docs);
}

use crate::shapes;

#[test]
#[ignore = "needs the HCL1 oracle (Go): see NEEDS_ORACLE"]
fn documented_shapes_agree_with_the_oracle() {
    let bin = oracle();
    let ok: Vec<String> = shapes::DOCUMENTED_SHAPES
        .iter()
        .map(|(src, _)| (*src).to_owned())
        .collect();
    let results = run_oracle(bin, &ok);
    for ((src, want), got) in shapes::DOCUMENTED_SHAPES.iter().zip(&results) {
        let want: J = serde_json::from_str(want).unwrap();
        assert!(
            got.as_ref().is_ok_and(|g| same(g, &want)),
            "{src:?}: the oracle gives {got:?}"
        );
    }
    let bad: Vec<String> = shapes::DOCUMENTED_ERRORS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    for (src, got) in bad.iter().zip(run_oracle(bin, &bad)) {
        assert!(got.is_err(), "{src:?}: the oracle accepts it as {got:?}");
    }
}

#[test]
#[ignore = "needs the HCL1 oracle (Go): see NEEDS_ORACLE"]
fn corners_agree_with_the_oracle() {
    let docs: Vec<String> = CORNERS.iter().map(|s| (*s).to_owned()).collect();
    check_all(&docs);
}

// ------------------------------------------------------------------------------------------
// Generated documents.

#[derive(Clone, Debug)]
enum Val {
    Str(String),
    Int(String),
    Float(String),
    Bool(bool),
    Heredoc(bool, String),
    List(Vec<Val>),
    Object(Vec<Item>),
}

#[derive(Clone, Debug)]
enum Item {
    Attr(String, Val),
    Block(String, Vec<String>, Vec<Item>),
    Comment(String),
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "name", "mode", "port", "Port", "kind", "meta", "proxy", "upstreams",
            "mesh_gateway", "a", "b", "x-y", "a.b", "_k", "k1", "\u{e9}t\u{e9}", "x\u{663}",
        ])
        .prop_map(str::to_owned),
        1 => string_literal(),
    ]
}

fn string_body() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            6 => prop::sample::select(vec![
                "a", "b", "z", " ", "-", "é", "✓", "😀", "{", "}", "$", "'", ":", "/", "#",
            ])
            .prop_map(str::to_owned),
            2 => prop::sample::select(vec![
                "\\n", "\\t", "\\\"", "\\\\", "\\u00e9", "\\U0001F600", "\\x41", "\\101",
                "\\r", "\\a", "\\v", "\\uD83D",
            ])
            .prop_map(str::to_owned),
            1 => prop::sample::select(vec!["${var.x}", "${a(\"b\")}", "${ {} }", "$${x}"])
                .prop_map(str::to_owned),
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

fn string_literal() -> impl Strategy<Value = String> {
    string_body().prop_map(|b| format!("\"{b}\""))
}

fn scalar() -> impl Strategy<Value = Val> {
    prop_oneof![
        3 => string_literal().prop_map(Val::Str),
        2 => prop_oneof![
            any::<i64>().prop_map(|i| i.to_string()),
            (0i64..1000).prop_map(|i| i.to_string()),
            (0u32..0xFFFF).prop_map(|i| format!("0x{i:X}")),
            (0u32..0o777).prop_map(|i| format!("0{i:o}")),
            (1u32..100).prop_map(|i| format!("-0x{i:x}")),
        ]
        .prop_map(Val::Int),
        2 => prop_oneof![
            (-1.0e6f64..1.0e6).prop_map(|f| format!("{f:?}")),
            (0u32..100, -30i32..30).prop_map(|(m, e)| format!("{m}e{e}")),
            (0u32..100, 0u32..100).prop_map(|(m, e)| format!("{m}.{e}E+{}", e % 5)),
            (0u32..100).prop_map(|m| format!("{m}.")),
            (0u32..100).prop_map(|m| format!(".{m}")),
        ]
        .prop_map(Val::Float),
        1 => any::<bool>().prop_map(Val::Bool),
        1 => (any::<bool>(), prop::collection::vec("[a-z ]{0,6}", 0..3))
            .prop_map(|(indent, lines)| Val::Heredoc(indent, lines.join("\n"))),
    ]
}

fn comment() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "# hash",
        "// slashes",
        "/* block */",
        "/* multi\nline */",
    ])
    .prop_map(str::to_owned)
}

fn items() -> impl Strategy<Value = Vec<Item>> {
    let leaf = prop_oneof![
        3 => (key(), scalar()).prop_map(|(k, v)| Item::Attr(k, v)),
        1 => comment().prop_map(Item::Comment),
        1 => (key(), prop::collection::vec(string_literal(), 0..3))
            .prop_map(|(k, labels)| Item::Block(k, labels, Vec::new())),
    ];
    prop::collection::vec(leaf, 0..5).prop_recursive(4, 48, 6, |inner| {
        let val = prop_oneof![
            3 => scalar(),
            1 => prop::collection::vec(
                prop_oneof![scalar(), inner.clone().prop_map(Val::Object)],
                0..4
            )
            .prop_map(Val::List),
            1 => inner.clone().prop_map(Val::Object),
        ];
        prop::collection::vec(
            prop_oneof![
                3 => (key(), val).prop_map(|(k, v)| Item::Attr(k, v)),
                2 => (key(), prop::collection::vec(string_literal(), 0..3), inner)
                    .prop_map(|(k, labels, body)| Item::Block(k, labels, body)),
                1 => comment().prop_map(Item::Comment),
            ],
            0..5,
        )
    })
}

fn render_val(v: &Val, indent: usize, out: &mut String) {
    match v {
        Val::Str(s) | Val::Int(s) | Val::Float(s) => out.push_str(s),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Heredoc(indented, body) => {
            let pad = " ".repeat(indent + 2);
            out.push_str(if *indented { "<<-EOT\n" } else { "<<EOT\n" });
            for line in body.lines() {
                if *indented {
                    out.push_str(&pad);
                }
                out.push_str(line);
                out.push('\n');
            }
            if *indented {
                out.push_str(&pad);
            }
            out.push_str("EOT\n");
        }
        Val::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_val(item, indent + 2, out);
                // A heredoc ends its line; a following comma must come after it.
            }
            if items.len() % 2 == 1 {
                out.push(',');
            }
            out.push(']');
        }
        Val::Object(items) => {
            out.push_str("{\n");
            render_items(items, indent + 2, out);
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
    }
}

fn render_items(items: &[Item], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for item in items {
        out.push_str(&pad);
        match item {
            Item::Attr(k, v) => {
                let _ = write!(out, "{k} = ");
                render_val(v, indent, out);
            }
            Item::Block(k, labels, body) => {
                out.push_str(k);
                for l in labels {
                    let _ = write!(out, " {l}");
                }
                out.push_str(" {\n");
                render_items(body, indent + 2, out);
                out.push_str(&pad);
                out.push('}');
            }
            Item::Comment(c) => out.push_str(c),
        }
        out.push('\n');
    }
}

fn render(items: &[Item]) -> String {
    let mut out = String::new();
    render_items(items, 0, &mut out);
    out
}

fn json_value() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i32>().prop_map(J::from),
        (-1000.0f64..1000.0).prop_map(J::from),
        "[a-z\"\\\\é ${}]{0,6}".prop_map(J::String),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(J::Array),
            prop::collection::vec(("[a-cA]{1,2}", inner), 0..4)
                .prop_map(|kv| J::Object(kv.into_iter().collect())),
        ]
    })
}

/// Batches per generated test: 8, or `PROPTEST_CASES` for a longer local run.
fn batches() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8)
}

/// A seed document for mutation: a fixture, an HCL corner or a JSON-dialect corner.
fn seeds() -> Vec<String> {
    let mut files = Vec::new();
    hcl_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &mut files,
    );
    files.sort();
    let mut out: Vec<String> = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .collect();
    out.extend(CORNERS.iter().chain(JSON_CORNERS).map(|s| (*s).to_owned()));
    out
}

#[derive(Clone, Debug)]
enum Edit {
    Insert(prop::sample::Index, &'static str),
    Delete(prop::sample::Index),
    Replace(prop::sample::Index, &'static str),
}

fn edit() -> impl Strategy<Value = Edit> {
    let piece = prop::sample::select(vec![
        "{", "}", "[", "]", "=", ",", ":", "\"", "\\", "\n", " ", "#", "/", "*", "<<EOF\n", "EOF",
        "-", ".", "0", "1", "e", "x", "a", "true", "null", "${", "$", "\t", "é", "\r\n",
    ]);
    prop_oneof![
        (any::<prop::sample::Index>(), piece.clone()).prop_map(|(i, p)| Edit::Insert(i, p)),
        any::<prop::sample::Index>().prop_map(Edit::Delete),
        (any::<prop::sample::Index>(), piece).prop_map(|(i, p)| Edit::Replace(i, p)),
    ]
}

fn apply(doc: &str, edits: &[Edit]) -> String {
    let mut s = doc.to_owned();
    for e in edits {
        let bounds: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
        let at = |i: &prop::sample::Index| bounds[i.index(bounds.len())];
        let next = |p: usize| bounds.iter().copied().find(|&b| b > p).unwrap_or(p);
        match e {
            Edit::Insert(i, p) => s.insert_str(at(i), p),
            Edit::Delete(i) => {
                let p = at(i);
                s.replace_range(p..next(p), "");
            }
            Edit::Replace(i, r) => {
                let p = at(i);
                s.replace_range(p..next(p), r);
            }
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: batches(), ..ProptestConfig::default() })]

    /// Seeds with one to three random edits, 256 per oracle run: mostly errors, which must
    /// agree, and the parser's permissive corners, which must give the same tree.
    #[test]
    #[ignore = "needs the HCL1 oracle (Go): see NEEDS_ORACLE"]
    fn mutated_documents_agree(
        batch in prop::collection::vec(
            (any::<prop::sample::Index>(), prop::collection::vec(edit(), 1..4)),
            256,
        )
    ) {
        let bin = oracle();
        let seeds = seeds();
        let docs: Vec<String> = batch
            .iter()
            .map(|(i, edits)| apply(&seeds[i.index(seeds.len())], edits))
            .collect();
        let results = run_oracle(bin, &docs);
        let report = disagreements(&docs, &results);
        prop_assert!(report.is_empty(), "disagreements with the HCL1 oracle:\n{}", report);
    }

    /// HCL1's JSON dialect on generated objects, compact and pretty, 256 per oracle run.
    #[test]
    #[ignore = "needs the HCL1 oracle (Go): see NEEDS_ORACLE"]
    fn generated_json_dialect_documents_agree(
        batch in prop::collection::vec(prop::collection::vec(("[a-cA]{1,2}", json_value()), 0..5), 128)
    ) {
        let bin = oracle();
        let docs: Vec<String> = batch
            .into_iter()
            .flat_map(|kv| {
                let v = J::Object(kv.into_iter().collect());
                [serde_json::to_string(&v).unwrap(), serde_json::to_string_pretty(&v).unwrap()]
            })
            .collect();
        let results = run_oracle(bin, &docs);
        let report = disagreements(&docs, &results);
        prop_assert!(report.is_empty(), "disagreements with the HCL1 oracle:\n{}", report);
    }

    /// Batches of 256 generated documents per oracle run.
    #[test]
    #[ignore = "needs the HCL1 oracle (Go): see NEEDS_ORACLE"]
    fn generated_documents_agree(batch in prop::collection::vec(items(), 256)) {
        let bin = oracle();
        let docs: Vec<String> = batch.iter().map(|d| render(d)).collect();
        let results = run_oracle(bin, &docs);
        let report = disagreements(&docs, &results);
        prop_assert!(report.is_empty(), "disagreements with the HCL1 oracle:\n{}", report);
        // The generator must mostly make documents Consul accepts, or it tests little.
        let accepted = results.iter().filter(|r| r.is_ok()).count();
        prop_assert!(accepted * 2 >= docs.len(), "only {} of {} accepted", accepted, docs.len());
    }
}
