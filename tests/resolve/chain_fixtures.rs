//! Every shape of discovery chain, loaded from files (`tests/fixtures/chains`: three
//! datacenters of one federation, entries written in several of their directories), each
//! target's mode, deciding layer, SNI, target ID and next hop asserted.

use std::path::Path;

use crate::helpers;

use meshroute::resolve::{HopKind, Layer, Route};
use meshroute::route::GatewayAction;
use meshroute::{Loader, MeshGatewayMode as M, Topology, WarningKind};

const TD: &str = "c4a1b2c3-0000-4000-8000-00000000c0de.consul";

fn topology() -> Topology {
    let loaded = Loader::new().load_paths(&[Path::new("tests/fixtures/chains")]);
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    Topology::from_documents(&loaded.documents, None)
}

/// One target as expected: ID, mode, layer, SNI (without the trust domain), hop kind, hop
/// datacenter, addresses.
type Want<'a> = (
    &'a str,
    M,
    Layer,
    Option<&'a str>,
    HopKind,
    Option<&'a str>,
    &'a [&'a str],
);

const R1: &[&str] = &["198.18.2.10:443"];
const LOCAL_GW: &[&str] = &["10.1.0.10:8443"];

fn route<'a>(routes: &'a [Route<'a>], upstream: &str) -> &'a Route<'a> {
    routes
        .iter()
        .find(|r| r.upstream.name == upstream)
        .unwrap_or_else(|| panic!("no route to {upstream}"))
}

/// Asserts every target of `upstream`'s chain, in order, and that the route's own fields are
/// its primary target's.
fn targets(routes: &[Route<'_>], upstream: &str, want: &[Want<'_>]) {
    let r = route(routes, upstream);
    let chain = r
        .chain
        .as_ref()
        .unwrap_or_else(|| panic!("{upstream}: no chain"));
    assert_eq!(chain.targets.len(), want.len(), "{upstream}: {chain:#?}");
    for (t, w) in chain.targets.iter().zip(want) {
        let (id, mode, layer, sni, kind, dc, addresses) = *w;
        assert_eq!(t.target.id, id, "{upstream}");
        assert_eq!((t.mode, t.decided_by), (mode, layer), "{upstream}: {id}");
        let sni = sni.map(|s| format!("{s}.{TD}"));
        assert_eq!(t.sni.as_deref(), sni.as_deref(), "{upstream}: {id}");
        assert_eq!(t.next_hop.kind, kind, "{upstream}: {id}");
        assert_eq!(t.next_hop.datacenter, dc, "{upstream}: {id}");
        assert_eq!(t.next_hop.addresses, addresses, "{upstream}: {id}");
    }
    let p = chain.primary().unwrap();
    assert_eq!((r.mode, r.decided_by), (p.mode, p.decided_by), "{upstream}");
    assert_eq!((&r.sni, &r.next_hop), (&p.sni, &p.next_hop), "{upstream}");
}

#[test]
fn every_chain_shape_resolves_target_by_target() {
    use HopKind::{Direct, LocalGateway as Local, RemoteGateway as Remote};
    let t = topology();
    let res = helpers::resolved(&t);
    let routes = res.to_vec();
    let (pd, up) = (Layer::ProxyDefaults, Layer::Upstream);
    // Redirect across datacenters (written in dc2's directory, applied in dc1).
    targets(
        &routes,
        "api-dc2",
        &[(
            "api.default.default.dc2",
            M::Remote,
            pd,
            Some("api.default.dc2.internal"),
            Remote,
            Some("dc2"),
            R1,
        )],
    );
    // Failover by datacenter list: every target takes the upstream's local; the last one is
    // the proxy's own datacenter, dialed directly.
    targets(
        &routes,
        "orders",
        &[
            (
                "orders.default.default.dc2",
                M::Local,
                up,
                Some("orders.default.dc2.internal"),
                Local,
                Some("dc1"),
                LOCAL_GW,
            ),
            (
                "orders.default.default.dc3",
                M::Local,
                up,
                Some("orders.default.dc3.internal"),
                Local,
                Some("dc1"),
                LOCAL_GW,
            ),
            (
                "orders.default.default.dc1",
                M::Local,
                up,
                Some("orders.default.dc1.internal"),
                Direct,
                Some("dc1"),
                &["10.1.1.1:21000"],
            ),
        ],
    );
    // Failover by targets: another datacenter, then a peer (its gateways and SNI come from
    // the peering).
    targets(
        &routes,
        "payments",
        &[
            (
                "payments.default.default.dc1",
                M::Remote,
                pd,
                Some("payments.default.dc1.internal"),
                Direct,
                Some("dc1"),
                &["10.1.1.2:21000"],
            ),
            (
                "payments.default.default.dc2",
                M::Remote,
                pd,
                Some("payments.default.dc2.internal"),
                Remote,
                Some("dc2"),
                R1,
            ),
            (
                "payments.default.default.external.partner",
                M::Remote,
                pd,
                None,
                Remote,
                None,
                &[],
            ),
        ],
    );
    // Subsets and a default subset.
    targets(
        &routes,
        "catalog",
        &[(
            "v1.catalog.default.default.dc2",
            M::Remote,
            pd,
            Some("v1.catalog.default.dc2.internal"),
            Remote,
            Some("dc2"),
            R1,
        )],
    );
    // Router and splitter on http: the route, then the splits; the primary is the heaviest
    // split of the default route.
    targets(
        &routes,
        "frontend",
        &[
            (
                "frontend-admin.default.default.dc2",
                M::Remote,
                pd,
                Some("frontend-admin.default.dc2.internal"),
                Remote,
                Some("dc2"),
                R1,
            ),
            (
                "v1.frontend.default.default.dc2",
                M::Remote,
                pd,
                Some("v1.frontend.default.dc2.internal"),
                Remote,
                Some("dc2"),
                R1,
            ),
            (
                "v2.frontend.default.default.dc2",
                M::Remote,
                pd,
                Some("v2.frontend.default.dc2.internal"),
                Remote,
                Some("dc2"),
                R1,
            ),
        ],
    );
    assert_eq!(
        route(&routes, "frontend")
            .chain
            .as_ref()
            .unwrap()
            .chain
            .primary,
        1
    );
    // The same on tcp: refused, resolved without the router.
    targets(
        &routes,
        "reports",
        &[(
            "reports.default.default.dc2",
            M::Remote,
            pd,
            Some("reports.default.dc2.internal"),
            Remote,
            Some("dc2"),
            R1,
        )],
    );
    // Redirect to another partition: its gateways, at their WAN address.
    targets(
        &routes,
        "billing",
        &[(
            "billing.default.finance.dc1",
            M::Remote,
            pd,
            Some("billing.default.finance.dc1.internal-v1"),
            Remote,
            Some("dc1"),
            &["198.18.1.20:443"],
        )],
    );
}

#[test]
fn refused_chains_say_why_with_consuls_text() {
    let t = topology();
    let res = t.resolve();
    let routes = res.to_vec();
    let refused = |upstream: &str| -> String {
        let r = route(&routes, upstream);
        let w = r
            .warnings
            .iter()
            .find(|w| w.kind() == WarningKind::ChainRefused);
        w.unwrap_or_else(|| panic!("{upstream}: {:?}", r.warnings))
            .to_string()
    };
    assert!(refused("reports").ends_with(
        r#"discovery chain "reports" uses a protocol "tcp" that does not permit advanced routing or splitting behavior"#
    ));
    assert_eq!(
        route(&routes, "reports").chain.as_ref().unwrap().error.map(ToString::to_string),
        Some(r#"discovery chain "reports" uses a protocol "tcp" that does not permit advanced routing or splitting behavior"#.to_owned())
    );
    // An external service with failover: the route keeps its one target, the external name.
    assert!(refused("legacy").ends_with(
        r#"service "legacy" has an external SNI set; cannot define failover for external services"#
    ));
    let legacy = route(&routes, "legacy");
    assert!(legacy.chain.is_none());
    assert_eq!(legacy.sni.as_deref(), Some("legacy.example.net"));
    assert_eq!(
        (legacy.mode, legacy.decided_by),
        (M::None, Layer::DestinationDefaults)
    );
    // A circular redirect: the one named service.
    assert!(refused("loop").ends_with(
        "detected circular resolver redirect: [loop.default.default.dc1 -> loop-b.default.default.dc1 -> loop.default.default.dc1]"
    ));
    let looped = route(&routes, "loop");
    assert!(looped.chain.is_none());
    assert_eq!(looped.next_hop.addresses, ["10.1.1.3:21000"]);
}

#[test]
fn the_gateways_serve_the_targets_snis() {
    let t = topology();
    let v1 = format!("v1.catalog.default.dc2.internal.{TD}");
    assert_eq!(t.route_sni("dc1", &v1).action_str(), "forward");
    let d = t.route_sni("dc2", &v1);
    assert!(
        matches!(d.action, GatewayAction::Local { service: "catalog", ref subset, .. } if subset.as_deref() == Some("v1")),
        "{d:?}"
    );
    // dc1's default-partition gateway forwards the finance partition's name to its gateway.
    let billing = format!("billing.default.finance.dc1.internal-v1.{TD}");
    let d = t.route_sni("dc1", &billing);
    assert!(
        matches!(d.action, GatewayAction::Forward { datacenter: "dc1", ref partition, .. } if partition == "finance"),
        "{d:?}"
    );
}

#[test]
fn routes_read_from_the_plan_equal_the_models_and_say_how_each_target_is_reached() {
    // `helpers::resolved` compares every planned route with `resolve_upstream`'s.
    let t = topology();
    let res = helpers::resolved(&t);
    assert_eq!(res.len(), 9);
    let json = serde_json::to_value(&res).unwrap();
    let frontend = json["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["upstream"]["name"] == "frontend")
        .unwrap();
    let vias: Vec<&str> = frontend["chain"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["via"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        vias,
        [
            "route[0]",
            "default route > split[0] 90%",
            "default route > split[1] 10%"
        ]
    );
}
