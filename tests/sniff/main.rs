//! The sniff tests, one binary (see tests/README.md).

mod corpus;
mod fuzz_corpus;
mod oracle;
mod props;
#[allow(dead_code, unused_imports)]
#[path = "../common/sniff_common.rs"]
mod sniff_common;
