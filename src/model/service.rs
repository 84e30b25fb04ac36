//! Service definitions: typical services, `connect-proxy` sidecars, inline
//! `connect { sidecar_service {} }` and `mesh-gateway` registrations, with their upstreams.

use std::fmt;
use std::str::FromStr;

use indexmap::IndexMap;
use serde::Serialize;

use crate::model::mode::MeshGatewayMode;
use crate::syntax::tree::Pos;

pub use crate::model::opaque::Opaque;

/// The `MeshGateway` block of a layer: `{ Mode = "…" }`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct MeshGatewayConfig {
    /// The layer's mode; [`MeshGatewayMode::Default`] when the layer says nothing.
    #[serde(rename = "Mode", skip_serializing_if = "MeshGatewayMode::is_default")]
    pub mode: MeshGatewayMode,
}

impl MeshGatewayConfig {
    /// A block with `mode`.
    pub const fn new(mode: MeshGatewayMode) -> Self {
        Self { mode }
    }
}

/// The kind of a service registration (`Kind`), as Consul spells it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServiceKind {
    /// A typical service (no `kind`, or `""`).
    #[default]
    Typical,
    /// `connect-proxy`: a sidecar proxy registration.
    ConnectProxy,
    /// `mesh-gateway`.
    MeshGateway,
    /// `terminating-gateway`.
    TerminatingGateway,
    /// `ingress-gateway`.
    IngressGateway,
    /// `api-gateway`.
    ApiGateway,
    /// Any other string. Consul's agent silently registers these as typical services; we keep
    /// the string so that the decoder can report it.
    Other(String),
}

impl ServiceKind {
    /// The string Consul uses (`""` for a typical service).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Typical => "",
            Self::ConnectProxy => "connect-proxy",
            Self::MeshGateway => "mesh-gateway",
            Self::TerminatingGateway => "terminating-gateway",
            Self::IngressGateway => "ingress-gateway",
            Self::ApiGateway => "api-gateway",
            Self::Other(s) => s,
        }
    }

    /// Whether this is one of the gateway kinds.
    pub fn is_gateway(&self) -> bool {
        matches!(
            self,
            Self::MeshGateway | Self::TerminatingGateway | Self::IngressGateway | Self::ApiGateway
        )
    }
}

impl FromStr for ServiceKind {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "" | "typical" => Self::Typical,
            "connect-proxy" => Self::ConnectProxy,
            "mesh-gateway" => Self::MeshGateway,
            "terminating-gateway" => Self::TerminatingGateway,
            "ingress-gateway" => Self::IngressGateway,
            "api-gateway" => Self::ApiGateway,
            other => Self::Other(other.to_owned()),
        })
    }
}

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for ServiceKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// An upstream's `destination_type`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DestinationType {
    /// `service` (the default; `""` means the same).
    #[default]
    Service,
    /// `prepared_query`: never routed through mesh gateways.
    PreparedQuery,
}

impl DestinationType {
    /// The string Consul uses.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::PreparedQuery => "prepared_query",
        }
    }
}

impl fmt::Display for DestinationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for DestinationType {
    type Err = UnknownDestinationType;

    /// Consul's accepted strings; the error is Consul's text.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" | "service" => Ok(Self::Service),
            "prepared_query" => Ok(Self::PreparedQuery),
            other => Err(UnknownDestinationType {
                value: other.to_owned(),
            }),
        }
    }
}

/// The error for a string that is not one of Consul's destination types.
///
/// Its message is Consul's own: `unknown upstream destination type: "<value>"`.
///
/// ```
/// use meshroute::DestinationType;
///
/// let err = "query".parse::<DestinationType>().unwrap_err();
/// assert_eq!(err.value(), "query");
/// assert_eq!(err.to_string(), r#"unknown upstream destination type: "query""#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownDestinationType {
    value: String,
}

impl UnknownDestinationType {
    /// The rejected string.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for UnknownDestinationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown upstream destination type: {}",
            crate::model::mode::go_quote(&self.value)
        )
    }
}

impl std::error::Error for UnknownDestinationType {}

impl Serialize for DestinationType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One upstream of a connect proxy.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Upstream {
    /// `destination_type`.
    pub destination_type: DestinationType,
    /// `destination_namespace` (Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_namespace: Option<String>,
    /// `destination_partition` (Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_partition: Option<String>,
    /// `destination_peer`: a cluster peer instead of a datacenter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_peer: Option<String>,
    /// `destination_name`: the service or prepared query dialed.
    pub destination_name: String,
    /// `datacenter`: the destination datacenter (the local one when unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter: Option<String>,
    /// `local_bind_address` (Consul compares listeners with `127.0.0.1` when unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_bind_address: Option<String>,
    /// `local_bind_port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_bind_port: Option<u16>,
    /// `local_bind_socket_path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_bind_socket_path: Option<String>,
    /// `mesh_gateway`: the upstream layer's mode (highest precedence).
    pub mesh_gateway: MeshGatewayConfig,
    /// `config`, opaque.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Opaque>,
    /// Where the upstream starts in its source.
    #[serde(skip)]
    pub pos: Pos,
}

impl Upstream {
    /// An upstream of type `service` to `name`.
    pub fn service(name: impl Into<String>) -> Self {
        Self {
            destination_name: name.into(),
            ..Self::default()
        }
    }

    /// The namespace, `default` when unset.
    pub fn namespace(&self) -> &str {
        non_empty_or(self.destination_namespace.as_deref(), "default")
    }

    /// The partition, `default` when unset.
    pub fn partition(&self) -> &str {
        non_empty_or(self.destination_partition.as_deref(), "default")
    }

    /// The peer, `None` when unset or empty.
    pub fn peer(&self) -> Option<&str> {
        self.destination_peer.as_deref().filter(|p| !p.is_empty())
    }

    /// The local listener address, `127.0.0.1` when unset, as Consul compares them.
    pub fn bind_address(&self) -> &str {
        non_empty_or(self.local_bind_address.as_deref(), "127.0.0.1")
    }
}

pub(crate) fn non_empty_or<'a>(v: Option<&'a str>, default: &'a str) -> &'a str {
    match v {
        Some(s) if !s.is_empty() => s,
        _ => default,
    }
}

/// The `proxy { … }` block of a `connect-proxy` or gateway registration.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ProxyConfig {
    /// `destination_service_name`: the service this sidecar fronts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_service_name: Option<String>,
    /// `destination_service_id`.
    #[serde(
        rename = "DestinationServiceID",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_service_id: Option<String>,
    /// `local_service_address`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_service_address: Option<String>,
    /// `local_service_port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_service_port: Option<u16>,
    /// `config`, opaque (Envoy options and escape hatches).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Opaque>,
    /// `upstreams`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub upstreams: Vec<Upstream>,
    /// `mesh_gateway`: the service instance layer's mode.
    pub mesh_gateway: MeshGatewayConfig,
    /// Where the block starts.
    #[serde(skip)]
    pub pos: Pos,
}

/// A tagged address (`tagged_addresses { wan { address, port } }`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TaggedAddress {
    /// The address.
    pub address: String,
    /// The port (0 when unset: the service port applies).
    pub port: u16,
}

/// The `connect { … }` block of a typical service.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ServiceConnect {
    /// `native`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub native: bool,
    /// `sidecar_service`: the inline sidecar registration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sidecar_service: Option<Box<ServiceDefinition>>,
}

/// A service definition (`service { … }`, an element of `services`, or an API body).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ServiceDefinition {
    /// `kind`.
    #[serde(skip_serializing_if = "is_typical")]
    pub kind: ServiceKind,
    /// `id` (the name when unset).
    #[serde(rename = "ID", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name`.
    pub name: String,
    /// `tags`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// `address`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// `tagged_addresses`: `lan`, `wan` and others.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub tagged_addresses: IndexMap<String, TaggedAddress>,
    /// `meta`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub meta: IndexMap<String, String>,
    /// `port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `proxy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<ProxyConfig>,
    /// `connect`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<ServiceConnect>,
    /// `namespace` (Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `partition` (Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// `token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Where the definition starts.
    #[serde(skip)]
    pub pos: Pos,
}

fn is_typical(k: &ServiceKind) -> bool {
    *k == ServiceKind::Typical
}

impl ServiceDefinition {
    /// The service ID: `id`, else the name.
    pub fn service_id(&self) -> &str {
        self.id
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(&self.name)
    }

    /// The inline sidecar, if any.
    pub fn sidecar(&self) -> Option<&ServiceDefinition> {
        self.connect.as_ref()?.sidecar_service.as_deref()
    }

    /// The address Consul's sidecars dial this instance at from another datacenter: the `wan`
    /// tagged address (with its port, or the service port), else the service address.
    pub fn wan_address(&self) -> Option<(&str, u16)> {
        let port = self.port.unwrap_or(0);
        if let Some(wan) = self.tagged_addresses.get("wan")
            && !wan.address.is_empty()
        {
            return Some((&wan.address, if wan.port == 0 { port } else { wan.port }));
        }
        self.lan_address()
    }

    /// The service address and port, as dialed from its own datacenter.
    pub fn lan_address(&self) -> Option<(&str, u16)> {
        let addr = self.address.as_deref().filter(|a| !a.is_empty())?;
        Some((addr, self.port.unwrap_or(0)))
    }
}
