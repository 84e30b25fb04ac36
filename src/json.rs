//! The JSON reader: JSON into the generic [`Node`](crate::tree::Node) tree, with positions.
