//! The load tests, one binary (see tests/README.md).

mod errors;
mod fuzz_corpus;
mod load;
mod model;
mod roundtrip;
