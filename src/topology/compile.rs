//! Compiling the plan: [`Facts`] gathers what one upstream dials and what the lookups that
//! do not depend on the proxy found, either from the models ([`Facts::of`]) or from the
//! compiled plan ([`Facts::of_step`]). The plan is built with [`Facts::of`], so both give
//! the same routes; [`crate::resolve`] decides from the facts.

use std::collections::HashMap;

use crate::model::config_entry::ServiceDefaults;
use crate::model::mode::MeshGatewayMode;
use crate::model::service::DestinationType;
use crate::topology::Topology;
use crate::topology::chain::ChainTarget;
use crate::topology::chains::{chain_of, compile_chains};
use crate::topology::datacenter::{Addresses, Datacenter, Proxy};
use crate::topology::maps::Words;
use crate::topology::plan::{
    EMPTY, NONE, Names, Plan, ProxyPlan, SniSlots, Step, Target, TargetPlan, small,
};
use crate::topology::upstreams::{PerDestination, UpstreamView};

/// What resolution reads of one upstream: who it dials and what the lookups that depend only
/// on the upstream and its datacenter found. Read from the models ([`Facts::of`]) or from the
/// topology's plan ([`Facts::of_step`]); the plan is built with [`Facts::of`], so both agree.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Facts<'t> {
    pub(crate) name: &'t str,
    /// The subset (empty for the unnamed one; only chain targets have one).
    pub(crate) subset: &'t str,
    pub(crate) kind: DestinationType,
    pub(crate) namespace: &'t str,
    pub(crate) partition: &'t str,
    pub(crate) peer: Option<&'t str>,
    /// The destination datacenter (the proxy's when unset).
    pub(crate) datacenter: &'t str,
    pub(crate) datacenter_set: bool,
    /// Whether the destination is in the proxy's own datacenter and partition, where the mode
    /// does not apply (service upstreams).
    pub(crate) local: bool,
    pub(crate) local_bind_port: Option<u16>,
    pub(crate) upstream_mode: MeshGatewayMode,
    pub(crate) override_mode: MeshGatewayMode,
    pub(crate) dest_mode: MeshGatewayMode,
    pub(crate) external_sni: Option<&'t str>,
    pub(crate) target_dc: Option<&'t Datacenter>,
    /// The mesh gateways of the destination's partition in its datacenter.
    pub(crate) gateways: Option<&'t Addresses>,
    /// The destination's connect endpoints in its datacenter, namespace and partition.
    pub(crate) endpoints: Option<&'t Addresses>,
    pub(crate) sni_slot: Option<u32>,
    /// The upstream's discovery chain, an index into the topology's chains.
    pub(crate) chain: Option<u32>,
}

impl<'t> Facts<'t> {
    /// From the upstream: `sd_down` is the downstream's service-defaults.
    pub(crate) fn of(
        topo: &'t Topology,
        dc: &'t Datacenter,
        proxy: &Proxy,
        sd_down: Option<&ServiceDefaults>,
        upstream: UpstreamView<'t>,
    ) -> Self {
        let f = Self::of_destination(topo, dc, upstream);
        let target_dc = topo.datacenter(f.datacenter);
        Facts {
            local: f.datacenter == dc.name() && f.partition == proxy.partition,
            override_mode: override_mode(sd_down, upstream),
            target_dc,
            gateways: target_dc.and_then(|t| t.gateways_of(f.partition)),
            endpoints: target_dc
                .and_then(|t| t.endpoints(f.name))
                .and_then(|e| e.in_scope(f.namespace, f.partition)),
            ..f
        }
    }

    /// What depends only on the upstream's destination and the proxy's datacenter `dc`,
    /// without where the destination is (the plan locates each [`Target`] once): the
    /// proxy's own layers left at their defaults, `local` false.
    fn of_destination(topo: &'t Topology, dc: &'t Datacenter, upstream: UpstreamView<'t>) -> Self {
        let peer = upstream.peer();
        let kind = upstream.destination_type();
        let name = upstream.destination_name();
        let dc_named = upstream.named_datacenter();
        let dest_sd = dc
            .service_defaults(name)
            .filter(|_| kind == DestinationType::Service && peer.is_none());
        Facts {
            name,
            subset: "",
            kind,
            namespace: upstream.namespace(),
            partition: upstream.partition(),
            peer,
            datacenter: dc_named.unwrap_or(dc.name()),
            datacenter_set: dc_named.is_some(),
            local: false,
            local_bind_port: upstream.local_bind_port(),
            upstream_mode: upstream.mesh_gateway().mode,
            override_mode: MeshGatewayMode::Default,
            dest_mode: dest_sd.map_or(MeshGatewayMode::Default, |sd| sd.mesh_gateway.mode),
            external_sni: dest_sd
                .and_then(|sd| sd.external_sni.as_deref())
                .filter(|s| !s.is_empty()),
            target_dc: None,
            gateways: None,
            endpoints: None,
            sni_slot: None,
            chain: chain_of(topo, dc, upstream),
        }
    }

    /// From the plan. Inlined: out of line, reading the shared names (one more step than a
    /// `String`'s) cost 21 more instructions a route in the call's prologue and spills.
    #[allow(clippy::inline_always)] // measured: see the comment above
    #[inline(always)]
    pub(crate) fn of_step(topo: &'t Topology, step: &Step, t: &'t Target) -> Self {
        let (target_dc, gateways, endpoints) = located(topo, &t.at);
        Facts {
            name: &t.name,
            subset: "",
            kind: t.kind,
            namespace: &t.namespace,
            partition: &t.partition,
            peer: t.peer.as_deref(),
            datacenter: &t.datacenter,
            datacenter_set: t.datacenter_set,
            local: step.local,
            local_bind_port: step.local_bind_port,
            upstream_mode: step.upstream_mode,
            override_mode: step.override_mode,
            dest_mode: t.at.dest_mode,
            external_sni: t.at.external_sni.as_deref(),
            target_dc,
            gateways,
            endpoints,
            sni_slot: Some(t.at.sni_slot),
            chain: Some(t.chain).filter(|c| *c != NONE),
        }
    }

    /// The facts of target `t` of the upstream's chain (`plan` is what the topology says of
    /// it), for a proxy of datacenter `dc` in `partition`.
    pub(crate) fn for_target(
        &self,
        topo: &'t Topology,
        (dc, partition): (&Datacenter, &str),
        t: &'t ChainTarget,
        plan: &'t TargetPlan,
    ) -> Self {
        let (target_dc, gateways, endpoints) = located(topo, plan);
        let peer = t.peer.as_deref();
        let same_dc = target_dc.is_some_and(|d| std::ptr::eq(d, dc) || d.name() == dc.name());
        Facts {
            name: &t.service,
            subset: &t.subset,
            namespace: &t.namespace,
            partition: &t.partition,
            peer,
            datacenter: &t.datacenter,
            datacenter_set: false,
            local: peer.is_none() && same_dc && t.partition == partition,
            dest_mode: plan.dest_mode,
            external_sni: plan.external_sni.as_deref(),
            target_dc,
            gateways,
            endpoints,
            sni_slot: Some(plan.sni_slot),
            chain: None,
            ..*self
        }
    }

    /// The slot of its SNI name, keyed by (form, name, subset, namespace, partition,
    /// datacenter); `ids` are the numbers of its name, namespace, partition and datacenter.
    fn sni_slot(&self, slots: &mut SniSlots, [name, ns, part, dc]: [u32; 4]) -> u32 {
        let empty = EMPTY;
        match (self.external_sni, self.kind) {
            (Some(ext), DestinationType::Service) => {
                let ext = slots.names.id(ext);
                slots.slot_of(2, [ext, empty, empty, empty, empty])
            }
            (_, DestinationType::PreparedQuery) => {
                slots.slot_of(1, [name, empty, empty, empty, dc])
            }
            _ => {
                let subset = slots.names.id(self.subset);
                slots.slot_of(0, [name, subset, ns, part, dc])
            }
        }
    }
}

/// The mode the downstream's service-defaults (`sd_down`) give `upstream` in
/// `UpstreamConfig.Overrides` (service upstreams only).
fn override_mode(sd_down: Option<&ServiceDefaults>, upstream: UpstreamView<'_>) -> MeshGatewayMode {
    sd_down
        .filter(|_| upstream.destination_type() == DestinationType::Service)
        .and_then(|sd| {
            sd.override_for(
                upstream.destination_name(),
                upstream.namespace(),
                upstream.partition(),
                upstream.peer(),
            )
        })
        .map_or(MeshGatewayMode::Default, |o| o.mesh_gateway.mode)
}

/// The datacenter, gateways and endpoints a plan's indices point to.
#[inline]
fn located<'t>(
    topo: &'t Topology,
    at: &TargetPlan,
) -> (
    Option<&'t Datacenter>,
    Option<&'t Addresses>,
    Option<&'t Addresses>,
) {
    // `NONE` is past the end of every list.
    let target_dc = topo.datacenters().get(at.dc_index as usize);
    let gateways = target_dc.and_then(|d| d.gateways_at(at.gateways as usize));
    let [i, scope] = at.endpoints;
    let endpoints = target_dc.and_then(|d| d.endpoints_at(i as usize)?.scoped.get(scope as usize));
    (target_dc, gateways, endpoints)
}

/// The key that makes two upstreams of one datacenter the same [`Target`]: its type, whether
/// it names a datacenter, and the numbers ([`Names`]) of its name, namespace, partition,
/// datacenter and peer ([`NONE`] for none).
type TargetKey = (DestinationType, bool, [u32; 5]);

/// The numbers ([`Names`]) of an upstream destination's name, namespace, partition, named
/// datacenter and peer ([`NONE`] for none): the same from every datacenter, so found once per
/// destination of the upstream table however many datacenters dial it.
type DestinationIds = [u32; 5];

fn destination_ids(up: UpstreamView<'_>, names: &mut Names) -> DestinationIds {
    let named = up.named_datacenter().map_or(NONE, |d| names.id(d));
    let peer = up.peer().map_or(NONE, |p| names.id(p));
    let name = names.id(up.destination_name());
    [
        name,
        names.id(up.namespace()),
        names.id(up.partition()),
        named,
        peer,
    ]
}

/// The [`TargetKey`] of a destination dialed from the datacenter numbered `dc`.
fn target_key(
    kind: DestinationType,
    [name, ns, part, named, peer]: DestinationIds,
    dc: u32,
) -> TargetKey {
    let named_dc = named != NONE;
    let dc = if named_dc { named } else { dc };
    (kind, named_dc, [name, ns, part, dc, peer])
}

/// What numbering the destinations takes across the datacenters' plans: the SNI slots (and
/// their names), and each table destination's [`DestinationIds`].
struct Numbers {
    sni_slots: SniSlots,
    ids: PerDestination<DestinationIds>,
}

impl Numbers {
    /// The [`DestinationIds`] of `up`'s destination, found the first time it is met.
    fn ids(&mut self, up: UpstreamView<'_>) -> DestinationIds {
        self.ids.get(up).unwrap_or_else(|| {
            let ids = destination_ids(up, &mut self.sni_slots.names);
            self.ids.set(up, ids);
            ids
        })
    }
}
/// Compiles the chains, then builds every datacenter's plan ([`Datacenter`]'s steps and
/// targets) with [`Facts::of`].
pub(crate) fn plan(topo: &mut Topology) {
    let mut numbers = Numbers {
        sni_slots: SniSlots::default(),
        ids: PerDestination::default(),
    };
    compile_chains(topo, &mut numbers.sni_slots);
    let plans: Vec<Plan> = topo
        .datacenters()
        .iter()
        .map(|dc| plan_dc(topo, dc, &mut numbers))
        .collect();
    let slots = small(numbers.sni_slots.len());
    drop(numbers);
    for (dc, plan) in topo.datacenters.iter_mut().zip(plans) {
        dc.plan = plan;
    }
    topo.sni_slots = slots;
}

/// One datacenter's plan: a step per upstream, a target per distinct destination. The
/// target of each destination the upstreams name is found once ([`Facts::of_destination`],
/// located by [`Target::of`]); each upstream then adds what depends on its proxy, as
/// [`Facts::of`] computes it.
fn plan_dc<'t>(topo: &'t Topology, dc: &'t Datacenter, numbers: &mut Numbers) -> Plan {
    let n = dc.proxies().iter().map(|p| p.upstreams.len()).sum();
    let mut found = DcTargets::new(dc, numbers);
    let mut plan = Plan {
        steps: Vec::with_capacity(n),
        proxies: Vec::with_capacity(dc.proxies().len()),
        targets: Vec::with_capacity(found.places.capacity()),
        ..Plan::default()
    };
    for proxy in dc.proxies() {
        let proxy_plan = ProxyPlan::of(dc, proxy, &mut plan.names);
        plan.proxies.push(proxy_plan);
        let sd_down = (proxy_plan.service_defaults != NONE)
            .then(|| dc.service_defaults_at(proxy_plan.service_defaults as usize))
            .flatten();
        let partition = numbers.sni_slots.names.id(&proxy.partition);
        for up in proxy.upstreams() {
            let target = found.target(topo, dc, up, (numbers, &mut plan.targets));
            let [t_dc, t_partition] = found.places[target as usize];
            plan.steps.push(Step {
                target,
                local: t_dc == found.dc && t_partition == partition,
                local_bind_port: up.local_bind_port(),
                upstream_mode: up.mesh_gateway().mode,
                override_mode: override_mode(sd_down, up),
            });
        }
    }
    plan.targets.shrink_to_fit();
    plan.names.shrink_to_fit();
    plan
}

/// Finds the [`Target`] of each upstream of one datacenter's plan: once per destination of
/// the table, once per distinct [`TargetKey`].
struct DcTargets {
    /// The target of each destination met so far.
    of_destination: PerDestination<u32>,
    index: HashMap<TargetKey, u32, Words>,
    /// The numbers of each target's datacenter and partition, to tell a step's `local`
    /// without comparing names.
    places: Vec<[u32; 2]>,
    /// The number of the datacenter's name.
    dc: u32,
}

impl DcTargets {
    /// Room for a target per distinct destination of `dc`'s upstreams, at most as many as
    /// there are targets: growing the map rehashes every key.
    fn new(dc: &Datacenter, numbers: &mut Numbers) -> Self {
        let mut seen = PerDestination::default();
        let ups = dc.proxies().iter().flat_map(Proxy::upstreams);
        let distinct = ups.filter(|&up| seen.set(up, ()).is_none()).count();
        Self {
            of_destination: PerDestination::default(),
            index: HashMap::with_capacity_and_hasher(distinct, Words),
            places: Vec::with_capacity(distinct),
            dc: numbers.sni_slots.names.id(dc.name()),
        }
    }

    /// The index of `up`'s target in `targets`, made the first time its key is met.
    fn target<'t>(
        &mut self,
        topo: &'t Topology,
        dc: &'t Datacenter,
        up: UpstreamView<'t>,
        (numbers, targets): (&mut Numbers, &mut Vec<Target>),
    ) -> u32 {
        if let Some(t) = self.of_destination.get(up) {
            return t;
        }
        let key = target_key(up.destination_type(), numbers.ids(up), self.dc);
        let next = small(targets.len());
        let target = *self.index.entry(key).or_insert_with(|| {
            let f = Facts::of_destination(topo, dc, up);
            targets.push(Target::of(topo, &f, key.2, &mut numbers.sni_slots));
            let [_, _, partition, datacenter, _] = key.2;
            self.places.push([datacenter, partition]);
            next
        });
        self.of_destination.set(up, target);
        target
    }
}

impl ProxyPlan {
    /// The plan of `proxy`, its names appended to `names`.
    fn of(dc: &Datacenter, proxy: &Proxy, names: &mut String) -> Self {
        let mut name = |s: &str| {
            let start = small(names.len());
            names.push_str(s);
            [start, small(names.len())]
        };
        Self {
            id: name(&proxy.id),
            service: name(&proxy.service),
            partition: name(&proxy.partition),
            upstreams: small(proxy.upstreams.len()),
            service_defaults: dc
                .service_defaults_index(&proxy.service)
                .map_or(NONE, small),
            gateways: dc.gateways_index(&proxy.partition).map_or(NONE, small),
            mode: proxy.mode,
        }
    }
}

impl Target {
    /// The target of an upstream with facts `f`, whose names are numbered `ids` in `slots`
    /// ([`target_key`]): its names shared and its SNI slot found through `slots`.
    fn of(topo: &Topology, f: &Facts<'_>, ids: [u32; 5], slots: &mut SniSlots) -> Self {
        let [name, ns, part, dc, peer] = ids;
        let ids = [name, ns, part, dc];
        let peer = (peer != NONE).then_some(peer);
        let sni_slot = f.sni_slot(slots, ids);
        let names = &slots.names;
        let mut at = TargetPlan {
            dest_mode: f.dest_mode,
            external_sni: f.external_sni.map(Box::from),
            sni_slot,
            ..TargetPlan::default()
        };
        at.locate(topo, (f.name, f.namespace, f.partition, f.datacenter));
        Self {
            name: names.shared(ids[0]),
            kind: f.kind,
            namespace: names.shared(ids[1]),
            partition: names.shared(ids[2]),
            peer: peer.map(|p| names.shared(p)),
            datacenter: names.shared(ids[3]),
            datacenter_set: f.datacenter_set,
            at,
            chain: f.chain.unwrap_or(NONE),
        }
    }
}
