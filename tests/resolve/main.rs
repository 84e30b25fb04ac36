//! The resolve tests, one binary (see tests/README.md).

mod chain;
mod chain_fixtures;
mod client_hello;
mod fixtures;
#[path = "../common/helpers.rs"]
mod helpers;
mod props;
mod resolve;
mod route;
mod sni;
