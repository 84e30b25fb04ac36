//! Compiling the plan: [`Facts`] gathers what one upstream dials and what the lookups that
//! do not depend on the proxy found, either from the models ([`Facts::of`]) or from the
//! compiled plan ([`Facts::of_step`]). The plan is built with [`Facts::of`], so both give
//! the same routes; [`crate::resolve`] decides from the facts.

use std::collections::HashMap;

use crate::model::config_entry::ServiceDefaults;
use crate::model::mode::MeshGatewayMode;
use crate::model::service::{DestinationType, Upstream};
use crate::topology::Topology;
use crate::topology::datacenter::{Addresses, Datacenter, Endpoints, Fnv, Proxy};
use crate::topology::plan::{NONE, Plan, ProxyPlan, Step, Target};

/// What resolution reads of one upstream: who it dials and what the lookups that depend only
/// on the upstream and its datacenter found. Read from the models ([`Facts::of`]) or from the
/// topology's plan ([`Facts::of_step`]); the plan is built with [`Facts::of`], so both agree.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Facts<'t> {
    pub(crate) name: &'t str,
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
    /// The destination's connect endpoints in its datacenter.
    pub(crate) endpoints: Option<&'t Endpoints>,
    pub(crate) sni_slot: Option<u32>,
}

impl<'t> Facts<'t> {
    /// From the models: `sd_down` is the downstream's service-defaults.
    pub(crate) fn of(
        topo: &'t Topology,
        dc: &'t Datacenter,
        proxy: &Proxy,
        sd_down: Option<&ServiceDefaults>,
        upstream: &'t Upstream,
    ) -> Self {
        let peer = peer_of(upstream);
        let kind = upstream.destination_type;
        let dc_named = upstream.datacenter.as_deref().filter(|d| !d.is_empty());
        let datacenter = dc_named.unwrap_or(dc.name());
        let override_mode = sd_down
            .filter(|_| kind == DestinationType::Service)
            .and_then(|sd| {
                sd.override_for(
                    &upstream.destination_name,
                    upstream.namespace(),
                    upstream.partition(),
                    peer,
                )
            })
            .map_or(MeshGatewayMode::Default, |o| o.mesh_gateway.mode);
        let target_dc = topo.datacenter(datacenter);
        let dest_sd = dc
            .service_defaults(&upstream.destination_name)
            .filter(|_| kind == DestinationType::Service && peer.is_none());
        Facts {
            name: &upstream.destination_name,
            kind,
            namespace: upstream.namespace(),
            partition: upstream.partition(),
            peer,
            datacenter,
            datacenter_set: dc_named.is_some(),
            local: datacenter == dc.name() && upstream.partition() == proxy.partition,
            local_bind_port: upstream.local_bind_port,
            upstream_mode: upstream.mesh_gateway.mode,
            override_mode,
            dest_mode: dest_sd.map_or(MeshGatewayMode::Default, |sd| sd.mesh_gateway.mode),
            external_sni: dest_sd
                .and_then(|sd| sd.external_sni.as_deref())
                .filter(|s| !s.is_empty()),
            target_dc,
            gateways: target_dc.and_then(|t| t.gateways_of(upstream.partition())),
            endpoints: target_dc.and_then(|t| t.endpoints(&upstream.destination_name)),
            sni_slot: None,
        }
    }

    /// From the plan.
    pub(crate) fn of_step(topo: &'t Topology, step: &Step, t: &'t Target) -> Self {
        let target_dc = t.dc_index.and_then(|i| topo.datacenters().get(i as usize));
        Facts {
            name: &t.name,
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
            dest_mode: t.dest_mode,
            external_sni: t.external_sni.as_deref(),
            target_dc,
            gateways: t.gateways.and_then(|i| target_dc?.gateways_at(i as usize)),
            endpoints: t
                .endpoints
                .and_then(|i| target_dc?.endpoints_at(i as usize)),
            sni_slot: Some(t.sni_slot),
        }
    }

    /// The key that makes two upstreams of one datacenter the same [`Target`].
    fn target_key(&self) -> TargetKey<'t> {
        (
            self.kind,
            self.name,
            self.namespace,
            self.partition,
            self.peer,
            self.datacenter,
            self.datacenter_set,
        )
    }

    /// The key of its SNI name: (form, name, namespace, partition, datacenter).
    fn sni_key(&self) -> SniKey<'t> {
        match (self.external_sni, self.kind) {
            (Some(ext), DestinationType::Service) => (2, ext, "", "", ""),
            (_, DestinationType::PreparedQuery) => (1, self.name, "", "", self.datacenter),
            _ => (
                0,
                self.name,
                self.namespace,
                self.partition,
                self.datacenter,
            ),
        }
    }
}

type TargetKey<'t> = (
    DestinationType,
    &'t str,
    &'t str,
    &'t str,
    Option<&'t str>,
    &'t str,
    bool,
);
type SniKey<'t> = (u8, &'t str, &'t str, &'t str, &'t str);

/// The slots of the distinct SNI names the plans can produce, shared across datacenters.
type SniSlots<'t> = HashMap<SniKey<'t>, u32, Fnv>;

/// Builds every datacenter's plan ([`Datacenter`]'s steps and targets) with [`Facts::of`].
pub(crate) fn plan(topo: &mut Topology) {
    let mut sni_slots = SniSlots::default();
    let plans: Vec<Plan> = topo
        .datacenters()
        .iter()
        .map(|dc| plan_dc(topo, dc, &mut sni_slots))
        .collect();
    let slots = small(sni_slots.len());
    drop(sni_slots);
    for (dc, plan) in topo.datacenters.iter_mut().zip(plans) {
        dc.plan = plan;
    }
    topo.sni_slots = slots;
}

/// An index or length as the plan stores it ([`NONE`] past `u32`).
fn small(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(NONE)
}

/// One datacenter's plan: a step per upstream, a target per distinct destination.
fn plan_dc<'t>(topo: &'t Topology, dc: &'t Datacenter, sni_slots: &mut SniSlots<'t>) -> Plan {
    let mut index: HashMap<TargetKey<'_>, u32, Fnv> = HashMap::default();
    let n = dc.proxies().iter().map(|p| p.upstreams.len()).sum();
    let mut plan = Plan {
        steps: Vec::with_capacity(n),
        proxies: Vec::with_capacity(dc.proxies().len()),
        ..Plan::default()
    };
    for proxy in dc.proxies() {
        let proxy_plan = ProxyPlan::of(dc, proxy, &mut plan.names);
        plan.proxies.push(proxy_plan);
        let sd_down = dc.service_defaults(&proxy.service);
        for up in &proxy.upstreams {
            let f = Facts::of(topo, dc, proxy, sd_down, up);
            let next = small(plan.targets.len());
            let target = *index.entry(f.target_key()).or_insert_with(|| {
                let slots = small(sni_slots.len());
                let sni_slot = *sni_slots.entry(f.sni_key()).or_insert(slots);
                plan.targets.push(Target::of(topo, &f, sni_slot));
                next
            });
            plan.steps.push(Step {
                target,
                local: f.local,
                local_bind_port: f.local_bind_port,
                upstream_mode: f.upstream_mode,
                override_mode: f.override_mode,
            });
        }
    }
    plan
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
    /// The target of an upstream with facts `f`, its SNI name in `sni_slot`.
    fn of(topo: &Topology, f: &Facts<'_>, sni_slot: u32) -> Self {
        let index = |i: usize| u32::try_from(i).ok();
        Self {
            name: f.name.to_owned(),
            kind: f.kind,
            namespace: f.namespace.to_owned(),
            partition: f.partition.to_owned(),
            peer: f.peer.map(str::to_owned),
            datacenter: f.datacenter.to_owned(),
            datacenter_set: f.datacenter_set,
            dest_mode: f.dest_mode,
            external_sni: f.external_sni.map(str::to_owned),
            dc_index: topo
                .datacenters()
                .binary_search_by(|d| d.name().cmp(f.datacenter))
                .ok()
                .and_then(index),
            gateways: f
                .target_dc
                .and_then(|t| t.gateways_index(f.partition))
                .and_then(index),
            endpoints: f
                .target_dc
                .and_then(|t| t.endpoints_index(f.name))
                .and_then(index),
            sni_slot,
        }
    }
}

pub(crate) fn peer_of(upstream: &Upstream) -> Option<&str> {
    upstream
        .destination_peer
        .as_deref()
        .filter(|p| !p.is_empty())
}
