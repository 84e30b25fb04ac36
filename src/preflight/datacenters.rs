//! The checks that read datacenters as their agents claim them: `duplicate-datacenter`,
//! `primary-datacenter-mismatch`, `not-wan-joined`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::preflight::agents::{other_str, strings};
use crate::preflight::check::Check;
use crate::preflight::finding::{Finding, show_loc};
use crate::topology::Topology;
use crate::topology::placement::{Agent, Loc};

/// Datacenter names (of agents), each with its server agents.
pub(crate) fn servers_by_datacenter(topology: &Topology) -> BTreeMap<&str, Vec<&Agent>> {
    let mut out: BTreeMap<&str, Vec<&Agent>> = BTreeMap::new();
    for a in topology
        .agents()
        .iter()
        .filter(|a| !a.is_invalid("datacenter"))
    {
        let servers = out.entry(a.datacenter()).or_default();
        if a.is_server() {
            servers.push(a);
        }
    }
    out
}

/// Consul's rule for datacenter names (after lower-casing).
pub(crate) fn valid_dc_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// A datacenter's root: the outermost directory up the tree whose agent claims the same
/// name. Agents under one root are the same datacenter's servers and clients.
fn root_of<'t>(topology: &'t Topology, a: &'t Agent) -> PathBuf {
    let same = |d: &Path| {
        topology
            .agents()
            .iter()
            .any(|b| b.dir() == d && b.datacenter() == a.datacenter())
    };
    a.dir()
        .ancestors()
        .filter(|d| same(d))
        .last()
        .map_or_else(|| a.dir().to_path_buf(), Path::to_path_buf)
}

/// `duplicate-datacenter`: servers in two directory trees claim one datacenter name.
pub(crate) fn duplicate_datacenter(topology: &Topology, out: &mut Vec<Finding>) {
    let mut roots: BTreeMap<(&str, PathBuf), Vec<&Agent>> = BTreeMap::new();
    // An agent whose `datacenter` was rejected claims no name: the load error says why.
    for a in topology
        .agents()
        .iter()
        .filter(|a| !a.is_invalid("datacenter"))
    {
        roots
            .entry((a.datacenter(), root_of(topology, a)))
            .or_default()
            .push(a);
    }
    let mut first_of: HashMap<&str, Loc<'_>> = HashMap::new();
    for ((dc, _), agents) in &roots {
        if !valid_dc_name(dc) {
            continue; // the loader reports the name itself
        }
        let Some(server) = agents.iter().find(|a| a.is_server()) else {
            continue;
        };
        let here = server.loc("datacenter");
        let Some(first) = first_of.get(dc) else {
            first_of.insert(dc, here);
            continue;
        };
        out.push(Finding::new(
            Check::DuplicateDatacenter,
            here.0,
            here.1,
            format!(
                "datacenter {dc:?} is also claimed by the servers configured in {} (another directory tree): each datacenter needs a unique name; rename one of them, or, if both are servers of one datacenter, put their agent configurations in one directory (or under a directory whose agent configuration names {dc:?})",
                show_loc(*first)
            ),
        ));
    }
}

/// `primary-datacenter-mismatch`: agents name different primary datacenters (a server
/// without one takes its own datacenter).
pub(crate) fn primary_datacenter_mismatch(topology: &Topology, out: &mut Vec<Finding>) {
    // (value, explicit, agent)
    let values: Vec<(String, bool, &Agent)> = topology
        .agents()
        .iter()
        .filter(|a| !a.is_invalid("datacenter") && !a.is_invalid("primary_datacenter"))
        .filter_map(|a| match a.primary_datacenter() {
            Some((p, _)) => Some((p.to_ascii_lowercase(), true, a)),
            None if a.is_server() => Some((a.datacenter().to_owned(), false, a)),
            None => None,
        })
        .collect();
    let Some(reference) = reference_primary(topology, &values) else {
        return;
    };
    let Some(ref_loc) = values
        .iter()
        .find(|(v, _, _)| *v == reference)
        .map(|(_, _, a)| a.loc("primary_datacenter"))
    else {
        return;
    };
    for (v, explicit, a) in values.iter().filter(|(v, _, _)| *v != reference) {
        let loc = a.loc("primary_datacenter");
        let what = if *explicit {
            format!("primary_datacenter is {v:?} here")
        } else {
            format!(
                "primary_datacenter is not set, so this server of {:?} takes its own datacenter as the primary",
                a.datacenter()
            )
        };
        out.push(Finding::new(
            Check::PrimaryDatacenterMismatch,
            loc.0,
            loc.1,
            format!(
                "{what}, but {reference:?} in {}: the primary datacenter is the authority for Connect certificates and must be the same everywhere; set primary_datacenter = {reference:?}",
                show_loc(ref_loc)
            ),
        ));
    }
}

/// The primary the others are measured against, when agents disagree: the value most agents
/// name; then a datacenter of the inputs; then by name.
fn reference_primary(topology: &Topology, values: &[(String, bool, &Agent)]) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (v, _, _) in values {
        *counts.entry(v.as_str()).or_default() += 1;
    }
    if counts.len() < 2 {
        return None;
    }
    let known = |v: &str| topology.agents().iter().any(|a| a.datacenter() == v);
    counts
        .iter()
        .max_by_key(|(v, n)| (**n, known(v), std::cmp::Reverse(**v)))
        .map(|(v, _)| (*v).to_owned())
}

/// The host of a join address: `[::1]:8302` → `::1`, `10.0.0.1:8302` → `10.0.0.1`.
pub(crate) fn host_of(addr: &str) -> &str {
    let addr = addr.trim();
    if let Some(rest) = addr.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match addr.split_once(':') {
        Some((h, p)) if !p.contains(':') => h,
        _ => addr,
    }
}

/// `not-wan-joined`: a datacenter's servers join no other datacenter, federate through no
/// mesh gateway, and no other datacenter's servers join them.
pub(crate) fn not_wan_joined(topology: &Topology, out: &mut Vec<Finding>) {
    let dcs = servers_by_datacenter(topology);
    if dcs.len() < 2 {
        return;
    }
    let joins: BTreeMap<&str, Vec<String>> = dcs
        .iter()
        .map(|(dc, servers)| (*dc, servers.iter().flat_map(|a| wan_joins(a)).collect()))
        .collect();
    for (dc, servers) in &dcs {
        let Some(first) = servers.first() else {
            continue; // no server among the inputs: nothing to check
        };
        let rejected = ["retry_join_wan", "primary_gateways", "connect"];
        if servers
            .iter()
            .any(|a| rejected.iter().any(|k| a.is_invalid(k)))
        {
            continue; // a join setting was rejected when loading: reported there
        }
        let own = !joins[dc].is_empty()
            || servers
                .iter()
                .any(|a| !strings(a, "primary_gateways").is_empty());
        if own || federates_as_primary(servers, dc) || joined_by_others(&joins, dc, servers) {
            continue;
        }
        let loc = first.loc("retry_join_wan");
        out.push(Finding::new(
            Check::NotWanJoined,
            loc.0,
            loc.1,
            format!(
                "the servers of datacenter {dc:?} have no WAN join settings (retry_join_wan, start_join_wan), no mesh gateway WAN federation (primary_gateways, or connect {{ enable_mesh_gateway_wan_federation = true }} on the primary), and no other datacenter's servers join their addresses: add retry_join_wan = [\"<a server of another datacenter>\"], or federate through mesh gateways"
            ),
        ));
    }
}

/// The WAN join addresses an agent names.
fn wan_joins(a: &Agent) -> Vec<String> {
    let mut v = strings(a, "retry_join_wan");
    v.extend(strings(a, "start_join_wan"));
    v
}

/// Whether a server of `dc` is the primary and enables WAN federation through mesh gateways.
fn federates_as_primary(servers: &[&Agent], dc: &str) -> bool {
    servers.iter().any(|a| {
        let federates = a
            .get("connect", |c| {
                c.connect
                    .as_ref()
                    .and_then(|c| c.enable_mesh_gateway_wan_federation)
            })
            .is_some_and(|(e, _)| e);
        let primary = a
            .get("primary_datacenter", |c| c.primary_datacenter.as_deref())
            .map_or(a.datacenter(), |(p, _)| p);
        federates && primary.eq_ignore_ascii_case(dc)
    })
}

/// Whether another datacenter's servers join one of these servers' addresses.
fn joined_by_others(joins: &BTreeMap<&str, Vec<String>>, dc: &str, servers: &[&Agent]) -> bool {
    let addresses: Vec<String> = servers
        .iter()
        .flat_map(|a| {
            ["advertise_addr_wan", "advertise_addr", "bind_addr"]
                .into_iter()
                .filter_map(|k| other_str(a, k))
        })
        .collect();
    joins.iter().any(|(other, list)| {
        *other != dc
            && list
                .iter()
                .any(|j| addresses.iter().any(|a| host_of(j) == host_of(a)))
    })
}
