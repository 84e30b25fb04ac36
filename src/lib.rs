//! meshroute: Consul's mesh gateway decisions, offline.
//!
//! Work in progress: see the README.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod agent;
pub mod config_entry;
mod decode;
pub mod document;
pub mod error;
pub mod hcl;
pub mod json;
pub mod load;
pub mod mode;
pub mod service;
pub mod sni;
#[cfg(feature = "sniff")]
pub mod sniff;
pub mod tree;
mod validate;
#[cfg(feature = "yaml")]
pub mod yaml;

pub use agent::AgentConfig;
pub use config_entry::{
    ConfigEntry, ProxyDefaults, ServiceDefaults, UpstreamConfiguration, UpstreamOverride,
};
pub use document::{CaRoots, Content, Document, Format};
pub use error::{Diagnostic, DiagnosticKind, LoadError, Severity};
pub use load::{Loaded, Loader};
pub use mode::{InvalidMode, MeshGatewayMode};
pub use service::{
    DestinationType, MeshGatewayConfig, ProxyConfig, ServiceConnect, ServiceDefinition,
    ServiceKind, TaggedAddress, Upstream,
};
