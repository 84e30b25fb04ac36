//! The cli tests, one binary (see tests/README.md).

mod check;
mod commands;
mod contract;
mod exit_codes;
mod federation;
mod golden;
mod placement;
mod preflight;
mod resolve;
mod run;
mod sarif;
mod sni;
