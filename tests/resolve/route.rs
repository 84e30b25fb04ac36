//! The mesh gateway's decision for an inbound SNI (reference notes §4.1, §4.2).

use crate::helpers;

use helpers::*;
use meshroute::route::{GatewayAction, RejectReason};
use meshroute::{ConfigEntry, Topology};

fn topo() -> Topology {
    let mut b = Topology::builder();
    b.trust_domain(TD);
    b.add_service(
        "dc1",
        gateway("gw1a", "10.1.0.1", 8443, Some(("198.18.1.1", 443))),
    );
    b.add_service(
        "dc1",
        with_sidecar("db", "10.1.0.20", 21000, None, D, vec![]),
    );
    b.add_service(
        "dc2",
        gateway("gw2a", "10.2.0.1", 8443, Some(("198.18.2.1", 443))),
    );
    b.add_service("dc2", gateway("gw2b", "10.2.0.2", 8443, None));
    b.add_service(
        "dc2",
        with_sidecar("api", "10.2.0.10", 21000, Some("203.0.113.10"), D, vec![]),
    );
    b.add_datacenter("dc3"); // known, but no gateway registered there
    let mut body = serde_json::Map::new();
    body.insert(
        "Subsets".into(),
        serde_json::json!({"v2": {"Filter": "Service.Meta.version == 2"}}),
    );
    b.add_config_entry(
        "dc2",
        ConfigEntry::Other {
            kind: "service-resolver".into(),
            name: "api".into(),
            body: body.into(),
            pos: meshroute::tree::Pos::default(),
        },
    );
    b.build()
}

#[test]
fn another_datacenters_name_is_forwarded_to_its_gateways_at_wan_addresses() {
    let t = topo();
    let d = t.route_sni("dc1", &format!("api.default.dc2.internal.{TD}"));
    assert_eq!(
        d.action,
        GatewayAction::Forward {
            datacenter: "dc2",
            partition: "default".into(),
            addresses: &["198.18.2.1:443".to_owned(), "10.2.0.2:8443".to_owned()],
        }
    );
    // Any number of leading labels: subsets too (Envoy's `*.dc2.internal.<td>` wildcard).
    let d = t.route_sni("dc1", &format!("v2.api.default.dc2.internal.{TD}"));
    assert_eq!(d.action_str(), "forward");
}

#[test]
fn own_datacenters_name_is_served_locally() {
    let t = topo();
    let d = t.route_sni("dc2", &format!("api.default.dc2.internal.{TD}"));
    let GatewayAction::Local {
        service,
        subset,
        namespace,
        partition,
        addresses,
    } = d.action
    else {
        panic!("{d:?}")
    };
    assert_eq!(
        (service, subset, namespace.as_str(), partition.as_str()),
        ("api", None, "default", "default")
    );
    assert_eq!(addresses, ["10.2.0.10:21000"]);
    let d = t.route_sni("dc2", &format!("v2.api.default.dc2.internal.{TD}"));
    assert!(matches!(d.action, GatewayAction::Local { subset: Some(ref s), .. } if s == "v2"));
}

#[test]
fn names_compare_case_insensitively_as_dns() {
    let t = topo();
    let d = t.route_sni(
        "DC2",
        &format!("API.Default.DC2.Internal.{}", TD.to_uppercase()),
    );
    assert!(
        matches!(d.action, GatewayAction::Local { service: "api", .. }),
        "{d:?}"
    );
    let d = t.route_sni("dc1", &format!("api.default.DC2.internal.{TD}"));
    assert!(
        matches!(
            d.action,
            GatewayAction::Forward {
                datacenter: "dc2",
                ..
            }
        ),
        "{d:?}"
    );
}

#[test]
fn rejections_say_why() {
    let t = topo();
    let reason = |dc: &str, sni: &str| match t.route_sni(dc, sni).action {
        GatewayAction::Reject(r) => r,
        other => panic!("{sni}: {other:?}"),
    };
    assert!(matches!(
        reason("dc1", "api.default.dc2.internal.other.consul"),
        RejectReason::OtherTrustDomain { ref found, .. } if found == "other.consul"
    ));
    assert_eq!(
        reason("dc1", &format!("q.default.dc2.query.{TD}")),
        RejectReason::QueryName
    );
    assert!(matches!(
        reason("dc2", &format!("nope.default.dc2.internal.{TD}")),
        RejectReason::UnknownLocalService { .. }
    ));
    assert!(matches!(
        reason("dc2", &format!("api.other-ns.dc2.internal.{TD}")),
        RejectReason::UnknownLocalService { .. }
    ));
    assert!(matches!(
        reason("dc2", &format!("v9.api.default.dc2.internal.{TD}")),
        RejectReason::UnknownSubset { .. }
    ));
    assert!(matches!(
        reason("dc1", &format!("api.default.dc3.internal.{TD}")),
        RejectReason::UnknownDatacenter { ref datacenter, .. } if datacenter == "dc3"
    ));
    assert!(matches!(
        reason("dc1", &format!("api.default.dc9.internal.{TD}")),
        RejectReason::UnknownDatacenter { .. }
    ));
    assert!(matches!(
        reason("dc1", "www.example.com"),
        RejectReason::NotConsul(_)
    ));
    assert!(matches!(reason("dc1", ""), RejectReason::NotConsul(_)));
    // A gateway's own bare name: it has no cluster of that name (another datacenter's is
    // forwarded, see below).
    assert_eq!(
        reason("dc2", &format!("dc2.internal.{TD}")),
        RejectReason::GatewayName
    );
    // A peered name for a service nothing exports to that peer.
    assert!(matches!(
        reason("dc1", &format!("api.default.default.peer1.external.{TD}")),
        RejectReason::NotExported { ref peer, ref exported_to, .. }
            if peer == "peer1" && exported_to.is_empty()
    ));
    assert!(matches!(
        reason("nowhere", &format!("api.default.dc2.internal.{TD}")),
        RejectReason::UnknownGatewayDatacenter(_)
    ));
    let no_td = Topology::builder().build();
    assert_eq!(
        no_td.route_sni("dc1", "x").action,
        GatewayAction::Reject(RejectReason::NoTrustDomain)
    );
}

#[test]
fn decisions_serialize_to_the_documented_json() {
    let t = topo();
    let v = serde_json::to_value(t.route_sni("dc1", &format!("api.default.dc2.internal.{TD}")))
        .unwrap();
    let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "sni",
            "gateway_datacenter",
            "action",
            "datacenter",
            "addresses",
            "service",
            "namespace",
            "partition",
            "subset",
            "reason"
        ]
    );
    assert_eq!(v["action"], "forward");
    // `datacenter` is where the name goes, in JSON as in `GatewayAction::Forward`.
    assert_eq!(v["datacenter"], "dc2");
    assert_eq!(v["gateway_datacenter"], "dc1");
    assert_eq!(v["reason"], serde_json::Value::Null);
    let d = t.route_sni("dc1", "example.com");
    assert_eq!(d.gateway_datacenter, "dc1");
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["action"], "reject");
    assert_eq!(v["reason"]["code"], "not-consul-name");
    assert!(
        v["reason"]["message"]
            .as_str()
            .unwrap()
            .contains("not a Consul mesh name")
    );
}

#[test]
fn every_resolved_upstream_sni_is_forwarded_elsewhere_and_served_at_home() {
    let mut b = Topology::builder();
    b.trust_domain(TD);
    b.add_service("dc1", proxy("web-proxy", "web", R, vec![up("api", "dc2")]));
    b.add_service("dc1", gateway("gw1a", "10.1.0.1", 8443, None));
    b.add_service("dc2", gateway("gw2a", "10.2.0.1", 8443, None));
    b.add_service(
        "dc2",
        with_sidecar("api", "10.2.0.10", 21000, None, D, vec![]),
    );
    let t = b.build();
    let res = t.resolve();
    let route = res.get(0).unwrap();
    let sni = route.sni.as_deref().unwrap();
    assert_eq!(t.route_sni("dc1", sni).action_str(), "forward");
    assert_eq!(t.route_sni("dc2", sni).action_str(), "local");
}

#[test]
fn partition_names_are_forwarded_to_that_partitions_gateways() {
    let mut b = Topology::builder();
    b.trust_domain(TD);
    b.add_datacenter("dc1");
    let mut g = gateway("gw-p1", "10.2.9.1", 8443, Some(("198.18.9.1", 443)));
    g.partition = Some("part1".into());
    b.add_service("dc2", g);
    let t = b.build();
    let d = t.route_sni("dc1", &format!("api.default.part1.dc2.internal-v1.{TD}"));
    assert_eq!(
        d.action,
        GatewayAction::Forward {
            datacenter: "dc2",
            partition: "part1".into(),
            addresses: &["198.18.9.1:443".to_owned()],
        }
    );
    // The default partition of dc2 has no gateway: nowhere to forward.
    let d = t.route_sni("dc1", &format!("api.default.dc2.internal.{TD}"));
    assert_eq!(d.action_str(), "reject");
}

#[test]
fn another_datacenters_bare_gateway_name_is_forwarded() {
    // Consul's catch-all chain: the SNI is the cluster name, and the cluster of dc2's
    // gateways is named exactly `dc2.internal.<td>`.
    let t = topo();
    let d = t.route_sni("dc1", &format!("dc2.internal.{TD}"));
    assert!(
        matches!(
            d.action,
            GatewayAction::Forward { datacenter: "dc2", addresses, .. }
                if addresses == ["198.18.2.1:443", "10.2.0.2:8443"]
        ),
        "{d:?}"
    );
}

#[test]
fn exported_services_are_served_to_the_peers_they_are_exported_to() {
    use meshroute::{ExportedService, ExportedServices, ServiceConsumer};
    let mut export = ExportedServices::default();
    export.name = "default".into();
    let mut svc = ExportedService::default();
    svc.name = "api".into();
    for (peer, group) in [("east", ""), ("", "partners")] {
        let mut c = ServiceConsumer::default();
        c.peer = peer.into();
        c.sameness_group = group.into();
        svc.consumers.push(c);
    }
    export.services.push(svc);
    let mut b = Topology::builder();
    b.trust_domain(TD);
    b.add_service(
        "dc2",
        with_sidecar("api", "10.2.0.10", 21000, None, D, vec![]),
    );
    b.add_config_entry("dc2", ConfigEntry::ExportedServices(export));
    let t = b.build();
    let d = t.route_sni("dc2", &format!("api.default.default.east.external.{TD}"));
    assert!(
        matches!(
            d.action,
            GatewayAction::Local { service: "api", addresses, .. } if addresses == ["10.2.0.10:21000"]
        ),
        "{d:?}"
    );
    let d = t.route_sni("dc2", &format!("api.default.default.west.external.{TD}"));
    let GatewayAction::Reject(r) = d.action else {
        panic!("{d:?}")
    };
    assert_eq!(
        r.to_string(),
        r#"service "api" (namespace "default", partition "default") is not exported to peer "west": it is exported to peer "east", sameness group "partners" (sameness groups are not modelled)"#
    );
}
