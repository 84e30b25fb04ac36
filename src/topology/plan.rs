//! The resolution plan: what resolution reads of every upstream, compiled once with the
//! topology (`compile`) so that resolving a million upstreams reads a few compact arrays
//! instead of the models (see docs/performance.md). Data only, and `small`, how it stores an
//! index.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::mode::MeshGatewayMode;
use crate::model::service::DestinationType;
use crate::topology::maps::Words;

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
/// depend on the proxy found. Its names are shared ([`Names`]): a mesh has far fewer distinct
/// names than destinations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) name: Arc<str>,
    pub(crate) kind: DestinationType,
    pub(crate) namespace: Arc<str>,
    pub(crate) partition: Arc<str>,
    pub(crate) peer: Option<Arc<str>>,
    /// The destination datacenter (the proxy's when the upstream names none).
    pub(crate) datacenter: Arc<str>,
    /// Whether the upstream names a datacenter.
    pub(crate) datacenter_set: bool,
    /// Its own service-defaults, and where it is.
    pub(crate) at: TargetPlan,
    /// Its discovery chain, an index into the topology's chains ([`NONE`] for none).
    pub(crate) chain: u32,
}

/// What the topology says of one destination (an upstream's, or a chain target): its own
/// service-defaults, where its datacenter, gateways and endpoints are, and the slot of its SNI
/// name. Indices are [`NONE`] for none: out of range of every list, so that reading one needs
/// no test of its own (and 40 bytes instead of 64).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TargetPlan {
    /// The destination's own service-defaults mode (read only for service destinations
    /// without a peer).
    pub(crate) dest_mode: MeshGatewayMode,
    /// The destination's service-defaults `ExternalSNI`, when set.
    pub(crate) external_sni: Option<Box<str>>,
    /// Index of the destination datacenter in [`Topology::datacenters`](crate::topology::Topology::datacenters).
    pub(crate) dc_index: u32,
    /// Index of the destination's mesh gateways (of its partition) in that datacenter.
    pub(crate) gateways: u32,
    /// Index of the destination's connect endpoints in that datacenter, and of their scope
    /// (the destination's namespace and partition).
    pub(crate) endpoints: [u32; 2],
    /// The slot of its SNI name in a resolution's cache (shared across datacenters).
    pub(crate) sni_slot: u32,
}

impl Default for TargetPlan {
    fn default() -> Self {
        Self {
            dest_mode: MeshGatewayMode::Default,
            external_sni: None,
            dc_index: NONE,
            gateways: NONE,
            endpoints: [NONE; 2],
            sni_slot: NONE,
        }
    }
}

/// The distinct names of the plans, each stored once, by number: while the topology is
/// built, a target's names and its SNI key are looked up here instead of copied. The empty
/// name is number [`EMPTY`], and `default` number 1, both found without a lookup.
#[derive(Debug)]
pub(crate) struct Names {
    ids: HashMap<Arc<str>, u32, Words>,
    all: Vec<Arc<str>>,
}

/// The number of the empty name in every [`Names`].
pub(crate) const EMPTY: u32 = 0;
/// The number of `default` (the namespace and partition of most destinations).
const DEFAULT: u32 = 1;

impl Default for Names {
    fn default() -> Self {
        let mut names = Self {
            ids: HashMap::default(),
            all: Vec::new(),
        };
        for (s, id) in [("", EMPTY), ("default", DEFAULT)] {
            let shared: Arc<str> = Arc::from(s);
            names.all.push(Arc::clone(&shared));
            names.ids.insert(shared, id);
        }
        names
    }
}

impl Names {
    /// The number of `s`, given it the first time.
    pub(crate) fn id(&mut self, s: &str) -> u32 {
        match s {
            "" => return EMPTY,
            "default" => return DEFAULT,
            _ => {}
        }
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = small(self.all.len());
        let shared: Arc<str> = Arc::from(s);
        self.all.push(Arc::clone(&shared));
        self.ids.insert(shared, i);
        i
    }

    /// The name numbered `id`, shared.
    pub(crate) fn shared(&self, id: u32) -> Arc<str> {
        Arc::clone(&self.all[id as usize])
    }
}

/// The key of an SNI name: its form (0 a service, 1 a prepared query, 2 an external name),
/// then the numbers ([`Names`]) of its name, subset, namespace, partition and datacenter
/// (those its form does not use are empty).
type SniKey = (u8, [u32; 5]);

/// The slots of the distinct SNI names the plans can produce, shared across datacenters.
#[derive(Debug, Default)]
pub(crate) struct SniSlots {
    pub(crate) names: Names,
    slots: HashMap<SniKey, u32, Words>,
}

impl SniSlots {
    /// The slot of the name of `form` made of `parts` (name, subset, namespace, partition,
    /// datacenter), a new one the first time.
    pub(crate) fn slot(&mut self, form: u8, parts: [&str; 5]) -> u32 {
        let ids = parts.map(|p| self.names.id(p));
        self.slot_of(form, ids)
    }

    /// [`SniSlots::slot`] of parts already numbered.
    pub(crate) fn slot_of(&mut self, form: u8, ids: [u32; 5]) -> u32 {
        let next = small(self.slots.len());
        *self.slots.entry((form, ids)).or_insert(next)
    }

    /// How many slots there are.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }
}

/// An index or length as the plan stores it ([`NONE`] past `u32`).
pub(crate) fn small(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(NONE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_plan_is_40_bytes_and_a_target_128() {
        // A target per distinct destination and datacenter: 48k of them at 10k proxies.
        assert_eq!(std::mem::size_of::<TargetPlan>(), 40);
        assert_eq!(std::mem::size_of::<Target>(), 128);
    }

    #[test]
    fn names_number_the_empty_name_and_default_without_a_lookup_and_others_once() {
        let mut names = Names::default();
        assert_eq!(names.id(""), EMPTY);
        assert_eq!(&*names.shared(EMPTY), "");
        let default = names.id("default");
        assert_eq!(&*names.shared(default), "default");
        let api = names.id("api");
        assert!(![EMPTY, default].contains(&api));
        assert_eq!(names.id("api"), api);
        assert_eq!(&*names.shared(api), "api");
        assert_eq!(names.id("default"), default);
    }
}
