//! The checks that read each agent's merged settings: `connect-disabled`, `grpc-disabled`,
//! `central-config-disabled`.

use std::collections::{BTreeMap, HashMap};

use crate::preflight::Resolved;
use crate::preflight::check::Check;
use crate::preflight::finding::Finding;
use crate::resolve::Layer;
use crate::topology::Topology;
use crate::topology::placement::{Agent, Loc};

/// Every non-empty string an agent's files give `key`, in file order: the modelled lists
/// (`retry_join_wan`, `primary_gateways`) and any other key kept as written.
pub(crate) fn strings(agent: &Agent, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for af in agent.files() {
        let modelled = match key {
            "retry_join_wan" => af.config.retry_join_wan.as_slice(),
            "primary_gateways" => af.config.primary_gateways.as_slice(),
            _ => &[],
        };
        out.extend(modelled.iter().filter(|s| !s.is_empty()).cloned());
        match af.config.other.get(key) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => out.push(s.clone()),
            Some(serde_json::Value::Array(items)) => out.extend(
                items
                    .iter()
                    .filter_map(serde_json::Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            ),
            _ => {}
        }
    }
    out
}

/// The merged value of a setting this crate does not model, when it is a non-empty string.
pub(crate) fn other_str(agent: &Agent, key: &str) -> Option<String> {
    agent
        .get(key, |c| {
            c.other
                .get(key)
                .and_then(serde_json::Value::as_str)
                .filter(|s| !s.is_empty())
        })
        .map(|(s, _)| s.to_owned())
}

/// `connect-disabled`: a server without `connect { enabled = true }`.
pub(crate) fn connect_disabled(topology: &Topology, out: &mut Vec<Finding>) {
    // An agent whose `connect` was rejected when loading is reported there, once.
    let agents = topology.agents().iter();
    for a in agents.filter(|a| a.is_server() && !a.is_invalid("connect")) {
        let enabled = a.get("connect", |c| c.connect.as_ref().and_then(|c| c.enabled));
        if enabled.as_ref().is_some_and(|(e, _)| *e) {
            continue;
        }
        let loc = enabled.map_or_else(|| a.loc("connect"), |(_, l)| l);
        let what = if enabled.is_some() {
            "connect.enabled is false"
        } else {
            "connect { enabled = true } is not set (Consul's default is off)"
        };
        out.push(Finding::new(
            Check::ConnectDisabled,
            loc.0,
            loc.1,
            format!(
                "server of datacenter {:?}: {what}; Connect must be enabled on the servers of every datacenter that mesh gateways join: set connect {{ enabled = true }}",
                a.datacenter()
            ),
        ));
    }
}

/// The proxies and gateways registered with each agent (by index), described.
fn proxies_by_agent(topology: &Topology) -> HashMap<usize, Vec<String>> {
    let mut out: HashMap<usize, Vec<String>> = HashMap::new();
    for dc in topology.datacenters() {
        for r in dc.registrations() {
            let Some(agent) = r.agent else { continue };
            let what = if r.sidecar {
                format!("the sidecar of {:?}", r.id)
            } else {
                format!("{} {:?}", r.kind, r.id)
            };
            out.entry(agent).or_default().push(what);
        }
    }
    out
}

/// ` and N more` after the first of `n` things.
fn and_more(n: usize) -> String {
    match n {
        0 | 1 => String::new(),
        n => format!(" and {} more", n - 1),
    }
}

/// `grpc-disabled`: an agent that runs proxies or gateways has no gRPC port.
pub(crate) fn grpc_disabled(topology: &Topology, out: &mut Vec<Finding>) {
    let proxies = proxies_by_agent(topology);
    for (i, a) in topology.agents().iter().enumerate() {
        if a.is_invalid("ports") {
            continue; // reported when loading
        }
        let grpc = a.get("ports", |c| c.ports.as_ref().and_then(|p| p.grpc));
        let tls = a.get("ports", |c| c.ports.as_ref().and_then(|p| p.grpc_tls));
        let on = |p: &Option<(i64, Loc<'_>)>| p.as_ref().is_some_and(|(p, _)| *p > 0);
        if on(&grpc) || on(&tls) {
            continue;
        }
        let Some(first) = proxies.get(&i).and_then(|p| p.first()) else {
            continue;
        };
        let more = and_more(proxies[&i].len());
        let what = if grpc.is_some() || tls.is_some() {
            "gRPC is disabled (ports.grpc and ports.grpc_tls are not positive)"
        } else {
            "neither ports.grpc nor ports.grpc_tls is set (Consul before 1.14 leaves gRPC off by default; later versions enable only grpc_tls, on servers)"
        };
        let loc = grpc.or(tls).map_or_else(|| a.loc("ports"), |(_, l)| l);
        out.push(Finding::new(
            Check::GrpcDisabled,
            loc.0,
            loc.1,
            format!(
                "this agent runs {first}{more}, which get their Envoy configuration over gRPC, but {what}: set ports {{ grpc = 8502 }} (or grpc_tls = 8503 with TLS)"
            ),
        ));
    }
}

/// `central-config-disabled`: an agent turns central config off, but upstreams of its
/// proxies take their mode from config entries. It is given the routes one at a time
/// ([`CentralConfigDisabled::route`]) and finds at the end ([`CentralConfigDisabled::finish`]).
pub(crate) struct CentralConfigDisabled<'t> {
    /// The agents (by index) that turn central config off, and where.
    off: HashMap<usize, Loc<'t>>,
    /// For each of them with upstreams relying on central config: the first, and how many.
    relying: BTreeMap<usize, (String, usize)>,
}

impl<'t> CentralConfigDisabled<'t> {
    /// The agents of `topology` that turn central config off; no route seen yet.
    pub(crate) fn of(topology: &'t Topology) -> Self {
        let off = topology
            .agents()
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.is_invalid("enable_central_service_config"))
            .filter_map(|(i, a)| {
                let (on, loc) = a.get("enable_central_service_config", |c| {
                    c.enable_central_service_config
                })?;
                (!on).then_some((i, loc))
            })
            .collect();
        Self {
            off,
            relying: BTreeMap::new(),
        }
    }

    /// Notes the route when its proxy's agent turns central config off and its mode comes
    /// from a config entry.
    pub(crate) fn route(&mut self, r: &Resolved<'_>) {
        let Some(i) = r.proxy.agent.filter(|i| self.off.contains_key(i)) else {
            return;
        };
        if !from_central_config(r.route.decided_by) {
            return;
        }
        let seen = self.relying.entry(i).or_insert_with(|| {
            let first = format!(
                "{} -> {} ({}, from {})",
                r.proxy.service,
                r.upstream().destination_name(),
                r.route.mode,
                r.route.decided_by
            );
            (first, 0)
        });
        seen.1 += 1;
    }

    /// A finding at each agent with upstreams relying on central config.
    pub(crate) fn finish(self, out: &mut Vec<Finding>) {
        for (i, (first, n)) in self.relying {
            let Some(loc) = self.off.get(&i) else {
                continue;
            };
            let more = and_more(n);
            out.push(Finding::new(
                Check::CentralConfigDisabled,
                loc.0,
                loc.1,
                format!(
                    "enable_central_service_config = false, but upstreams of proxies registered with this agent take their gateway mode from central config entries: {first}{more}; the agent does not apply proxy-defaults or service-defaults to its registrations without it: remove the setting (the default is true since Consul 1.9) or set the modes on the registrations"
                ),
            ));
        }
    }
}

/// Whether a layer is a central config entry's.
fn from_central_config(layer: Layer) -> bool {
    matches!(
        layer,
        Layer::ProxyDefaults
            | Layer::ServiceDefaults
            | Layer::UpstreamDefaults
            | Layer::UpstreamOverride
    )
}
