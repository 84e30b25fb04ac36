//! `report::write_resolution` and `Envelope::write_json` against serde_json: the same bytes,
//! in every layout, for the bundled example, the fixtures (chains, warnings, federation) and
//! names full of what JSON and terminals escape.

use std::path::Path;

use meshroute::report::{Envelope, JsonStyle, TerminalSafe, write_resolution};
use meshroute::{Format, Loader, Problem, Resolution, Topology};
use serde::Serialize;
use serde_json::ser::{CompactFormatter, PrettyFormatter, Serializer};

/// What serde_json writes for `v` in `style`.
fn serde_bytes(v: &impl Serialize, style: JsonStyle) -> Vec<u8> {
    let mut out = Vec::new();
    match (style.pretty, style.terminal_safe) {
        (false, false) => v.serialize(&mut Serializer::new(&mut out)),
        (true, false) => v.serialize(&mut Serializer::pretty(&mut out)),
        (false, true) => v.serialize(&mut Serializer::with_formatter(
            &mut out,
            TerminalSafe(CompactFormatter),
        )),
        (true, true) => v.serialize(&mut Serializer::with_formatter(
            &mut out,
            TerminalSafe(PrettyFormatter::new()),
        )),
    }
    .unwrap();
    out
}

const STYLES: [JsonStyle; 4] = [
    JsonStyle::COMPACT,
    JsonStyle::PRETTY,
    JsonStyle::COMPACT.terminal_safe(),
    JsonStyle::PRETTY.terminal_safe(),
];

/// The writer's bytes are serde_json's, for the resolution and for an envelope around it
/// (with its warnings as problems, and an error).
fn assert_same(res: &Resolution<'_>) {
    let mut envelope = Envelope::new("resolve", Some(res));
    envelope.extend(res.warnings.iter().map(Problem::from));
    envelope.push(Problem::new(
        "usage",
        meshroute::Source::Caller,
        meshroute::Severity::Error,
        "an \"error\"\n\u{1b}[2J",
    ));
    for style in STYLES {
        let mut ours = Vec::new();
        write_resolution(&mut ours, res, style).unwrap();
        let theirs = serde_bytes(res, style);
        assert!(
            ours == theirs,
            "{style:?}:\n{}\n---\n{}",
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
        let mut ours = Vec::new();
        envelope.write_json(&mut ours, style).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&serde_bytes(&envelope, style)),
            "{style:?}"
        );
    }
}

fn loaded(paths: &[&str]) -> Topology {
    let loaded = Loader::new().load_paths(paths);
    Topology::from_owned_documents(loaded.documents, None)
}

#[test]
fn the_example_and_the_fixtures_are_written_as_serde_json_writes_them() {
    let mut chained = 0;
    let mut warned = 0;
    for paths in [
        &["examples"][..],
        &[
            "examples/primary",
            "examples/secondary",
            "examples/failover",
        ],
        &["tests/fixtures/chains"],
        &["tests/fixtures/resolve"],
        &["tests/fixtures/federation"],
    ] {
        let topology = loaded(paths);
        let res = topology.resolve();
        assert!(!res.is_empty(), "{paths:?}");
        chained += res.routes().filter(|r| r.chain.is_some()).count();
        warned += res.routes().filter(|r| !r.warnings.is_empty()).count();
        assert_same(&res);
    }
    // Both the routes written through serde (chains) and the warnings were met.
    assert!(chained > 0 && warned > 0, "{chained} {warned}");
}

#[test]
fn an_empty_resolution_is_written_as_serde_json_writes_it() {
    let topology = Topology::builder().add_datacenter("dc1").build();
    let res = topology.resolve();
    assert!(res.trust_domain.is_none() && res.is_empty());
    assert_same(&res);
}

/// Names with C0 controls, quotes, backslashes, DEL, C1 and bidirectional controls, accents
/// and a 4-byte character, at every offset of an 8-byte word; an unknown datacenter whose
/// warning quotes them; a file name with ESC.
#[test]
fn control_characters_and_unicode_are_escaped_as_serde_json_escapes_them() {
    let src = "service {\n  name = \"w\\u001b[31meb\\u009b\\u202e é ✓ \\\"q\\\" \\\\ del\\u007f-and-a-long-tail\"\n  port = 80\n  connect { sidecar_service { proxy {\n    upstreams = [\n      { destination_name = \"a\\u0007p\\ni\\t\\r\\b\\f🚀\\u2066x\\u200f\", local_bind_port = 9000, datacenter = \"d\\u001bc\\u009b2\" },\n      { destination_name = \"abcdefg\\\"hijklmno\\\\pqrstuv\\u0001wxyz0123456\\u00a0789\", local_bind_port = 9001 }\n    ]\n  } } }\n}\n";
    let file = Path::new("dc\u{1b}]0;x\u{7}/web\u{202e}.hcl");
    let loaded = Loader::new().load_str(src, Format::Hcl, Some(file));
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    let topology = Topology::builder()
        .trust_domain("x.consul")
        .add_documents(&loaded.documents)
        .build();
    let res = topology.resolve();
    assert_eq!(res.len(), 2);
    assert!(res.routes().any(|r| !r.warnings.is_empty()));
    let compact = serde_json::to_string(&res).unwrap();
    assert!(compact.contains(r"w\u001b[31meb"), "{compact}");
    assert_same(&res);
}
