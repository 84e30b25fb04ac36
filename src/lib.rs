//! meshroute: Consul's mesh gateway decisions, offline.
//!
//! For every upstream of every Connect sidecar, meshroute computes what HashiCorp Consul
//! would: the effective mesh gateway mode, the layer that decided it, the SNI the sidecar
//! sends and the next hop. This crate is pure: no network, no Consul agent.
//!
//! # The main flow
//!
//! Load a directory tree (one directory per agent or datacenter, as operators keep them),
//! build the topology, resolve every upstream, explain one, and ask what a mesh gateway does
//! with the name a sidecar sends. This is the bundled example, the product document's two
//! datacenters; the command-line tool (`meshroute resolve|explain|route|check`) does the
//! same.
//!
//! ```
//! use meshroute::{HopKind, Layer, Loader, MeshGatewayMode, Topology};
//!
//! // Load: every .hcl, .json and .yaml file below the two datacenters' directories, with
//! // located diagnostics (examples/ also holds a Kubernetes and a Nomad datacenter, which
//! // need the default `yaml` and `nomad` features).
//! let loaded = Loader::new().load_paths(&["examples/primary", "examples/secondary"]);
//! assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
//!
//! // Place each document in its datacenter (the agent configuration of its directory) and
//! // compile the topology; the trust domain comes from a saved CA roots response.
//! let topology = Topology::from_documents(&loaded.documents, None);
//!
//! // Resolve every upstream of every proxy.
//! let resolution = topology.resolve();
//! let route = resolution
//!     .routes()
//!     .find(|r| r.service == "web" && r.upstream.name == "api")
//!     .unwrap();
//! assert_eq!(route.mode, MeshGatewayMode::Remote);
//! assert_eq!(route.decided_by, Layer::ServiceInstance);
//! assert_eq!(route.next_hop.kind, HopKind::RemoteGateway);
//! assert_eq!(route.next_hop.addresses, ["198.18.2.10:443"]);
//!
//! // Explain it, layer by layer.
//! let dc = topology.datacenter("primary").unwrap();
//! let proxy = dc.proxies().iter().find(|p| p.service == "web").unwrap();
//! let api = proxy.upstreams().find(|u| u.destination_name() == "api").unwrap();
//! let explanation = topology.explain(dc, proxy, api);
//! assert!(explanation.to_string().contains("=> service-instance      remote"));
//!
//! // The gateway's side: secondary's gateways serve the name the sidecar sends.
//! let sni = route.sni.as_deref().unwrap();
//! let decision = topology.route_sni("secondary", sni);
//! assert_eq!(decision.action_str(), "local");
//! ```
//!
//! # Building a topology from strings
//!
//! The same from documents held in memory, placed in datacenters by hand:
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
//! topology
//!     .trust_domain("7f2ee3b4-5a44-4d5e-9b1c-4a2b9c1c7e0d.consul")
//!     .add_datacenter("secondary");
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
//! # Kubernetes and Nomad
//!
//! The same loader reads Consul on Kubernetes (the `consul.hashicorp.com` resources, the
//! connect injector's pod annotations on Deployments, StatefulSets, DaemonSets and Pods, and
//! the Helm chart's `values.yaml` as the datacenter's agent facts) and Nomad job
//! specifications (HCL2 with the `nomad` feature, or JSON): a directory of manifests or jobs
//! is one more datacenter of the topology, beside VM ones. docs/loading.md ([`guide`]) says
//! what is read and what is left out.
//!
//! # Large meshes
//!
//! [`Topology::load_paths`] loads, places and builds in one call and moves each document
//! into the topology as it is taken, so that the documents and the topology are never both
//! whole in memory; [`Resolution`] keeps 24 bytes a route and builds each [`Route`] when
//! asked. The figures, and the benchmark that makes them, are in the performance guide.
//!
//! # The gateway's side
//!
//! A mesh gateway routes on the SNI alone: [`Topology::route_sni`] says whether a gateway of
//! a datacenter forwards a name to another datacenter's gateways, serves it locally, or
//! rejects it, and [`sni`] builds and parses Consul's names.
//!
//! # Modules: the pipeline
//!
//! Data flows one way, a folder per stage:
//!
//! 1. [`syntax`]: text → a generic tree with positions ([`tree`], [`hcl`], [`json`],
//!    `yaml`), no Consul knowledge;
//! 2. [`model`]: the typed Consul documents ([`mode`], [`service`], [`config_entry`],
//!    [`discovery_chain`], [`agent`], [`document`]), data only;
//! 3. [`load`]: files and directories decoded into documents with key paths, Consul's
//!    validation, and located diagnostics ([`error`]);
//! 4. [`topology`]: the immutable topology: which agent and datacenter each document
//!    belongs to ([`topology::placement`]), the datacenters, the compiled plan;
//! 5. [`resolve`]: the precedence layers, one route per upstream, explanations;
//! 6. [`route`] (the gateway's side, with [`sni`]'s names) and [`preflight`] (the product
//!    document's prerequisites as [`Check`]s and [`Finding`]s; [`guide::checks`]);
//! 7. [`report`]: the one JSON envelope of the command line, with every [`Problem`].
//!
//! `sniff` (feature `sniff`) reads the server name from a raw ClientHello, zero-copy, and
//! uses nothing else of the crate.
//!
//! # Guides
//!
//! The design, the loading rules and where meshroute differs from Consul, the resolution
//! rules, the preflight checks, the JSON contract of the command line, the ClientHello
//! reader and the performance figures are in [`guide`].
//!
//! # Features
//!
//! - `yaml` (default): YAML documents, through serde-saphyr.
//! - `sniff` (default): the ClientHello reader; no dependencies.
//! - `nomad` (default): Nomad job files in HCL2 (`.nomad`, `.nomad.hcl`), through hcl-rs's
//!   parser (never in this crate's public API); JSON jobs need no feature.
//! - `cli`: the `meshroute` command. It turns on serde_json's `preserve_order`, so that its
//!   JSON keeps the documented key order; the library does not force it on dependents (without
//!   it, [`Document::to_json`] and opaque maps order object keys by name).
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod load;
pub mod model;
pub mod preflight;
pub mod report;
pub mod resolve;
pub mod route;
pub mod sni;
#[cfg(feature = "sniff")]
pub mod sniff;
pub mod syntax;
pub mod text;
pub mod topology;

// The paths of the first releases, kept working: each names the module's new home.
pub use load::error;
pub use model::{agent, config_entry, discovery_chain, document, mode, nomad, opaque, service};
#[cfg(feature = "nomad")]
pub use syntax::hcl2;
#[cfg(feature = "yaml")]
pub use syntax::yaml;
pub use syntax::{hcl, json, tree};

pub use agent::AgentConfig;
pub use config_entry::{
    ConfigEntry, ProxyDefaults, ServiceDefaults, UpstreamConfiguration, UpstreamOverride,
};
pub use discovery_chain::{
    ExportedService, ExportedServices, FailoverTarget, ResolverFailover, ResolverRedirect,
    ResolverSubset, RouteDestination, RouterRoute, ServiceConsumer, ServiceResolver, ServiceRouter,
    ServiceSplitter, Split,
};
pub use document::{CaRoots, Content, Document, Format, UnknownFormat};
pub use error::{Diagnostic, DiagnosticKind, LoadError, Problem, Severity, Source};
pub use load::{Loaded, Loader};
pub use mode::{InvalidMode, MeshGatewayMode};
pub use model::opaque::Opaque;
pub use preflight::{Check, Finding};
pub use report::Envelope;
pub use resolve::{Explanation, HopKind, Layer, Layers, NextHop, Resolution, Route};
pub use service::{
    DestinationType, MeshGatewayConfig, ProxyConfig, ServiceConnect, ServiceDefinition,
    ServiceKind, TaggedAddress, UnknownDestinationType, Upstream,
};

#[cfg(feature = "sniff")]
pub use route::HelloRoute;
pub use route::{GatewayAction, GatewayDecision, RejectReason};
pub use sni::{Sni, SniError, SniForm};
pub use topology::{Topology, TopologyBuilder, UpstreamView, Warning, WarningKind};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The guides of `docs/`, here so that docs.rs shows them and their examples are tested.
pub mod guide {
    #[doc = include_str!("../docs/design.md")]
    pub mod design {}
    #[doc = include_str!("../docs/loading.md")]
    pub mod loading {}
    #[doc = include_str!("../docs/resolution.md")]
    pub mod resolution {}
    #[doc = include_str!("../docs/checks.md")]
    pub mod checks {}
    #[doc = include_str!("../docs/json.md")]
    pub mod json {}
    #[cfg(feature = "sniff")]
    #[doc = include_str!("../docs/sniff.md")]
    pub mod sniff {}
    #[doc = include_str!("../docs/performance.md")]
    pub mod performance {}
}
