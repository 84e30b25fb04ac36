//! [`Route`]: one upstream of one proxy, resolved, and what it reports.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::model::mode::MeshGatewayMode;
use crate::model::service::DestinationType;
use crate::resolve::layers::Layer;
use crate::topology::Warning;

/// Where the connection goes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HopKind {
    /// To the destination's instances.
    Direct,
    /// To the mesh gateways of the proxy's own datacenter.
    LocalGateway,
    /// To the mesh gateways of the destination datacenter (or peer).
    RemoteGateway,
}

impl HopKind {
    /// `direct`, `local-gateway` or `remote-gateway`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::LocalGateway => "local-gateway",
            Self::RemoteGateway => "remote-gateway",
        }
    }
}

impl fmt::Display for HopKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for HopKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The next hop: its kind, the datacenter it is in, and the addresses dialed (registration
/// order). Empty addresses with a gateway kind mean *unreachable* (a warning says why).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NextHop<'t> {
    /// The kind.
    pub kind: HopKind,
    /// The datacenter of the hop (`None` for a peer's gateways).
    pub datacenter: Option<&'t str>,
    /// `ip:port` strings.
    pub addresses: &'t [String],
}

/// The upstream, as the route reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UpstreamRef<'t> {
    /// `destination_name`.
    pub name: &'t str,
    /// `destination_type`.
    pub destination_type: DestinationType,
    /// The namespace (`default` when unset).
    pub namespace: &'t str,
    /// The partition (`default` when unset).
    pub partition: &'t str,
    /// `destination_peer`.
    pub peer: Option<&'t str>,
    /// The destination datacenter (the proxy's when unset).
    pub datacenter: &'t str,
    /// `local_bind_port`.
    pub local_bind_port: Option<u16>,
}

/// One upstream of one proxy, resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Route<'t> {
    /// The proxy's datacenter.
    pub datacenter: &'t str,
    /// The downstream service.
    pub service: &'t str,
    /// The proxy's ID.
    pub proxy: &'t str,
    /// The upstream.
    pub upstream: UpstreamRef<'t>,
    /// The effective mode as computed (also where it does not apply: same datacenter,
    /// prepared queries).
    pub mode: MeshGatewayMode,
    /// The layer that decided [`Route::mode`].
    pub decided_by: Layer,
    /// The TLS server name the sidecar sends (`None` for peers, whose name comes from the
    /// peering, and when the trust domain is unknown).
    ///
    /// Shared: the routes of one resolution that go to the same target share one string.
    #[serde(serialize_with = "ser_sni")]
    pub sni: Option<Arc<str>>,
    /// Where the connection goes next.
    pub next_hop: NextHop<'t>,
    /// What is wrong or worth knowing about this route (in JSON, each as its
    /// [`Problem`](crate::Problem)).
    pub warnings: Vec<Warning>,
}

#[allow(clippy::ref_option)] // serde's `serialize_with` passes a reference to the field
fn ser_sni<S: serde::Serializer>(sni: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    match sni {
        Some(name) => s.serialize_some(&**name),
        None => s.serialize_none(),
    }
}
