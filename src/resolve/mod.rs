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
//! let topo = Topology::builder()
//!     .trust_domain("11111111-2222-3333-4444-555555555555.consul")
//!     .add_config_entry("dc1", ConfigEntry::ProxyDefaults(pd))
//!     .add_service("dc1", sidecar)
//!     .add_service("dc1", gw)
//!     .build();
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

//!
//! The stage's files: `layers` (the precedence rule, [`Layers::decide`]), `decide` (one
//! route from its facts: mode, hop, SNI, warnings), [`route`] (what a route reports),
//! `resolution` (the compact [`Resolution`] and its iterators), `explain` (the
//! layer-by-layer account).

mod chain;
mod decide;
mod explain;
mod layers;
mod resolution;
pub mod route;
mod upstream;

pub use explain::{Explanation, LayerValue};
pub use layers::{Layer, Layers};
pub use resolution::{NO_TRUST_DOMAIN, Resolution, Routes};
pub use route::{HopKind, NextHop, Route, RouteChain, TargetRoute, UpstreamRef};

use crate::topology::compile::Facts;
use crate::topology::upstreams::UpstreamView;
use crate::topology::{Datacenter, Proxy, Topology};
use decide::{Cx, Downstream, ProxyView, SniCache, layers_of};
use upstream::resolve_facts;

/// Resolution's entry points on the topology.
impl Topology {
    /// Resolves every upstream of every proxy of every datacenter.
    pub fn resolve(&self) -> Resolution<'_> {
        Resolution::collect(self, |_| true)
    }

    /// Resolves every upstream of every proxy of the datacenter `datacenter` (none when it is
    /// unknown).
    pub fn resolve_datacenter(&self, datacenter: &str) -> Resolution<'_> {
        let name = self.datacenter(datacenter).map(Datacenter::name);
        Resolution::collect(self, move |d| Some(d.name()) == name)
    }

    /// Every route, computed one at a time (datacenter name order, then proxy load order,
    /// then upstream order): [`Topology::resolve`] without collecting them.
    pub fn routes(&self) -> impl Iterator<Item = Route<'_>> + '_ {
        resolution::RoutesIter::new(self, |_| true)
    }

    /// The value of every layer for `upstream` of `proxy` in `dc` (for an upstream with a
    /// discovery chain, the destination's layer is its primary target's service's).
    ///
    /// `upstream` is one of the proxy's ([`Proxy::upstreams`]) or a model
    /// [`Upstream`](crate::model::service::Upstream) of one's own (`&Upstream`).
    pub fn layers<'a>(
        &'a self,
        dc: &'a Datacenter,
        proxy: &'a Proxy,
        upstream: impl Into<UpstreamView<'a>>,
    ) -> Layers {
        let down = Downstream::of(dc, proxy);
        let f = Facts::of(self, dc, proxy, down.service_defaults, upstream.into());
        layers_of(&primary_facts(self, dc, proxy, &f), down.layers)
    }

    /// Resolves one upstream of `proxy` in `dc`: one of the proxy's
    /// ([`Proxy::upstreams`]) or a model [`Upstream`](crate::model::service::Upstream) of
    /// one's own (`&Upstream`).
    pub fn resolve_upstream<'t>(
        &'t self,
        dc: &'t Datacenter,
        proxy: &'t Proxy,
        upstream: impl Into<UpstreamView<'t>>,
    ) -> Route<'t> {
        let down = Downstream::of(dc, proxy);
        let facts = Facts::of(self, dc, proxy, down.service_defaults, upstream.into());
        let view = ProxyView::of(proxy);
        let cx = Cx {
            topo: self,
            dc,
            down: &down,
            proxy: &view,
        };
        resolve_facts(&cx, &facts, &mut SniCache::default())
    }
}

/// The facts of the primary target of `f`'s chain (`f` itself without one).
fn primary_facts<'t>(
    topo: &'t Topology,
    dc: &Datacenter,
    proxy: &Proxy,
    f: &Facts<'t>,
) -> Facts<'t> {
    let primary = f
        .chain
        .and_then(|i| topo.chains.get(i as usize))
        .and_then(|cp| {
            let chain = cp.chain.as_ref()?;
            Some((
                chain.targets.get(chain.primary)?,
                cp.targets.get(chain.primary)?,
            ))
        });
    match primary {
        Some((t, tp)) => f.for_target(topo, (dc, &proxy.partition), t, tp),
        None => *f,
    }
}
