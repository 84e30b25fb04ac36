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
pub mod resolve;
pub mod route;
pub mod service;
pub mod sni;
#[cfg(feature = "sniff")]
pub mod sniff;
pub mod topology;
pub mod tree;
#[cfg(feature = "yaml")]
pub mod yaml;

pub use agent::AgentConfig;
pub use config_entry::{
    ConfigEntry, ProxyDefaults, ServiceDefaults, UpstreamConfiguration, UpstreamOverride,
};
pub use document::{Content, Document, Format};
pub use error::{Diagnostic, DiagnosticKind, LoadError, Severity};
pub use load::{Loaded, Loader};
pub use mode::{InvalidMode, MeshGatewayMode};
pub use resolve::{Explanation, HopKind, Layer, Layers, NextHop, Resolution, Route};
pub use service::{
    DestinationType, MeshGatewayConfig, ProxyConfig, ServiceConnect, ServiceDefinition,
    ServiceKind, TaggedAddress, Upstream,
};

pub use route::{GatewayAction, GatewayDecision, RejectReason};
pub use sni::{Sni, SniError, SniForm};
pub use topology::{Topology, TopologyBuilder};
