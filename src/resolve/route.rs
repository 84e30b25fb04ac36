//! [`Route`]: one upstream of one proxy, resolved, and what it reports.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::model::mode::MeshGatewayMode;
use crate::model::service::DestinationType;
use crate::resolve::layers::Layer;
use crate::topology::Warning;
use crate::topology::chain::{ChainError, ChainTarget, CompiledChain};

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
    /// The upstream's discovery chain, when its service has one that is more than the service
    /// itself: every target, each decided ([`RouteChain`]). The fields above are its primary
    /// target's. In JSON, left out when there is none.
    /// (Boxed: most routes have none, and a route is moved a lot.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<Box<RouteChain<'t>>>,
}

/// The discovery chain of a route: the compiled chain, and each target decided for this
/// upstream.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteChain<'t> {
    /// The chain as compiled (shared by every upstream that reaches it).
    pub chain: &'t CompiledChain,
    /// Why Consul refuses part of it: a protocol error, for which the routers and splitters
    /// are left out.
    pub error: Option<&'t ChainError>,
    /// Every target, in the chain's order.
    pub targets: Vec<TargetRoute<'t>>,
}

impl RouteChain<'_> {
    /// The primary target (the route's own mode, SNI and next hop are its).
    pub fn primary(&self) -> Option<&TargetRoute<'_>> {
        self.targets.get(self.chain.primary)
    }
}

/// One target of a chained route, decided: its mode, the layer that decided it, its SNI and
/// its next hop.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TargetRoute<'t> {
    /// The target (ID, service, subset, namespace, partition, datacenter or peer, how it is
    /// reached, its failover position).
    pub target: &'t ChainTarget,
    /// Its mode: the dialing side's when it states one, else its own service's defaults.
    pub mode: MeshGatewayMode,
    /// The layer that decided it.
    pub decided_by: Layer,
    /// The TLS server name sent to it (`None` for a peer, or without a trust domain).
    pub sni: Option<Arc<str>>,
    /// Where the connection to it goes next.
    pub next_hop: NextHop<'t>,
}

/// `{"service", "namespace", "partition", "datacenter", "protocol", "error", "notes",
/// "targets"}`.
impl Serialize for RouteChain<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let c = self.chain;
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry("service", &c.service)?;
        m.serialize_entry("namespace", &c.namespace)?;
        m.serialize_entry("partition", &c.partition)?;
        m.serialize_entry("datacenter", &c.datacenter)?;
        m.serialize_entry("protocol", &c.protocol)?;
        m.serialize_entry("error", &self.error.map(ToString::to_string))?;
        m.serialize_entry("notes", &c.notes)?;
        let targets: Vec<TargetJson<'_>> = self
            .targets
            .iter()
            .map(|t| TargetJson { t, chain: c })
            .collect();
        m.serialize_entry("targets", &targets)?;
        m.end()
    }
}

/// A target as JSON: `{"id", "service", "subset", "namespace", "partition", "datacenter",
/// "peer", "via", "failover": {"of", "position"}, "mode", "decided_by", "sni", "next_hop"}`.
struct TargetJson<'a> {
    t: &'a TargetRoute<'a>,
    chain: &'a CompiledChain,
}

impl Serialize for TargetJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (r, t) = (self.t, self.t.target);
        let some = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
        let failover = t.failover.map(
            |f| serde_json::json!({"of": self.chain.targets[f.of].id, "position": f.position}),
        );
        let mut m = s.serialize_map(Some(13))?;
        m.serialize_entry("id", &t.id)?;
        m.serialize_entry("service", &t.service)?;
        m.serialize_entry("subset", &some(&t.subset))?;
        m.serialize_entry("namespace", &t.namespace)?;
        m.serialize_entry("partition", &t.partition)?;
        m.serialize_entry("datacenter", &some(&t.datacenter))?;
        m.serialize_entry("peer", &t.peer)?;
        m.serialize_entry("via", &t.via)?;
        m.serialize_entry("failover", &failover)?;
        m.serialize_entry("mode", &r.mode)?;
        m.serialize_entry("decided_by", &r.decided_by)?;
        m.serialize_entry("sni", &r.sni.as_deref())?;
        m.serialize_entry("next_hop", &r.next_hop)?;
        m.end()
    }
}

#[allow(clippy::ref_option)] // serde's `serialize_with` passes a reference to the field
fn ser_sni<S: serde::Serializer>(sni: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    match sni {
        Some(name) => s.serialize_some(&**name),
        None => s.serialize_none(),
    }
}
