//! One mesh, three sources: the consul-k8s federation of `tests/fixtures/federation`, the
//! same mesh as agent files, and its secondary datacenter run by Nomad resolve to the same
//! routes (the Nomad side's proxy IDs aside: an allocation's ID exists only when it runs),
//! a failover to the other datacenter included.
#![cfg(all(feature = "yaml", feature = "nomad"))]

use std::path::{Path, PathBuf};

use meshroute::{Loader, Topology};

fn dir(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/federation")
        .join(rel)
}

/// The resolution as JSON, each route without its proxy ID and its files' paths.
fn routes(paths: &[PathBuf]) -> serde_json::Value {
    let loaded = Loader::new().load_paths(paths);
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    let topology = Topology::from_documents(&loaded.documents, None);
    let mut json = serde_json::to_value(topology.resolve()).unwrap();
    for r in json["routes"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("proxy");
    }
    json
}

#[test]
fn kubernetes_agent_files_and_nomad_resolve_alike() {
    let hcl = routes(&[dir("hcl")]);
    assert_eq!(hcl["routes"].as_array().unwrap().len(), 3);
    // The west cluster's `cache` fails over to east: a ServiceResolver on one side, a
    // `service-resolver` config entry on the other.
    let cache = hcl["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["upstream"]["name"] == "cache")
        .unwrap();
    let targets = cache["chain"]["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    assert_eq!(targets[1]["datacenter"], "east");
    assert_eq!(targets[1]["failover"]["position"], 1);
    assert_eq!(routes(&[dir("kubernetes")]), hcl);
    assert_eq!(routes(&[dir("hcl/west"), dir("nomad/east")]), hcl);
    assert_eq!(routes(&[dir("kubernetes/west"), dir("nomad/east")]), hcl);
}
