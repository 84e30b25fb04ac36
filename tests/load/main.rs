//! The load tests, one binary (see tests/README.md).

mod annotation;
mod chain;
mod crd_props;
mod diagnostic_json;
mod errors;
mod files;
mod fuzz_corpus;
#[cfg(feature = "yaml")]
#[path = "../common/k8s_manifest.rs"]
mod k8s_manifest;
mod kubernetes;
mod load;
mod manifest_corpus;
mod messages;
mod model;
mod nomad;
mod roundtrip;
mod walk;
#[cfg(unix)]
#[path = "../common/walk_tree.rs"]
mod walk_tree;
