//! The `k8s_manifest` fuzz target's seeds (`fuzz/corpus/k8s_manifest`), replayed on stable
//! with the target's invariants: the target wraps its input in a manifest (its first byte
//! chooses which), and this file wraps the seeds the same way.
#![cfg(feature = "yaml")]

use std::fmt::Write;
use std::path::Path;

use meshroute::{DiagnosticKind, Format, Loader};

/// The `k8s_manifest` target's kinds: consul-k8s's resources (with the name each must
/// have), then a Deployment and a Pod (annotations), then a ConfigMap (not Consul's).
const CRDS: [(&str, &str); 7] = [
    ("ProxyDefaults", "global"),
    ("ServiceDefaults", "web"),
    ("ServiceResolver", "web"),
    ("ServiceRouter", "web"),
    ("ServiceSplitter", "web"),
    ("ExportedServices", "default"),
    ("Mesh", "mesh"),
];

fn indent(body: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    let mut out = String::new();
    for l in body.lines() {
        out.push_str(&pad);
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// The stream the `k8s_manifest` target builds from a seed (its first byte chooses), and
/// whether its manifest is Consul's.
fn manifest_stream(sel: u8, body: &str) -> (String, bool) {
    let mut src = String::new();
    if sel & 0x80 != 0 {
        src.push_str("global:\n  datacenter: dc1\n");
        if sel & 0x40 != 0 {
            src.push_str("  enableConsulNamespaces: true\n  adminPartitions:\n    enabled: true\n");
        }
        src.push_str("connectInject:\n  enabled: true\n---\n");
    }
    let k = usize::from(sel & 0x0f);
    let consul = k < CRDS.len() + 2;
    if let Some((kind, name)) = CRDS.get(k) {
        let _ = write!(
            src,
            "apiVersion: consul.hashicorp.com/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n"
        );
        src.push_str(&indent(body, 2));
    } else if consul {
        let (api, kind, at) = if k == CRDS.len() {
            (
                "apps/v1",
                "Deployment",
                "spec:\n  template:\n    metadata:\n",
            )
        } else {
            ("v1", "Pod", "")
        };
        let depth = if at.is_empty() { 2 } else { 6 };
        let _ = write!(
            src,
            "apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: web\n"
        );
        src.push_str(at);
        let _ = writeln!(src, "{}annotations:", " ".repeat(depth));
        src.push_str(&indent(body, depth + 2));
    } else {
        src.push_str("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n");
        src.push_str(&indent(body, 2));
    }
    (src, consul)
}

/// The `k8s_manifest` target's seeds, with its invariants; and they reach what they are
/// for: the seeds decode to documents, the bad ones to errors of consul-k8s's.
#[test]
#[cfg_attr(not(fuzz_corpus), ignore = "fuzz/corpus is not in the packaged crate")]
fn manifest_corpus_replays() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/k8s_manifest");
    let mut seen = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let data = std::fs::read(e.path()).unwrap();
        let (&sel, rest) = data.split_first().unwrap();
        let (src, consul) = manifest_stream(sel, std::str::from_utf8(rest).unwrap());
        let loaded = Loader::new().load_str(&src, Format::Yaml, None);
        let read = |k| !matches!(k, DiagnosticKind::Syntax | DiagnosticKind::Limit);
        for d in &loaded.diagnostics {
            assert!(read(d.kind()), "a seed is YAML: {src}\n{d}");
            assert!(consul || !d.is_error(), "{src}\n{d}");
            if sel & 0x80 != 0 && !d.path().is_empty() {
                assert!(d.document().is_some(), "{src}\n{d}");
            }
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
        seen.push((name, errors, loaded.documents.len()));
    }
    seen.sort();
    let names: Vec<&str> = seen.iter().map(|s| s.0.as_str()).collect();
    assert!(names.len() >= 10, "{names:?}");
    for (name, errors, docs) in &seen {
        let bad = name.contains("bad");
        assert_eq!(*errors > 0, bad, "{name}: {errors} errors");
        if !bad && name != "configmap" {
            assert!(*docs > 0, "{name}: no document");
        }
    }
}
