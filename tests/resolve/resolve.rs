//! Resolution rules, each as Consul applies them (reference notes §2, §4.3, §9), on
//! topologies built from the model types.

use crate::helpers;

use helpers::*;
use meshroute::resolve::{HopKind, Layer, Route};
use meshroute::service::DestinationType;
use meshroute::{ConfigEntry, MeshGatewayMode, ServiceDefinition, Topology, Upstream};

/// dc1: web's proxy (given), two gateways; dc2: api with a sidecar, two gateways (the second
/// without a `wan` tag).
fn two_dcs(web: ServiceDefinition, entries: Vec<ConfigEntry>) -> Topology {
    let mut b = Topology::builder();
    b.trust_domain(TD);
    b.add_service("dc1", web);
    b.add_service(
        "dc1",
        gateway("gw1a", "10.1.0.1", 8443, Some(("198.18.1.1", 443))),
    );
    b.add_service(
        "dc1",
        gateway("gw1b", "10.1.0.2", 8443, Some(("198.18.1.2", 443))),
    );
    b.add_service(
        "dc1",
        with_sidecar("db", "10.1.0.20", 21000, None, D, vec![]),
    );
    b.add_service(
        "dc2",
        with_sidecar("api", "10.2.0.10", 21000, Some("203.0.113.10"), D, vec![]),
    );
    b.add_service(
        "dc2",
        gateway("gw2a", "10.2.0.1", 8443, Some(("198.18.2.1", 443))),
    );
    b.add_service("dc2", gateway("gw2b", "10.2.0.2", 8443, None));
    for e in entries {
        b.add_config_entry("dc1", e);
    }
    b.build()
}

fn only(t: &Topology) -> Route<'_> {
    let r = resolved(t);
    assert_eq!(r.len(), 1, "{r:#?}");
    r.get(0).unwrap()
}

fn web(mode: MeshGatewayMode, u: Upstream) -> ServiceDefinition {
    proxy("web-sidecar-proxy", "web", mode, vec![u])
}

fn decide(
    inst: MeshGatewayMode,
    u: Upstream,
    entries: Vec<ConfigEntry>,
) -> (MeshGatewayMode, Layer) {
    let t = two_dcs(web(inst, u), entries);
    let r = only(&t);
    (r.mode, r.decided_by)
}

#[test]
fn everything_default_dials_directly_by_default() {
    assert_eq!(decide(D, up("api", "dc2"), vec![]), (N, Layer::Default));
    let t = two_dcs(web(D, up("api", "dc2")), vec![]);
    let r = only(&t);
    assert_eq!(r.next_hop.kind, HopKind::Direct);
    assert_eq!(r.next_hop.datacenter, Some("dc2"));
    // Across datacenters the destination's sidecar is dialed at its WAN address.
    assert_eq!(r.next_hop.addresses, ["203.0.113.10:21000"]);
    assert_eq!(
        r.sni.as_deref(),
        Some(format!("api.default.dc2.internal.{TD}").as_str())
    );
}

#[test]
fn the_upstream_definition_beats_every_other_layer() {
    let all = vec![pd(L), sd_upstreams("web", L, L, &[("api", L)])];
    assert_eq!(
        decide(L, up_mode("api", "dc2", R), all),
        (R, Layer::Upstream)
    );
}

#[test]
fn a_service_defaults_override_beats_the_instance() {
    // Consul's agent merge: Overrides sit between the instance and the upstream definition.
    let e = vec![pd(N), sd_upstreams("web", N, N, &[("api", R)])];
    assert_eq!(decide(L, up("api", "dc2"), e), (R, Layer::UpstreamOverride));
}

#[test]
fn an_override_for_another_upstream_does_not_apply() {
    let e = vec![sd_upstreams("web", D, D, &[("billing", R)])];
    assert_eq!(decide(L, up("api", "dc2"), e), (L, Layer::ServiceInstance));
}

#[test]
fn the_instance_beats_upstream_defaults_and_below() {
    let e = vec![pd(R), sd_upstreams("web", R, R, &[])];
    assert_eq!(decide(L, up("api", "dc2"), e), (L, Layer::ServiceInstance));
}

#[test]
fn upstream_defaults_beat_the_downstream_service_defaults() {
    let e = vec![pd(N), sd_upstreams("web", N, R, &[])];
    assert_eq!(decide(D, up("api", "dc2"), e), (R, Layer::UpstreamDefaults));
}

#[test]
fn downstream_service_defaults_beat_proxy_defaults() {
    let e = vec![pd(N), ConfigEntry::ServiceDefaults(sd("web", R))];
    assert_eq!(decide(D, up("api", "dc2"), e), (R, Layer::ServiceDefaults));
}

#[test]
fn proxy_defaults_decide_when_the_downstream_says_nothing() {
    assert_eq!(
        decide(D, up("api", "dc2"), vec![pd(L)]),
        (L, Layer::ProxyDefaults)
    );
}

#[test]
fn the_destination_defaults_only_speak_when_the_dialing_side_is_silent() {
    // Consul's discovery chain: the target's own service-defaults are read, then overridden
    // by any mode the dialing side produced (proxy-defaults is on the dialing side).
    let e = vec![ConfigEntry::ServiceDefaults(sd("api", R))];
    assert_eq!(
        decide(D, up("api", "dc2"), e),
        (R, Layer::DestinationDefaults)
    );
    let e = vec![pd(L), ConfigEntry::ServiceDefaults(sd("api", R))];
    assert_eq!(decide(D, up("api", "dc2"), e), (L, Layer::ProxyDefaults));
}

#[test]
fn an_external_destination_is_dialed_directly_with_its_external_sni() {
    let mut api = sd("api", R);
    api.external_sni = Some("api.example.com".into());
    let t = two_dcs(
        web(L, up_mode("api", "dc2", R)),
        vec![ConfigEntry::ServiceDefaults(api)],
    );
    let r = only(&t);
    assert_eq!((r.mode, r.decided_by), (N, Layer::DestinationDefaults));
    assert_eq!(r.sni.as_deref(), Some("api.example.com"));
    assert_eq!(r.next_hop.kind, HopKind::Direct);
}

#[test]
fn remote_mode_dials_the_destination_gateways_at_their_wan_address() {
    let t = two_dcs(web(R, up("api", "dc2")), vec![]);
    let r = only(&t);
    assert_eq!(r.next_hop.kind, HopKind::RemoteGateway);
    assert_eq!(r.next_hop.datacenter, Some("dc2"));
    // wan tag first; the gateway without one at its service address; registration order.
    assert_eq!(r.next_hop.addresses, ["198.18.2.1:443", "10.2.0.2:8443"]);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn local_mode_dials_the_local_gateways_at_their_service_address() {
    let t = two_dcs(web(L, up("api", "dc2")), vec![]);
    let r = only(&t);
    assert_eq!(r.next_hop.kind, HopKind::LocalGateway);
    assert_eq!(r.next_hop.datacenter, Some("dc1"));
    // Not the `lan` tag: Consul dials the service Address:Port.
    assert_eq!(r.next_hop.addresses, ["10.1.0.1:8443", "10.1.0.2:8443"]);
}

#[test]
fn same_datacenter_is_direct_whatever_the_mode() {
    for m in [L, R, N] {
        let t = two_dcs(web(m, up("db", "")), vec![pd(R)]);
        let r = only(&t);
        assert_eq!(r.mode, m, "the mode is still reported as computed");
        assert_eq!(r.next_hop.kind, HopKind::Direct);
        assert_eq!(r.next_hop.addresses, ["10.1.0.20:21000"]);
        assert_eq!(r.upstream.datacenter, "dc1");
        assert_eq!(
            r.sni.as_deref(),
            Some(format!("db.default.dc1.internal.{TD}").as_str())
        );
    }
    // Naming the own datacenter explicitly is the same.
    let t = two_dcs(web(R, up("db", "dc1")), vec![]);
    assert_eq!(only(&t).next_hop.kind, HopKind::Direct);
}

#[test]
fn a_mode_needing_a_missing_gateway_is_unreachable_with_a_warning() {
    let t = two_dcs(web(R, up("api", "dc3")), vec![]);
    let r = only(&t);
    assert_eq!(r.next_hop.kind, HopKind::RemoteGateway);
    assert!(r.next_hop.addresses.is_empty());
    assert!(
        r.warnings
            .iter()
            .any(|w| w.message().contains("\"dc3\"") && w.message().contains("unreachable")),
        "{:?}",
        r.warnings
    );

    let mut b = Topology::builder();
    b.trust_domain(TD);
    b.add_service("dc1", web(L, up("api", "dc2")));
    let t = b.build();
    let r = only(&t);
    assert_eq!(r.next_hop.kind, HopKind::LocalGateway);
    assert!(r.next_hop.addresses.is_empty());
    assert!(
        r.warnings.iter().any(|w| w.message().contains("\"dc1\"")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn prepared_queries_never_use_gateways_and_get_the_query_sni() {
    let mut q = up_mode("api-query", "dc2", R);
    q.destination_type = DestinationType::PreparedQuery;
    let t = two_dcs(web(L, q), vec![pd(L)]);
    let r = only(&t);
    assert_eq!(r.next_hop.kind, HopKind::Direct);
    assert_eq!(
        r.sni.as_deref(),
        Some(format!("api-query.default.dc2.query.{TD}").as_str())
    );
    assert_eq!((r.mode, r.decided_by), (R, Layer::Upstream));
}

#[test]
fn peered_upstreams_local_goes_to_local_gateways_others_to_the_peer() {
    let peered = |m| {
        let mut u = up_mode("api", "", m);
        u.destination_peer = Some("cluster-02".into());
        u
    };
    let t = two_dcs(web(D, peered(L)), vec![]);
    let r = only(&t);
    assert_eq!(r.next_hop.kind, HopKind::LocalGateway);
    assert_eq!(r.next_hop.addresses, ["10.1.0.1:8443", "10.1.0.2:8443"]);
    assert_eq!(
        r.sni, None,
        "the peer's SNI comes from the peering: not guessed"
    );
    assert_eq!(r.upstream.peer, Some("cluster-02"));

    let t = two_dcs(web(D, peered(D)), vec![]);
    let r = only(&t);
    assert_eq!((r.mode, r.decided_by), (R, Layer::Default));
    assert_eq!(r.next_hop.kind, HopKind::RemoteGateway);
    assert_eq!(r.next_hop.datacenter, None);

    // `none` is logged by Consul and treated as remote.
    let t = two_dcs(web(D, peered(N)), vec![]);
    let r = only(&t);
    assert_eq!(r.mode, N);
    assert_eq!(r.next_hop.kind, HopKind::RemoteGateway);
    assert!(r.warnings.iter().any(|w| w.message().starts_with(
        "invalid mesh gateway mode 'none', defaulting to 'remote' for \"api?peer=cluster-02\""
    )));

    // No discovery chain: the destination's service-defaults are not read.
    let t = two_dcs(
        web(D, peered(D)),
        vec![ConfigEntry::ServiceDefaults(sd("api", L))],
    );
    assert_eq!(only(&t).decided_by, Layer::Default);
}

#[test]
fn partitions_use_the_internal_v1_names_and_partition_gateways() {
    let mut u = up("api", "");
    u.destination_partition = Some("part1".into());
    u.destination_namespace = Some("ns1".into());
    u.mesh_gateway = meshroute::MeshGatewayConfig::new(R);
    let mut b = Topology::builder();
    b.trust_domain(TD);
    b.add_service("dc1", web(D, u));
    let mut pgw = gateway("gw-p1", "10.1.5.1", 8443, Some(("198.18.5.1", 443)));
    pgw.partition = Some("part1".into());
    b.add_service("dc1", pgw);
    let t = b.build();
    let r = only(&t);
    assert_eq!(
        r.sni.as_deref(),
        Some(format!("api.ns1.part1.dc1.internal-v1.{TD}").as_str())
    );
    assert_eq!(r.next_hop.kind, HopKind::RemoteGateway);
    // Another partition: the endpoint's locality differs, so its WAN address.
    assert_eq!(r.next_hop.addresses, ["198.18.5.1:443"]);
}

#[test]
fn inline_sidecars_and_separate_proxies_are_both_resolved() {
    let mut b = Topology::builder();
    b.trust_domain(TD);
    b.add_service(
        "dc1",
        with_sidecar("web", "10.1.0.30", 21001, None, R, vec![up("api", "dc2")]),
    );
    b.add_service(
        "dc1",
        proxy("billing-proxy", "billing", L, vec![up("api", "dc2")]),
    );
    let t = b.build();
    let r = resolved(&t);
    let ids: Vec<_> = r.routes().map(|r| (r.proxy, r.service, r.mode)).collect();
    assert_eq!(
        ids,
        [
            ("web-sidecar-proxy", "web", R),
            ("billing-proxy", "billing", L)
        ]
    );
}

#[test]
fn without_a_trust_domain_resolution_says_so_and_names_both_ways() {
    let mut b = Topology::builder();
    b.add_service("dc1", web(R, up("api", "dc2")));
    let t = b.build();
    let r = resolved(&t);
    assert_eq!(r.get(0).unwrap().sni, None);
    // The library speaks of its own API, not of a command-line flag.
    assert!(
        r.warnings
            .iter()
            .any(|w| w.kind() == meshroute::WarningKind::NoTrustDomain
                && w.message().contains("TopologyBuilder::trust_domain")
                && w.message().contains("/v1/connect/ca/roots")
                && !w.message().contains("--"))
    );
}

#[test]
fn explain_lists_every_layer_and_marks_the_winner() {
    let t = two_dcs(
        web(L, up("api", "dc2")),
        vec![pd(R), sd_upstreams("web", D, N, &[])],
    );
    let dc = t.datacenter("dc1").unwrap();
    let p = &dc.proxies()[0];
    let e = t.explain(dc, p, p.upstream(0).unwrap());
    assert_eq!(e.layers.len(), 8);
    assert_eq!(
        e.layers.iter().map(|l| l.layer).collect::<Vec<_>>(),
        Layer::ALL
    );
    assert_eq!(e.layers[2].mode, L);
    assert_eq!(e.layers[3].mode, N);
    assert_eq!(e.layers[5].mode, R);
    assert_eq!(e.route.decided_by, Layer::ServiceInstance);
    let text = e.to_string();
    assert!(text.contains("=> service-instance"), "{text}");
}

#[test]
fn routes_serialize_to_the_documented_json() {
    let t = two_dcs(web(R, up("api", "dc2")), vec![]);
    let r = resolved(&t);
    let v = serde_json::to_value(&r).unwrap();
    let route = &v["routes"][0];
    assert_eq!(v["trust_domain"], TD);
    assert_eq!(route["datacenter"], "dc1");
    assert_eq!(route["service"], "web");
    assert_eq!(route["proxy"], "web-sidecar-proxy");
    assert_eq!(route["upstream"]["name"], "api");
    assert_eq!(route["upstream"]["destination_type"], "service");
    assert_eq!(route["upstream"]["namespace"], "default");
    assert_eq!(route["upstream"]["partition"], "default");
    assert_eq!(route["upstream"]["peer"], serde_json::Value::Null);
    assert_eq!(route["upstream"]["datacenter"], "dc2");
    assert_eq!(route["upstream"]["local_bind_port"], 9191);
    assert_eq!(route["mode"], "remote");
    assert_eq!(route["decided_by"], "service-instance");
    assert_eq!(route["next_hop"]["kind"], "remote-gateway");
    assert_eq!(route["next_hop"]["datacenter"], "dc2");
    assert_eq!(route["next_hop"]["addresses"][0], "198.18.2.1:443");
    assert_eq!(route["warnings"], serde_json::json!([]));
}

#[test]
fn streaming_routes_equal_the_collected_resolution() {
    let t = two_dcs(web(R, up("api", "dc2")), vec![pd(L)]);
    let streamed: Vec<_> = t.routes().collect();
    assert_eq!(streamed, t.resolve().to_vec());
    assert_eq!(t.resolve_datacenter("dc1").to_vec(), streamed);
    assert!(t.resolve_datacenter("dc2").is_empty());
    assert!(t.resolve_datacenter("nowhere").is_empty());
}

#[test]
fn a_resolution_reads_its_routes_by_index_and_from_both_ends() {
    let mut b = Topology::builder();
    b.trust_domain(TD);
    b.add_service(
        "dc1",
        proxy("a-proxy", "a", R, vec![up("api", "dc2"), up("db", "")]),
    );
    b.add_service("dc1", proxy("b-proxy", "b", L, vec![up("api", "dc2")]));
    b.add_service("dc2", proxy("c-proxy", "c", N, vec![up("web", "dc1")]));
    let t = b.build();
    let res = resolved(&t);
    let all = res.to_vec();
    assert_eq!(res.len(), 4);
    assert_eq!(res.routes().len(), 4);
    let by_index: Vec<_> = (0..res.len()).map(|i| res.get(i).unwrap()).collect();
    assert_eq!(by_index, all);
    assert_eq!(res.get(4), None);
    let mut backwards: Vec<_> = res.routes().rev().collect();
    backwards.reverse();
    assert_eq!(backwards, all);
    // Both ends of one iterator meet without overlap.
    let mut it = res.routes();
    assert_eq!(it.next().as_ref(), all.first());
    assert_eq!(it.next_back().as_ref(), all.last());
    assert_eq!(it.len(), 2);
    assert_eq!(it.collect::<Vec<_>>(), all[1..3]);
    // Warnings stay with their route (no gateway anywhere: every cross-datacenter route warns).
    let warned: Vec<_> = all.iter().map(|r| r.warnings.len()).collect();
    assert!(warned.iter().any(|&n| n > 0), "{all:#?}");
    assert_eq!(res, t.resolve());
}

#[test]
fn routes_to_one_target_share_one_sni_string() {
    let mut b = Topology::builder();
    b.trust_domain(TD);
    b.add_service(
        "dc1",
        proxy("a-proxy", "a", R, vec![up("api", "dc2"), up("db", "dc2")]),
    );
    b.add_service("dc1", proxy("b-proxy", "b", L, vec![up("api", "dc2")]));
    let t = b.build();
    let routes = resolved(&t).to_vec();
    let (first, third) = (
        routes[0].sni.as_ref().unwrap(),
        routes[2].sni.as_ref().unwrap(),
    );
    assert!(std::sync::Arc::ptr_eq(first, third));
    assert_eq!(&**first, format!("api.default.dc2.internal.{TD}"));
    assert_ne!(routes[1].sni, routes[0].sni);
}

#[test]
fn an_override_without_peer_matches_a_peered_upstream_only_when_no_override_names_a_peer() {
    // Consul 1.15's "legacy upstreams" compatibility in service-defaults Overrides.
    let peered = || {
        let mut u = up("api", "");
        u.destination_peer = Some("acme".into());
        u
    };
    let t = two_dcs(
        web(D, peered()),
        vec![sd_upstreams("web", D, D, &[("api", L)])],
    );
    assert_eq!(only(&t).decided_by, Layer::UpstreamOverride);

    let ConfigEntry::ServiceDefaults(mut e) = sd_upstreams("web", D, D, &[("api", L), ("db", R)])
    else {
        unreachable!()
    };
    e.upstream_config.as_mut().unwrap().overrides[1].peer = Some("other".into());
    let t = two_dcs(web(D, peered()), vec![ConfigEntry::ServiceDefaults(e)]);
    assert_eq!(only(&t).decided_by, Layer::Default);
}

#[test]
fn an_override_for_another_namespace_does_not_apply() {
    let ConfigEntry::ServiceDefaults(mut e) = sd_upstreams("web", D, D, &[("api", L)]) else {
        unreachable!()
    };
    e.upstream_config.as_mut().unwrap().overrides[0].namespace = Some("team-b".into());
    let t = two_dcs(
        web(D, up("api", "dc2")),
        vec![ConfigEntry::ServiceDefaults(e)],
    );
    assert_eq!(only(&t).decided_by, Layer::Default);
}

/// Routes with equal warnings one after the other (the proxies of a datacenter without mesh
/// gateways), others between them, and routes without any: a collected resolution reads
/// each route back with its own warnings, as the routes streamed have them.
#[test]
fn repeated_route_warnings_are_read_back_with_each_route() {
    let mut b = Topology::builder();
    b.trust_domain(TD);
    for (i, dest) in ["api", "gone", "api", "api", "gone"].iter().enumerate() {
        let ups = vec![up("api", "dc2"), up(dest, "dc1")];
        b.add_service(
            "dc1",
            proxy(&format!("web{i}-proxy"), &format!("web{i}"), L, ups),
        );
    }
    b.add_service(
        "dc1",
        with_sidecar("api", "10.1.0.20", 21000, None, D, vec![]),
    );
    b.add_service(
        "dc2",
        with_sidecar("api", "10.2.0.20", 21000, None, D, vec![]),
    );
    let t = b.build();
    let streamed: Vec<_> = t.routes().collect();
    let res = t.resolve();
    assert_eq!(res.to_vec(), streamed);
    let kinds: Vec<Vec<&str>> = (0..res.len())
        .map(|i| {
            res.get(i)
                .unwrap()
                .warnings
                .iter()
                .map(|w| w.kind().as_str())
                .collect()
        })
        .collect();
    let (gw, none): (&[&str], &[&str]) = (&["no-gateway"], &[]);
    let missing: &[&str] = &["no-instance"];
    assert_eq!(
        kinds,
        [gw, none, gw, missing, gw, none, gw, none, gw, missing]
    );
}
