//! [`Explanation`]: the layer-by-layer account of one upstream's resolution.

use std::fmt;

use serde::Serialize;

use crate::model::mode::MeshGatewayMode;
use crate::model::service::{DestinationType, Upstream};
use crate::resolve::layers::Layer;
use crate::resolve::route::Route;
use crate::topology::compile::peer_of;
use crate::topology::{Datacenter, Proxy, Topology};

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
