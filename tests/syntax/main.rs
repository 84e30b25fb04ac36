//! The syntax tests, one binary (see tests/README.md).

mod fuzz_corpus;
mod hcl_oracle;
mod hcl_reader;
mod hcl_vs_hcl_rs;
mod json_differential;
#[path = "../common/json_value.rs"]
mod json_value;
#[path = "../common/shapes.rs"]
mod shapes;
