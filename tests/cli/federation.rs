//! One mesh, two sources: a consul-k8s two-cluster federation (Helm values for the primary
//! and the secondary, custom resources, annotated Deployments) resolves exactly as the same
//! mesh written as Consul's agent files: the same table byte for byte, the same JSON less the
//! notes on the manifests skipped.
#![cfg(all(feature = "yaml", feature = "nomad"))]

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshroute"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// Standard error without the notes (the Kubernetes side notes the manifests it skips).
fn stderr_without_notes(o: &Output) -> String {
    let mut out = String::new();
    for l in String::from_utf8_lossy(&o.stderr).lines() {
        if !(l.starts_with("note: ") || l.contains(": note: ")) {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// The JSON envelope without its notes (the Kubernetes side notes the manifests it skips,
/// and reports them with the warnings, as `"severity": "note"`).
fn json_without_notes(o: &Output) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    if let Some(warnings) = v["warnings"].as_array_mut() {
        warnings.retain(|w| w["severity"] != "note");
    }
    v
}

#[test]
fn the_kubernetes_federation_resolves_as_its_agent_files() {
    const K8S: &str = "tests/fixtures/federation/kubernetes";
    const HCL: &str = "tests/fixtures/federation/hcl";
    for format in ["json", "table"] {
        let k8s = run(&["resolve", "--format", format, K8S]);
        let hcl = run(&["resolve", "--format", format, HCL]);
        assert_eq!(k8s.status.code(), Some(0), "{}", stderr_without_notes(&k8s));
        assert_eq!(hcl.status.code(), Some(0));
        assert!(!k8s.stdout.is_empty());
        if format == "json" {
            let (k, h) = (json_without_notes(&k8s), json_without_notes(&hcl));
            assert!(!k["result"]["routes"].as_array().unwrap().is_empty());
            assert_eq!(k, h);
        } else {
            assert_eq!(
                String::from_utf8_lossy(&k8s.stdout),
                String::from_utf8_lossy(&hcl.stdout),
                "--format {format}"
            );
        }
        assert_eq!(stderr_without_notes(&k8s), stderr_without_notes(&hcl));
    }
    // And the preflight checks find nothing on either.
    for dir in [K8S, HCL] {
        let out = run(&["check", "--deny", "warnings", dir]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{dir}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
