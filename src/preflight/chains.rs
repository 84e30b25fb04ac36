//! The checks that read config entries as a federation shares them and the discovery chains
//! compiled from them: `config-entry-conflict`, `l7-chain-on-tcp`, `chain-refused`,
//! `failover-without-gateway-mode`.

use crate::preflight::Resolved;
use crate::preflight::check::Check;
use crate::preflight::finding::Finding;
use crate::preflight::routes::Leg;
use crate::resolve::HopKind;
use crate::topology::Topology;
use crate::topology::chain::ChainError;
use crate::topology::entries::EntryConflict;

/// `config-entry-conflict`: two different entries of one kind and name in the set that
/// datacenters sharing their config entries see; at the one not used.
pub(crate) fn config_entry_conflict(topology: &Topology, out: &mut Vec<Finding>) {
    for c in topology.entry_conflicts() {
        out.push(Finding::new(
            Check::ConfigEntryConflict,
            c.other.0.as_deref(),
            c.other.1,
            format!(
                "{} {:?} is also written in {} with different contents, and datacenters {} share their config entries: Consul keeps whichever was written last, which the files cannot tell (meshroute uses the one in {}); make them identical, or keep one",
                c.kind,
                c.name,
                EntryConflict::show(&c.kept),
                c.datacenters.join(", "),
                EntryConflict::show(&c.kept),
            ),
        ));
    }
}

/// The error of an upstream's discovery chain, when Consul refuses it in part or whole.
fn chain_error<'t>(topology: &'t Topology, r: &Resolved<'_>) -> Option<&'t ChainError> {
    let i = crate::topology::chains::chain_of(topology, r.dc, r.upstream())?;
    topology.chains.get(i as usize)?.error.as_ref()
}

/// `l7-chain-on-tcp`: a router or splitter on a service whose protocol does not permit them;
/// at the router (else the splitter) of the chain's service, once.
pub(crate) fn l7_chain_on_tcp(topology: &Topology, r: &Resolved<'_>, out: &mut Vec<Finding>) {
    let Some(e @ ChainError::NoAdvancedRouting { chain, protocol }) = chain_error(topology, r)
    else {
        return;
    };
    let (ns, part) = (r.upstream().namespace(), r.upstream().partition());
    let entries = r.dc.entries();
    let at = ["service-router", "service-splitter"]
        .into_iter()
        .find_map(|kind| Some((kind, entries.origin(kind, chain, ns, part)?)));
    let Some((kind, (file, pos))) = at else {
        return;
    };
    out.push(Finding::new(
        Check::L7ChainOnTcp,
        file,
        pos,
        format!(
            "{kind} {chain:?}: Consul refuses it: {e}; routers and splitters need an HTTP protocol: set Protocol = \"http\" (or \"http2\", \"grpc\") in the service-defaults of {chain:?} (the protocol is {protocol:?} now), or remove the {kind} (meshroute resolves the chain without it)"
        ),
    ));
}

/// `chain-refused`: Consul refuses an upstream's discovery chain for another graph error; at
/// the upstream.
pub(crate) fn chain_refused(topology: &Topology, r: &Resolved<'_>, out: &mut Vec<Finding>) {
    let Some(e) = chain_error(topology, r) else {
        return;
    };
    if matches!(e, ChainError::NoAdvancedRouting { .. }) {
        return;
    }
    let what = if e.is_protocol() {
        "its routers and splitters are left out"
    } else {
        "the upstream is resolved as its one named service, as if the chain's entries were absent"
    };
    out.push(r.finding(
        Check::ChainRefused,
        format!(
            "upstream {:?} of {:?}: Consul refuses its discovery chain: {e}; fix the entries that form it (meanwhile {what})",
            r.upstream().destination_name(), r.proxy.service
        ),
    ));
}

/// `failover-without-gateway-mode`: a failover target in another datacenter dialed directly
/// (effective mode `none`): whether the instances there are reachable with the addresses the
/// inputs give.
pub(crate) fn failover_without_gateway_mode(
    topology: &Topology,
    r: &Resolved<'_>,
    out: &mut Vec<Finding>,
) {
    if r.route.chain.is_none() {
        return;
    }
    for h in r.hops() {
        let failover = h.target.is_some_and(|t| t.failover.is_some());
        if !failover || h.peer.is_some() || h.datacenter == r.dc.name() {
            continue;
        }
        if h.next_hop.kind != HopKind::Direct {
            continue;
        }
        out.push(r.finding(
            Check::FailoverWithoutGatewayMode,
            format!(
                "{} is in datacenter {:?} and resolves to {} (from {}): the sidecar dials its instances there directly, {}; set mode \"local\" or \"remote\" (on the upstream, the proxy, or in proxy-defaults) so that failover goes through the mesh gateways",
                r.what(&h),
                h.datacenter,
                h.mode,
                h.decided_by,
                reachability(topology, &h)
            ),
        ));
    }
}

/// Whether a target's instances are reachable with the addresses given.
fn reachability(topology: &Topology, h: &Leg<'_>) -> String {
    let dialed = h.next_hop.addresses;
    if topology.datacenter(h.datacenter).is_none() {
        return format!("but datacenter {:?} is not among the inputs", h.datacenter);
    }
    if dialed.is_empty() {
        return "but no connect instance of it is known there: nothing to dial".to_owned();
    }
    let lan = h.target.and_then(|t| {
        let dc = topology.datacenter(h.datacenter)?;
        let ep = dc
            .endpoints(&t.service)?
            .in_scope(&t.namespace, &t.partition)?;
        Some(&ep.lan)
    });
    if lan.is_some_and(|lan| lan.as_slice() == dialed) {
        format!(
            "at {}, their LAN addresses (no `wan` tagged address): reachable only if the datacenters' networks are routed to each other",
            dialed.join(", ")
        )
    } else {
        format!(
            "at their WAN addresses {}: reachable only if those are open to this datacenter",
            dialed.join(", ")
        )
    }
}
