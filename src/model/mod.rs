//! Typed Consul documents, data only: what a file holds once decoded.
//!
//! - [`mode`]: [`MeshGatewayMode`](mode::MeshGatewayMode), exactly as Consul spells it;
//! - [`service`]: service definitions, sidecars, gateways and upstreams;
//! - [`config_entry`]: `proxy-defaults`, `service-defaults` and the kinds kept opaque;
//! - [`discovery_chain`]: `service-resolver`, `service-router`, `service-splitter` and
//!   `exported-services`;
//! - [`agent`]: the agent configuration settings a multi-datacenter mesh needs;
//! - [`nomad`]: a Nomad job, which places its services;
//! - [`opaque`]: [`Opaque`](opaque::Opaque), a configuration map kept as written, compact;
//! - [`document`]: one loaded document, its [`Format`](document::Format) and file.
//!
//! Nothing here reads text or files ([`crate::load`] does) or decides routing
//! ([`crate::resolve`] does).

pub mod agent;
pub mod config_entry;
pub mod discovery_chain;
pub mod document;
pub mod mode;
pub mod nomad;
pub mod opaque;
pub mod service;
