//! The checks that read resolved upstreams: `mode-ignored`, `peer-mode-none`,
//! `gateway-missing`, `builtin-proxy-gateway`.

use crate::model::mode::MeshGatewayMode;
use crate::model::service::DestinationType;
use crate::preflight::Resolved;
use crate::preflight::check::Check;
use crate::preflight::finding::Finding;
use crate::resolve::HopKind;
use crate::topology::Topology;

/// One place an upstream's route goes: a target of its discovery chain, or, without one, the
/// route itself.
pub(crate) struct Leg<'r> {
    /// `target <id>` (with its failover position) for a chain target; `None` for the route.
    pub(crate) label: Option<String>,
    pub(crate) datacenter: &'r str,
    pub(crate) partition: &'r str,
    pub(crate) peer: Option<&'r str>,
    pub(crate) mode: MeshGatewayMode,
    pub(crate) decided_by: crate::resolve::Layer,
    pub(crate) next_hop: &'r crate::resolve::NextHop<'r>,
    /// For a chain target: the target.
    pub(crate) target: Option<&'r crate::topology::chain::ChainTarget>,
}

impl Resolved<'_> {
    /// The destination datacenter (the proxy's when the upstream names none).
    fn target_dc(&self) -> &str {
        self.upstream().named_datacenter().unwrap_or(self.dc.name())
    }

    fn peer(&self) -> Option<&str> {
        self.upstream().peer()
    }

    /// Where the route goes: each target of its chain, or the route itself.
    pub(crate) fn hops(&self) -> Vec<Leg<'_>> {
        let Some(c) = &self.route.chain else {
            return vec![Leg {
                label: None,
                datacenter: self.target_dc(),
                partition: self.upstream().partition(),
                peer: self.peer(),
                mode: self.route.mode,
                decided_by: self.route.decided_by,
                next_hop: &self.route.next_hop,
                target: None,
            }];
        };
        c.targets
            .iter()
            .map(|t| {
                let tt = t.target;
                let role = tt.failover.map_or_else(String::new, |f| {
                    format!(" (failover {} of {})", f.position, c.chain.targets[f.of].id)
                });
                Leg {
                    label: Some(format!("target {}{role}", tt.id)),
                    datacenter: &tt.datacenter,
                    partition: &tt.partition,
                    peer: tt.peer.as_deref(),
                    mode: t.mode,
                    decided_by: t.decided_by,
                    next_hop: &t.next_hop,
                    target: Some(tt),
                }
            })
            .collect()
    }

    /// Whether a hop is in the proxy's own datacenter and partition, where the mode does not
    /// apply.
    pub(crate) fn is_local(&self, h: &Leg<'_>) -> bool {
        h.peer.is_none() && h.datacenter == self.dc.name() && h.partition == self.proxy.partition
    }

    /// In the proxy's own datacenter and partition, every target of it.
    fn same(&self) -> bool {
        self.hops().iter().all(|h| self.is_local(h))
    }

    fn prepared(&self) -> bool {
        self.upstream().destination_type() == DestinationType::PreparedQuery
    }

    /// A finding of `check` at the upstream's definition.
    pub(crate) fn finding(&self, check: Check, message: String) -> Finding {
        Finding::new(
            check,
            self.proxy.file.as_deref(),
            self.upstream().pos(),
            message,
        )
    }

    /// `upstream "api" of "web"`, and the target when it is one of a chain's.
    pub(crate) fn what(&self, h: &Leg<'_>) -> String {
        let base = format!(
            "upstream {:?} of {:?}",
            self.upstream().destination_name(),
            self.proxy.service
        );
        match &h.label {
            Some(l) => format!("{base}: {l}"),
            None => base,
        }
    }
}

/// `mode-ignored`: a mode written on a prepared-query upstream, or on an upstream every target
/// of which is in the proxy's own datacenter and partition.
pub(crate) fn mode_ignored(r: &Resolved<'_>, out: &mut Vec<Finding>) {
    let own = r.upstream().mesh_gateway().mode;
    if own.is_default() || !(r.prepared() || r.same()) {
        return;
    }
    let why = if r.prepared() {
        "a prepared query upstream never goes through mesh gateways (its results are dialed directly)".to_owned()
    } else if r.route.chain.is_some() {
        format!(
            "every target of its discovery chain is in this proxy's own datacenter {:?}, where Consul dials the instances directly",
            r.dc.name()
        )
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
            r.upstream().destination_name(),
            r.proxy.service,
            own.as_str()
        ),
    ));
}

/// `peer-mode-none`: a peered upstream resolves to `none`, which Consul treats as `remote`.
pub(crate) fn peer_mode_none(r: &Resolved<'_>, out: &mut Vec<Finding>) {
    let Some(peer) = r.peer() else { return };
    if r.route.mode != MeshGatewayMode::None {
        return;
    }
    out.push(r.finding(
        Check::PeerModeNone,
        format!(
            "upstream {:?} of {:?} (peer {peer:?}) resolves to none (from {}), which Consul treats as remote for peered upstreams: set mode \"remote\" (or \"local\") to say what happens",
            r.upstream().destination_name(), r.proxy.service, r.route.decided_by
        ),
    ));
}

/// The (datacenter, partition, role) whose gateways a hop through gateways needs.
fn gateways_needed<'r>(r: &'r Resolved<'_>, h: &Leg<'r>) -> Vec<(&'r str, &'r str, &'static str)> {
    let local = (r.dc.name(), r.proxy.partition.as_str(), "local");
    let destination = (h.datacenter, h.partition, "destination");
    match (h.mode, h.peer) {
        (MeshGatewayMode::Local, None) => vec![local, destination],
        (MeshGatewayMode::Local, Some(_)) => vec![local],
        (MeshGatewayMode::Remote, None) => vec![destination],
        _ => Vec::new(),
    }
}

/// `gateway-missing`: a route (or a target of its chain, failover targets included) through
/// gateways, where a datacenter it needs has none.
pub(crate) fn gateway_missing(topology: &Topology, r: &Resolved<'_>, out: &mut Vec<Finding>) {
    if r.prepared() {
        return;
    }
    for h in r.hops().iter().filter(|h| !r.is_local(h)) {
        for (need_dc, part, role) in gateways_needed(r, h) {
            if let Some(msg) = missing(topology, (need_dc, part, role)) {
                let how = format!("{} (from {})", h.mode, h.decided_by);
                out.push(r.finding(
                    Check::GatewayMissing,
                    format!("{} resolves to {how}, but {msg}", r.what(h)),
                ));
            }
        }
    }
}

/// What is missing when `dc` has no mesh gateway of `part`, for a datacenter that an agent
/// configuration names (otherwise the inputs are a fragment and cannot tell).
fn missing(topology: &Topology, (dc, part, role): (&str, &str, &str)) -> Option<String> {
    let named = topology.agents().iter().any(|a| a.datacenter() == dc);
    let d = topology.datacenter(dc).filter(|_| named)?;
    if d.has_gateways(part) {
        return None;
    }
    let of_part = if part == "default" {
        String::new()
    } else {
        format!(" of partition {part:?}")
    };
    Some(format!(
        "the {role} datacenter {dc:?} has no mesh gateway{of_part} registered: register a service with kind = \"mesh-gateway\" there, or change the mode"
    ))
}

/// `builtin-proxy-gateway`: a route (or a target of its chain) through gateways from
/// Consul's built-in proxy.
pub(crate) fn builtin_proxy_gateway(r: &Resolved<'_>, out: &mut Vec<Finding>) {
    if r.prepared() || !r.proxy.builtin {
        return;
    }
    let hops = r.hops();
    let Some(h) = hops
        .iter()
        .find(|h| !r.is_local(h) && h.next_hop.kind != HopKind::Direct)
    else {
        return;
    };
    out.push(r.finding(
        Check::BuiltinProxyGateway,
        format!(
            "{} resolves to {} (from {}) through mesh gateways, but its sidecar {:?} looks like Consul's built-in proxy, and only Envoy can use mesh gateways: run Envoy for this sidecar, or set mode \"none\" on the upstream",
            r.what(h),
            h.mode,
            h.decided_by,
            r.proxy.id
        ),
    ));
}
