//! The direct reader against serde-saphyr: on generated streams (block and flow
//! collections, every kind of scalar, keys of every kind, comments, document markers, and
//! now and then an anchor, an alias, a tag or a merge key), whenever the direct reader
//! answers, its documents are serde-saphyr's, positions included; and it answers for most.

use proptest::prelude::*;

use super::{events, options, read_by_serde};
use crate::syntax::tree::Limits;

/// Plain scalars of every resolution: names, integers in every radix and past 64 bits,
/// floats, leading zeros, underscores, the non-finite spellings, YAML 1.1 and 1.2 booleans,
/// nulls.
const SCALARS: &[&str] = &[
    "",
    "web",
    "a b",
    "svc-1",
    "apps/v1",
    "consul.hashicorp.com/connect-inject",
    "0",
    "-0",
    "12",
    "+12",
    "0123",
    "-012",
    "1_000",
    "1__0",
    "1_",
    "_1",
    "0x1F",
    "0X1F",
    "-0x1f",
    "0o17",
    "0O17",
    "0b11",
    "0x",
    "0x_1",
    "1.5",
    "1e3",
    "-1.5e-3",
    ".5",
    "1.",
    "+.5",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "99999999999999999999999999999999999999999",
    ".inf",
    "-.Inf",
    ".nan",
    "-.nan",
    "+.NaN",
    "inf",
    "nan",
    "Infinity",
    "1e999",
    "true",
    "True",
    "TRUE",
    "tRUE",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "null",
    "Null",
    "NULL",
    "nULL",
    "~",
    "+-5",
    "12:30",
    "2001-12-14",
    "0.1.2",
    "a:b",
    "x#y",
    "é",
    "8080",
    "-1",
];

/// Keys: names, quoted names.
const KEYS: &[&str] = &[
    "Name", "kind", "a b", "x", "y", "port", "\"q\"", "'s'", "\"1\"",
];

/// Keys the direct reader leaves to serde-saphyr: non-string plain keys, the merge key.
const ODD_KEYS: &[&str] = &["1", "true", "null", "~", "<<", "0x10"];

#[derive(Clone, Debug)]
enum Gen {
    Scalar(String, Style),
    List(Vec<Gen>, bool),
    Map(Vec<(String, Gen)>, bool),
    /// An anchored scalar and an alias to it, a tagged scalar: forms left to serde-saphyr.
    Odd(&'static str),
}

#[derive(Clone, Copy, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

fn scalar() -> impl Strategy<Value = Gen> {
    let text = prop_oneof![
        4 => proptest::sample::select(SCALARS).prop_map(str::to_owned),
        1 => "[a-zA-Z0-9._+-]{1,6}",
    ];
    let style = prop_oneof![
        6 => Just(Style::Plain),
        1 => Just(Style::Single),
        1 => Just(Style::Double),
        1 => Just(Style::Literal),
    ];
    prop_oneof![
        20 => (text, style).prop_map(|(t, s)| Gen::Scalar(t, s)),
        1 => proptest::sample::select(&["&a x", "!!str 12", "!custom x", "*a", "!!int \"7\""][..])
            .prop_map(Gen::Odd),
    ]
}

fn node() -> impl Strategy<Value = Gen> {
    scalar().prop_recursive(4, 32, 5, |inner| {
        let key = prop_oneof![
            12 => proptest::sample::select(KEYS).prop_map(str::to_owned),
            4 => "[a-z]{1,3}",
            1 => proptest::sample::select(ODD_KEYS).prop_map(str::to_owned),
        ];
        prop_oneof![
            (
                proptest::collection::vec(inner.clone(), 0..5),
                any::<bool>()
            )
                .prop_map(|(items, flow)| Gen::List(items, flow)),
            (proptest::collection::vec((key, inner), 0..6), any::<bool>())
                .prop_map(|(entries, flow)| Gen::Map(entries, flow)),
        ]
    })
}

/// A scalar as written: in flow context always on one line.
fn render_scalar(text: &str, style: Style, flow: bool, indent: usize) -> String {
    match style {
        Style::Plain => text.to_owned(),
        Style::Single => format!("'{}'", text.replace('\'', "''")),
        Style::Double => format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")),
        Style::Literal if flow => format!("\"{text}\""),
        Style::Literal => format!("|\n{}{text}", " ".repeat(indent + 2)),
    }
}

fn render_flow(g: &Gen) -> String {
    match g {
        Gen::Scalar(t, s) => render_scalar(t, *s, true, 0),
        Gen::Odd(o) => (*o).to_owned(),
        Gen::List(items, _) => {
            let items: Vec<String> = items.iter().map(render_flow).collect();
            format!("[{}]", items.join(", "))
        }
        Gen::Map(entries, _) => {
            let e: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{k}: {}", render_flow(v)))
                .collect();
            format!("{{{}}}", e.join(", "))
        }
    }
}

/// Renders `g` as the value after `key:` or `-` at `indent` (the text starts right after
/// the indicator).
fn render_block(g: &Gen, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match g {
        Gen::List(items, false) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                out.push_str(&pad);
                out.push('-');
                render_block(item, indent + 2, out);
            }
        }
        Gen::Map(entries, false) if !entries.is_empty() => {
            out.push('\n');
            for (k, v) in entries {
                out.push_str(&pad);
                out.push_str(k);
                out.push(':');
                render_block(v, indent + 2, out);
            }
        }
        Gen::Scalar(t, s) => {
            out.push(' ');
            out.push_str(&render_scalar(t, *s, false, indent.saturating_sub(2)));
            out.push('\n');
        }
        other => {
            out.push(' ');
            out.push_str(&render_flow(other));
            out.push('\n');
        }
    }
}

/// A stream of documents, with markers, comments and an end marker now and then.
fn stream() -> impl Strategy<Value = String> {
    let doc = (node(), 0..4u8, any::<bool>());
    proptest::collection::vec(doc, 1..4).prop_map(|docs| {
        let mut out = String::new();
        for (i, (g, decor, explicit)) in docs.into_iter().enumerate() {
            if i > 0 || explicit {
                out.push_str(if decor == 1 { "--- # next\n" } else { "---\n" });
            }
            if decor == 2 {
                out.push_str("# a comment\n");
            }
            let mut body = String::new();
            render_block(&g, 0, &mut body);
            // The root's text starts after an indicator; drop the space or line break.
            out.push_str(body.strip_prefix([' ', '\n']).unwrap_or(&body));
            if decor == 3 {
                out.push_str("...\n");
            }
        }
        out
    })
}

/// Whether the direct reader agrees with serde-saphyr on `src`; `Some(answered)`.
fn agrees(src: &str) -> Result<bool, TestCaseError> {
    let limits = Limits::default();
    let o = options(&limits);
    let Some(direct) = o.budget.as_ref().and_then(|b| events::read(src, b)) else {
        return Ok(false);
    };
    let serde = read_by_serde(src, o);
    prop_assert_eq!(serde.as_ref().ok(), Some(&direct), "{}", src);
    Ok(true)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_direct_reader_reads_as_serde_saphyr(src in stream()) {
        agrees(&src)?;
    }
}

/// Of the generated streams serde-saphyr accepts, the direct reader answers most (those
/// with an anchor, a tag, a merge key or a non-string key it leaves to serde-saphyr).
#[test]
fn the_direct_reader_answers_for_most_generated_streams() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = stream();
    let (mut answered, mut accepted) = (0, 0);
    for _ in 0..500 {
        let src = strategy.new_tree(&mut runner).unwrap().current();
        answered += usize::from(agrees(&src).unwrap());
        accepted += usize::from(read_by_serde(&src, options(&Limits::default())).is_ok());
    }
    assert!(accepted > 100, "{accepted} of 500");
    assert!(answered * 3 > accepted * 2, "{answered} of {accepted}");
}

#[test]
fn every_scalar_reads_as_serde_saphyr_reads_it() {
    for text in SCALARS {
        for src in [
            format!("v: {text}\n"),
            format!("- {text}\n"),
            format!("[{text}]\n"),
            format!("{text}\n"),
            format!("{text}: v\n"),
        ] {
            agrees(&src).unwrap();
        }
    }
}

#[test]
fn the_forms_it_leaves_to_serde_saphyr() {
    let limits = Limits::default();
    let o = options(&limits);
    let b = o.budget.as_ref().unwrap();
    for src in [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "base: &b {x: 1}\nc:\n  <<: *b\n",
        "? [a]\n: 1\n",
        "1: a\n",
        "a: 1\na: 2\n",
        "a: .inf\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: [\n",
    ] {
        assert!(events::read(src, b).is_none(), "{src}");
    }
    assert!(events::read("a: 1\n", b).is_some());
}

/// A long map (over the 16 keys compared pairwise) is handed over when a key repeats,
/// wherever the two are, and read when its keys only share prefixes or lengths.
#[test]
fn a_long_map_with_a_repeated_key_is_left_to_serde_saphyr() {
    let limits = Limits::default();
    let o = options(&limits);
    let b = o.budget.as_ref().unwrap();
    let keys: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
    let map = |keys: &[String]| keys.iter().flat_map(|k| [k, ": 1\n"]).collect::<String>();
    assert!(agrees(&map(&keys)).unwrap());
    for (i, j) in [(0, 1), (0, 39), (17, 3), (38, 39)] {
        let mut repeated = keys.clone();
        repeated[j] = keys[i].clone();
        assert!(events::read(&map(&repeated), b).is_none(), "{i} {j}");
        assert!(read_by_serde(&map(&repeated), options(&limits)).is_err());
    }
}

/// Every YAML file of the repository (fixtures, examples, the fuzz corpus): the direct
/// reader agrees wherever it answers.
#[test]
fn the_repository_yaml_reads_as_serde_saphyr_reads_it() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml")
                || p.parent().is_some_and(|d| d.ends_with("load_yaml"))
            {
                out.push(p);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["examples", "tests/fixtures", "fuzz/corpus/load_yaml"] {
        walk(&root.join(dir), &mut files);
    }
    let mut answered = 0;
    for f in &files {
        if let Ok(src) = std::fs::read_to_string(f) {
            answered += usize::from(agrees(&src).unwrap());
        }
    }
    assert!(
        answered * 2 > files.len(),
        "{answered} of {} files",
        files.len()
    );
}

/// Collections longer than the reader's stacks hold (1,024 elements, then a vector of their
/// own), nested in and around shorter ones, block and flow: read as serde-saphyr reads them,
/// and a key repeated on either side of that point still hands the map over.
#[test]
fn collections_past_the_spill_point_read_as_serde_saphyr_reads_them() {
    use std::fmt::Write;
    let limits = Limits::default();
    let o = options(&limits);
    let b = o.budget.as_ref().unwrap();
    let n = 2_500;
    let (mut block_list, mut long_map) = (String::new(), String::new());
    for i in 0..n {
        writeln!(block_list, "- name: s{i}\n  up: [{{a: {i}}}, {{b: x}}]").unwrap();
        writeln!(long_map, "  k{i}: [{i}, {i}]").unwrap();
    }
    let flow_list = (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    for src in [
        format!("top: 1\nlist:\n{block_list}after:\n  long:\n{long_map}  short: [1]\n"),
        format!("- [{flow_list}]\n- {{a: [{flow_list}], b: 2}}\n---\nm:\n{long_map}"),
    ] {
        assert!(agrees(&src).unwrap(), "not answered");
    }
    for at in [3, 1_500] {
        let repeated = format!("m:\n{long_map}  k{at}: 0\n");
        assert!(events::read(&repeated, b).is_none(), "{at}");
    }
}
