//! Upstreams with a discovery chain, and config entries shared across a WAN federation, on
//! topologies built from the model types.
#![allow(clippy::assigning_clones)]

use crate::helpers;

use helpers::*;
use meshroute::discovery_chain::{FailoverTarget, ResolverFailover, ResolverRedirect};
use meshroute::resolve::{HopKind, Layer, Route};
use meshroute::{
    ConfigEntry, MeshGatewayMode, ServiceDefinition, ServiceResolver, Topology, WarningKind,
};

/// dc1 (web's proxy, two gateways), dc2 (api, one gateway), dc3 (api, no gateway), all in
/// one federation whose primary is dc1; `entries` are written in dc1.
fn federation(web: ServiceDefinition, entries: Vec<ConfigEntry>) -> Topology {
    let mut b = Topology::builder();
    b.trust_domain(TD);
    for dc in ["dc1", "dc2", "dc3"] {
        b.primary_datacenter(dc, "dc1");
    }
    b.add_service("dc1", web);
    b.add_service(
        "dc1",
        gateway("gw1", "10.1.0.1", 8443, Some(("198.18.1.1", 443))),
    );
    b.add_service(
        "dc2",
        gateway("gw2", "10.2.0.1", 8443, Some(("198.18.2.1", 443))),
    );
    for (dc, i) in [("dc1", 1), ("dc2", 2), ("dc3", 3)] {
        let addr = format!("10.{i}.0.10");
        let wan = format!("203.0.113.{i}");
        b.add_service(dc, with_sidecar("api", &addr, 21000, Some(&wan), D, vec![]));
    }
    for e in entries {
        b.add_config_entry("dc1", e);
    }
    b.build()
}

fn web(mode: MeshGatewayMode, u: meshroute::Upstream) -> ServiceDefinition {
    proxy("web-sidecar-proxy", "web", mode, vec![u])
}

fn only(t: &Topology) -> Route<'_> {
    let r = resolved(t);
    assert_eq!(r.len(), 1, "{r:#?}");
    r.get(0).unwrap()
}

fn resolver(name: &str) -> ServiceResolver {
    let mut r = ServiceResolver::default();
    r.name = name.to_owned();
    r
}

fn redirect(service: &str, dc: &str) -> ResolverRedirect {
    let mut r = ResolverRedirect::default();
    r.service = service.to_owned();
    r.datacenter = dc.to_owned();
    r
}

fn failover_dcs(dcs: &[&str]) -> ResolverFailover {
    let mut f = ResolverFailover::default();
    f.datacenters = dcs.iter().map(|d| (*d).to_owned()).collect();
    f
}

#[test]
fn a_redirect_to_another_datacenter_is_dialed_there() {
    // The first case: web -> api-dc2, whose resolver redirects to api in dc2.
    let mut r = resolver("api-dc2");
    r.redirect = Some(redirect("api", "dc2"));
    let t = federation(web(D, up("api-dc2", "")), vec![r.into(), pd(R)]);
    let route = only(&t);
    assert_eq!(route.upstream.name, "api-dc2");
    assert_eq!(route.upstream.datacenter, "dc1");
    assert_eq!((route.mode, route.decided_by), (R, Layer::ProxyDefaults));
    assert_eq!(
        route.sni.as_deref(),
        Some(format!("api.default.dc2.internal.{TD}").as_str())
    );
    assert_eq!(route.next_hop.kind, HopKind::RemoteGateway);
    assert_eq!(route.next_hop.datacenter, Some("dc2"));
    assert_eq!(route.next_hop.addresses, ["198.18.2.1:443"]);
    let chain = route.chain.as_ref().unwrap();
    assert_eq!(chain.targets.len(), 1);
    assert_eq!(chain.targets[0].target.id, "api.default.default.dc2");
    assert!(route.warnings.is_empty(), "{:?}", route.warnings);
}

#[test]
fn failover_targets_take_the_dialing_sides_mode_in_order() {
    let mut r = resolver("api");
    r.failover.insert("*".into(), failover_dcs(&["dc2", "dc3"]));
    let t = federation(web(D, up_mode("api", "", L)), vec![r.into()]);
    let route = only(&t);
    let chain = route.chain.as_ref().unwrap();
    let ids: Vec<&str> = chain.targets.iter().map(|t| t.target.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "api.default.default.dc1",
            "api.default.default.dc2",
            "api.default.default.dc3"
        ]
    );
    // The primary is in the proxy's own datacenter: direct, whatever the mode.
    assert_eq!(route.next_hop.kind, HopKind::Direct);
    assert_eq!(route.next_hop.addresses, ["10.1.0.10:21000"]);
    for (i, tr) in chain.targets.iter().enumerate().skip(1) {
        assert_eq!((tr.mode, tr.decided_by), (L, Layer::Upstream));
        assert_eq!(tr.next_hop.kind, HopKind::LocalGateway);
        assert_eq!(tr.next_hop.addresses, ["10.1.0.1:8443"]);
        assert_eq!(tr.target.failover.unwrap().position, i);
    }
    // dc3 has no gateway for dc1's gateways to forward to: said, for that target.
    assert!(
        route
            .warnings
            .iter()
            .any(|w| w.kind() == WarningKind::NowhereToForward
                && w.message().starts_with("target api.default.default.dc3: ")),
        "{:?}",
        route.warnings
    );
}

#[test]
fn without_a_dialing_side_mode_each_target_follows_its_own_service() {
    let mut r = resolver("api");
    let mut f = ResolverFailover::default();
    let mut backup = FailoverTarget::default();
    backup.service = "api-backup".into();
    backup.datacenter = "dc2".into();
    f.targets.push(backup);
    r.failover.insert("*".into(), f);
    let mut r2 = resolver("api-home");
    r2.redirect = Some(redirect("api", "dc2"));
    let entries = vec![
        r.into(),
        r2.into(),
        ConfigEntry::ServiceDefaults(sd("api", R)),
        ConfigEntry::ServiceDefaults(sd("api-backup", L)),
    ];
    let t = federation(web(D, up("api-home", "")), entries);
    let route = only(&t);
    assert_eq!(
        (route.mode, route.decided_by),
        (R, Layer::DestinationDefaults)
    );
    let chain = route.chain.as_ref().unwrap();
    let backup = &chain.targets[1];
    assert_eq!(backup.target.id, "api-backup.default.default.dc2");
    assert_eq!(
        (backup.mode, backup.decided_by),
        (L, Layer::DestinationDefaults)
    );
    assert_eq!(backup.next_hop.kind, HopKind::LocalGateway);
    assert_eq!(route.next_hop.kind, HopKind::RemoteGateway);
}

#[test]
fn a_peer_failover_target_uses_the_upstreams_mode_and_the_peering() {
    let mut r = resolver("api");
    let mut f = ResolverFailover::default();
    let mut p = FailoverTarget::default();
    p.peer = "partner".into();
    f.targets.push(p);
    r.failover.insert("*".into(), f);
    let t = federation(web(D, up_mode("api", "dc2", N)), vec![r.into()]);
    let route = only(&t);
    let chain = route.chain.as_ref().unwrap();
    let peer = &chain.targets[1];
    assert_eq!(peer.target.id, "api.default.default.external.partner");
    // `none` on a peer is treated as remote: the peer's gateways, known at run time.
    assert_eq!(peer.next_hop.kind, HopKind::RemoteGateway);
    assert_eq!(peer.next_hop.datacenter, None);
    assert_eq!(peer.sni, None);
    assert!(
        route
            .warnings
            .iter()
            .any(|w| w.kind() == WarningKind::PeerModeNone)
    );
    // The primary, in dc2 with mode none: dc2's instance at its WAN address.
    assert_eq!(route.next_hop.kind, HopKind::Direct);
    assert_eq!(route.next_hop.addresses, ["203.0.113.2:21000"]);
}

#[test]
fn an_upstream_without_chain_entries_has_no_chain_and_the_same_json() {
    let t = federation(web(R, up("api", "dc2")), vec![pd(L)]);
    let route = only(&t);
    assert!(route.chain.is_none());
    let v = serde_json::to_value(&route).unwrap();
    assert!(v.get("chain").is_none());
    // A resolver that changes nothing (only a connect timeout) is no chain either.
    let mut r = resolver("api");
    r.connect_timeout = Some("5s".into());
    let t2 = federation(web(R, up("api", "dc2")), vec![pd(L), r.into()]);
    assert_eq!(only(&t2), route);
}

#[test]
fn chained_routes_serialize_their_targets() {
    let mut r = resolver("api");
    r.failover.insert("*".into(), failover_dcs(&["dc2"]));
    let t = federation(web(R, up("api", "")), vec![r.into()]);
    let v = serde_json::to_value(only(&t)).unwrap();
    let c = &v["chain"];
    assert_eq!(c["protocol"], "tcp");
    assert_eq!(c["error"], serde_json::Value::Null);
    let failover = &c["targets"][1];
    assert_eq!(failover["id"], "api.default.default.dc2");
    assert_eq!(failover["failover"]["of"], "api.default.default.dc1");
    assert_eq!(failover["failover"]["position"], 1);
    assert_eq!(failover["next_hop"]["kind"], "remote-gateway");
    assert_eq!(
        failover["sni"],
        format!("api.default.dc2.internal.{TD}").as_str()
    );
    assert_eq!(failover["via"][0], "failover[1] of api.default.default.dc1");
}

#[test]
fn entries_written_in_any_datacenter_of_a_federation_apply_in_all() {
    // The third case: api's service-defaults written only in dc2's directory.
    let build = |primary: bool| {
        let mut b = Topology::builder();
        b.trust_domain(TD);
        if primary {
            b.primary_datacenter("dc2", "dc1")
                .primary_datacenter("dc1", "dc1");
        }
        b.add_service("dc1", web(D, up("api", "dc2")));
        b.add_service("dc2", gateway("gw2", "10.2.0.1", 8443, None));
        b.add_config_entry("dc2", ConfigEntry::ServiceDefaults(sd("api", R)));
        b.build()
    };
    let shared = build(true);
    let r = only(&shared);
    assert_eq!((r.mode, r.decided_by), (R, Layer::DestinationDefaults));
    // Datacenters nothing ties together keep their own entries.
    let apart = build(false);
    let r = only(&apart);
    assert_eq!((r.mode, r.decided_by), (N, Layer::Default));
}

#[test]
fn different_entries_of_one_kind_and_name_conflict_identical_ones_do_not() {
    let mut b = Topology::builder();
    b.primary_datacenter("dc2", "dc1");
    b.add_config_entry("dc1", pd(L));
    b.add_config_entry("dc2", pd(L));
    let t = b.build();
    assert!(t.entry_conflicts().is_empty());
    assert!(t.warnings().is_empty(), "{:?}", t.warnings());
    let mut b = Topology::builder();
    b.primary_datacenter("dc2", "dc1");
    b.add_config_entry("dc1", pd(L));
    b.add_config_entry("dc2", pd(R));
    let t = b.build();
    let c = &t.entry_conflicts()[0];
    assert_eq!(
        (c.kind.as_str(), c.name.as_str()),
        ("proxy-defaults", "global")
    );
    assert_eq!(c.datacenters, ["dc1", "dc2"]);
    let w = &t.warnings()[0];
    assert_eq!(w.kind(), WarningKind::DuplicateConfigEntry);
    assert!(w.message().contains("the first one loaded is used"), "{w}");
    // The first one loaded is kept, in both datacenters.
    for dc in t.datacenters() {
        let mode = dc.proxy_defaults().unwrap().mesh_gateway.mode;
        assert_eq!(mode, L);
    }
}

#[test]
fn direct_hops_list_the_instances_of_the_upstreams_namespace() {
    let mut b = Topology::builder();
    b.trust_domain(TD);
    let mut u = up("api", "dc2");
    u.destination_namespace = Some("team".into());
    b.add_service("dc1", web(N, u));
    b.add_service(
        "dc2",
        with_sidecar("api", "10.2.0.10", 21000, None, D, vec![]),
    );
    let mut team = with_sidecar("api", "10.2.0.20", 21000, None, D, vec![]);
    team.namespace = Some("team".into());
    b.add_service("dc2", team);
    let t = b.build();
    let r = only(&t);
    assert_eq!(r.next_hop.addresses, ["10.2.0.20:21000"]);
}

#[test]
fn the_proxy_records_its_mode_after_central_config() {
    let t = federation(
        web(D, up("api", "dc2")),
        vec![pd(L), ConfigEntry::ServiceDefaults(sd("web", R))],
    );
    let p = &t.datacenter("dc1").unwrap().proxies()[0];
    assert_eq!((p.mode, p.merged_mode), (D, R));
}

#[test]
fn a_datacenter_not_among_the_inputs_is_said_to_be_unknown() {
    let t = federation(web(R, up("api", "dc9")), vec![]);
    let r = only(&t);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.kind() == WarningKind::UnknownDatacenter
                && w.message().contains("\"dc9\" is not among the inputs")),
        "{:?}",
        r.warnings
    );
    assert!(
        !r.warnings
            .iter()
            .any(|w| w.kind() == WarningKind::NoGateway)
    );
}

#[test]
fn explain_shows_the_chain_and_the_proxy_mode() {
    let mut r = resolver("api");
    r.failover.insert("*".into(), failover_dcs(&["dc2"]));
    let t = federation(web(D, up("api", "dc3")), vec![r.into(), pd(R)]);
    let dc = t.datacenter("dc1").unwrap();
    let p = &dc.proxies()[0];
    let e = t.explain(dc, p, p.upstream(0).unwrap());
    assert_eq!(e.proxy_mode, R);
    let text = e.to_string();
    for line in [
        "proxy mode: remote (Proxy.MeshGateway of \"web-sidecar-proxy\" after central config)",
        "chain: api.default.default in dc3 (protocol tcp)",
        "  target api.default.default.dc3 (primary)",
        "  target api.default.default.dc2 (failover 1 of api.default.default.dc3)",
        "    via failover[1] of api.default.default.dc3",
        "    next hop: remote-gateway dc2 [198.18.2.1:443]",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} not in\n{text}");
    }
    // dc3 has no gateway: the primary is unreachable, said for that target.
    assert!(
        text.contains("warning: target api.default.default.dc3: no mesh gateway"),
        "{text}"
    );
}
