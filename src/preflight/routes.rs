//! The checks that read resolved upstreams: `mode-ignored`, `peer-mode-none`,
//! `gateway-missing`, `builtin-proxy-gateway`.

use crate::model::mode::MeshGatewayMode;
use crate::model::service::DestinationType;
use crate::preflight::Resolved;
use crate::preflight::check::Check;
use crate::preflight::finding::Finding;
use crate::resolve::HopKind;
use crate::topology::Topology;

impl Resolved<'_> {
    /// The destination datacenter (the proxy's when the upstream names none).
    fn target_dc(&self) -> &str {
        self.upstream
            .datacenter
            .as_deref()
            .filter(|d| !d.is_empty())
            .unwrap_or(self.dc.name())
    }

    fn peer(&self) -> Option<&str> {
        self.upstream
            .destination_peer
            .as_deref()
            .filter(|p| !p.is_empty())
    }

    /// In the proxy's own datacenter and partition, where the mode does not apply.
    fn same(&self) -> bool {
        self.peer().is_none()
            && self.target_dc() == self.dc.name()
            && self.upstream.partition() == self.proxy.partition
    }

    fn prepared(&self) -> bool {
        self.upstream.destination_type == DestinationType::PreparedQuery
    }

    /// A finding of `check` at the upstream's definition.
    fn finding(&self, check: Check, message: String) -> Finding {
        Finding::new(
            check,
            self.proxy.file.as_deref(),
            self.upstream.pos,
            message,
        )
    }

    /// `mode (from layer)`.
    fn how(&self) -> String {
        format!("{} (from {})", self.route.mode, self.route.decided_by)
    }
}

/// `mode-ignored`: a mode written on a prepared-query or same-datacenter upstream.
pub(crate) fn mode_ignored(routes: &[Resolved<'_>], out: &mut Vec<Finding>) {
    for r in routes {
        let own = r.upstream.mesh_gateway.mode;
        if own.is_default() || !(r.prepared() || r.same()) {
            continue;
        }
        let why = if r.prepared() {
            "a prepared query upstream never goes through mesh gateways (its results are dialed directly)".to_owned()
        } else {
            format!(
                "the upstream is in this proxy's own datacenter {:?}, where Consul dials the instances directly",
                r.dc.name()
            )
        };
        out.push(r.finding(
            Check::ModeIgnored,
            format!(
                "upstream {:?} of {:?}: mesh_gateway mode {:?} is ignored: {why}; remove it",
                r.upstream.destination_name,
                r.proxy.service,
                own.as_str()
            ),
        ));
    }
}

/// `peer-mode-none`: a peered upstream resolves to `none`, which Consul treats as `remote`.
pub(crate) fn peer_mode_none(routes: &[Resolved<'_>], out: &mut Vec<Finding>) {
    for r in routes {
        let Some(peer) = r.peer() else { continue };
        if r.route.mode != MeshGatewayMode::None {
            continue;
        }
        out.push(r.finding(
            Check::PeerModeNone,
            format!(
                "upstream {:?} of {:?} (peer {peer:?}) resolves to none (from {}), which Consul treats as remote for peered upstreams: set mode \"remote\" (or \"local\") to say what happens",
                r.upstream.destination_name, r.proxy.service, r.route.decided_by
            ),
        ));
    }
}

/// The (datacenter, partition, role) whose gateways a route through gateways needs.
fn gateways_needed<'r>(r: &'r Resolved<'_>) -> Vec<(&'r str, &'r str, &'static str)> {
    let destination = (r.target_dc(), r.upstream.partition(), "destination");
    match (r.route.mode, r.peer()) {
        (MeshGatewayMode::Local, None) => vec![
            (r.dc.name(), r.proxy.partition.as_str(), "local"),
            destination,
        ],
        (MeshGatewayMode::Local, Some(_)) => {
            vec![(r.dc.name(), r.proxy.partition.as_str(), "local")]
        }
        (MeshGatewayMode::Remote, None) => vec![destination],
        _ => Vec::new(),
    }
}

/// `gateway-missing`: a route through gateways, where a datacenter it needs has none.
pub(crate) fn gateway_missing(
    topology: &Topology,
    routes: &[Resolved<'_>],
    out: &mut Vec<Finding>,
) {
    for r in routes.iter().filter(|r| !r.prepared() && !r.same()) {
        for (need_dc, part, role) in gateways_needed(r) {
            // Only datacenters an agent configuration names: otherwise the inputs are a
            // fragment (one file, a services directory) and cannot tell.
            let named = topology.agents().iter().any(|a| a.datacenter() == need_dc);
            let Some(d) = topology.datacenter(need_dc).filter(|_| named) else {
                continue;
            };
            if d.has_gateways(part) {
                continue;
            }
            let of_part = if part == "default" {
                String::new()
            } else {
                format!(" of partition {part:?}")
            };
            out.push(r.finding(
                Check::GatewayMissing,
                format!(
                    "upstream {:?} of {:?} resolves to {}, but the {role} datacenter {need_dc:?} has no mesh gateway{of_part} registered: register a service with kind = \"mesh-gateway\" there, or change the mode",
                    r.upstream.destination_name,
                    r.proxy.service,
                    r.how()
                ),
            ));
        }
    }
}

/// `builtin-proxy-gateway`: a route through gateways from Consul's built-in proxy.
pub(crate) fn builtin_proxy_gateway(routes: &[Resolved<'_>], out: &mut Vec<Finding>) {
    for r in routes.iter().filter(|r| !r.prepared() && !r.same()) {
        if r.route.next_hop.kind == HopKind::Direct || !r.proxy.builtin {
            continue;
        }
        out.push(r.finding(
            Check::BuiltinProxyGateway,
            format!(
                "upstream {:?} of {:?} resolves to {} through mesh gateways, but its sidecar {:?} looks like Consul's built-in proxy, and only Envoy can use mesh gateways: run Envoy for this sidecar, or set mode \"none\" on the upstream",
                r.upstream.destination_name,
                r.proxy.service,
                r.how(),
                r.proxy.id
            ),
        ));
    }
}
