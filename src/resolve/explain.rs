//! [`Explanation`]: the layer-by-layer account of one upstream's resolution.

use std::fmt;

use serde::Serialize;

use crate::model::mode::MeshGatewayMode;
use crate::model::service::DestinationType;
use crate::resolve::layers::Layer;
use crate::resolve::route::Route;
use crate::text::Escaped;
use crate::topology::upstreams::UpstreamView;
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
    /// The proxy's mode after central config ([`Proxy::merged_mode`]): what
    /// `GET /v1/agent/service/<id>` shows as `Proxy.MeshGateway`.
    pub proxy_mode: MeshGatewayMode,
    /// Every layer, highest precedence first, with what it states.
    pub layers: Vec<LayerValue>,
    /// Rules that applied beyond the layer order (same datacenter, prepared query, peer,
    /// external destination).
    pub notes: Vec<String>,
}

impl Topology {
    /// Explains the resolution of `upstream` of `proxy` in `dc`: one of the proxy's
    /// ([`Proxy::upstreams`]) or a model [`Upstream`](crate::model::service::Upstream) of
    /// one's own (`&Upstream`).
    pub fn explain<'t>(
        &'t self,
        dc: &'t Datacenter,
        proxy: &'t Proxy,
        upstream: impl Into<UpstreamView<'t>>,
    ) -> Explanation<'t> {
        let upstream = upstream.into();
        let route = self.resolve_upstream(dc, proxy, upstream);
        let l = self.layers(dc, proxy, upstream);
        let dest = route
            .chain
            .as_ref()
            .map_or(upstream.destination_name(), |c| {
                c.chain.primary().service.as_str()
            });
        let src = |layer| source(layer, (dc, proxy), upstream.destination_name(), dest);
        let peered = upstream.peer().is_some();
        let layers = Layer::ALL
            .iter()
            .map(|&layer| LayerValue {
                layer,
                mode: match layer {
                    Layer::Default if peered => MeshGatewayMode::Remote,
                    Layer::Default => MeshGatewayMode::None,
                    _ => l.get(layer),
                },
                source: src(layer),
            })
            .collect();
        let notes = notes(dc, proxy, upstream, &route, l);
        Explanation {
            route,
            proxy_mode: proxy.merged_mode,
            layers,
            notes,
        }
    }
}

/// Where `layer`'s value for `upstream` (to `dest`, its primary target's service) of a proxy
/// is configured.
fn source(layer: Layer, (dc, proxy): (&Datacenter, &Proxy), upstream: &str, dest: &str) -> String {
    let (svc, dcn, id) = (&proxy.service, dc.name(), &proxy.id);
    match layer {
        Layer::Upstream => format!("upstream {upstream:?} of proxy {id:?}"),
        Layer::UpstreamOverride => {
            format!("service-defaults/{svc} UpstreamConfig.Overrides[{upstream}] in {dcn}")
        }
        Layer::ServiceInstance => format!("proxy.mesh_gateway of registration {id:?}"),
        Layer::UpstreamDefaults => {
            format!("service-defaults/{svc} UpstreamConfig.Defaults in {dcn}")
        }
        Layer::ServiceDefaults => format!("service-defaults/{svc} MeshGateway in {dcn}"),
        Layer::ProxyDefaults => format!("proxy-defaults/global MeshGateway in {dcn}"),
        Layer::DestinationDefaults => {
            format!("service-defaults/{dest} MeshGateway in {dcn} (the destination's)")
        }
        Layer::Default => "Consul's default (no gateway)".to_owned(),
    }
}

/// The rules that applied beyond the layer order.
fn notes(
    dc: &Datacenter,
    proxy: &Proxy,
    upstream: UpstreamView<'_>,
    route: &Route<'_>,
    l: crate::resolve::layers::Layers,
) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(peer) = upstream.peer() {
        notes.push(format!(
            "peered upstream (peer {peer:?}): no discovery chain, so the destination's service-defaults are not read; local goes to the local gateways, anything else to the peer's"
        ));
        return notes;
    }
    if upstream.destination_type() == DestinationType::PreparedQuery {
        notes.push(
            "prepared query: never routed through mesh gateways (the query's results are dialed directly, with the query SNI); service-defaults UpstreamConfig is not merged into it and there is no discovery chain"
                .to_owned(),
        );
        return notes;
    }
    let (service, datacenter, partition) = match route.chain.as_ref() {
        Some(c) => {
            let p = c.chain.primary();
            (
                p.service.as_str(),
                p.datacenter.as_str(),
                p.partition.as_str(),
            )
        }
        None => (
            upstream.destination_name(),
            route.upstream.datacenter,
            route.upstream.partition,
        ),
    };
    if l.destination_external {
        notes.push(format!(
            "service-defaults/{service} sets ExternalSNI: the destination is external and always dialed directly"
        ));
    }
    if datacenter == dc.name() && partition == proxy.partition {
        notes.push(
            "same datacenter and partition: the mode does not apply, the instances are dialed directly"
                .to_owned(),
        );
    }
    if let Some(c) = &route.chain {
        notes.push(format!(
            "discovery chain: {} target(s); the mode, SNI and next hop above are the primary target's",
            c.targets.len()
        ));
        notes.extend(c.chain.notes.iter().cloned());
    }
    notes
}

impl fmt::Display for Explanation<'_> {
    /// The account, a line a layer, names and notes with control characters escaped
    /// ([`Escaped`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.route;
        writeln!(
            f,
            "{} -> {} (proxy {:?} in datacenter {})",
            Escaped(r.service),
            Escaped(r.upstream.name),
            r.proxy,
            Escaped(r.datacenter)
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
                Escaped(&lv.source)
            )?;
        }
        writeln!(f, "mode: {} (decided by {})", r.mode, r.decided_by)?;
        writeln!(f, "sni: {}", Escaped(r.sni.as_deref().unwrap_or("-")))?;
        writeln!(f, "next hop: {}", Escaped(&show_hop(&r.next_hop)))?;
        let proxy_mode = if self.proxy_mode.is_default() {
            "-"
        } else {
            self.proxy_mode.as_str()
        };
        writeln!(
            f,
            "proxy mode: {proxy_mode} (Proxy.MeshGateway of {:?} after central config)",
            r.proxy
        )?;
        if let Some(c) = &r.chain {
            show_chain(f, c)?;
        }
        for n in &self.notes {
            writeln!(f, "note: {}", Escaped(n))?;
        }
        for w in &r.warnings {
            writeln!(f, "warning: {w}")?;
        }
        Ok(())
    }
}

/// `kind datacenter [addresses]`.
fn show_hop(h: &crate::resolve::route::NextHop<'_>) -> String {
    format!(
        "{} {} [{}]",
        h.kind,
        h.datacenter.unwrap_or("-"),
        h.addresses.join(", ")
    )
}

/// The chain's targets, each with how it is reached and what was decided.
fn show_chain(
    f: &mut fmt::Formatter<'_>,
    c: &crate::resolve::route::RouteChain<'_>,
) -> fmt::Result {
    let chain = c.chain;
    let name = format!(
        "{}.{}.{} in {} (protocol {})",
        chain.service, chain.namespace, chain.partition, chain.datacenter, chain.protocol
    );
    writeln!(f, "chain: {}", Escaped(&name))?;
    if let Some(e) = c.error {
        writeln!(f, "  refused by Consul: {}", Escaped(&e.to_string()))?;
    }
    for (i, t) in c.targets.iter().enumerate() {
        let role = match t.target.failover {
            _ if i == chain.primary => " (primary)".to_owned(),
            Some(fo) => format!(" (failover {} of {})", fo.position, chain.targets[fo.of].id),
            None => String::new(),
        };
        let id = format!("{}{role}", t.target.id);
        writeln!(f, "  target {}", Escaped(&id))?;
        for via in &t.target.via {
            writeln!(f, "    via {}", Escaped(via))?;
        }
        writeln!(f, "    mode: {} (decided by {})", t.mode, t.decided_by)?;
        writeln!(f, "    sni: {}", Escaped(t.sni.as_deref().unwrap_or("-")))?;
        writeln!(f, "    next hop: {}", Escaped(&show_hop(&t.next_hop)))?;
    }
    Ok(())
}
