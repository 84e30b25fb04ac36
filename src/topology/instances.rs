//! Registrations into a datacenter: proxies, sidecars, gateways and connect endpoints, with the
//! addresses and ports Consul's agent would give them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::model::mode::MeshGatewayMode;
use crate::model::service::{ServiceDefinition, ServiceKind, non_empty_or};
use crate::topology::datacenter::{
    Addresses, Datacenter, Endpoints, PROXY_META_KEY, Proxy, Registration,
};
use crate::topology::placement::Agent;
use crate::topology::upstreams::{UpstreamList, UpstreamRecord, UpstreamTable};
use crate::topology::warning::{Warning, WarningKind};

/// Consul's default sidecar port range (`ports.sidecar_min_port`, `ports.sidecar_max_port`).
const SIDECAR_PORTS: std::ops::RangeInclusive<u16> = 21000..=21255;

/// A service as added: the definition, where it came from, and its agent.
#[derive(Clone, Debug)]
pub(crate) struct Added {
    /// The definition, its upstreams taken out ([`KeptUpstreams`]).
    pub(crate) service: ServiceDefinition,
    pub(crate) upstreams: KeptUpstreams,
    pub(crate) file: Option<PathBuf>,
    /// Its agent's addresses, shared by the agent's services.
    pub(crate) node: Option<Arc<NodeAddr>>,
    /// The index of its agent in [`Topology::agents`](crate::topology::Topology::agents).
    pub(crate) agent: Option<usize>,
}

/// The upstreams of a service's `proxy` block and of its inline sidecar's, as the topology
/// keeps them: taken out of the definition when it is added.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeptUpstreams {
    own: Box<[UpstreamRecord]>,
    sidecar: Box<[UpstreamRecord]>,
}

impl KeptUpstreams {
    /// The upstreams of `service` and of its inline sidecar, numbered in `table`; the model
    /// upstreams are dropped.
    pub(crate) fn take(service: &mut ServiceDefinition, table: &mut UpstreamTable) -> Self {
        let mut records = |p: Option<&mut crate::model::service::ProxyConfig>| {
            p.map(|p| table.records(&std::mem::take(&mut p.upstreams)))
                .unwrap_or_default()
        };
        let own = records(service.proxy.as_mut());
        let sidecar = service
            .connect
            .as_mut()
            .and_then(|c| c.sidecar_service.as_mut());
        let sidecar = records(sidecar.and_then(|s| s.proxy.as_mut()));
        Self { own, sidecar }
    }
}

/// The node addresses of an agent, used when a service has no address of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct NodeAddr {
    lan: Option<String>,
    wan: Option<String>,
}

impl NodeAddr {
    /// The merged `advertise_addr` (else `bind_addr`) and `advertise_addr_wan` of an agent.
    pub(crate) fn of(agent: &Agent) -> Self {
        let get = |k: &str| {
            agent
                .get(k, |c| {
                    c.other
                        .get(k)
                        .and_then(serde_json::Value::as_str)
                        .filter(|s| usable_address(s))
                })
                .map(|(s, _)| s.to_owned())
        };
        let lan = get("advertise_addr").or_else(|| get("bind_addr"));
        let wan = get("advertise_addr_wan").or_else(|| lan.clone());
        Self { lan, wan }
    }
}

/// Not empty, not a wildcard, not a go-sockaddr template.
fn usable_address(s: &str) -> bool {
    !s.is_empty() && s != "0.0.0.0" && s != "::" && !s.contains('{')
}

/// The sidecar ports in use on each agent, from which Consul's agent gives a sidecar without
/// a port the lowest free one of its range.
pub(crate) struct SidecarPorts(HashMap<usize, Vec<u16>>);

impl SidecarPorts {
    pub(crate) fn of<'a>(services: impl Iterator<Item = &'a Added>) -> Self {
        let mut used: HashMap<usize, Vec<u16>> = HashMap::new();
        for added in services {
            let Some(agent) = added.agent else { continue };
            let svc = &added.service;
            let ports = used.entry(agent).or_default();
            let own = std::iter::once(svc.port).chain(svc.sidecar().map(|sc| sc.port));
            ports.extend(own.flatten().filter(|p| SIDECAR_PORTS.contains(p)));
        }
        Self(used)
    }

    /// The lowest free port of the range on `agent`, now taken.
    fn assign(&mut self, agent: Option<usize>) -> Option<u16> {
        let ports = self.0.get_mut(&agent?)?;
        let p = SIDECAR_PORTS.clone().find(|p| !ports.contains(p))?;
        ports.push(p);
        Some(p)
    }
}

/// Adds one registration to `dc`: a gateway's addresses, a proxy and the endpoints it fronts,
/// or a connect-native service's endpoints. Takes the registration: a proxy's upstream
/// records move into the topology, with `table`, where their destinations are.
pub(crate) fn add_service(
    dc: &mut Datacenter,
    added: Added,
    ports: &mut SidecarPorts,
    (table, warnings): (&Arc<UpstreamTable>, &mut Vec<Warning>),
) {
    let svc = &added.service;
    if let Some(r) = registration(&added) {
        dc.registrations.push(r);
    }
    match &svc.kind {
        ServiceKind::MeshGateway => {
            let part = non_empty_or(svc.partition.as_deref(), "default").to_owned();
            push_addresses(dc.gateways.entry(part).or_default(), svc, &added);
        }
        ServiceKind::ConnectProxy => add_connect_proxy(dc, added, table, warnings),
        _ if svc.sidecar().is_some() => add_sidecar(dc, added, ports, (table, warnings)),
        _ if svc.connect.as_ref().is_some_and(|c| c.native) => {
            push_endpoint(dc, &svc.name, svc, svc, &added);
        }
        _ => {}
    }
}

/// What the preflight checks need of a proxy, sidecar or gateway registration.
fn registration(added: &Added) -> Option<Registration> {
    let svc = &added.service;
    if !registers(svc) {
        return None;
    }
    let proxy_or_gateway = is_proxy_or_gateway(svc);
    Some(Registration {
        id: svc.service_id().to_owned(),
        name: svc.name.clone(),
        kind: svc.kind.clone(),
        sidecar: !proxy_or_gateway,
        token: svc.token.as_deref().is_some_and(|t| !t.is_empty()),
        file: added.file.clone(),
        pos: svc.pos,
        agent: added.agent,
    })
}

/// Whether `svc` is a connect proxy or a gateway.
fn is_proxy_or_gateway(svc: &ServiceDefinition) -> bool {
    svc.kind == ServiceKind::ConnectProxy || svc.kind.is_gateway()
}

/// Whether adding `svc` makes a [`Registration`]: a connect proxy, a gateway or a service
/// with an inline sidecar (only these can make a proxy).
pub(crate) fn registers(svc: &ServiceDefinition) -> bool {
    is_proxy_or_gateway(svc) || svc.sidecar().is_some()
}

/// Adds an instance of `service` (registered with `svc`'s namespace and partition, dialed at
/// `inst`'s addresses) to `dc`'s connect endpoints, overall and in its scope.
fn push_endpoint(
    dc: &mut Datacenter,
    service: &str,
    svc: &ServiceDefinition,
    inst: &ServiceDefinition,
    added: &Added,
) {
    let ns = non_empty_or(svc.namespace.as_deref(), "default");
    let part = non_empty_or(svc.partition.as_deref(), "default");
    // Looked up first: a service's second instance allocates no key.
    let i = match dc.endpoints.get_index_of(service) {
        Some(i) => i,
        None => {
            dc.endpoints
                .insert_full(service.to_owned(), Endpoints::default())
                .0
        }
    };
    let ep = &mut dc.endpoints[i];
    let i = ep.scope_index(ns, part).unwrap_or_else(|| {
        push_first_exact(&mut ep.scopes, (ns.to_owned(), part.to_owned()));
        push_first_exact(&mut ep.scoped, Addresses::default());
        ep.scopes.len() - 1
    });
    // Made once, for the service's instances and those of its scope.
    let addresses = instance_addresses(inst, added);
    push_instance(&mut ep.scoped[i], addresses.clone());
    push_instance(&mut ep.addresses, addresses);
}

/// The proxy-level mode after central config: the registration's own, else the downstream's
/// service-defaults, else proxy-defaults (Consul's `MergeServiceConfig`).
fn merged_mode(dc: &Datacenter, service: &str, own: MeshGatewayMode) -> MeshGatewayMode {
    let sd = dc
        .service_defaults(service)
        .map_or(MeshGatewayMode::Default, |sd| sd.mesh_gateway.mode);
    let pd = dc
        .proxy_defaults()
        .map_or(MeshGatewayMode::Default, |pd| pd.mesh_gateway.mode);
    pd.overlay(sd).overlay(own)
}

fn add_connect_proxy(
    dc: &mut Datacenter,
    mut added: Added,
    table: &Arc<UpstreamTable>,
    warnings: &mut Vec<Warning>,
) {
    let upstreams = UpstreamList::new(table, std::mem::take(&mut added.upstreams.own));
    let svc = &added.service;
    let proxy = svc.proxy.as_ref();
    let dest = proxy
        .and_then(|p| p.destination_service_name.as_deref())
        .filter(|d| !d.is_empty());
    let Some(dest) = dest else {
        warnings.push(
            Warning::new(
                WarningKind::ProxyWithoutDestination,
                format!(
                    "datacenter {}: connect-proxy {:?} has no destination_service_name; skipped",
                    dc.name,
                    svc.service_id()
                ),
            )
            .at(added.file.as_deref(), svc.pos),
        );
        return;
    };
    push_endpoint(dc, dest, svc, svc, &added);
    let id = svc.service_id().to_owned();
    let proxy = new_proxy(id, dest, svc, svc, upstreams, &added);
    dc.proxies.push(Proxy {
        builtin: is_builtin(svc, None),
        merged_mode: merged_mode(dc, dest, proxy.mode),
        ..proxy
    });
}

/// As Consul's agent completes an inline sidecar: its ID is always the parent's plus
/// `-sidecar-proxy`, an empty address is the parent's, and a missing port is the lowest free
/// one of the agent's sidecar range.
fn add_sidecar(
    dc: &mut Datacenter,
    mut added: Added,
    ports: &mut SidecarPorts,
    (table, warnings): (&Arc<UpstreamTable>, &mut Vec<Warning>),
) {
    let taken = added.service.connect.as_mut();
    let Some(mut inst) = taken.and_then(|c| c.sidecar_service.take()) else {
        return;
    };
    let upstreams = UpstreamList::new(table, std::mem::take(&mut added.upstreams.sidecar));
    let svc = &added.service;
    let id = [svc.service_id(), "-sidecar-proxy"].concat();
    if inst.address.as_deref().is_none_or(str::is_empty) {
        inst.address.clone_from(&svc.address);
    }
    if inst.port.is_none_or(|p| p == 0)
        && let Some(p) = ports.assign(added.agent)
    {
        inst.port = Some(p);
        warnings.push(Warning::new(
            WarningKind::SidecarPortAssumed,
            format!(
                "datacenter {}: {id:?} has no port; {p} assumed, the lowest free port of Consul's sidecar range {}-{} on its agent",
                dc.name,
                SIDECAR_PORTS.start(),
                SIDECAR_PORTS.end()
            ),
        ));
    }
    push_endpoint(dc, &svc.name, svc, &inst, &added);
    let proxy = new_proxy(id, &svc.name, svc, &inst, upstreams, &added);
    dc.proxies.push(Proxy {
        // What it reads (meta, proxy config) is the sidecar's as written.
        builtin: is_builtin(&inst, Some(svc)),
        merged_mode: merged_mode(dc, &svc.name, proxy.mode),
        ..proxy
    });
}

/// A proxy for `service`, scoped like `registration`, configured by `proxied`'s `proxy` block
/// (whose upstreams were taken out of it: `upstreams`).
fn new_proxy(
    id: String,
    service: &str,
    registration: &ServiceDefinition,
    proxied: &ServiceDefinition,
    upstreams: UpstreamList,
    added: &Added,
) -> Proxy {
    let proxy = proxied.proxy.as_ref();
    Proxy {
        id,
        service: service.to_owned(),
        namespace: non_empty_or(registration.namespace.as_deref(), "default").to_owned(),
        partition: non_empty_or(registration.partition.as_deref(), "default").to_owned(),
        mode: proxy.map(|p| p.mesh_gateway.mode).unwrap_or_default(),
        merged_mode: MeshGatewayMode::Default,
        upstreams,
        file: added.file.clone(),
        agent: added.agent,
        builtin: false,
    }
}

/// The built-in proxy reads these `proxy.config` keys; Envoy does not.
const BUILTIN_ONLY_KEYS: &[&str] = &[
    "handshake_timeout_ms",
    "tcp_check_address",
    "disable_tcp_check",
];

/// Whether a sidecar (or connect proxy) declares, or looks like, Consul's built-in proxy.
pub(crate) fn is_builtin(sidecar: &ServiceDefinition, parent: Option<&ServiceDefinition>) -> bool {
    let declared = [Some(sidecar), parent]
        .into_iter()
        .flatten()
        .find_map(|s| s.meta.get(PROXY_META_KEY));
    if let Some(v) = declared {
        return v.eq_ignore_ascii_case("builtin") || v.eq_ignore_ascii_case("built-in");
    }
    let Some(cfg) = sidecar.proxy.as_ref().and_then(|p| p.config.as_ref()) else {
        return false;
    };
    let key = |k: &String| k.to_ascii_lowercase();
    let keys = cfg.keys();
    !keys.iter().any(|k| key(k).starts_with("envoy_"))
        && keys
            .iter()
            .any(|k| BUILTIN_ONLY_KEYS.contains(&key(k).as_str()))
}

/// `addr:port`, an IPv6 address bracketed: written into a string of the exact length (the
/// formatting machinery cost more than the rest of a sidecar's registration).
fn host_port(addr: &str, port: u16) -> String {
    let bracket = addr.as_bytes().contains(&b':') && !addr.starts_with('[');
    let mut digits = [0u8; 5];
    let mut start = digits.len();
    let mut rest = port;
    loop {
        start -= 1;
        // A digit: below 10, so the cast keeps it.
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let digits = std::str::from_utf8(&digits[start..]).unwrap_or_default();
    let mut s = String::with_capacity(addr.len() + 2 * usize::from(bracket) + 1 + digits.len());
    if bracket {
        s.push('[');
    }
    s.push_str(addr);
    if bracket {
        s.push(']');
    }
    s.push(':');
    s.push_str(digits);
    s
}

/// Pushes `item`, a vector's first with room for one only: most services have one instance
/// and one scope, and a growing vector's first room is for four.
fn push_first_exact<T>(v: &mut Vec<T>, item: T) {
    if v.capacity() == 0 {
        v.reserve_exact(1);
    }
    v.push(item);
}

/// Adds an instance's LAN and WAN addresses (Consul's `BestAddress`: service address, else
/// the node's; `wan` tagged address first from afar). An instance whose own address is known
/// only at run time (a Kubernetes pod, a Nomad allocation) still has the WAN address its
/// `wan` tagged address names.
fn push_addresses(out: &mut Addresses, svc: &ServiceDefinition, added: &Added) {
    push_instance(out, instance_addresses(svc, added));
}

/// An instance's LAN and WAN `host:port`: neither without a port; without an address (its
/// own or its node's), no LAN one and its `wan` tagged address, if any, from afar.
fn instance_addresses(svc: &ServiceDefinition, added: &Added) -> (Option<String>, Option<String>) {
    let node = added.node.as_deref();
    let Some(port) = svc.port.filter(|p| *p != 0) else {
        return (None, None);
    };
    let lan = svc
        .address
        .as_deref()
        .filter(|a| !a.is_empty())
        .or(node.and_then(|n| n.lan.as_deref()));
    let Some(lan) = lan else {
        return (None, tagged_wan(svc, port));
    };
    let wan = svc
        .wan_address()
        .filter(|(a, _)| !a.is_empty())
        .map(|(a, p)| host_port(a, if p == 0 { port } else { p }))
        .or_else(|| {
            node.and_then(|n| n.wan.as_deref())
                .map(|a| host_port(a, port))
        });
    let lan = host_port(lan, port);
    let wan = wan.unwrap_or_else(|| lan.clone());
    (Some(lan), Some(wan))
}

/// Adds an instance's addresses, counting those it lacks.
fn push_instance(out: &mut Addresses, (lan, wan): (Option<String>, Option<String>)) {
    match lan {
        Some(a) => push_first_exact(&mut out.lan, a),
        None => out.unaddressed += 1,
    }
    match wan {
        Some(a) => push_first_exact(&mut out.wan, a),
        None => out.wan_unaddressed += 1,
    }
}

/// The `wan` tagged address, with its port or the service's.
fn tagged_wan(svc: &ServiceDefinition, port: u16) -> Option<String> {
    let wan = svc.tagged_addresses.get("wan")?;
    let p = if wan.port == 0 { port } else { wan.port };
    (!wan.address.is_empty()).then(|| host_port(&wan.address, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_known_only_by_its_wan_tagged_address_is_dialed_from_afar() {
        let mut gw = ServiceDefinition {
            port: Some(8443),
            ..ServiceDefinition::default()
        };
        let added = |svc: &ServiceDefinition| Added {
            service: svc.clone(),
            upstreams: KeptUpstreams::default(),
            file: None,
            node: None,
            agent: None,
        };
        let mut out = Addresses::default();
        push_addresses(&mut out, &gw, &added(&gw));
        assert_eq!((out.unaddressed, out.wan_unaddressed), (1, 1));
        gw.tagged_addresses.insert(
            "wan".into(),
            crate::model::service::TaggedAddress {
                address: "198.18.0.9".into(),
                port: 0,
            },
        );
        let mut out = Addresses::default();
        push_addresses(&mut out, &gw, &added(&gw));
        assert!(out.lan.is_empty());
        assert_eq!(out.wan, ["198.18.0.9:8443"]);
        assert_eq!((out.unaddressed, out.wan_unaddressed), (1, 0));
    }

    #[test]
    fn host_port_writes_every_port_and_brackets_bare_ipv6_addresses() {
        assert_eq!(host_port("10.0.0.1", 21000), "10.0.0.1:21000");
        assert_eq!(host_port("10.0.0.1", 65535), "10.0.0.1:65535");
        assert_eq!(host_port("a", 7), "a:7");
        assert_eq!(host_port("a", 10), "a:10");
        assert_eq!(host_port("a", 999), "a:999");
        assert_eq!(host_port("a", 1000), "a:1000");
        assert_eq!(host_port("", 0), ":0");
        assert_eq!(host_port("2001:db8::1", 443), "[2001:db8::1]:443");
        assert_eq!(host_port("[2001:db8::1]", 443), "[2001:db8::1]:443");
        for port in [1, 9, 99, 100, 9999, 10000, 54321] {
            let s = host_port("h.example", port);
            assert_eq!(s, format!("h.example:{port}"));
            assert_eq!(s.capacity(), s.len());
        }
    }

    #[test]
    fn the_built_in_proxy_is_recognised_by_meta_or_its_own_config_keys() {
        let mut sc = ServiceDefinition::default();
        assert!(!is_builtin(&sc, None));
        sc.meta.insert(PROXY_META_KEY.into(), "builtin".into());
        assert!(is_builtin(&sc, None));
        sc.meta.insert(PROXY_META_KEY.into(), "envoy".into());
        let mut cfg = crate::model::service::Opaque::new();
        cfg.insert("handshake_timeout_ms".into(), 1000.into());
        sc.proxy = Some(crate::model::service::ProxyConfig {
            config: Some(cfg.clone()),
            ..Default::default()
        });
        assert!(!is_builtin(&sc, None), "declared envoy wins");
        sc.meta.clear();
        assert!(is_builtin(&sc, None));
        cfg.insert("envoy_prometheus_bind_addr".into(), "0.0.0.0:9102".into());
        sc.proxy.as_mut().unwrap().config = Some(cfg);
        assert!(!is_builtin(&sc, None), "an envoy_ key means Envoy");
        let mut parent = ServiceDefinition::default();
        parent.meta.insert(PROXY_META_KEY.into(), "built-in".into());
        assert!(is_builtin(&sc, Some(&parent)));
    }
}
