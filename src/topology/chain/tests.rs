//! The compiler against the behaviours of Consul's `compile.go` (and the cases of its
//! `compile_test.go`, described, with fixtures of our own).

use indexmap::IndexMap;

use super::*;
use crate::model::config_entry::{ConfigEntry, ProxyDefaults, ServiceDefaults};
use crate::model::discovery_chain::{
    FailoverTarget, ResolverFailover, ResolverRedirect, ResolverSubset, RouteDestination,
    RouterRoute, ServiceResolver, ServiceRouter, ServiceSplitter, Split,
};

fn resolver(name: &str) -> ServiceResolver {
    ServiceResolver {
        name: name.into(),
        ..ServiceResolver::default()
    }
}

fn subsets(names: &[&str]) -> IndexMap<String, ResolverSubset> {
    names
        .iter()
        .map(|n| ((*n).to_owned(), ResolverSubset::default()))
        .collect()
}

fn http(name: &str) -> ConfigEntry {
    ConfigEntry::ServiceDefaults(ServiceDefaults {
        name: name.into(),
        protocol: "http".into(),
        ..ServiceDefaults::default()
    })
}

fn split(weight: f32, service: &str, subset: &str) -> Split {
    Split {
        weight,
        service: service.into(),
        service_subset: subset.into(),
        ..Split::default()
    }
}

fn route_to(service: &str, subset: &str) -> RouterRoute {
    RouterRoute {
        destination: Some(RouteDestination {
            service: service.into(),
            service_subset: subset.into(),
            ..RouteDestination::default()
        }),
        ..RouterRoute::default()
    }
}

fn run(entries: Vec<ConfigEntry>, service: &str) -> Result<CompiledChain, ChainError> {
    compile(
        &ConfigEntries::from_entries(entries),
        &ChainRequest::new(service, "dc1"),
    )
}

fn ids(c: &CompiledChain) -> Vec<&str> {
    c.targets.iter().map(|t| t.id.as_str()).collect()
}

#[test]
fn no_entries_is_the_service_itself() {
    let c = run(vec![], "api").unwrap();
    assert_eq!(ids(&c), ["api.default.default.dc1"]);
    assert!(c.is_trivial());
    assert_eq!(c.protocol, "tcp");
    assert_eq!(c.targets[0].via, ["start"]);
}

#[test]
fn a_redirect_across_datacenters_is_followed() {
    let mut r = resolver("api-dc2");
    r.redirect = Some(ResolverRedirect {
        service: "api".into(),
        datacenter: "dc2".into(),
        ..ResolverRedirect::default()
    });
    let c = run(vec![r.into()], "api-dc2").unwrap();
    assert_eq!(ids(&c), ["api.default.default.dc2"]);
    assert_eq!(c.primary().datacenter, "dc2");
    assert_eq!(
        c.targets[0].via,
        ["redirect api-dc2.default.default.dc1 -> api.default.default.dc2"]
    );
    assert!(!c.is_trivial());
}

#[test]
fn redirects_are_followed_to_the_end_and_circles_are_refused() {
    let mut a = resolver("a");
    a.redirect = Some(ResolverRedirect {
        service: "b".into(),
        ..ResolverRedirect::default()
    });
    let mut b = resolver("b");
    b.redirect = Some(ResolverRedirect {
        service: "c".into(),
        datacenter: "dc3".into(),
        ..ResolverRedirect::default()
    });
    let c = run(vec![a.clone().into(), b.into()], "a").unwrap();
    assert_eq!(ids(&c), ["c.default.default.dc3"]);
    assert_eq!(c.targets[0].via[0].matches("redirect").count(), 2);
    let mut b = resolver("b");
    b.redirect = Some(ResolverRedirect {
        service: "a".into(),
        ..ResolverRedirect::default()
    });
    let e = run(vec![a.into(), b.into()], "a").unwrap_err();
    assert_eq!(
        e.to_string(),
        "detected circular resolver redirect: [a.default.default.dc1 -> b.default.default.dc1 -> a.default.default.dc1]"
    );
}

#[test]
fn failover_by_datacenters_in_order() {
    let mut r = resolver("api");
    r.failover.insert(
        "*".into(),
        ResolverFailover {
            datacenters: vec!["dc2".into(), "dc3".into()],
            ..ResolverFailover::default()
        },
    );
    let c = run(vec![r.into()], "api").unwrap();
    assert_eq!(
        ids(&c),
        [
            "api.default.default.dc1",
            "api.default.default.dc2",
            "api.default.default.dc3"
        ]
    );
    assert_eq!(c.primary, 0);
    let f = c.targets[2].failover.unwrap();
    assert_eq!((f.of, f.position), (0, 2));
    assert_eq!(c.targets[1].via, ["failover[1] of api.default.default.dc1"]);
}

#[test]
fn failover_to_itself_is_dropped_with_a_note() {
    let mut r = resolver("api");
    r.failover.insert(
        "*".into(),
        ResolverFailover {
            datacenters: vec!["dc1".into(), "dc2".into()],
            ..ResolverFailover::default()
        },
    );
    let c = run(vec![r.into()], "api").unwrap();
    assert_eq!(
        ids(&c),
        ["api.default.default.dc1", "api.default.default.dc2"]
    );
    assert_eq!(c.targets[1].failover.unwrap().position, 1);
    assert!(
        c.notes[0].contains("no failover to yourself"),
        "{:?}",
        c.notes
    );
}

#[test]
fn failover_by_targets_with_a_peer_and_a_subset_entry() {
    let mut r = resolver("api");
    r.subsets = subsets(&["v1"]);
    r.failover.insert(
        "v1".into(),
        ResolverFailover {
            targets: vec![
                FailoverTarget {
                    peer: "partner".into(),
                    ..FailoverTarget::default()
                },
                FailoverTarget {
                    service: "api-backup".into(),
                    datacenter: "dc2".into(),
                    ..FailoverTarget::default()
                },
            ],
            ..ResolverFailover::default()
        },
    );
    let mut router = ServiceRouter {
        name: "api".into(),
        ..ServiceRouter::default()
    };
    router.routes.push(route_to("", "v1"));
    let c = run(
        vec![r.into(), router.into(), http("api"), http("api-backup")],
        "api",
    )
    .unwrap();
    assert_eq!(
        ids(&c),
        [
            "v1.api.default.default.dc1",
            "api.default.default.external.partner",
            "api-backup.default.default.dc2",
            "api.default.default.dc1",
        ]
    );
    let peer = &c.targets[1];
    assert_eq!(
        (peer.peer.as_deref(), peer.datacenter.as_str()),
        (Some("partner"), "")
    );
    // The default route reaches the unnamed subset, which has no failover entry.
    assert_eq!(c.primary, 3);
    assert_eq!(c.targets[3].via, ["default route"]);
}

#[test]
fn default_subset_and_unknown_subsets() {
    let mut r = resolver("api");
    r.default_subset = "v1".into();
    r.subsets = subsets(&["v1", "v2"]);
    let c = run(vec![r.clone().into()], "api").unwrap();
    assert_eq!(ids(&c), ["v1.api.default.default.dc1"]);
    assert_eq!(c.targets[0].via, ["default subset v1"]);
    r.default_subset = "v3".into();
    let e = run(vec![r.into()], "api").unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"service "api" does not have a subset named "v3""#
    );
}

#[test]
fn router_and_splitter_on_http() {
    let mut router = ServiceRouter {
        name: "web".into(),
        ..ServiceRouter::default()
    };
    router.routes.push(route_to("admin", ""));
    let splitter = ServiceSplitter {
        name: "web".into(),
        splits: vec![split(90.0, "", "v1"), split(10.0, "", "v2")],
        ..ServiceSplitter::default()
    };
    let mut r = resolver("web");
    r.subsets = subsets(&["v1", "v2"]);
    let entries = vec![
        router.into(),
        splitter.into(),
        r.into(),
        http("web"),
        http("admin"),
    ];
    let c = run(entries, "web").unwrap();
    assert_eq!(
        ids(&c),
        [
            "admin.default.default.dc1",
            "v1.web.default.default.dc1",
            "v2.web.default.default.dc1"
        ]
    );
    assert_eq!(c.protocol, "http");
    assert_eq!(c.targets[0].via, ["route[0]"]);
    assert_eq!(c.targets[1].via, ["default route > split[0] 90%"]);
    // The default route, then the heaviest split.
    assert_eq!(c.primary, 1);
}

#[test]
fn nested_splitters_are_flattened() {
    let outer = ServiceSplitter {
        name: "web".into(),
        splits: vec![split(50.0, "", ""), split(50.0, "web-v2", "")],
        ..ServiceSplitter::default()
    };
    let inner = ServiceSplitter {
        name: "web-v2".into(),
        splits: vec![split(33.33, "", ""), split(66.67, "web-v3", "")],
        ..ServiceSplitter::default()
    };
    let entries = vec![
        outer.into(),
        inner.into(),
        http("web"),
        http("web-v2"),
        http("web-v3"),
    ];
    let c = run(entries, "web").unwrap();
    let vias: Vec<&str> = c.targets.iter().map(|t| t.via[0].as_str()).collect();
    assert_eq!(vias, ["split[0] 50%", "split[1] 16.67%", "split[2] 33.34%"]);
}

#[test]
fn routers_and_splitters_need_an_http_protocol() {
    let splitter = ServiceSplitter {
        name: "api".into(),
        splits: vec![split(100.0, "", "")],
        ..ServiceSplitter::default()
    };
    let e = run(vec![splitter.clone().into()], "api").unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"discovery chain "api" uses a protocol "tcp" that does not permit advanced routing or splitting behavior"#
    );
    assert!(e.is_protocol());
    let entries = ConfigEntries::from_entries([splitter.clone().into()]);
    let c = compile_without_routing(&entries, &ChainRequest::new("api", "dc1")).unwrap();
    assert!(c.is_trivial());
    // Proxy-defaults Config.protocol counts when the service has no service-defaults.
    let mut config = crate::model::service::Opaque::new();
    config.insert("protocol".into(), "HTTP".into());
    let pd = ProxyDefaults {
        config: Some(config),
        ..ProxyDefaults::default()
    };
    let c = run(vec![splitter.into(), pd.into()], "api").unwrap();
    assert_eq!(c.protocol, "http");
}

#[test]
fn services_of_one_chain_share_a_protocol() {
    let mut r = resolver("api");
    r.redirect = Some(ResolverRedirect {
        service: "api-v2".into(),
        ..ResolverRedirect::default()
    });
    let e = run(vec![r.into(), http("api-v2")], "api").unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"discovery chain "api" uses inconsistent protocols; service "api-v2" has "http" which is not "tcp""#
    );
}

#[test]
fn splitters_splitting_into_each_other_are_refused() {
    let a = ServiceSplitter {
        name: "a".into(),
        splits: vec![split(100.0, "b", "")],
        ..ServiceSplitter::default()
    };
    let b = ServiceSplitter {
        name: "b".into(),
        splits: vec![split(100.0, "a", "")],
        ..ServiceSplitter::default()
    };
    let e = run(vec![a.into(), b.into(), http("a"), http("b")], "a").unwrap_err();
    assert_eq!(
        e.to_string(),
        "detected circular reference: [splitter:a.default.default -> splitter:b.default.default -> splitter:a.default.default]"
    );
}

#[test]
fn external_services_take_no_redirect_subsets_or_failover() {
    let ext = ConfigEntry::ServiceDefaults(ServiceDefaults {
        name: "legacy".into(),
        external_sni: Some("legacy.example.net".into()),
        ..ServiceDefaults::default()
    });
    let mut r = resolver("legacy");
    r.failover.insert(
        "*".into(),
        ResolverFailover {
            datacenters: vec!["dc2".into()],
            ..ResolverFailover::default()
        },
    );
    let e = run(vec![ext.clone(), r.into()], "legacy").unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"service "legacy" has an external SNI set; cannot define failover for external services"#
    );
    let mut r = resolver("legacy");
    r.subsets = subsets(&["v1"]);
    let e = run(vec![ext, r.into()], "legacy").unwrap_err();
    assert!(
        e.to_string()
            .ends_with("cannot define subsets for external services")
    );
}

#[test]
fn partition_and_peer_redirects() {
    let mut r = resolver("api");
    r.redirect = Some(ResolverRedirect {
        service: "api".into(),
        partition: "part1".into(),
        ..ResolverRedirect::default()
    });
    let c = run(vec![r.into()], "api").unwrap();
    assert_eq!(ids(&c), ["api.default.part1.dc1"]);
    let mut r = resolver("api");
    r.redirect = Some(ResolverRedirect {
        service: "api".into(),
        peer: "partner".into(),
        ..ResolverRedirect::default()
    });
    let c = run(vec![r.into()], "api").unwrap();
    assert_eq!(ids(&c), ["api.default.default.external.partner"]);
    assert_eq!(c.primary().partition, "default");
}
