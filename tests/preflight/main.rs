//! The preflight tests, one binary (see tests/README.md).

mod checks;
mod docs;
mod props;
