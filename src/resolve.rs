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
//! let route = &res.routes[0];
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

use crate::config_entry::ServiceDefaults;
use crate::mode::MeshGatewayMode;
use crate::service::{DestinationType, Upstream};
use crate::sni;
use crate::topology::{Datacenter, Proxy, Topology};

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

/// Every route of a topology.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Resolution<'t> {
    /// The trust domain used for SNI names.
    pub trust_domain: Option<&'t str>,
    /// One route per upstream, by datacenter name, then proxy load order, then upstream order.
    pub routes: Vec<Route<'t>>,
    /// Problems not tied to one route (no trust domain, topology warnings).
    #[serde(skip)]
    pub warnings: Vec<String>,
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
        RoutesIter {
            topo: self,
            keep,
            dc: 0,
            proxy: 0,
            up: 0,
            sd_down: None,
            cache: SniCache::default(),
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
            .flat_map(Datacenter::proxies)
            .map(|p| p.upstreams.len())
            .sum();
        let mut routes = Vec::with_capacity(n);
        routes.extend(self.routes_where(keep));
        Resolution {
            trust_domain: self.trust_domain(),
            routes,
            warnings,
        }
    }

    /// The value of every layer for `upstream` of `proxy` in `dc`.
    pub fn layers(&self, dc: &Datacenter, proxy: &Proxy, upstream: &Upstream) -> Layers {
        layers_with(dc, dc.service_defaults(&proxy.service), proxy, upstream).0
    }

    /// Resolves one upstream of `proxy` in `dc`.
    pub fn resolve_upstream<'t>(
        &'t self,
        dc: &'t Datacenter,
        proxy: &'t Proxy,
        upstream: &'t Upstream,
    ) -> Route<'t> {
        self.resolve_with(
            dc,
            dc.service_defaults(&proxy.service),
            proxy,
            upstream,
            &mut SniCache::default(),
        )
    }
}

/// The layers, and the destination's service-defaults when read.
fn layers_with<'t>(
    dc: &'t Datacenter,
    sd_down: Option<&ServiceDefaults>,
    proxy: &Proxy,
    upstream: &Upstream,
) -> (Layers, Option<&'t ServiceDefaults>) {
    let mut l = Layers {
        upstream: upstream.mesh_gateway.mode,
        service_instance: proxy.mode,
        ..Layers::default()
    };
    if let Some(sd) = sd_down {
        l.service_defaults = sd.mesh_gateway.mode;
        if let Some(uc) = &sd.upstream_config {
            if let Some(d) = &uc.defaults {
                l.upstream_defaults = d.mesh_gateway.mode;
            }
            if upstream.destination_type == DestinationType::Service
                && let Some(o) = sd.override_for(
                    &upstream.destination_name,
                    upstream.namespace(),
                    upstream.partition(),
                    upstream
                        .destination_peer
                        .as_deref()
                        .filter(|p| !p.is_empty()),
                )
            {
                l.upstream_override = o.mesh_gateway.mode;
            }
        }
    }
    if let Some(pd) = dc.proxy_defaults() {
        l.proxy_defaults = pd.mesh_gateway.mode;
    }
    let mut dest = None;
    if upstream.destination_type == DestinationType::Service
        && peer_of(upstream).is_none()
        && let Some(sd) = dc.service_defaults(&upstream.destination_name)
    {
        l.destination_defaults = sd.mesh_gateway.mode;
        l.destination_external = sd.external_sni.as_deref().is_some_and(|s| !s.is_empty());
        dest = Some(sd);
    }
    (l, dest)
}

impl Topology {
    fn resolve_with<'t>(
        &'t self,
        dc: &'t Datacenter,
        sd_down: Option<&ServiceDefaults>,
        proxy: &'t Proxy,
        upstream: &'t Upstream,
        cache: &mut SniCache<'t>,
    ) -> Route<'t> {
        let (layers, dest_sd) = layers_with(dc, sd_down, proxy, upstream);
        let local_dc = dc.name();
        let target_dc = upstream
            .datacenter
            .as_deref()
            .filter(|d| !d.is_empty())
            .unwrap_or(local_dc);
        let target_part = upstream.partition();
        let peer = peer_of(upstream);
        let mut warnings = Vec::new();
        let td = self.trust_domain();
        let (mode, decided_by) = if peer.is_some() {
            layers.decide_peered()
        } else if upstream.destination_type == DestinationType::PreparedQuery {
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
        let mut hop = NextHop {
            kind: HopKind::Direct,
            datacenter: Some(target_dc),
            addresses: EMPTY,
        };
        let sni;
        if let Some(peer) = peer {
            sni = None;
            if upstream
                .datacenter
                .as_deref()
                .is_some_and(|d| !d.is_empty())
            {
                warnings.push(
                    "upstream cannot specify both destination peer and datacenter (Consul rejects this registration)"
                        .to_owned(),
                );
            }
            if mode == MeshGatewayMode::Local {
                hop = self.local_gateways(dc, proxy, &mut warnings);
            } else {
                if mode == MeshGatewayMode::None {
                    warnings.push(format!(
                        "invalid mesh gateway mode 'none', defaulting to 'remote' for \"{}?peer={peer}\"",
                        upstream.destination_name
                    ));
                }
                hop = NextHop {
                    kind: HopKind::RemoteGateway,
                    datacenter: None,
                    addresses: EMPTY,
                };
                warnings.push(format!(
                    "peer {peer:?}: its mesh gateway addresses and the SNI come from the peering at run time, not from configuration"
                ));
            }
        } else if upstream.destination_type == DestinationType::PreparedQuery {
            // Prepared queries never use gateways: the query's results, dialed directly.
            sni = td.map(|td| {
                cache.get((1, &upstream.destination_name, "", "", target_dc), || {
                    sni::query_sni(&upstream.destination_name, target_dc, td)
                })
            });
        } else {
            let external = dest_sd
                .and_then(|sd| sd.external_sni.as_deref())
                .filter(|s| !s.is_empty());
            sni = match external {
                Some(ext) => Some(cache.get((2, ext, "", "", ""), || ext.to_owned())),
                None => td.map(|td| {
                    let ns = upstream.namespace();
                    cache.get(
                        (0, &upstream.destination_name, ns, target_part, target_dc),
                        || {
                            sni::service_sni(
                                &upstream.destination_name,
                                "",
                                ns,
                                target_part,
                                target_dc,
                                td,
                            )
                        },
                    )
                }),
            };
            let same = target_dc == local_dc && target_part == proxy.partition;
            if same {
                hop.addresses = instances(Some(dc), target_dc, upstream, false, &mut warnings);
            } else {
                match mode {
                    MeshGatewayMode::Remote => {
                        hop.kind = HopKind::RemoteGateway;
                        match self.datacenter(target_dc) {
                            Some(t) if t.has_gateways(target_part) => {
                                hop.addresses = t.gateway_addresses(target_part, true);
                                unaddressed(
                                    t.gateways_of(target_part),
                                    "mesh gateway",
                                    &mut warnings,
                                );
                            }
                            _ => warnings.push(no_gateway(target_dc, target_part)),
                        }
                    }
                    MeshGatewayMode::Local => {
                        hop = self.local_gateways(dc, proxy, &mut warnings);
                        if !hop.addresses.is_empty()
                            && !self
                                .datacenter(target_dc)
                                .is_some_and(|t| t.has_gateways(target_part))
                        {
                            warnings.push(format!(
                                "the local mesh gateways have nowhere to forward: {}",
                                no_gateway(target_dc, target_part)
                            ));
                        }
                    }
                    _ => {
                        hop.addresses = instances(
                            self.datacenter(target_dc),
                            target_dc,
                            upstream,
                            true,
                            &mut warnings,
                        );
                    }
                }
            }
        }
        if td.is_none() && peer.is_none() && sni.is_none() {
            warnings.push("no SNI: the trust domain is unknown".to_owned());
        }
        Route {
            datacenter: local_dc,
            service: &proxy.service,
            proxy: &proxy.id,
            upstream: UpstreamRef {
                name: &upstream.destination_name,
                kind: upstream.destination_type,
                namespace: upstream.namespace(),
                partition: target_part,
                peer,
                datacenter: if peer.is_some() { local_dc } else { target_dc },
                local_bind_port: upstream.local_bind_port,
            },
            mode,
            decided_by,
            sni,
            next_hop: hop,
            warnings,
        }
    }

    #[allow(clippy::unused_self)] // a method, like the other hops' helpers
    fn local_gateways<'t>(
        &'t self,
        dc: &'t Datacenter,
        proxy: &Proxy,
        warnings: &mut Vec<String>,
    ) -> NextHop<'t> {
        let addresses = dc.gateway_addresses(&proxy.partition, false);
        unaddressed(dc.gateways_of(&proxy.partition), "mesh gateway", warnings);
        if addresses.is_empty() && !dc.has_gateways(&proxy.partition) {
            warnings.push(no_gateway(dc.name(), &proxy.partition));
        }
        NextHop {
            kind: HopKind::LocalGateway,
            datacenter: Some(dc.name()),
            addresses,
        }
    }
}

/// The destination's instances in `target` (`None`: the datacenter is not among the inputs).
fn instances<'t>(
    target: Option<&'t Datacenter>,
    target_dc: &str,
    upstream: &Upstream,
    wan: bool,
    warnings: &mut Vec<String>,
) -> &'t [String] {
    let Some(t) = target else {
        warnings.push(format!(
            "datacenter {target_dc:?} is not among the inputs: its instances of {:?} are unknown",
            upstream.destination_name
        ));
        return EMPTY;
    };
    let ep = t.endpoints(&upstream.destination_name);
    unaddressed(ep.map(|e| &e.addresses), "instance", warnings);
    match ep {
        Some(ep) if wan => &ep.addresses.wan,
        Some(ep) => &ep.addresses.lan,
        None => {
            warnings.push(format!(
                "no connect-enabled instance of {:?} is registered in datacenter {target_dc:?}",
                upstream.destination_name
            ));
            EMPTY
        }
    }
}

fn unaddressed(a: Option<&crate::topology::Addresses>, what: &str, warnings: &mut Vec<String>) {
    if let Some(a) = a.filter(|a| a.unaddressed > 0) {
        warnings.push(format!(
            "{} {what}(s) left out: no address or port in the inputs (Consul uses the node's address, and assigns sidecar ports at registration)",
            a.unaddressed
        ));
    }
}

/// The SNI names of one resolution, shared between the routes to one target:
/// (form, name, namespace, partition, datacenter) → name.
#[derive(Default)]
struct SniCache<'t> {
    names: HashMap<SniKey<'t>, Arc<str>, crate::topology::Fnv>,
}

type SniKey<'t> = (u8, &'t str, &'t str, &'t str, &'t str);

impl<'t> SniCache<'t> {
    fn get(&mut self, key: SniKey<'t>, build: impl FnOnce() -> String) -> Arc<str> {
        Arc::clone(self.names.entry(key).or_insert_with(|| Arc::from(build())))
    }
}

/// [`Topology::routes`]: datacenters, proxies, upstreams, one route at a time.
struct RoutesIter<'t, F> {
    topo: &'t Topology,
    keep: F,
    dc: usize,
    proxy: usize,
    up: usize,
    sd_down: Option<&'t ServiceDefaults>,
    cache: SniCache<'t>,
}

impl<'t, F: Fn(&Datacenter) -> bool> Iterator for RoutesIter<'t, F> {
    type Item = Route<'t>;

    fn next(&mut self) -> Option<Route<'t>> {
        loop {
            let dc = self.topo.datacenters().get(self.dc)?;
            if !(self.keep)(dc) {
                self.dc += 1;
                continue;
            }
            let Some(proxy) = dc.proxies().get(self.proxy) else {
                self.dc += 1;
                self.proxy = 0;
                self.up = 0;
                continue;
            };
            if self.up == 0 {
                self.sd_down = dc.service_defaults(&proxy.service);
            }
            let Some(up) = proxy.upstreams.get(self.up) else {
                self.proxy += 1;
                self.up = 0;
                continue;
            };
            self.up += 1;
            return Some(
                self.topo
                    .resolve_with(dc, self.sd_down, proxy, up, &mut self.cache),
            );
        }
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
