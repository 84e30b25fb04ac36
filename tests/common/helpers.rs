//! Topologies built from the model types, shared by the resolution and routing tests.
#![allow(dead_code, unreachable_pub, unused_imports, clippy::assigning_clones)]

use meshroute::{
    ConfigEntry, MeshGatewayConfig, MeshGatewayMode, ProxyConfig, ProxyDefaults, ServiceConnect,
    ServiceDefaults, ServiceDefinition, ServiceKind, TaggedAddress, Upstream,
    UpstreamConfiguration, UpstreamOverride,
};

pub use meshroute::MeshGatewayMode::{Default as D, Local as L, None as N, Remote as R};

pub const TD: &str = "11111111-2222-3333-4444-555555555555.consul";

pub fn up(name: &str, dc: &str) -> Upstream {
    let mut u = Upstream::service(name);
    if !dc.is_empty() {
        u.datacenter = Some(dc.to_owned());
    }
    u.local_bind_port = Some(9191);
    u
}

pub fn up_mode(name: &str, dc: &str, mode: MeshGatewayMode) -> Upstream {
    let mut u = up(name, dc);
    u.mesh_gateway = MeshGatewayConfig::new(mode);
    u
}

/// A separate `connect-proxy` registration.
pub fn proxy(
    id: &str,
    service: &str,
    mode: MeshGatewayMode,
    ups: Vec<Upstream>,
) -> ServiceDefinition {
    let mut p = ProxyConfig::default();
    p.destination_service_name = Some(service.to_owned());
    p.mesh_gateway = MeshGatewayConfig::new(mode);
    p.upstreams = ups;
    let mut s = ServiceDefinition::default();
    s.kind = ServiceKind::ConnectProxy;
    s.name = format!("{service}-sidecar-proxy");
    s.id = Some(id.to_owned());
    s.port = Some(21000);
    s.address = Some("10.9.9.9".to_owned());
    s.proxy = Some(p);
    s
}

/// A typical service with an inline sidecar at `addr:sidecar_port`.
pub fn with_sidecar(
    name: &str,
    addr: &str,
    sidecar_port: u16,
    wan: Option<&str>,
    mode: MeshGatewayMode,
    ups: Vec<Upstream>,
) -> ServiceDefinition {
    let mut p = ProxyConfig::default();
    p.mesh_gateway = MeshGatewayConfig::new(mode);
    p.upstreams = ups;
    let mut sc = ServiceDefinition::default();
    sc.port = Some(sidecar_port);
    sc.address = Some(addr.to_owned());
    if let Some(w) = wan {
        sc.tagged_addresses.insert("wan".into(), tagged(w, 0));
    }
    sc.proxy = Some(p);
    let mut c = ServiceConnect::default();
    c.sidecar_service = Some(Box::new(sc));
    let mut s = ServiceDefinition::default();
    s.name = name.to_owned();
    s.port = Some(8080);
    s.address = Some(addr.to_owned());
    s.connect = Some(c);
    s
}

pub fn tagged(addr: &str, port: u16) -> TaggedAddress {
    let mut t = TaggedAddress::default();
    t.address = addr.to_owned();
    t.port = port;
    t
}

pub fn gateway(name: &str, addr: &str, port: u16, wan: Option<(&str, u16)>) -> ServiceDefinition {
    let mut s = ServiceDefinition::default();
    s.kind = ServiceKind::MeshGateway;
    s.name = "mesh-gateway".to_owned();
    s.id = Some(name.to_owned());
    s.address = Some(addr.to_owned());
    s.port = Some(port);
    // A `lan` tag that must NOT be used: Consul dials the service address.
    s.tagged_addresses
        .insert("lan".into(), tagged("192.0.2.99", port));
    if let Some((a, p)) = wan {
        s.tagged_addresses.insert("wan".into(), tagged(a, p));
    }
    s
}

pub fn pd(mode: MeshGatewayMode) -> ConfigEntry {
    let mut e = ProxyDefaults::default();
    e.mesh_gateway = MeshGatewayConfig::new(mode);
    ConfigEntry::ProxyDefaults(e)
}

pub fn sd(name: &str, mode: MeshGatewayMode) -> ServiceDefaults {
    let mut e = ServiceDefaults::default();
    e.name = name.to_owned();
    e.mesh_gateway = MeshGatewayConfig::new(mode);
    e
}

/// service-defaults of `name` with UpstreamConfig.Defaults and Overrides.
pub fn sd_upstreams(
    name: &str,
    mode: MeshGatewayMode,
    defaults: MeshGatewayMode,
    overrides: &[(&str, MeshGatewayMode)],
) -> ConfigEntry {
    let mut e = sd(name, mode);
    let mut uc = UpstreamConfiguration::default();
    let mut d = UpstreamOverride::default();
    d.mesh_gateway = MeshGatewayConfig::new(defaults);
    uc.defaults = Some(d);
    for (n, m) in overrides {
        let mut o = UpstreamOverride::default();
        o.name = (*n).to_owned();
        o.mesh_gateway = MeshGatewayConfig::new(*m);
        uc.overrides.push(o);
    }
    e.upstream_config = Some(uc);
    ConfigEntry::ServiceDefaults(e)
}

/// `t.resolve()`, after checking that every route it read from the topology's plan is the
/// route `resolve_upstream` reads from the models themselves.
pub fn resolved(t: &meshroute::Topology) -> meshroute::resolve::Resolution<'_> {
    let r = t.resolve();
    let mut planned = r.routes();
    for dc in t.datacenters() {
        for p in dc.proxies() {
            for u in p.upstreams() {
                assert_eq!(Some(t.resolve_upstream(dc, p, u)), planned.next());
            }
        }
    }
    assert_eq!(planned.next(), None);
    r
}
