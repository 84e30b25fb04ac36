//! The stream of manifests the `k8s_manifest` fuzz target builds from its input, and what
//! loading it must give: shared by the target and the test that replays its seeds on stable.
//!
//! The first byte chooses the kind (its low 4 bits: consul-k8s's resources, then a
//! Deployment and a Pod whose annotations the rest is, then a ConfigMap, which is not
//! Consul's) and whether Helm values come first (bit 7; with namespaces and partitions on
//! when bit 6 is set too); the rest is the resource's `spec`, the annotations or the data.
#![allow(dead_code, unreachable_pub)]

use std::fmt::Write;

use meshroute::{DiagnosticKind, Loaded};

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

/// The stream built from an input (its first byte `sel` chooses, the rest is `body`), and
/// whether its manifest is Consul's.
pub fn stream(sel: u8, body: &str) -> (String, bool) {
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

/// What loading `stream(sel, …)` must give: problems past the YAML reader's only for
/// Consul's manifests, and those of a stream after Helm values naming their document.
pub fn check(src: &str, sel: u8, consul: bool, loaded: &Loaded) {
    for d in &loaded.diagnostics {
        assert!(!d.to_string().is_empty());
        if !read(d.kind()) {
            continue;
        }
        assert!(consul || !d.is_error(), "{src}\n{d}");
        if sel & 0x80 != 0 && !d.path().is_empty() {
            assert!(d.document().is_some(), "{src}\n{d}");
        }
    }
    for doc in &loaded.documents {
        let _ = doc.to_json();
    }
}

/// Whether a problem is past the YAML reader's (not a syntax error or a limit).
pub fn read(kind: DiagnosticKind) -> bool {
    !matches!(kind, DiagnosticKind::Syntax | DiagnosticKind::Limit)
}
