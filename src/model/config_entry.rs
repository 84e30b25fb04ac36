//! The `proxy-defaults` and `service-defaults` config entries, and [`ConfigEntry`], every kind
//! this crate reads (the discovery chain's kinds are in [`crate::model::discovery_chain`]).

use indexmap::IndexMap;
use serde::Serialize;

use crate::model::discovery_chain::{
    ExportedServices, ServiceResolver, ServiceRouter, ServiceSplitter,
};
use crate::model::service::{MeshGatewayConfig, Opaque};
use crate::syntax::tree::Pos;

/// `Kind = "proxy-defaults"`: global defaults for every proxy (name `global`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ProxyDefaults {
    /// Always `proxy-defaults`.
    pub kind: &'static str,
    /// `Name`: always `global` (an empty name is normalised to it, as in Consul).
    pub name: String,
    /// `Config`, opaque.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Opaque>,
    /// `MeshGateway`: the proxy-defaults layer's mode (lowest precedence).
    pub mesh_gateway: MeshGatewayConfig,
    /// `Meta`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub meta: IndexMap<String, String>,
    /// Where the entry starts.
    #[serde(skip)]
    pub pos: Pos,
}

impl Default for ProxyDefaults {
    fn default() -> Self {
        Self {
            kind: "proxy-defaults",
            name: "global".to_owned(),
            config: None,
            mesh_gateway: MeshGatewayConfig::default(),
            meta: IndexMap::new(),
            pos: Pos::default(),
        }
    }
}

/// `Kind = "service-defaults"`: defaults for one service.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ServiceDefaults {
    /// Always `service-defaults`.
    pub kind: &'static str,
    /// `Name`: the service.
    pub name: String,
    /// `Protocol`.
    pub protocol: String,
    /// `MeshGateway`: the service-defaults layer's mode. For the downstream it is the
    /// `service-defaults` layer; for a destination, the `destination-defaults` layer.
    pub mesh_gateway: MeshGatewayConfig,
    /// `ExternalSNI`: the service is external; Consul forces its mode to none.
    #[serde(rename = "ExternalSNI", skip_serializing_if = "Option::is_none")]
    pub external_sni: Option<String>,
    /// `UpstreamConfig`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_config: Option<UpstreamConfiguration>,
    /// `Meta`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub meta: IndexMap<String, String>,
    /// Where the entry starts.
    #[serde(skip)]
    pub pos: Pos,
}

impl Default for ServiceDefaults {
    fn default() -> Self {
        Self {
            kind: "service-defaults",
            name: String::new(),
            protocol: String::new(),
            mesh_gateway: MeshGatewayConfig::default(),
            external_sni: None,
            upstream_config: None,
            meta: IndexMap::new(),
            pos: Pos::default(),
        }
    }
}

impl ServiceDefaults {
    /// The override for the upstream `name` in `namespace`/`partition`/`peer`, as Consul
    /// matches them (empty namespace and partition mean `default`; an override without a
    /// peer matches a peered upstream only when no override in the entry names a peer).
    pub fn override_for(
        &self,
        name: &str,
        namespace: &str,
        partition: &str,
        peer: Option<&str>,
    ) -> Option<&UpstreamOverride> {
        let uc = self.upstream_config.as_ref()?;
        let any_peer = uc.overrides.iter().any(|o| o.peer.is_some());
        uc.overrides.iter().find(|o| {
            o.name == name
                && crate::model::service::non_empty_or(o.namespace.as_deref(), "default")
                    == namespace
                && crate::model::service::non_empty_or(o.partition.as_deref(), "default")
                    == partition
                && match (peer, o.peer.as_deref()) {
                    (None, None) => true,
                    (Some(p), Some(q)) => p == q,
                    (Some(_), None) => !any_peer,
                    (None, Some(_)) => false,
                }
        })
    }
}

/// `UpstreamConfig { Defaults = {…} Overrides = [ … ] }` of a service-defaults entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpstreamConfiguration {
    /// `Overrides`: per-upstream settings, matched by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<UpstreamOverride>,
    /// `Defaults`: settings for every upstream of the service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub defaults: Option<UpstreamOverride>,
}

/// One element of `UpstreamConfig.Overrides`, or `UpstreamConfig.Defaults`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpstreamOverride {
    /// `Name` (required in overrides, empty in defaults).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `Namespace`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `Partition`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// `Peer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// `Protocol`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// `ConnectTimeoutMs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_timeout_ms: Option<u32>,
    /// `MeshGateway`.
    pub mesh_gateway: MeshGatewayConfig,
    /// Where the element starts.
    #[serde(skip)]
    pub pos: Pos,
}

/// A config entry of any kind this crate reads.
#[allow(clippy::large_enum_variant)] // entries are few and long-lived; boxing buys nothing
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ConfigEntry {
    /// `proxy-defaults`.
    ProxyDefaults(ProxyDefaults),
    /// `service-defaults`.
    ServiceDefaults(ServiceDefaults),
    /// `service-resolver`.
    ServiceResolver(ServiceResolver),
    /// `service-router`.
    ServiceRouter(ServiceRouter),
    /// `service-splitter`.
    ServiceSplitter(ServiceSplitter),
    /// `exported-services`.
    ExportedServices(ExportedServices),
    /// Another kind (`mesh`, `service-intentions`, …): kept opaque, not used for resolution.
    Other {
        /// Its `Kind`.
        kind: String,
        /// Its `Name`.
        name: String,
        /// The whole entry as written.
        body: Opaque,
        /// Where it starts.
        pos: Pos,
    },
}

impl ConfigEntry {
    /// The entry's kind string.
    pub fn kind(&self) -> &str {
        match self {
            Self::ProxyDefaults(_) => "proxy-defaults",
            Self::ServiceDefaults(_) => "service-defaults",
            Self::ServiceResolver(_) => "service-resolver",
            Self::ServiceRouter(_) => "service-router",
            Self::ServiceSplitter(_) => "service-splitter",
            Self::ExportedServices(_) => "exported-services",
            Self::Other { kind, .. } => kind,
        }
    }

    /// The entry's name.
    pub fn name(&self) -> &str {
        match self {
            Self::ProxyDefaults(e) => &e.name,
            Self::ServiceDefaults(e) => &e.name,
            Self::ServiceResolver(e) => &e.name,
            Self::ServiceRouter(e) => &e.name,
            Self::ServiceSplitter(e) => &e.name,
            Self::ExportedServices(e) => &e.name,
            Self::Other { name, .. } => name,
        }
    }

    /// The entry's namespace and partition (`default` when unset; the kinds without them are
    /// in the default ones).
    pub fn scope(&self) -> (&str, &str) {
        let (ns, part) = match self {
            Self::ServiceResolver(e) => (e.namespace.as_deref(), e.partition.as_deref()),
            Self::ServiceRouter(e) => (e.namespace.as_deref(), e.partition.as_deref()),
            Self::ServiceSplitter(e) => (e.namespace.as_deref(), e.partition.as_deref()),
            _ => (None, None),
        };
        (
            crate::model::service::non_empty_or(ns, "default"),
            crate::model::service::non_empty_or(part, "default"),
        )
    }

    /// Where the entry starts.
    pub fn pos(&self) -> Pos {
        match self {
            Self::ProxyDefaults(e) => e.pos,
            Self::ServiceDefaults(e) => e.pos,
            Self::ServiceResolver(e) => e.pos,
            Self::ServiceRouter(e) => e.pos,
            Self::ServiceSplitter(e) => e.pos,
            Self::ExportedServices(e) => e.pos,
            Self::Other { pos, .. } => *pos,
        }
    }
}

impl Serialize for ConfigEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::ProxyDefaults(e) => e.serialize(s),
            Self::ServiceDefaults(e) => e.serialize(s),
            Self::ServiceResolver(e) => e.serialize(s),
            Self::ServiceRouter(e) => e.serialize(s),
            Self::ServiceSplitter(e) => e.serialize(s),
            Self::ExportedServices(e) => e.serialize(s),
            Self::Other { body, .. } => body.serialize(s),
        }
    }
}

macro_rules! entry_from {
    ($($t:ident),*) => {$(
        impl From<$t> for ConfigEntry {
            fn from(e: $t) -> Self {
                Self::$t(e)
            }
        }
    )*};
}

entry_from!(
    ProxyDefaults,
    ServiceDefaults,
    ServiceResolver,
    ServiceRouter,
    ServiceSplitter,
    ExportedServices
);
