#![no_main]
//! Arbitrary topologies: several documents (JSON, YAML or HCL) in datacenter directories,
//! loaded, built into a topology and resolved, explained, checked and routed: never panics,
//! every route read from the plan equals the one read from the models, and every chained
//! route is its primary target's. The body is shared with the corpus replay test
//! (`tests/resolve/fuzz_corpus.rs`).
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/common/resolve_fuzz.rs"]
mod body;

fuzz_target!(|data: &[u8]| body::run(data));
