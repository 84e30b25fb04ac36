//! Text → positioned generic tree: the format readers, with no Consul knowledge.
//!
//! Each reader turns one document's text into a [`tree::Node`] that records the line and
//! column of every key and value, under [`tree::Limits`]. What the tree means is decided
//! later, by [`crate::load`].
//!
//! - [`tree`]: the generic tree, positions, limits and [`tree::SyntaxError`];
//! - [`hcl`]: HCL version 1 exactly as Consul reads it (and its JSON dialect);
//! - [`json`]: strict RFC 8259 JSON;
//! - `yaml` (feature `yaml`): YAML 1.2 through serde-saphyr, one document or a stream;
//! - `hcl2` (feature `nomad`): HCL2 (Nomad job files) through hcl-rs's parser.

pub(crate) mod gather;
pub mod hcl;
#[cfg(feature = "nomad")]
pub mod hcl2;
pub mod json;
pub mod tree;
#[cfg(feature = "yaml")]
pub mod yaml;
