//! The resolution plan: what resolution reads of every upstream, compiled once with the
//! topology (`compile`) so that resolving a million upstreams reads a few compact arrays
//! instead of the models (see docs/performance.md). Data only, and `small`, how it stores an
//! index.

use std::collections::HashMap;

use crate::model::mode::MeshGatewayMode;
use crate::model::service::DestinationType;
use crate::topology::maps::Fnv;

/// What resolution reads of a datacenter's proxies, built with the topology.
///
/// Derived from the rest of the [`Datacenter`](crate::topology::Datacenter), so it takes no part in comparing two: the
/// indices in it follow map insertion order, which equal datacenters need not share.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    /// The resolution plan of every upstream of every proxy, in proxy then upstream order.
    pub(crate) steps: Vec<Step>,
    /// The distinct destinations the steps point at.
    pub(crate) targets: Vec<Target>,
    /// One per proxy, in proxy order.
    pub(crate) proxies: Vec<ProxyPlan>,
    /// The proxies' IDs, services and partitions, one after the other.
    pub(crate) names: String,
}

/// Everything resolution reads of a proxy, in 40 bytes instead of the [`Proxy`](crate::topology::Proxy)'s 150 and
/// its heap strings: names as ranges of [`Plan::names`], lookups as indices ([`NONE`] for
/// none).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProxyPlan {
    pub(crate) id: [u32; 2],
    pub(crate) service: [u32; 2],
    pub(crate) partition: [u32; 2],
    /// How many upstreams (steps) it has.
    pub(crate) upstreams: u32,
    pub(crate) service_defaults: u32,
    pub(crate) gateways: u32,
    pub(crate) mode: MeshGatewayMode,
}

/// No index.
pub(crate) const NONE: u32 = u32::MAX;

impl Plan {
    /// A name of a proxy, by its range in [`Plan::names`].
    pub(crate) fn name(&self, [start, end]: [u32; 2]) -> &str {
        self.names
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }
}

impl PartialEq for Plan {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// One upstream, as resolution reads it: a dozen bytes, so that resolving a million upstreams
/// streams through 12 MB instead of chasing every upstream's own strings (see
/// docs/performance.md). Built once by [`TopologyBuilder::build`](crate::topology::TopologyBuilder::build) from the same code that
/// reads the models ([`crate::resolve`]'s `Facts::of`), so both give the same routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    /// Index into [`Plan::targets`].
    pub(crate) target: u32,
    pub(crate) local_bind_port: Option<u16>,
    /// Whether the destination is the proxy's own datacenter and partition.
    pub(crate) local: bool,
    /// The upstream's own `mesh_gateway.mode`.
    pub(crate) upstream_mode: MeshGatewayMode,
    /// The downstream's service-defaults override for this upstream.
    pub(crate) override_mode: MeshGatewayMode,
}

/// A destination as seen from one datacenter: who is dialed, and what the lookups that do not
/// depend on the proxy found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) name: String,
    pub(crate) kind: DestinationType,
    pub(crate) namespace: String,
    pub(crate) partition: String,
    pub(crate) peer: Option<String>,
    /// The destination datacenter (the proxy's when the upstream names none).
    pub(crate) datacenter: String,
    /// Whether the upstream names a datacenter.
    pub(crate) datacenter_set: bool,
    /// Its own service-defaults, and where it is.
    pub(crate) at: TargetPlan,
    /// Its discovery chain, an index into the topology's chains ([`NONE`] for none).
    pub(crate) chain: u32,
}

/// What the topology says of one destination (an upstream's, or a chain target): its own
/// service-defaults, where its datacenter, gateways and endpoints are, and the slot of its SNI
/// name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TargetPlan {
    /// The destination's own service-defaults mode (read only for service destinations
    /// without a peer).
    pub(crate) dest_mode: MeshGatewayMode,
    /// The destination's service-defaults `ExternalSNI`, when set.
    pub(crate) external_sni: Option<String>,
    /// Index of the destination datacenter in [`Topology::datacenters`](crate::topology::Topology::datacenters).
    pub(crate) dc_index: Option<u32>,
    /// Index of the destination's mesh gateways (of its partition) in that datacenter.
    pub(crate) gateways: Option<u32>,
    /// Index of the destination's connect endpoints in that datacenter, and of their scope
    /// (the destination's namespace and partition).
    pub(crate) endpoints: Option<(u32, u32)>,
    /// The slot of its SNI name in a resolution's cache (shared across datacenters).
    pub(crate) sni_slot: u32,
}

/// (form, name, `subset/namespace`, partition, datacenter): service names with their subset,
/// prepared query names, external names.
pub(crate) type SniKey = (u8, String, String, String, String);

/// The slots of the distinct SNI names the plans can produce, shared across datacenters.
pub(crate) type SniSlots = HashMap<SniKey, u32, Fnv>;

/// An index or length as the plan stores it ([`NONE`] past `u32`).
pub(crate) fn small(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(NONE)
}
