//! Resolution of the fixture tree `tests/fixtures/resolve` (one directory per datacenter,
//! JSON agent configs with bootstrap entries, a saved CA roots response), through the loader.

#![allow(clippy::many_single_char_names)]

use std::path::Path;

use crate::helpers;

use meshroute::resolve::{HopKind, Layer, Route};
use meshroute::route::GatewayAction;
use meshroute::{Loader, MeshGatewayMode as M, Topology};

const TD: &str = "a1b2c3d4-0000-4000-8000-000000000001.consul";

fn topology() -> Topology {
    let loaded = Loader::new().load_paths(&[Path::new("tests/fixtures/resolve")]);
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    Topology::from_documents(&loaded.documents, None)
}

fn find<'a>(routes: &'a [Route<'a>], service: &str, upstream: &str) -> &'a Route<'a> {
    routes
        .iter()
        .find(|r| r.service == service && r.upstream.name == upstream)
        .unwrap_or_else(|| panic!("no route {service} -> {upstream}"))
}

#[test]
fn datacenters_come_from_the_agent_configs_lower_cased() {
    let t = topology();
    let names: Vec<_> = t
        .datacenters()
        .iter()
        .map(meshroute::topology::Datacenter::name)
        .collect();
    assert_eq!(names, ["east", "west"]);
    // The saved /v1/connect/ca/roots response gives the trust domain, lower-cased.
    assert_eq!(t.trust_domain(), Some(TD));
    assert_eq!(
        t.warnings().len(),
        1,
        "only the assumed sidecar port: {:?}",
        t.warnings()
    );
}

#[test]
fn every_fixture_route_resolves_as_consul_would() {
    let t = topology();
    let res = helpers::resolved(&t);
    let routes = res.to_vec();
    assert_eq!(routes.len(), 9);
    let r = |s, u| find(&routes, s, u);

    // The Override for orders (local) beats the Defaults (none) and proxy-defaults (remote).
    let o = r("frontend", "orders");
    assert_eq!((o.mode, o.decided_by), (M::Local, Layer::UpstreamOverride));
    assert_eq!(o.next_hop.kind, HopKind::LocalGateway);
    // The local gateway at its service address, not its `lan` tag.
    assert_eq!(o.next_hop.addresses, ["10.10.0.5:8443"]);
    assert_eq!(
        o.sni.as_deref(),
        Some(format!("orders.default.west.internal.{TD}").as_str())
    );
    assert_eq!(o.proxy, "frontend-sidecar-proxy");

    // UpstreamConfig.Defaults (none) beat proxy-defaults (remote): direct, at the address the
    // inline sidecar inherits from its service (it has no `wan` tag of its own).
    let c = r("frontend", "catalog");
    assert_eq!((c.mode, c.decided_by), (M::None, Layer::UpstreamDefaults));
    assert_eq!(c.next_hop.kind, HopKind::Direct);
    assert_eq!(c.next_hop.addresses, ["10.20.0.40:21001"]);

    // Remote: west's gateways at the wan tag, else the address, in registration order.
    let s = r("frontend", "shipping");
    assert_eq!((s.mode, s.decided_by), (M::Remote, Layer::Upstream));
    assert_eq!(
        s.next_hop.addresses,
        ["198.51.100.20:443", "10.20.0.6:8443"]
    );

    // No gateway in north: unreachable, and the warning names the datacenter.
    let i = r("frontend", "inventory");
    assert_eq!(i.next_hop.kind, HopKind::RemoteGateway);
    assert!(i.next_hop.addresses.is_empty());
    assert!(i.warnings.iter().any(|w| w.message().contains("\"north\"")));

    // ExternalSNI: dialed directly with the external name.
    let l = r("frontend", "legacy");
    assert_eq!(
        (l.mode, l.decided_by),
        (M::None, Layer::DestinationDefaults)
    );
    assert_eq!(l.sni.as_deref(), Some("legacy.example.net"));

    // Peered: the merged mode is none (Defaults): Consul warns and uses the peer's gateways.
    let p = r("frontend", "partners");
    assert_eq!(p.upstream.peer, Some("acme"));
    assert_eq!(p.next_hop.kind, HopKind::RemoteGateway);
    assert_eq!(p.sni, None);
    assert!(
        p.warnings[0]
            .message()
            .starts_with("invalid mesh gateway mode 'none'")
    );

    // Prepared query: no central merge, no chain; proxy-defaults' remote is still computed,
    // but the query is dialed directly with the query SNI.
    let q = r("frontend", "search");
    assert_eq!((q.mode, q.decided_by), (M::Remote, Layer::ProxyDefaults));
    assert_eq!(q.next_hop.kind, HopKind::Direct);
    assert_eq!(
        q.sni.as_deref(),
        Some(format!("search.default.east.query.{TD}").as_str())
    );

    // A separate connect-proxy registration: its instance mode (local) beats proxy-defaults.
    let ro = r("reports", "orders");
    assert_eq!(ro.proxy, "reports-proxy-1");
    assert_eq!((ro.mode, ro.decided_by), (M::Local, Layer::ServiceInstance));

    // Same datacenter: direct whatever the mode, at the LAN address.
    let rf = r("reports", "frontend");
    assert_eq!(rf.mode, M::Local);
    assert_eq!(rf.next_hop.kind, HopKind::Direct);
    assert_eq!(rf.next_hop.addresses, ["10.10.0.20:21000"]);
}

#[test]
fn the_gateways_agree_with_the_resolved_snis() {
    let t = topology();
    let sni = format!("orders.default.west.internal.{TD}");
    let d = t.route_sni("east", &sni);
    assert_eq!(d.action_str(), "forward");
    let d = t.route_sni("west", &sni);
    assert_eq!(d.action_str(), "local");
}

#[test]
fn a_sidecar_without_port_gets_the_agents_lowest_free_sidecar_port() {
    // west's agent already uses 21000 and 21001: Consul's agent gives audit's sidecar 21002.
    let t = topology();
    let d = t.route_sni("west", &format!("audit.default.west.internal.{TD}"));
    match d.action {
        GatewayAction::Local { addresses, .. } => assert_eq!(addresses, ["10.20.0.50:21002"]),
        other => panic!("{other:?}"),
    }
    assert!(t.warnings().iter().any(|w| {
        w.message()
            .contains("\"audit-sidecar-proxy\" has no port; 21002 assumed")
    }));
}
