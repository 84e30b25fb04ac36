//! The sniff tests, one binary (see tests/README.md).
#![cfg(feature = "sniff")]

mod corpus;
mod fuzz_corpus;
mod oracle;
mod props;
#[path = "../common/sniff_common.rs"]
mod sniff_common;
