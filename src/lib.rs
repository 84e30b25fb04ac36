//! meshroute: Consul's mesh gateway decisions, offline.
//!
//! For every upstream of every Connect sidecar, meshroute computes what HashiCorp Consul
//! would: the effective mesh gateway mode, the layer that decided it, the SNI the sidecar
//! sends and the next hop. This crate is pure: no network, no Consul agent.
//!
//! # Resolving an upstream
//!
//! Load the documents (HCL as Consul reads it, JSON or YAML), place them in their
//! datacenters, and resolve: the effective mode, the layer that decided it, the SNI and the
//! next hop. The command-line tool does the same from directories, one per datacenter.
//!
//! ```
//! use meshroute::{Format, HopKind, Layer, MeshGatewayMode, Topology, load};
//!
//! // The product document's proxy-defaults: gateways in local mode, globally.
//! let defaults = load::from_str(r#"
//! Kind = "proxy-defaults"
//! Name = "global"
//! MeshGateway {
//!    Mode = "local"
//! }
//! "#, Format::Hcl)?;
//! // web, with an inline sidecar calling api in the other datacenter.
//! let web = load::from_str(r#"
//! service {
//!   name = "web"
//!   port = 8181
//!   connect {
//!     sidecar_service {
//!       proxy {
//!         upstreams = [
//!           { destination_name = "api", datacenter = "secondary", local_bind_port = 10000 }
//!         ]
//!       }
//!     }
//!   }
//! }
//! "#, Format::Hcl)?;
//! let gateway = load::from_str(r#"
//! service {
//!   kind = "mesh-gateway"
//!   name = "mesh-gateway"
//!   address = "10.0.1.5"
//!   port = 8443
//! }
//! "#, Format::Hcl)?;
//!
//! let mut topology = Topology::builder();
//! topology.trust_domain("7f2ee3b4-5a44-4d5e-9b1c-4a2b9c1c7e0d.consul");
//! topology.add_datacenter("secondary");
//! for doc in defaults.iter().chain(&web).chain(&gateway) {
//!     if let Some(entry) = doc.as_config_entry() {
//!         topology.add_config_entry("primary", entry.clone());
//!     }
//!     if let Some(service) = doc.as_service() {
//!         topology.add_service("primary", service.clone());
//!     }
//! }
//! let topology = topology.build();
//!
//! let resolution = topology.resolve();
//! let route = resolution.get(0).unwrap();
//! assert_eq!(route.mode, MeshGatewayMode::Local);
//! assert_eq!(route.decided_by, Layer::ProxyDefaults);
//! assert_eq!(
//!     route.sni.as_deref(),
//!     Some("api.default.secondary.internal.7f2ee3b4-5a44-4d5e-9b1c-4a2b9c1c7e0d.consul")
//! );
//! assert_eq!(route.next_hop.kind, HopKind::LocalGateway);
//! assert_eq!(route.next_hop.addresses, ["10.0.1.5:8443"]);
//! # Ok::<(), meshroute::LoadError>(())
//! ```
//!
//! # Loading, with errors that say where
//!
//! Documents are read in phases: a format reader builds the generic [`tree`] (with the line
//! and column of every key and value), the decoder normalizes it the way Consul does (key
//! aliases matched case-insensitively, HCL1's lists of one map unwrapped) and decodes typed
//! models with key paths, and Consul's validation rules run on the result. Every problem is
//! reported with its file, line, column and key path:
//!
//! ```
//! use meshroute::{Format, Loader};
//!
//! let loaded = Loader::new().load_str(
//!     "Kind = \"proxy-defaults\"\nMeshGateway {\n  Mode = \"Local\"\n}\n",
//!     Format::Hcl,
//!     None,
//! );
//! let d = &loaded.diagnostics[0];
//! assert_eq!((d.line(), d.path()), (3, "MeshGateway.Mode"));
//! assert!(d.message().starts_with(r#"Invalid Mesh Gateway Mode: "Local""#));
//! ```
//!
//! # The gateway's side
//!
//! A mesh gateway routes on the SNI alone: [`Topology::route_sni`] says whether a gateway of
//! a datacenter forwards a name to another datacenter's gateways, serves it locally, or
//! rejects it, and [`sni`] builds and parses Consul's names.
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

pub mod load;
pub mod model;
pub mod preflight;
pub mod resolve;
pub mod route;
pub mod sni;
#[cfg(feature = "sniff")]
pub mod sniff;
pub mod syntax;
pub mod topology;

// The paths of the first releases, kept working: each names the module's new home.
pub use load::error;
pub use model::{agent, config_entry, document, mode, service};
#[cfg(feature = "yaml")]
pub use syntax::yaml;
pub use syntax::{hcl, json, tree};

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

#[cfg(feature = "sniff")]
pub use route::HelloRoute;
pub use route::{GatewayAction, GatewayDecision, RejectReason};
pub use sni::{Sni, SniError, SniForm};
pub use topology::{Topology, TopologyBuilder, Warning, WarningKind};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
