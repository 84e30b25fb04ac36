//! The cli tests, one binary (see tests/README.md).

mod check;
mod golden;
mod inputs;
mod placement;
mod preflight;
mod resolve;
mod sni;
mod terminal;
