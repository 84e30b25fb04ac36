//! The resolve tests, one binary (see tests/README.md).

mod client_hello;
mod federation;
mod fixtures;
#[path = "../common/helpers.rs"]
mod helpers;
mod props;
mod resolve;
mod route;
mod sni;
