//! meshroute: Consul's mesh gateway decisions, offline.
//!
//! Work in progress: see the README.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod hcl;
pub mod json;
pub mod mode;
pub mod sni;
#[cfg(feature = "sniff")]
pub mod sniff;
pub mod tree;

pub use mode::{InvalidMode, MeshGatewayMode};
