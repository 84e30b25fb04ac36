//! The HCL1 reader: HCL as Consul reads it, into the generic [`Node`](crate::tree::Node) tree.
