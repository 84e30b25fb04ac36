//! The cli tests, one binary (see tests/README.md).

mod check;
mod commands;
mod contract;
mod exit_codes;
mod federation;
mod golden;
mod inputs;
mod placement;
mod preflight;
mod resolve;
mod run;
mod sarif;
mod sni;
#[cfg(feature = "sniff")]
#[path = "../common/sniff_common.rs"]
mod sniff_common;
mod terminal;
