//! The load tests, one binary (see tests/README.md).

mod chain;
mod diagnostic_json;
mod errors;
mod files;
mod fuzz_corpus;
mod load;
mod messages;
mod model;
mod roundtrip;
mod walk;
#[cfg(unix)]
#[path = "../common/walk_tree.rs"]
mod walk_tree;
