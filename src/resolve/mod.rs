//! Resolution: for every upstream of every connect proxy, the effective mesh gateway mode,
//! the layer that decided it, the SNI the sidecar sends, and where the connection goes next.
//!
//! The layers, highest first (Consul's `MergeServiceConfig`, `ComputeResolvedServiceConfig`
//! and the discovery chain compiler, see `docs/resolution.md`):
//!
//! 1. the upstream definition's `mesh_gateway` ([`Layer::Upstream`]);
//! 2. the downstream's service-defaults `UpstreamConfig.Overrides` for that upstream
//!    ([`Layer::UpstreamOverride`]);
//! 3. the proxy registration's own `proxy.mesh_gateway` ([`Layer::ServiceInstance`]);
//! 4. the downstream's service-defaults `UpstreamConfig.Defaults` ([`Layer::UpstreamDefaults`]);
//! 5. the downstream's service-defaults `MeshGateway` ([`Layer::ServiceDefaults`]);
//! 6. proxy-defaults `MeshGateway` ([`Layer::ProxyDefaults`]);
//! 7. only when all of those say nothing, the destination's own service-defaults
//!    ([`Layer::DestinationDefaults`]); a destination with `ExternalSNI` is always dialed
//!    directly, whatever the layers above say;
//! 8. otherwise [`Layer::Default`]: no gateway.
//!
//! ```
//! use meshroute::resolve::{HopKind, Layer};
//! use meshroute::topology::Topology;
//! use meshroute::{ConfigEntry, MeshGatewayConfig, MeshGatewayMode, ProxyConfig, ProxyDefaults};
//! use meshroute::{ServiceDefinition, ServiceKind, Upstream};
//!
//! let mut pd = ProxyDefaults::default();
//! pd.mesh_gateway = MeshGatewayConfig::new(MeshGatewayMode::Local);
//!
//! let mut api = Upstream::service("api");
//! api.datacenter = Some("dc2".into());
//! api.local_bind_port = Some(10000);
//! let mut proxy = ProxyConfig::default();
//! proxy.destination_service_name = Some("web".into());
//! proxy.upstreams.push(api);
//! let mut sidecar = ServiceDefinition::default();
//! sidecar.kind = ServiceKind::ConnectProxy;
//! sidecar.name = "web-sidecar-proxy".into();
//! sidecar.proxy = Some(proxy);
//!
//! let mut gw = ServiceDefinition::default();
//! gw.kind = ServiceKind::MeshGateway;
//! gw.name = "mesh-gateway".into();
//! gw.address = Some("10.1.0.5".into());
//! gw.port = Some(8443);
//!
//! let mut b = Topology::builder();
//! b.trust_domain("11111111-2222-3333-4444-555555555555.consul");
//! b.add_config_entry("dc1", ConfigEntry::ProxyDefaults(pd));
//! b.add_service("dc1", sidecar);
//! b.add_service("dc1", gw);
//! let topo = b.build();
//!
//! let res = topo.resolve();
//! let route = res.get(0).unwrap();
//! assert_eq!(route.mode, MeshGatewayMode::Local);
//! assert_eq!(route.decided_by, Layer::ProxyDefaults);
//! assert_eq!(
//!     route.sni.as_deref(),
//!     Some("api.default.dc2.internal.11111111-2222-3333-4444-555555555555.consul")
//! );
//! assert_eq!(route.next_hop.kind, HopKind::LocalGateway);
//! assert_eq!(route.next_hop.addresses, ["10.1.0.5:8443"]);
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::model::config_entry::ServiceDefaults;
use crate::model::mode::MeshGatewayMode;
use crate::model::service::{DestinationType, Upstream};
use crate::sni;
use crate::topology::{
    Addresses, Datacenter, Endpoints, Fnv, NONE, Plan, Proxy, ProxyPlan, Step, Target, Topology,
};

/// The configuration layer that decided an upstream's mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Layer {
    /// The upstream definition's own `mesh_gateway`.
    Upstream,
    /// The downstream's service-defaults `UpstreamConfig.Overrides` entry for the upstream.
    UpstreamOverride,
    /// The proxy registration's `proxy.mesh_gateway` (the service instance).
    ServiceInstance,
    /// The downstream's service-defaults `UpstreamConfig.Defaults`.
    UpstreamDefaults,
    /// The downstream's service-defaults `MeshGateway`.
    ServiceDefaults,
    /// The `proxy-defaults` entry's `MeshGateway`.
    ProxyDefaults,
    /// The destination service's own service-defaults (its `MeshGateway`, or `ExternalSNI`).
    DestinationDefaults,
    /// Nothing said anything: Consul's default.
    Default,
}

impl Layer {
    /// Every layer, highest precedence first.
    pub const ALL: [Self; 8] = [
        Self::Upstream,
        Self::UpstreamOverride,
        Self::ServiceInstance,
        Self::UpstreamDefaults,
        Self::ServiceDefaults,
        Self::ProxyDefaults,
        Self::DestinationDefaults,
        Self::Default,
    ];

    /// The name the CLI and JSON use: `upstream`, `upstream-override`, `service-instance`,
    /// `upstream-defaults`, `service-defaults`, `proxy-defaults`, `destination-defaults`,
    /// `default`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Upstream => "upstream",
            Self::UpstreamOverride => "upstream-override",
            Self::ServiceInstance => "service-instance",
            Self::UpstreamDefaults => "upstream-defaults",
            Self::ServiceDefaults => "service-defaults",
            Self::ProxyDefaults => "proxy-defaults",
            Self::DestinationDefaults => "destination-defaults",
            Self::Default => "default",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Layer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The mode each layer states for one upstream ([`MeshGatewayMode::Default`]: nothing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Layers {
    /// [`Layer::Upstream`].
    pub upstream: MeshGatewayMode,
    /// [`Layer::UpstreamOverride`].
    pub upstream_override: MeshGatewayMode,
    /// [`Layer::ServiceInstance`].
    pub service_instance: MeshGatewayMode,
    /// [`Layer::UpstreamDefaults`].
    pub upstream_defaults: MeshGatewayMode,
    /// [`Layer::ServiceDefaults`].
    pub service_defaults: MeshGatewayMode,
    /// [`Layer::ProxyDefaults`].
    pub proxy_defaults: MeshGatewayMode,
    /// [`Layer::DestinationDefaults`].
    pub destination_defaults: MeshGatewayMode,
    /// Whether the destination's service-defaults sets `ExternalSNI`.
    pub destination_external: bool,
}

impl Layers {
    /// The value of one layer ([`Layer::Default`] has none).
    pub const fn get(&self, layer: Layer) -> MeshGatewayMode {
        match layer {
            Layer::Upstream => self.upstream,
            Layer::UpstreamOverride => self.upstream_override,
            Layer::ServiceInstance => self.service_instance,
            Layer::UpstreamDefaults => self.upstream_defaults,
            Layer::ServiceDefaults => self.service_defaults,
            Layer::ProxyDefaults => self.proxy_defaults,
            Layer::DestinationDefaults => self.destination_defaults,
            Layer::Default => MeshGatewayMode::Default,
        }
    }

    /// Sets one layer (setting [`Layer::Default`] does nothing).
    pub fn set(&mut self, layer: Layer, mode: MeshGatewayMode) {
        match layer {
            Layer::Upstream => self.upstream = mode,
            Layer::UpstreamOverride => self.upstream_override = mode,
            Layer::ServiceInstance => self.service_instance = mode,
            Layer::UpstreamDefaults => self.upstream_defaults = mode,
            Layer::ServiceDefaults => self.service_defaults = mode,
            Layer::ProxyDefaults => self.proxy_defaults = mode,
            Layer::DestinationDefaults => self.destination_defaults = mode,
            Layer::Default => {}
        }
    }

    /// The mode the dialing side produces (Consul's `OverrideMeshGateway` for the chain): the
    /// first stated mode of layers 1–6, with the layer.
    pub fn dialing_side(&self) -> Option<(MeshGatewayMode, Layer)> {
        Layer::ALL[..6]
            .iter()
            .map(|&l| (self.get(l), l))
            .find(|(m, _)| !m.is_default())
    }

    /// The effective mode of a service upstream and the layer that decided it (§9 of the
    /// reference notes). Never [`MeshGatewayMode::Default`]: the default is `none`.
    ///
    /// ```
    /// use meshroute::MeshGatewayMode;
    /// use meshroute::resolve::{Layer, Layers};
    ///
    /// let mut l = Layers::default();
    /// l.proxy_defaults = MeshGatewayMode::Local;
    /// l.destination_defaults = MeshGatewayMode::Remote; // only read when nothing else speaks
    /// assert_eq!(l.decide(), (MeshGatewayMode::Local, Layer::ProxyDefaults));
    /// ```
    pub fn decide(&self) -> (MeshGatewayMode, Layer) {
        if self.destination_external {
            return (MeshGatewayMode::None, Layer::DestinationDefaults);
        }
        if let Some(d) = self.dialing_side() {
            return d;
        }
        if !self.destination_defaults.is_default() {
            return (self.destination_defaults, Layer::DestinationDefaults);
        }
        (MeshGatewayMode::None, Layer::Default)
    }

    /// The mode of a peered upstream: the upstream's merged mode (layers 1–6; the
    /// destination's service-defaults are not read, there is no discovery chain), `remote`
    /// when nothing is stated.
    pub fn decide_peered(&self) -> (MeshGatewayMode, Layer) {
        self.dialing_side()
            .unwrap_or((MeshGatewayMode::Remote, Layer::Default))
    }
}

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
        f.write_str(self.as_str())
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
    #[serde(rename = "type")]
    pub kind: DestinationType,
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
    /// What is wrong or worth knowing about this route.
    pub warnings: Vec<String>,
}

/// Every route of a topology: [`Topology::resolve`]'s result.
///
/// Kept compactly: 24 bytes a route (which upstream of which proxy, and what was decided:
/// mode, layer, hop kind, SNI, warnings), so that resolving a million upstreams writes 24 MB
/// instead of 220 MB of [`Route`]s (see docs/performance.md). The routes are read back, each
/// as a [`Route`], with [`Resolution::routes`] or [`Resolution::get`]; the parts of a route
/// that are not decisions (names, the addresses of the hop) are the topology's own.
///
/// ```
/// use meshroute::Topology;
///
/// let mut b = Topology::builder();
/// b.add_datacenter("dc1");
/// let topo = b.build();
/// let res = topo.resolve();
/// assert!(res.is_empty());
/// assert_eq!(res.routes().count(), 0);
/// assert_eq!(res.warnings, [meshroute::resolve::NO_TRUST_DOMAIN]);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Resolution<'t> {
    /// The trust domain used for SNI names.
    pub trust_domain: Option<&'t str>,
    /// Problems not tied to one route (no trust domain, topology warnings).
    pub warnings: Vec<String>,
    topo: &'t Topology,
    entries: Vec<Entry>,
    snis: Vec<Option<Arc<str>>>,
    route_warnings: Vec<String>,
}

/// One route of a [`Resolution`]: where it is in the topology, and what was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    dc: u32,
    proxy: u32,
    step: u32,
    /// The SNI name's slot in [`Resolution::snis`], [`NO_SNI`] for none.
    sni: u32,
    /// The end of the route's warnings in [`Resolution::route_warnings`] (they start where
    /// the previous route's end).
    warnings_end: u32,
    mode: MeshGatewayMode,
    decided_by: Layer,
    hop: HopKind,
}

const NO_SNI: u32 = u32::MAX;

impl<'t> Resolution<'t> {
    /// The number of routes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no route.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The route at `index` (datacenter name order, then proxy load order, then upstream
    /// order).
    pub fn get(&self, index: usize) -> Option<Route<'t>> {
        let e = self.entries.get(index)?;
        let start = index
            .checked_sub(1)
            .and_then(|i| self.entries.get(i))
            .map_or(0, |p| p.warnings_end as usize);
        let dc = self.topo.datacenters().get(e.dc as usize)?;
        let pp = dc.plan.proxies.get(e.proxy as usize)?;
        let proxy = ProxyView::of_plan(dc, pp);
        let step = dc.plan.steps.get(e.step as usize)?;
        let f = Facts::of_step(self.topo, step, dc.plan.targets.get(step.target as usize)?);
        let sni = self.snis.get(e.sni as usize).and_then(Clone::clone);
        let warnings = self
            .route_warnings
            .get(start..e.warnings_end as usize)
            .unwrap_or_default()
            .to_vec();
        let down = Downstream::of_plan(dc, pp);
        let hop = next_hop(dc, &f, e.hop, down.gateways);
        Some(route_of(
            dc,
            &proxy,
            &f,
            (e.mode, e.decided_by),
            sni,
            hop,
            warnings,
        ))
    }

    /// The routes, one at a time, in order.
    pub fn routes(&self) -> Routes<'_, 't> {
        Routes {
            resolution: self,
            range: 0..self.entries.len(),
        }
    }

    /// The routes, collected.
    pub fn to_vec(&self) -> Vec<Route<'t>> {
        self.routes().collect()
    }
}

/// The routes of a [`Resolution`], read one at a time ([`Resolution::routes`]).
#[derive(Clone, Debug)]
pub struct Routes<'r, 't> {
    resolution: &'r Resolution<'t>,
    range: std::ops::Range<usize>,
}

impl<'t> Iterator for Routes<'_, 't> {
    type Item = Route<'t>;

    fn next(&mut self) -> Option<Route<'t>> {
        let res = self.resolution;
        self.range.find_map(|i| res.get(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
}

impl DoubleEndedIterator for Routes<'_, '_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let res = self.resolution;
        self.range.by_ref().rev().find_map(|i| res.get(i))
    }
}

impl ExactSizeIterator for Routes<'_, '_> {}

impl fmt::Debug for Resolution<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolution")
            .field("trust_domain", &self.trust_domain)
            .field("routes", &self.to_vec())
            .field("warnings", &self.warnings)
            .finish()
    }
}

impl PartialEq for Resolution<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.trust_domain == other.trust_domain
            && self.warnings == other.warnings
            && self.routes().eq(other.routes())
    }
}

impl Eq for Resolution<'_> {}

/// As the CLI prints it: `{"trust_domain": …, "routes": [ … ]}` (the warnings not tied to a
/// route are left out).
impl Serialize for Resolution<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;

        struct All<'a, 'r, 't>(&'a Resolution<'r>, std::marker::PhantomData<&'t ()>);
        impl Serialize for All<'_, '_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.routes())
            }
        }
        let mut st = s.serialize_struct("Resolution", 2)?;
        st.serialize_field("trust_domain", &self.trust_domain)?;
        st.serialize_field("routes", &All(self, std::marker::PhantomData))?;
        st.end()
    }
}

/// The message for resolution without a trust domain.
pub const NO_TRUST_DOMAIN: &str = "no trust domain: SNI names need one; pass it explicitly (--trust-domain) or include a saved /v1/connect/ca/roots response (its TrustDomain) among the inputs";

const EMPTY: &[String] = &[];

impl Topology {
    /// Resolves every upstream of every proxy of every datacenter.
    pub fn resolve(&self) -> Resolution<'_> {
        self.resolve_where(|_| true)
    }

    /// Resolves every upstream of every proxy of the datacenter `datacenter` (none when it is
    /// unknown).
    pub fn resolve_datacenter(&self, datacenter: &str) -> Resolution<'_> {
        let name = self.datacenter(datacenter).map(Datacenter::name);
        self.resolve_where(move |d| Some(d.name()) == name)
    }

    /// Every route, computed one at a time (datacenter name order, then proxy load order,
    /// then upstream order): [`Topology::resolve`] without collecting them.
    pub fn routes(&self) -> impl Iterator<Item = Route<'_>> + '_ {
        self.routes_where(|_| true)
    }

    fn routes_where<'t>(
        &'t self,
        keep: impl Fn(&Datacenter) -> bool + 't,
    ) -> impl Iterator<Item = Route<'t>> + 't {
        self.routes_iter(keep)
    }

    fn routes_iter<F: Fn(&Datacenter) -> bool>(&self, keep: F) -> RoutesIter<'_, F> {
        RoutesIter {
            topo: self,
            keep,
            dc: 0,
            entered: false,
            proxy: 0,
            up: 0,
            step: 0,
            down: Downstream::default(),
            view: ProxyView::default(),
            last: ((0, 0, 0), None),
            cache: SniCache::with_slots(self.sni_slots),
        }
    }

    fn resolve_where<'t>(
        &'t self,
        keep: impl Fn(&Datacenter) -> bool + Copy + 't,
    ) -> Resolution<'t> {
        let mut warnings = self.warnings().to_vec();
        if self.trust_domain().is_none() {
            warnings.push(NO_TRUST_DOMAIN.to_owned());
        }
        let n = self
            .datacenters()
            .iter()
            .filter(|d| keep(d))
            .map(|d| d.plan.steps.len())
            .sum();
        let mut entries = Vec::with_capacity(n);
        let mut route_warnings = Vec::new();
        let mut it = self.routes_iter(keep);
        let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        while let Some(route) = it.next_route() {
            let (at, slot) = it.last;
            route_warnings.extend(route.warnings);
            entries.push(Entry {
                dc: index(at.0),
                proxy: index(at.1),
                step: index(at.2),
                sni: match (route.sni, slot) {
                    (Some(_), Some(slot)) => slot,
                    _ => NO_SNI,
                },
                warnings_end: index(route_warnings.len()),
                mode: route.mode,
                decided_by: route.decided_by,
                hop: route.next_hop.kind,
            });
        }
        Resolution {
            trust_domain: self.trust_domain(),
            warnings,
            topo: self,
            entries,
            snis: it.cache.names,
            route_warnings,
        }
    }

    /// The value of every layer for `upstream` of `proxy` in `dc`.
    pub fn layers(&self, dc: &Datacenter, proxy: &Proxy, upstream: &Upstream) -> Layers {
        let down = Downstream::of(dc, proxy);
        Facts::of(self, dc, proxy, down.service_defaults, upstream).layers(down.layers)
    }

    /// Resolves one upstream of `proxy` in `dc`.
    pub fn resolve_upstream<'t>(
        &'t self,
        dc: &'t Datacenter,
        proxy: &'t Proxy,
        upstream: &'t Upstream,
    ) -> Route<'t> {
        let down = Downstream::of(dc, proxy);
        let facts = Facts::of(self, dc, proxy, down.service_defaults, upstream);
        let view = ProxyView::of(proxy);
        self.resolve_facts(dc, &down, &view, &facts, &mut SniCache::default())
    }
}

/// What resolution reads of one upstream: who it dials and what the lookups that depend only
/// on the upstream and its datacenter found. Read from the models ([`Facts::of`]) or from the
/// topology's plan ([`Facts::of_step`]); the plan is built with [`Facts::of`], so both agree.
#[derive(Clone, Copy, Debug)]
struct Facts<'t> {
    name: &'t str,
    kind: DestinationType,
    namespace: &'t str,
    partition: &'t str,
    peer: Option<&'t str>,
    /// The destination datacenter (the proxy's when unset).
    datacenter: &'t str,
    datacenter_set: bool,
    /// Whether the destination is in the proxy's own datacenter and partition, where the mode
    /// does not apply (service upstreams).
    local: bool,
    local_bind_port: Option<u16>,
    upstream_mode: MeshGatewayMode,
    override_mode: MeshGatewayMode,
    dest_mode: MeshGatewayMode,
    external_sni: Option<&'t str>,
    target_dc: Option<&'t Datacenter>,
    /// The mesh gateways of the destination's partition in its datacenter.
    gateways: Option<&'t Addresses>,
    /// The destination's connect endpoints in its datacenter.
    endpoints: Option<&'t Endpoints>,
    sni_slot: Option<u32>,
}

impl<'t> Facts<'t> {
    /// From the models: `sd_down` is the downstream's service-defaults.
    fn of(
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
    fn of_step(topo: &'t Topology, step: &Step, t: &'t Target) -> Self {
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

    /// The value of every layer: the upstream's own over `downstream`, the proxy's.
    fn layers(&self, downstream: Layers) -> Layers {
        Layers {
            upstream: self.upstream_mode,
            upstream_override: self.override_mode,
            destination_defaults: self.dest_mode,
            destination_external: self.external_sni.is_some(),
            ..downstream
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

/// Builds every datacenter's plan ([`Datacenter`]'s steps and targets) with [`Facts::of`].
pub(crate) fn plan(topo: &mut Topology) {
    let mut sni_slots: HashMap<SniKey<'_>, u32, Fnv> = HashMap::default();
    let mut plans = Vec::with_capacity(topo.datacenters().len());
    for dc in topo.datacenters() {
        let mut targets: Vec<Target> = Vec::new();
        let mut index: HashMap<TargetKey<'_>, u32, Fnv> = HashMap::default();
        let n = dc.proxies().iter().map(|p| p.upstreams.len()).sum();
        let mut steps = Vec::with_capacity(n);
        let mut proxies = Vec::with_capacity(dc.proxies().len());
        let mut names = String::new();
        let small = |i: usize| u32::try_from(i).unwrap_or(NONE);
        for proxy in dc.proxies() {
            let mut name = |s: &str| {
                let start = small(names.len());
                names.push_str(s);
                [start, small(names.len())]
            };
            proxies.push(ProxyPlan {
                id: name(&proxy.id),
                service: name(&proxy.service),
                partition: name(&proxy.partition),
                upstreams: small(proxy.upstreams.len()),
                service_defaults: dc
                    .service_defaults_index(&proxy.service)
                    .map_or(NONE, small),
                gateways: dc.gateways_index(&proxy.partition).map_or(NONE, small),
                mode: proxy.mode,
            });
            let sd_down = dc.service_defaults(&proxy.service);
            for up in &proxy.upstreams {
                let f = Facts::of(topo, dc, proxy, sd_down, up);
                let next = u32::try_from(targets.len()).unwrap_or(u32::MAX);
                let target = *index.entry(f.target_key()).or_insert_with(|| {
                    let slots = u32::try_from(sni_slots.len()).unwrap_or(u32::MAX);
                    let sni_slot = *sni_slots.entry(f.sni_key()).or_insert(slots);
                    targets.push(Target {
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
                            .and_then(|i| u32::try_from(i).ok()),
                        gateways: f
                            .target_dc
                            .and_then(|t| t.gateways_index(f.partition))
                            .and_then(|i| u32::try_from(i).ok()),
                        endpoints: f
                            .target_dc
                            .and_then(|t| t.endpoints_index(f.name))
                            .and_then(|i| u32::try_from(i).ok()),
                        sni_slot,
                    });
                    next
                });
                steps.push(Step {
                    target,
                    local: f.local,
                    local_bind_port: f.local_bind_port,
                    upstream_mode: f.upstream_mode,
                    override_mode: f.override_mode,
                });
            }
        }
        plans.push(Plan {
            steps,
            targets,
            proxies,
            names,
        });
    }
    let slots = u32::try_from(sni_slots.len()).unwrap_or(u32::MAX);
    drop(sni_slots);
    for (dc, plan) in topo.datacenters.iter_mut().zip(plans) {
        dc.plan = plan;
    }
    topo.sni_slots = slots;
}

impl Topology {
    fn resolve_facts<'t>(
        &'t self,
        dc: &'t Datacenter,
        down: &Downstream<'t>,
        proxy: &ProxyView<'t>,
        f: &Facts<'t>,
        cache: &mut SniCache,
    ) -> Route<'t> {
        let layers = f.layers(down.layers);
        let target_dc = f.datacenter;
        let target_part = f.partition;
        let peer = f.peer;
        let mut warnings = Vec::new();
        let td = self.trust_domain();
        let (mode, decided_by) = if peer.is_some() {
            layers.decide_peered()
        } else if f.kind == DestinationType::PreparedQuery {
            // No central merge into the upstream (Consul's agent skips prepared queries) and
            // no discovery chain: only the upstream's own mode over the instance's merged one.
            Layers {
                upstream_override: MeshGatewayMode::Default,
                upstream_defaults: MeshGatewayMode::Default,
                destination_defaults: MeshGatewayMode::Default,
                destination_external: false,
                ..layers
            }
            .decide()
        } else {
            layers.decide()
        };
        let service = peer.is_none() && f.kind != DestinationType::PreparedQuery;
        let kind = match (peer, mode) {
            (Some(_), MeshGatewayMode::Local) => HopKind::LocalGateway,
            (Some(_), _) => HopKind::RemoteGateway,
            _ if !service || f.local => HopKind::Direct,
            (None, MeshGatewayMode::Remote) => HopKind::RemoteGateway,
            (None, MeshGatewayMode::Local) => HopKind::LocalGateway,
            (None, _) => HopKind::Direct,
        };
        let sni = if peer.is_some() {
            None
        } else if f.kind == DestinationType::PreparedQuery {
            td.map(|td| cache.get(f.sni_slot, || sni::query_sni(f.name, target_dc, td)))
        } else {
            match f.external_sni {
                Some(ext) => Some(cache.get(f.sni_slot, || ext.to_owned())),
                None => td.map(|td| {
                    cache.get(f.sni_slot, || {
                        sni::service_sni(f.name, "", f.namespace, target_part, target_dc, td)
                    })
                }),
            }
        };
        if let Some(peer) = peer {
            if f.datacenter_set {
                warnings.push(
                    "upstream cannot specify both destination peer and datacenter (Consul rejects this registration)"
                        .to_owned(),
                );
            }
            if kind == HopKind::LocalGateway {
                local_gateway_warnings(dc, proxy.partition, down.gateways, &mut warnings);
            } else {
                if mode == MeshGatewayMode::None {
                    warnings.push(format!(
                        "invalid mesh gateway mode 'none', defaulting to 'remote' for \"{}?peer={peer}\"",
                        f.name
                    ));
                }
                warnings.push(format!(
                    "peer {peer:?}: its mesh gateway addresses and the SNI come from the peering at run time, not from configuration"
                ));
            }
        } else if service {
            match kind {
                HopKind::RemoteGateway => match f.gateways {
                    Some(gw) => unaddressed(Some(gw), "mesh gateway", &mut warnings),
                    None => warnings.push(no_gateway(target_dc, target_part)),
                },
                HopKind::LocalGateway => {
                    local_gateway_warnings(dc, proxy.partition, down.gateways, &mut warnings);
                    if down.gateways.is_some_and(|gw| !gw.lan.is_empty()) && f.gateways.is_none() {
                        warnings.push(format!(
                            "the local mesh gateways have nowhere to forward: {}",
                            no_gateway(target_dc, target_part)
                        ));
                    }
                }
                HopKind::Direct => instance_warnings(f, &mut warnings),
            }
        }
        let hop = next_hop(dc, f, kind, down.gateways);
        if td.is_none() && peer.is_none() && sni.is_none() {
            warnings.push("no SNI: the trust domain is unknown".to_owned());
        }
        route_of(dc, proxy, f, (mode, decided_by), sni, hop, warnings)
    }
}

/// A route from its parts.
#[inline]
fn route_of<'t>(
    dc: &'t Datacenter,
    proxy: &ProxyView<'t>,
    f: &Facts<'t>,
    (mode, decided_by): (MeshGatewayMode, Layer),
    sni: Option<Arc<str>>,
    next_hop: NextHop<'t>,
    warnings: Vec<String>,
) -> Route<'t> {
    let local_dc = dc.name();
    Route {
        datacenter: local_dc,
        service: proxy.service,
        proxy: proxy.id,
        upstream: UpstreamRef {
            name: f.name,
            kind: f.kind,
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
    }
}

/// What resolution reads of the downstream, once per proxy: its service-defaults, the layers
/// that depend only on the proxy, and the mesh gateways of its own datacenter and partition.
#[derive(Clone, Copy, Debug, Default)]
struct Downstream<'t> {
    service_defaults: Option<&'t ServiceDefaults>,
    /// The service instance, upstream defaults, service-defaults and proxy-defaults layers.
    layers: Layers,
    gateways: Option<&'t Addresses>,
}

impl<'t> Downstream<'t> {
    fn of(dc: &'t Datacenter, proxy: &Proxy) -> Self {
        Self::new(
            dc,
            dc.service_defaults(&proxy.service),
            proxy.mode,
            dc.gateways_of(&proxy.partition),
        )
    }

    /// From the plan of a proxy of `dc`.
    fn of_plan(dc: &'t Datacenter, p: &ProxyPlan) -> Self {
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
struct ProxyView<'t> {
    id: &'t str,
    service: &'t str,
    partition: &'t str,
}

impl<'t> ProxyView<'t> {
    fn of(proxy: &'t Proxy) -> Self {
        Self {
            id: &proxy.id,
            service: &proxy.service,
            partition: &proxy.partition,
        }
    }

    fn of_plan(dc: &'t Datacenter, p: &ProxyPlan) -> Self {
        Self {
            id: dc.plan.name(p.id),
            service: dc.plan.name(p.service),
            partition: dc.plan.name(p.partition),
        }
    }
}

/// Where a route of `kind` goes: the datacenter of the hop and the addresses dialed. A pure
/// function of the topology, so a [`Resolution`] keeps only the kind.
fn next_hop<'t>(
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
            f.endpoints.map_or(EMPTY, |ep| {
                if f.local {
                    &ep.addresses.lan
                } else {
                    &ep.addresses.wan
                }
            }),
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
    warnings: &mut Vec<String>,
) {
    unaddressed(gateways, "mesh gateway", warnings);
    if gateways.is_none() {
        warnings.push(no_gateway(dc.name(), proxy_partition));
    }
}

/// What is worth saying about the destination's instances (no target: the datacenter is not
/// among the inputs).
fn instance_warnings(f: &Facts<'_>, warnings: &mut Vec<String>) {
    let target_dc = f.datacenter;
    if f.target_dc.is_none() {
        warnings.push(format!(
            "datacenter {target_dc:?} is not among the inputs: its instances of {:?} are unknown",
            f.name
        ));
        return;
    }
    unaddressed(f.endpoints.map(|e| &e.addresses), "instance", warnings);
    if f.endpoints.is_none() {
        warnings.push(format!(
            "no connect-enabled instance of {:?} is registered in datacenter {target_dc:?}",
            f.name
        ));
    }
}

fn unaddressed(a: Option<&Addresses>, what: &str, warnings: &mut Vec<String>) {
    if let Some(a) = a.filter(|a| a.unaddressed > 0) {
        warnings.push(format!(
            "{} {what}(s) left out: no address or port in the inputs (Consul uses the node's address, and assigns sidecar ports at registration)",
            a.unaddressed
        ));
    }
}

/// The SNI names of one resolution, shared between the routes to one target: one slot per
/// distinct name of the plan (a route read from the models has no slot and builds its own).
#[derive(Default)]
struct SniCache {
    names: Vec<Option<Arc<str>>>,
}

impl SniCache {
    fn with_slots(slots: u32) -> Self {
        Self {
            names: vec![None; slots as usize],
        }
    }

    fn get(&mut self, slot: Option<u32>, build: impl FnOnce() -> String) -> Arc<str> {
        match slot.and_then(|i| self.names.get_mut(i as usize)) {
            Some(Some(name)) => Arc::clone(name),
            Some(empty) => Arc::clone(empty.insert(Arc::from(build()))),
            None => Arc::from(build()),
        }
    }
}

/// Where a route is: datacenter, proxy and step indices.
type At = (usize, usize, usize);

/// [`Topology::routes`]: datacenters, proxies, upstreams, one route at a time, read from the
/// plan.
struct RoutesIter<'t, F> {
    topo: &'t Topology,
    keep: F,
    dc: usize,
    /// Whether `keep` accepted the current datacenter.
    entered: bool,
    proxy: usize,
    up: usize,
    step: usize,
    down: Downstream<'t>,
    view: ProxyView<'t>,
    cache: SniCache,
    /// Where the last route is, and the slot of its SNI name.
    last: (At, Option<u32>),
}

impl<'t, F: Fn(&Datacenter) -> bool> RoutesIter<'t, F> {
    /// The next route; [`RoutesIter::last`] then says where it is.
    fn next_route(&mut self) -> Option<Route<'t>> {
        loop {
            let dc = self.topo.datacenters().get(self.dc)?;
            if !self.entered {
                if !(self.keep)(dc) {
                    self.dc += 1;
                    continue;
                }
                self.entered = true;
                self.proxy = 0;
                self.up = 0;
                self.step = 0;
            }
            let Some(pp) = dc.plan.proxies.get(self.proxy) else {
                self.dc += 1;
                self.entered = false;
                continue;
            };
            if self.up == 0 {
                self.down = Downstream::of_plan(dc, pp);
                self.view = ProxyView::of_plan(dc, pp);
            }
            if self.up >= pp.upstreams as usize {
                self.proxy += 1;
                self.up = 0;
                continue;
            }
            let at = (self.dc, self.proxy, self.step);
            self.up += 1;
            self.step += 1;
            let plan = dc.plan.steps.get(at.2).and_then(|s| {
                let t = dc.plan.targets.get(s.target as usize)?;
                Some(Facts::of_step(self.topo, s, t))
            });
            let Some(facts) = plan else {
                // Not reached: the plan has a step and a target per upstream.
                self.dc += 1;
                self.entered = false;
                continue;
            };
            self.last = (at, facts.sni_slot);
            return Some(self.topo.resolve_facts(
                dc,
                &self.down,
                &self.view,
                &facts,
                &mut self.cache,
            ));
        }
    }
}

impl<'t, F: Fn(&Datacenter) -> bool> Iterator for RoutesIter<'t, F> {
    type Item = Route<'t>;

    fn next(&mut self) -> Option<Route<'t>> {
        self.next_route()
    }
}

#[allow(clippy::ref_option)] // serde's `serialize_with` passes a reference to the field
fn ser_sni<S: serde::Serializer>(sni: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    match sni {
        Some(name) => s.serialize_some(&**name),
        None => s.serialize_none(),
    }
}

fn peer_of(upstream: &Upstream) -> Option<&str> {
    upstream
        .destination_peer
        .as_deref()
        .filter(|p| !p.is_empty())
}

fn no_gateway(dc: &str, partition: &str) -> String {
    if partition == "default" {
        format!("no mesh gateway is registered in datacenter {dc:?}: unreachable")
    } else {
        format!(
            "no mesh gateway of partition {partition:?} is registered in datacenter {dc:?}: unreachable"
        )
    }
}

/// One layer's value in an [`Explanation`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LayerValue {
    /// The layer.
    pub layer: Layer,
    /// What it states (`""` for nothing).
    pub mode: MeshGatewayMode,
    /// Where that value is configured.
    pub source: String,
}

/// The layer-by-layer account of one upstream's resolution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Explanation<'t> {
    /// The route.
    pub route: Route<'t>,
    /// Every layer, highest precedence first, with what it states.
    pub layers: Vec<LayerValue>,
    /// Rules that applied beyond the layer order (same datacenter, prepared query, peer,
    /// external destination).
    pub notes: Vec<String>,
}

impl Topology {
    /// Explains the resolution of `upstream` of `proxy` in `dc`.
    pub fn explain<'t>(
        &'t self,
        dc: &'t Datacenter,
        proxy: &'t Proxy,
        upstream: &'t Upstream,
    ) -> Explanation<'t> {
        let route = self.resolve_upstream(dc, proxy, upstream);
        let l = self.layers(dc, proxy, upstream);
        let svc = &proxy.service;
        let name = &upstream.destination_name;
        let dcn = dc.name();
        let src = |layer: Layer| -> String {
            match layer {
                Layer::Upstream => format!("upstream {name:?} of proxy {:?}", proxy.id),
                Layer::UpstreamOverride => {
                    format!("service-defaults/{svc} UpstreamConfig.Overrides[{name}] in {dcn}")
                }
                Layer::ServiceInstance => {
                    format!("proxy.mesh_gateway of registration {:?}", proxy.id)
                }
                Layer::UpstreamDefaults => {
                    format!("service-defaults/{svc} UpstreamConfig.Defaults in {dcn}")
                }
                Layer::ServiceDefaults => format!("service-defaults/{svc} MeshGateway in {dcn}"),
                Layer::ProxyDefaults => format!("proxy-defaults/global MeshGateway in {dcn}"),
                Layer::DestinationDefaults => {
                    format!("service-defaults/{name} MeshGateway in {dcn} (the destination's)")
                }
                Layer::Default => "Consul's default (no gateway)".to_owned(),
            }
        };
        let layers = Layer::ALL
            .iter()
            .map(|&layer| LayerValue {
                layer,
                mode: if layer == Layer::Default && peer_of(upstream).is_some() {
                    MeshGatewayMode::Remote
                } else if layer == Layer::Default {
                    MeshGatewayMode::None
                } else {
                    l.get(layer)
                },
                source: src(layer),
            })
            .collect();
        let mut notes = Vec::new();
        if let Some(peer) = peer_of(upstream) {
            notes.push(format!(
                "peered upstream (peer {peer:?}): no discovery chain, so the destination's service-defaults are not read; local goes to the local gateways, anything else to the peer's"
            ));
        } else if upstream.destination_type == DestinationType::PreparedQuery {
            notes.push(
                "prepared query: never routed through mesh gateways (the query's results are dialed directly, with the query SNI); service-defaults UpstreamConfig is not merged into it and there is no discovery chain"
                    .to_owned(),
            );
        } else {
            if l.destination_external {
                notes.push(format!(
                    "service-defaults/{name} sets ExternalSNI: the destination is external and always dialed directly"
                ));
            }
            if route.upstream.datacenter == dcn && route.upstream.partition == proxy.partition {
                notes.push(
                    "same datacenter and partition: the mode does not apply, the instances are dialed directly"
                        .to_owned(),
                );
            }
        }
        Explanation {
            route,
            layers,
            notes,
        }
    }
}

impl fmt::Display for Explanation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.route;
        writeln!(
            f,
            "{} -> {} (proxy {:?} in datacenter {})",
            r.service, r.upstream.name, r.proxy, r.datacenter
        )?;
        for lv in &self.layers {
            let mark = if lv.layer == r.decided_by { "=>" } else { "  " };
            let mode = if lv.mode.is_default() {
                "-"
            } else {
                lv.mode.as_str()
            };
            writeln!(
                f,
                "{mark} {:<21} {:<7} {}",
                lv.layer.as_str(),
                mode,
                lv.source
            )?;
        }
        writeln!(f, "mode: {} (decided by {})", r.mode, r.decided_by)?;
        writeln!(f, "sni: {}", r.sni.as_deref().unwrap_or("-"))?;
        writeln!(
            f,
            "next hop: {} {} [{}]",
            r.next_hop.kind,
            r.next_hop.datacenter.unwrap_or("-"),
            r.next_hop.addresses.join(", ")
        )?;
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        for w in &r.warnings {
            writeln!(f, "warning: {w}")?;
        }
        Ok(())
    }
}
