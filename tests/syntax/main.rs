//! The syntax tests, one binary (see tests/README.md).

mod fuzz_corpus;
mod hcl_oracle;
mod hcl_reader;
mod hcl_vs_hcl_rs;
mod json_differential;
#[allow(dead_code, unused_imports)]
#[path = "../common/json_value.rs"]
mod json_value;
#[allow(dead_code, unused_imports)]
#[path = "../common/shapes.rs"]
mod shapes;
