#![no_main]
//! The Kubernetes manifest reader: any text as the `spec` of one of consul-k8s's resources,
//! or as a workload's pod annotations, or as the body of a manifest that is not Consul's, in
//! a stream after an optional Helm values document. Never a panic; a manifest that is not
//! Consul's is never an error (its text may still not be YAML); every problem past the
//! reader's names its document.
//!
//! The first byte chooses: the kind (its low 4 bits) and whether the values come first (bit
//! 7, with namespaces and partitions on when bit 6 is set too). tests/load/fuzz_corpus.rs
//! builds its seeds the same way.
use std::fmt::Write;

use libfuzzer_sys::fuzz_target;
use meshroute::{DiagnosticKind, Format, Loader};

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

/// The stream, and whether its manifest is Consul's.
fn stream(sel: u8, body: &str) -> (String, bool) {
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

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(body) = std::str::from_utf8(rest) else {
        return;
    };
    let (src, consul) = stream(sel, body);
    let loaded = Loader::new().load_str(&src, Format::Yaml, None);
    let read = |k| !matches!(k, DiagnosticKind::Syntax | DiagnosticKind::Limit);
    for d in &loaded.diagnostics {
        assert!(!d.to_string().is_empty());
        if !consul && d.is_error() {
            assert!(!read(d.kind()), "{src}\n{d}");
        }
        if read(d.kind()) && sel & 0x80 != 0 && !d.path().is_empty() {
            assert!(d.document().is_some(), "{src}\n{d}");
        }
    }
    for doc in &loaded.documents {
        let _ = doc.to_json();
    }
});
