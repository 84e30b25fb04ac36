//! The discovery chains of a topology: each distinct chain the upstreams reach (one entry set,
//! service, namespace, partition and evaluation datacenter), compiled once when the topology
//! is built ([`crate::topology::chain`]), and each of its targets looked up in the topology
//! once, as the plan's destinations are.

use crate::model::mode::MeshGatewayMode;
use crate::model::service::DestinationType;
use crate::topology::Topology;
use crate::topology::chain::{
    ChainError, ChainRequest, ChainTarget, CompiledChain, compile, compile_without_routing,
};
use crate::topology::datacenter::{Datacenter, Proxy};
use crate::topology::entries::ConfigEntries;
use crate::topology::maps::Map;
use crate::topology::plan::{NONE, SniSlots, TargetPlan, small};
use crate::topology::upstreams::{PerDestination, UpstreamView};

/// One compiled chain and what the topology says of its targets.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ChainPlan {
    /// The chain (`None` when Consul refuses it outright: the upstream keeps its one target).
    pub(crate) chain: Option<CompiledChain>,
    /// Why Consul refuses it (a protocol error keeps the chain without routers and splitters).
    pub(crate) error: Option<ChainError>,
    /// One per target of the chain, in its order.
    pub(crate) targets: Vec<TargetPlan>,
}

/// Where each chain is: by entry set, then service, then (namespace, partition, datacenter).
/// [`NONE`] for a chain that is the service itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ChainIndex(Vec<Map<Vec<Scoped>>>);

/// (namespace, partition, datacenter, chain).
type Scoped = (String, String, String, u32);

impl ChainIndex {
    /// The chain of `(service, namespace, partition, datacenter)` in entry set `set`: `None`
    /// when not compiled, `Some(NONE)` when trivial.
    fn get(&self, set: u32, service: &str, ns: &str, part: &str, dc: &str) -> Option<u32> {
        let list = self.0.get(set as usize)?.get(service)?;
        list.iter()
            .find(|(n, p, d, _)| n == ns && p == part && d == dc)
            .map(|x| x.3)
    }

    fn insert(&mut self, set: u32, req: &ChainRequest, value: u32) {
        let i = set as usize;
        if self.0.len() <= i {
            self.0.resize_with(i + 1, Map::default);
        }
        self.0[i].entry(req.service.clone()).or_default().push((
            req.namespace.clone(),
            req.partition.clone(),
            req.datacenter.clone(),
            value,
        ));
    }
}

/// The chain request of an upstream of a proxy in `dc`, when it can have a chain: a service
/// upstream, not to a peer, whose service has a router, splitter or resolver.
pub(crate) fn request_of(dc: &Datacenter, up: UpstreamView<'_>) -> Option<ChainRequest> {
    let service = up.destination_type() == DestinationType::Service && up.peer().is_none();
    if !service || !dc.entries().has_chain_entries(up.destination_name()) {
        return None;
    }
    Some(ChainRequest::scoped(
        up.destination_name(),
        up.namespace(),
        up.partition(),
        up.named_datacenter().unwrap_or(dc.name()),
    ))
}

/// The index of the chain of `up` (of a proxy in `dc`) in `topo`, when it has one.
pub(crate) fn chain_of(topo: &Topology, dc: &Datacenter, up: UpstreamView<'_>) -> Option<u32> {
    let req = request_of(dc, up)?;
    let (ns, part) = (&req.namespace, &req.partition);
    let i = topo
        .chain_index
        .get(dc.entry_set, &req.service, ns, part, &req.datacenter)?;
    (i != NONE).then_some(i)
}

impl ChainPlan {
    /// Compiles a chain as Consul would run it: a protocol error refuses the routers and
    /// splitters (the rest still applies), any other error the whole chain.
    fn compile(entries: &ConfigEntries, req: &ChainRequest) -> Self {
        let (chain, error) = match compile(entries, req) {
            Ok(c) => (Some(c), None),
            Err(e) if e.is_protocol() => (compile_without_routing(entries, req).ok(), Some(e)),
            Err(e) => (None, Some(e)),
        };
        let targets = chain.iter().flat_map(|c| &c.targets);
        let targets = targets
            .map(|t| TargetPlan::of_entries(entries, t))
            .collect();
        Self {
            chain,
            error,
            targets,
        }
    }

    /// Whether it resolves exactly as the upstream would without a chain.
    fn is_trivial(&self) -> bool {
        self.error.is_none() && self.chain.as_ref().is_some_and(CompiledChain::is_trivial)
    }
}

impl TargetPlan {
    /// What the entries say of a target: its service's mode and `ExternalSNI`.
    fn of_entries(entries: &ConfigEntries, t: &ChainTarget) -> Self {
        let sd = entries.service_defaults(&t.service);
        let external = sd.and_then(|sd| sd.external_sni.as_deref());
        Self {
            dest_mode: sd.map_or(MeshGatewayMode::Default, |sd| sd.mesh_gateway.mode),
            external_sni: external
                .filter(|s| !s.is_empty() && t.peer.is_none())
                .map(Box::from),
            ..Self::default()
        }
    }

    /// Where a chain target is, and the slot of its SNI name.
    fn locate_target(&mut self, topo: &Topology, t: &ChainTarget, sni_slots: &mut SniSlots) {
        self.locate(
            topo,
            (&t.service, &t.namespace, &t.partition, &t.datacenter),
        );
        self.sni_slot = match self.external_sni.as_deref() {
            Some(ext) => sni_slots.slot(2, [ext, "", "", "", ""]),
            None => sni_slots.slot(
                0,
                [
                    &t.service,
                    &t.subset,
                    &t.namespace,
                    &t.partition,
                    &t.datacenter,
                ],
            ),
        };
    }

    /// Where `(service, namespace, partition, datacenter)` is: its datacenter, the gateways of
    /// its partition there, its endpoints in its namespace and partition there.
    pub(crate) fn locate(&mut self, topo: &Topology, (service, ns, part, dc): Dest<'_>) {
        let there = topo
            .datacenters()
            .binary_search_by(|d| d.name().cmp(dc))
            .ok();
        let dc = there.and_then(|i| topo.datacenters().get(i));
        self.dc_index = there.map_or(NONE, small);
        self.gateways = dc.and_then(|d| d.gateways_index(part)).map_or(NONE, small);
        self.endpoints = dc
            .and_then(|d| {
                let i = d.endpoints_index(service)?;
                let scope = d.endpoints_at(i)?.scope_index(ns, part)?;
                Some([small(i), small(scope)])
            })
            .unwrap_or([NONE; 2]);
    }
}

/// A destination: (service, namespace, partition, datacenter).
pub(crate) type Dest<'a> = (&'a str, &'a str, &'a str, &'a str);

/// Compiles every distinct chain the upstreams of `topo` reach, and locates their targets.
pub(crate) fn compile_chains(topo: &mut Topology, sni_slots: &mut SniSlots) {
    let mut index = ChainIndex::default();
    let mut plans = Vec::new();
    for dc in topo.datacenters() {
        // Each distinct destination once: the request depends on it and on `dc` only.
        let mut seen = PerDestination::default();
        let upstreams = dc.proxies().iter().flat_map(Proxy::upstreams);
        let firsts = upstreams.filter(|&up| seen.set(up, ()).is_none());
        for req in firsts.filter_map(|up| request_of(dc, up)) {
            let (ns, part) = (&req.namespace, &req.partition);
            if index
                .get(dc.entry_set, &req.service, ns, part, &req.datacenter)
                .is_some()
            {
                continue;
            }
            let plan = ChainPlan::compile(dc.entries(), &req);
            let at = if plan.is_trivial() {
                NONE
            } else {
                small(plans.len())
            };
            index.insert(dc.entry_set, &req, at);
            if at != NONE {
                plans.push(plan);
            }
        }
    }
    for plan in &mut plans {
        let targets = plan.chain.iter().flat_map(|c| &c.targets);
        for (tp, t) in plan.targets.iter_mut().zip(targets) {
            tp.locate_target(topo, t, sni_slots);
        }
    }
    topo.chains = plans;
    topo.chain_index = index;
}

#[cfg(test)]
mod tests {
    use crate::model::config_entry::ConfigEntry;
    use crate::model::discovery_chain::{ResolverFailover, ServiceResolver};
    use crate::model::service::{ProxyConfig, ServiceDefinition, ServiceKind, Upstream};
    use crate::topology::Topology;

    fn proxy(id: usize, upstream: &str, dc: Option<&str>) -> ServiceDefinition {
        let mut u = Upstream::service(upstream);
        u.datacenter = dc.map(str::to_owned);
        u.local_bind_port = Some(9000);
        ServiceDefinition {
            kind: ServiceKind::ConnectProxy,
            name: "web-sidecar-proxy".into(),
            id: Some(format!("web-{id}")),
            port: Some(21000),
            address: Some("10.0.0.1".into()),
            proxy: Some(ProxyConfig {
                destination_service_name: Some("web".into()),
                upstreams: vec![u],
                ..ProxyConfig::default()
            }),
            ..ServiceDefinition::default()
        }
    }

    #[test]
    fn each_distinct_chain_is_compiled_once_and_shared() {
        let mut r = ServiceResolver {
            name: "api".into(),
            ..ServiceResolver::default()
        };
        r.failover.insert(
            "*".into(),
            ResolverFailover {
                datacenters: vec!["dc2".into()],
                ..ResolverFailover::default()
            },
        );
        let mut b = Topology::builder();
        b.primary_datacenter("dc2", "dc1");
        b.add_config_entry("dc2", ConfigEntry::ServiceResolver(r));
        for i in 0..50 {
            b.add_service("dc1", proxy(i, "api", None));
            b.add_service("dc2", proxy(100 + i, "api", Some("dc1")));
            // Evaluated in dc2: another chain.
            b.add_service("dc1", proxy(200 + i, "api", Some("dc2")));
            // No chain entries: no chain at all.
            b.add_service("dc1", proxy(300 + i, "db", None));
        }
        let t = b.build();
        // api evaluated in dc1 (from dc1 and from dc2, which share the entries) and in dc2.
        assert_eq!(t.chains.len(), 2);
        let dc1 = t.datacenter("dc1").unwrap();
        let chained = dc1.plan.targets.iter().filter(|x| x.chain != super::NONE);
        assert_eq!(chained.count(), 2);
    }
}
