//! meshroute: Consul's mesh gateway decisions, offline.
//!
//! For every upstream of every Connect sidecar, meshroute computes what HashiCorp Consul
//! would: the effective mesh gateway mode, the layer that decided it, the SNI the sidecar
//! sends and the next hop. This crate is pure: no network, no Consul agent.
//!
//! # Loading
//!
//! Documents are read in phases: a format reader builds the generic [`tree`] (with the line
//! and column of every key and value), the decoder normalizes it the way Consul does (key
//! aliases matched case-insensitively, HCL1's lists of one map unwrapped) and decodes typed
//! models with key paths, and Consul's validation rules run on the result.
//!
//! ```
//! use meshroute::{Format, MeshGatewayMode, ServiceKind};
//!
//! let docs = meshroute::load::from_str(r#"
//! service:
//!   kind: connect-proxy
//!   name: web-sidecar-proxy
//!   port: 8181
//!   proxy:
//!     destination_service_name: web
//!     upstreams:
//!     - destination_name: api
//!       datacenter: secondary
//!       local_bind_port: 10000
//!       mesh_gateway:
//!       - mode: remote
//! "#, Format::Yaml)?;
//! let proxy = docs[0].as_service().unwrap();
//! assert_eq!(proxy.kind, ServiceKind::ConnectProxy);
//! let upstream = &proxy.proxy.as_ref().unwrap().upstreams[0];
//! assert_eq!(upstream.mesh_gateway.mode, MeshGatewayMode::Remote);
//! # Ok::<(), meshroute::LoadError>(())
//! ```
//!
//! Every problem is reported with its file, line, column and key path:
//!
//! ```
//! use meshroute::{Format, Loader};
//!
//! let loaded = Loader::new().load_str(
//!     "Kind: proxy-defaults\nMeshGateway:\n  Mode: Local\n",
//!     Format::Yaml,
//!     None,
//! );
//! let d = &loaded.diagnostics[0];
//! assert_eq!((d.line(), d.path()), (3, "MeshGateway.Mode"));
//! assert!(d.message().starts_with(r#"Invalid Mesh Gateway Mode: "Local""#));
//! ```
//!
//! # Modules
//!
//! - [`mode`] holds [`MeshGatewayMode`].
//! - [`service`], [`config_entry`] and [`agent`] hold the typed models.
//! - [`document`], [`load`] and [`error`] load files and report problems.
//! - [`tree`], [`hcl`], [`json`] and `yaml` are the generic tree and the format readers.
//! - [`sni`] builds and parses Consul's SNI names.
//! - [`topology`], [`resolve`] and [`route`] read the datacenters, resolve each upstream
//!   (mode, deciding layer, SNI, next hop) and decide what a mesh gateway does with an SNI.
//! - [`preflight`] checks the product document's prerequisites across datacenters
//!   ([`Check`], [`Finding`]); `docs/checks.md` documents each check.
//! - `sniff` (feature `sniff`) reads the server name from a raw ClientHello, zero-copy.
//!
//! # Features
//!
//! - `yaml` (default): YAML documents, through serde-saphyr.
//! - `sniff` (default): the ClientHello reader; no dependencies.
//! - `cli`: the `meshroute` command.
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
pub mod preflight;
pub mod resolve;
pub mod route;
pub mod service;
pub mod sni;
#[cfg(feature = "sniff")]
pub mod sniff;
pub mod topology;
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
pub use preflight::{Check, Finding};
pub use resolve::{Explanation, HopKind, Layer, Layers, NextHop, Resolution, Route};
pub use service::{
    DestinationType, MeshGatewayConfig, ProxyConfig, ServiceConnect, ServiceDefinition,
    ServiceKind, TaggedAddress, Upstream,
};

pub use route::{GatewayAction, GatewayDecision, RejectReason};
pub use sni::{Sni, SniError, SniForm};
pub use topology::{Topology, TopologyBuilder};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
