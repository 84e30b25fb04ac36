//! Normalizing and decoding the generic tree into typed documents.

use crate::document::{Content, Format};
use crate::error::Diagnostic;
use crate::tree::Node;

pub(crate) fn decode_document(
    tree: &Node,
    format: Format,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Content> {
    let _ = (tree, format, diags);
    Vec::new()
}
