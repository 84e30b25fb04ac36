//! The resolve tests, one binary (see tests/README.md).

mod chain;
mod chain_fixtures;
mod chain_props;
mod client_hello;
mod federation;
mod fixtures;
mod fuzz_corpus;
#[path = "../common/helpers.rs"]
mod helpers;
mod json_writer;
mod props;
mod resolve;
#[path = "../common/resolve_fuzz.rs"]
mod resolve_fuzz;
mod route;
mod sni;
