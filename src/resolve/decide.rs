//! Deciding one route from its facts: the mode and its layer, the next hop, the SNI, and
//! what is worth a warning. The same code serves routes read from the compiled plan and
//! routes read from the models, so both agree.

use std::sync::Arc;

use crate::model::config_entry::ServiceDefaults;
use crate::model::mode::MeshGatewayMode;
use crate::model::service::DestinationType;
use crate::resolve::layers::{Layer, Layers};
use crate::resolve::route::{HopKind, NextHop, Route, RouteChain, UpstreamRef};
use crate::sni;
use crate::topology::compile::Facts;
use crate::topology::datacenter::{Addresses, Datacenter, Proxy};
use crate::topology::plan::ProxyPlan;
use crate::topology::{Topology, Warning, WarningKind};

/// The value of every layer for an upstream: its own layers over `downstream`, the proxy's.
pub(crate) fn layers_of(f: &Facts<'_>, downstream: Layers) -> Layers {
    Layers {
        upstream: f.upstream_mode,
        upstream_override: f.override_mode,
        destination_defaults: f.dest_mode,
        destination_external: f.external_sni.is_some(),
        ..downstream
    }
}

/// What was decided for one upstream, before its route is made: its primary target's mode,
/// layer, hop kind and SNI, every target's warnings; with `view`, the primary target's next
/// hop and the chain's view. A collected [`crate::resolve::Resolution`] keeps only the
/// decisions.
#[derive(Debug)]
pub(crate) struct Decided<'t> {
    pub(crate) outcome: (MeshGatewayMode, Layer),
    pub(crate) kind: HopKind,
    pub(crate) sni: Option<Arc<str>>,
    pub(crate) warnings: Vec<Warning>,
    pub(crate) hop: Option<NextHop<'t>>,
    pub(crate) chain: Option<Box<RouteChain<'t>>>,
}

impl<'t> Decided<'t> {
    /// The route of the upstream `f` (the next hop computed here when not asked for before).
    #[inline]
    pub(crate) fn into_route(self, cx: &Cx<'t, '_>, f: &Facts<'t>) -> Route<'t> {
        let hop = self
            .hop
            .unwrap_or_else(|| next_hop(cx.dc, f, self.kind, cx.down.gateways));
        let mut route = route_of(cx, f, self.outcome, self.sni, hop, self.warnings);
        route.chain = self.chain;
        route
    }
}

/// An upstream without a chain: one target, the named service. Always inlined: left to the
/// compiler, it was called out of line from `Resolution::collect` once the build's code
/// changed, 29 more instructions an upstream (docs/performance.md).
#[allow(clippy::inline_always)] // measured: see the comment above
#[inline(always)]
pub(crate) fn decide_plain<'t>(
    cx: &Cx<'t, '_>,
    f: &Facts<'t>,
    cache: &mut SniCache,
) -> Decided<'t> {
    let decided = decide(f, layers_of(f, cx.down.layers));
    let kind = hop_kind(f, decided.0);
    let sni = sni_of(cx.topo.trust_domain(), f, cache);
    let mut warnings = target_warnings(cx, f, (decided.0, kind));
    if cx.topo.trust_domain().is_none() && f.peer.is_none() && sni.is_none() {
        warnings.push(no_trust_domain());
    }
    Decided {
        outcome: decided,
        kind,
        sni,
        warnings,
        hop: None,
        chain: None,
    }
}

/// What resolution reads around one upstream: the topology, the proxy's datacenter, the
/// downstream's layers and gateways, the proxy.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cx<'t, 'a> {
    pub(crate) topo: &'t Topology,
    pub(crate) dc: &'t Datacenter,
    pub(crate) down: &'a Downstream<'t>,
    pub(crate) proxy: &'a ProxyView<'t>,
}

/// The warning for a chain Consul refuses, in part or whole.
pub(crate) fn refused(e: &crate::topology::chain::ChainError) -> Warning {
    Warning::new(
        WarningKind::ChainRefused,
        format!("Consul refuses this upstream's discovery chain: {e}"),
    )
}

pub(crate) fn no_trust_domain() -> Warning {
    Warning::new(
        WarningKind::NoTrustDomain,
        "no SNI: the trust domain is unknown",
    )
}

/// The mode, layer and hop kind of a target (an upstream without a chain is its own).
pub(crate) fn decide_target(f: &Facts<'_>, down: Layers) -> ((MeshGatewayMode, Layer), HopKind) {
    let decided = decide(f, layers_of(f, down));
    (decided, hop_kind(f, decided.0))
}

/// What is worth saying about one target's route.
#[inline]
pub(crate) fn target_warnings(
    cx: &Cx<'_, '_>,
    f: &Facts<'_>,
    (mode, kind): (MeshGatewayMode, HopKind),
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if f.peer.is_some() {
        peer_warnings(cx.dc, cx.down, cx.proxy, f, (mode, kind), &mut warnings);
    } else if is_service(f) {
        service_warnings(cx.dc, cx.down, cx.proxy, f, kind, &mut warnings);
    }
    warnings
}

/// A service upstream without a peer: the kind that has a discovery chain.
fn is_service(f: &Facts<'_>) -> bool {
    f.peer.is_none() && f.kind == DestinationType::Service
}

/// The effective mode and the layer that decided it.
fn decide(f: &Facts<'_>, layers: Layers) -> (MeshGatewayMode, Layer) {
    if f.peer.is_some() {
        return layers.decide_peered();
    }
    if f.kind == DestinationType::PreparedQuery {
        // No central merge into the upstream (Consul's agent skips prepared queries) and no
        // discovery chain: only the upstream's own mode over the instance's merged one.
        return Layers {
            upstream_override: MeshGatewayMode::Default,
            upstream_defaults: MeshGatewayMode::Default,
            destination_defaults: MeshGatewayMode::Default,
            destination_external: false,
            ..layers
        }
        .decide();
    }
    layers.decide()
}

/// Where a route with `mode` goes next.
fn hop_kind(f: &Facts<'_>, mode: MeshGatewayMode) -> HopKind {
    match (f.peer, mode) {
        (Some(_), MeshGatewayMode::Local) => HopKind::LocalGateway,
        (Some(_), _) => HopKind::RemoteGateway,
        _ if !is_service(f) || f.local => HopKind::Direct,
        (None, MeshGatewayMode::Remote) => HopKind::RemoteGateway,
        (None, MeshGatewayMode::Local) => HopKind::LocalGateway,
        (None, _) => HopKind::Direct,
    }
}

/// The SNI the sidecar sends (none for peers: it comes from the peering).
pub(crate) fn sni_of(td: Option<&str>, f: &Facts<'_>, cache: &mut SniCache) -> Option<Arc<str>> {
    sni_in(td, f, cache, true)
}

/// The SNI a target is dialed with, in `cache`: returned when `want`, else only cached (a
/// chain's other targets, whose names a collected resolution reads later).
#[inline]
pub(crate) fn sni_in(
    td: Option<&str>,
    f: &Facts<'_>,
    cache: &mut SniCache,
    want: bool,
) -> Option<Arc<str>> {
    if f.peer.is_some() {
        return None;
    }
    if f.kind == DestinationType::PreparedQuery {
        let td = td?;
        return cache.get(f.sni_slot, want, || {
            sni::query_sni(f.name, f.datacenter, td)
        });
    }
    if let Some(ext) = f.external_sni {
        return cache.get(f.sni_slot, want, || ext.to_owned());
    }
    let td = td?;
    cache.get(f.sni_slot, want, || {
        sni::service_sni(f.name, f.subset, f.namespace, f.partition, f.datacenter, td)
    })
}

fn peer_warnings(
    dc: &Datacenter,
    down: &Downstream<'_>,
    proxy: &ProxyView<'_>,
    f: &Facts<'_>,
    (mode, kind): (MeshGatewayMode, HopKind),
    warnings: &mut Vec<Warning>,
) {
    let peer = f.peer.unwrap_or_default();
    if f.datacenter_set {
        warnings.push(Warning::new(
            WarningKind::PeerWithDatacenter,
            "upstream cannot specify both destination peer and datacenter (Consul rejects this registration)",
        ));
    }
    if kind == HopKind::LocalGateway {
        local_gateway_warnings(dc, proxy.partition, down.gateways, warnings);
        return;
    }
    if mode == MeshGatewayMode::None {
        warnings.push(Warning::new(
            WarningKind::PeerModeNone,
            format!(
                "invalid mesh gateway mode 'none', defaulting to 'remote' for \"{}?peer={peer}\"",
                f.name
            ),
        ));
    }
    warnings.push(Warning::new(
        WarningKind::PeerAtRunTime,
        format!(
            "peer {peer:?}: its mesh gateway addresses and the SNI come from the peering at run time, not from configuration"
        ),
    ));
}

#[inline]
fn service_warnings(
    dc: &Datacenter,
    down: &Downstream<'_>,
    proxy: &ProxyView<'_>,
    f: &Facts<'_>,
    kind: HopKind,
    warnings: &mut Vec<Warning>,
) {
    match kind {
        HopKind::RemoteGateway => match (f.gateways, f.target_dc) {
            (Some(gw), _) => unaddressed(Some(gw), "mesh gateway", true, warnings),
            (None, None) => warnings.push(unknown_datacenter(
                f.datacenter,
                "its mesh gateways are unknown, so the route is unreachable as far as the inputs tell",
            )),
            (None, Some(_)) => warnings.push(no_gateway(f.datacenter, f.partition)),
        },
        HopKind::LocalGateway => {
            local_gateway_warnings(dc, proxy.partition, down.gateways, warnings);
            if down.gateways.is_some_and(|gw| !gw.lan.is_empty()) && f.gateways.is_none() {
                let why = if f.target_dc.is_none() {
                    format!("datacenter {:?} is not among the inputs", f.datacenter)
                } else {
                    no_gateway_message(f.datacenter, f.partition)
                };
                warnings.push(Warning::new(
                    WarningKind::NowhereToForward,
                    format!("the local mesh gateways have nowhere to forward: {why}"),
                ));
            }
        }
        HopKind::Direct => instance_warnings(f, warnings),
    }
}

/// A route from its parts: the upstream as written (`f`), what was decided for its primary
/// target.
#[inline]
pub(crate) fn route_of<'t>(
    cx: &Cx<'t, '_>,
    f: &Facts<'t>,
    (mode, decided_by): (MeshGatewayMode, Layer),
    sni: Option<Arc<str>>,
    next_hop: NextHop<'t>,
    warnings: Vec<Warning>,
) -> Route<'t> {
    let local_dc = cx.dc.name();
    Route {
        datacenter: local_dc,
        service: cx.proxy.service,
        proxy: cx.proxy.id,
        upstream: UpstreamRef {
            name: f.name,
            destination_type: f.kind,
            namespace: f.namespace,
            partition: f.partition,
            peer: f.peer,
            datacenter: if f.peer.is_some() {
                local_dc
            } else {
                f.datacenter
            },
            local_bind_port: f.local_bind_port,
        },
        mode,
        decided_by,
        sni,
        next_hop,
        warnings,
        chain: None,
    }
}

/// What resolution reads of the downstream, once per proxy: its service-defaults, the layers
/// that depend only on the proxy, and the mesh gateways of its own datacenter and partition.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Downstream<'t> {
    pub(crate) service_defaults: Option<&'t ServiceDefaults>,
    /// The service instance, upstream defaults, service-defaults and proxy-defaults layers.
    pub(crate) layers: Layers,
    pub(crate) gateways: Option<&'t Addresses>,
}

impl<'t> Downstream<'t> {
    pub(crate) fn of(dc: &'t Datacenter, proxy: &Proxy) -> Self {
        Self::new(
            dc,
            dc.service_defaults(&proxy.service),
            proxy.mode,
            dc.gateways_of(&proxy.partition),
        )
    }

    /// From the plan of a proxy of `dc`.
    pub(crate) fn of_plan(dc: &'t Datacenter, p: &ProxyPlan) -> Self {
        Self::new(
            dc,
            dc.service_defaults_at(p.service_defaults as usize),
            p.mode,
            dc.gateways_at(p.gateways as usize),
        )
    }

    fn new(
        dc: &Datacenter,
        service_defaults: Option<&'t ServiceDefaults>,
        instance: MeshGatewayMode,
        gateways: Option<&'t Addresses>,
    ) -> Self {
        let mut layers = Layers {
            service_instance: instance,
            ..Layers::default()
        };
        if let Some(sd) = service_defaults {
            layers.service_defaults = sd.mesh_gateway.mode;
            if let Some(d) = sd
                .upstream_config
                .as_ref()
                .and_then(|uc| uc.defaults.as_ref())
            {
                layers.upstream_defaults = d.mesh_gateway.mode;
            }
        }
        if let Some(pd) = dc.proxy_defaults() {
            layers.proxy_defaults = pd.mesh_gateway.mode;
        }
        Self {
            service_defaults,
            layers,
            gateways,
        }
    }
}

/// What a route reads of its proxy.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ProxyView<'t> {
    pub(crate) id: &'t str,
    pub(crate) service: &'t str,
    pub(crate) partition: &'t str,
}

impl<'t> ProxyView<'t> {
    pub(crate) fn of(proxy: &'t Proxy) -> Self {
        Self {
            id: &proxy.id,
            service: &proxy.service,
            partition: &proxy.partition,
        }
    }

    pub(crate) fn of_plan(dc: &'t Datacenter, p: &ProxyPlan) -> Self {
        Self {
            id: dc.plan.name(p.id),
            service: dc.plan.name(p.service),
            partition: dc.plan.name(p.partition),
        }
    }
}

const EMPTY: &[String] = &[];

/// Where a route of `kind` goes: the datacenter of the hop and the addresses dialed. A pure
/// function of the topology, so a [`Resolution`](crate::resolve::Resolution) keeps only the kind.
pub(crate) fn next_hop<'t>(
    dc: &'t Datacenter,
    f: &Facts<'t>,
    kind: HopKind,
    local_gateways: Option<&'t Addresses>,
) -> NextHop<'t> {
    let (datacenter, addresses) = match kind {
        HopKind::LocalGateway => (Some(dc.name()), local_gateways.map_or(EMPTY, |a| &a.lan)),
        HopKind::RemoteGateway if f.peer.is_some() => (None, EMPTY),
        HopKind::RemoteGateway => (Some(f.datacenter), f.gateways.map_or(EMPTY, |a| &a.wan)),
        HopKind::Direct if f.peer.is_some() || f.kind == DestinationType::PreparedQuery => {
            (Some(f.datacenter), EMPTY)
        }
        // Local or not, the destination's datacenter is the one its name says (the proxy's
        // own when local): its instances at their service address from within, else WAN.
        HopKind::Direct => (
            Some(f.datacenter),
            f.endpoints
                .map_or(EMPTY, |ep| if f.local { &ep.lan } else { &ep.wan }),
        ),
    };
    NextHop {
        kind,
        datacenter,
        addresses,
    }
}

/// What is worth saying about `gateways`, the mesh gateways of the proxy's own datacenter
/// and partition.
fn local_gateway_warnings(
    dc: &Datacenter,
    proxy_partition: &str,
    gateways: Option<&Addresses>,
    warnings: &mut Vec<Warning>,
) {
    unaddressed(gateways, "mesh gateway", false, warnings);
    if gateways.is_none() {
        warnings.push(no_gateway(dc.name(), proxy_partition));
    }
}

/// What is worth saying about the destination's instances (no target: the datacenter is not
/// among the inputs).
fn instance_warnings(f: &Facts<'_>, warnings: &mut Vec<Warning>) {
    let target_dc = f.datacenter;
    if f.target_dc.is_none() {
        let what = format!("its instances of {:?} are unknown", f.name);
        warnings.push(unknown_datacenter(target_dc, &what));
        return;
    }
    let wan = !f.local;
    unaddressed(f.endpoints, "instance", wan, warnings);
    if f.endpoints.is_none() {
        warnings.push(Warning::new(
            WarningKind::NoInstance,
            format!(
                "no connect-enabled instance of {:?} is registered in datacenter {target_dc:?}",
                f.name
            ),
        ));
    }
}

/// The instances left out of the addresses dialed (`wan` from another datacenter).
fn unaddressed(a: Option<&Addresses>, what: &str, wan: bool, warnings: &mut Vec<Warning>) {
    let n = a.map_or(0, |a| {
        if wan {
            a.wan_unaddressed
        } else {
            a.unaddressed
        }
    });
    if n > 0 {
        warnings.push(Warning::new(
            WarningKind::Unaddressed,
            format!(
                "{n} {what}(s) left out: no address or port in the inputs (Consul uses the node's address; a Kubernetes pod's or Nomad allocation's is known only at run time; Consul assigns sidecar ports at registration)"
            ),
        ));
    }
}

/// A datacenter that is not among the inputs, and what that means.
fn unknown_datacenter(dc: &str, what: &str) -> Warning {
    Warning::new(
        WarningKind::UnknownDatacenter,
        format!("datacenter {dc:?} is not among the inputs: {what}"),
    )
}

fn no_gateway(dc: &str, partition: &str) -> Warning {
    Warning::new(WarningKind::NoGateway, no_gateway_message(dc, partition))
}

fn no_gateway_message(dc: &str, partition: &str) -> String {
    if partition == "default" {
        format!("no mesh gateway is registered in datacenter {dc:?}: unreachable")
    } else {
        format!(
            "no mesh gateway of partition {partition:?} is registered in datacenter {dc:?}: unreachable"
        )
    }
}

/// The SNI names of one resolution, shared between the routes to one target: one slot per
/// distinct name of the plan (a route read from the models has no slot and builds its own).
#[derive(Default)]
pub(crate) struct SniCache {
    pub(crate) names: Vec<Option<Arc<str>>>,
}

impl SniCache {
    pub(crate) fn with_slots(slots: u32) -> Self {
        Self {
            names: vec![None; slots as usize],
        }
    }

    /// The name of `slot`, built the first time; returned when `want` (else only kept).
    #[inline]
    pub(crate) fn get(
        &mut self,
        slot: Option<u32>,
        want: bool,
        build: impl FnOnce() -> String,
    ) -> Option<Arc<str>> {
        match slot.and_then(|i| self.names.get_mut(i as usize)) {
            Some(Some(name)) => want.then(|| Arc::clone(name)),
            Some(empty) => {
                let name = empty.insert(Arc::from(build()));
                want.then(|| Arc::clone(name))
            }
            None => want.then(|| Arc::from(build())),
        }
    }
}
