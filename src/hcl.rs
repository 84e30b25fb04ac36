//! The HCL1 reader: HCL as Consul reads it, into the generic [`Node`](crate::tree::Node) tree.

use crate::tree::{Limits, Node, Pos, SyntaxError};

/// Reads HCL1 text into the generic tree.
///
/// # Errors
///
/// A [`SyntaxError`] for text that is not HCL1, or over the limits.
pub fn parse(src: &str, limits: &Limits) -> Result<Node, SyntaxError> {
    let _ = (src, limits);
    Err(SyntaxError::new(
        Pos::default(),
        "the HCL reader is not written yet",
    ))
}
