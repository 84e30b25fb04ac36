//! The load tests, one binary (see tests/README.md).

mod diagnostic_json;
mod errors;
mod fuzz_corpus;
mod load;
mod model;
mod roundtrip;
