//! The cli tests, one binary (see tests/README.md).

mod check;
mod federation;
mod golden;
mod placement;
mod preflight;
mod resolve;
mod sni;
