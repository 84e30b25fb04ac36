//! Laws of resolution over generated topologies (proptest).

use crate::helpers;

use helpers::*;
use meshroute::resolve::{HopKind, Layer, Layers};
use meshroute::route::GatewayAction;
use meshroute::sni::{self, Sni};
use meshroute::{ConfigEntry, MeshGatewayMode, ServiceDefinition, Topology};
use proptest::prelude::*;

const DCS: [&str; 3] = ["dc1", "dc2", "dc3"];
const SVCS: [&str; 4] = ["web", "api", "db", "cache"];

fn mode() -> impl Strategy<Value = MeshGatewayMode> {
    prop_oneof![Just(D), Just(N), Just(L), Just(R)]
}

#[derive(Clone, Debug)]
struct UpSpec {
    svc: usize,
    dc: Option<usize>,
    mode: MeshGatewayMode,
}

#[derive(Clone, Debug)]
struct ProxySpec {
    svc: usize,
    inline: bool,
    mode: MeshGatewayMode,
    ups: Vec<UpSpec>,
}

#[derive(Clone, Debug)]
struct SdSpec {
    svc: usize,
    mode: MeshGatewayMode,
    defaults: MeshGatewayMode,
    overrides: Vec<(usize, MeshGatewayMode)>,
}

#[derive(Clone, Debug)]
struct DcSpec {
    pd: MeshGatewayMode,
    sds: Vec<SdSpec>,
    proxies: Vec<ProxySpec>,
    gateways: usize,
    endpoints: Vec<usize>,
}

fn up_spec() -> impl Strategy<Value = UpSpec> {
    (0..SVCS.len(), proptest::option::of(0..DCS.len()), mode()).prop_map(|(svc, dc, mode)| UpSpec {
        svc,
        dc,
        mode,
    })
}

fn dc_spec() -> impl Strategy<Value = DcSpec> {
    (
        mode(),
        proptest::collection::vec(
            (
                0..SVCS.len(),
                mode(),
                mode(),
                proptest::collection::vec((0..SVCS.len(), mode()), 0..3),
            )
                .prop_map(|(svc, mode, defaults, overrides)| SdSpec {
                    svc,
                    mode,
                    defaults,
                    overrides,
                }),
            0..3,
        ),
        proptest::collection::vec(
            (
                0..SVCS.len(),
                any::<bool>(),
                mode(),
                proptest::collection::vec(up_spec(), 0..4),
            )
                .prop_map(|(svc, inline, mode, ups)| ProxySpec {
                    svc,
                    inline,
                    mode,
                    ups,
                }),
            0..4,
        ),
        0..3usize,
        proptest::collection::vec(0..SVCS.len(), 0..4),
    )
        .prop_map(|(pd, sds, proxies, gateways, endpoints)| DcSpec {
            pd,
            sds,
            proxies,
            gateways,
            endpoints,
        })
}

fn spec() -> impl Strategy<Value = Vec<DcSpec>> {
    proptest::collection::vec(dc_spec(), DCS.len())
}

/// The registrations and entries of a spec, in "file" order: (datacenter, item).
#[allow(clippy::large_enum_variant)]
enum Item {
    Service(ServiceDefinition),
    Entry(ConfigEntry),
}

fn items(spec: &[DcSpec]) -> Vec<(&'static str, Item)> {
    let mut out = Vec::new();
    for (i, d) in spec.iter().enumerate() {
        let dc = DCS[i];
        out.push((dc, Item::Entry(pd(d.pd))));
        let mut seen = Vec::new();
        for sd in &d.sds {
            if seen.contains(&sd.svc) {
                continue; // one service-defaults per service
            }
            seen.push(sd.svc);
            let ov: Vec<(&str, MeshGatewayMode)> =
                sd.overrides.iter().map(|(s, m)| (SVCS[*s], *m)).collect();
            out.push((
                dc,
                Item::Entry(sd_upstreams(SVCS[sd.svc], sd.mode, sd.defaults, &ov)),
            ));
        }
        for g in 0..d.gateways {
            let a = format!("10.{i}.0.{g}");
            out.push((
                dc,
                Item::Service(gateway(
                    &format!("gw-{dc}-{g}"),
                    &a,
                    8443,
                    Some((&format!("198.18.{i}.{g}"), 443)),
                )),
            ));
        }
        for (k, e) in d.endpoints.iter().enumerate() {
            out.push((
                dc,
                Item::Service(with_sidecar(
                    SVCS[*e],
                    &format!("10.{i}.1.{k}"),
                    21000,
                    None,
                    D,
                    vec![],
                )),
            ));
        }
        for (k, p) in d.proxies.iter().enumerate() {
            let ups = p
                .ups
                .iter()
                .map(|u| up_mode(SVCS[u.svc], u.dc.map_or("", |d| DCS[d]), u.mode))
                .collect();
            let s = if p.inline {
                with_sidecar(
                    SVCS[p.svc],
                    &format!("10.{i}.2.{k}"),
                    21000,
                    None,
                    p.mode,
                    ups,
                )
            } else {
                proxy(
                    &format!("{}-proxy-{k}", SVCS[p.svc]),
                    SVCS[p.svc],
                    p.mode,
                    ups,
                )
            };
            out.push((dc, Item::Service(s)));
        }
    }
    out
}

fn build(items: Vec<(&'static str, Item)>) -> Topology {
    let mut b = Topology::builder();
    b.trust_domain(TD);
    for dc in DCS {
        b.add_datacenter(dc);
    }
    for (dc, it) in items {
        match it {
            Item::Service(s) => b.add_service(dc, s),
            Item::Entry(e) => b.add_config_entry(dc, e),
        };
    }
    b.build()
}

fn layers() -> impl Strategy<Value = Layers> {
    (proptest::collection::vec(mode(), 7), any::<bool>()).prop_map(|(m, ext)| {
        let mut l = Layers::default();
        for (layer, m) in Layer::ALL.iter().zip(m) {
            l.set(*layer, m);
        }
        l.destination_external = ext;
        l
    })
}

fn label() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9-]{0,8}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_non_default_upstream_mode_always_wins(spec in spec()) {
        let t = build(items(&spec));
        for dc in t.datacenters() {
            for p in dc.proxies() {
                for u in p.upstreams() {
                    let r = t.resolve_upstream(dc, p, u);
                    if !u.mesh_gateway().mode.is_default() && !t.layers(dc, p, u).destination_external {
                        prop_assert_eq!(r.mode, u.mesh_gateway().mode);
                        prop_assert_eq!(r.decided_by, Layer::Upstream);
                    }
                }
            }
        }
    }

    #[test]
    fn layers_below_the_deciding_one_never_change_the_result(l in layers(), noise in layers()) {
        let (m, winner) = l.decide();
        prop_assert!(!m.is_default());
        if !l.destination_external {
            let idx = Layer::ALL.iter().position(|x| *x == winner).unwrap();
            let mut changed = l;
            for layer in &Layer::ALL[idx + 1..] {
                changed.set(*layer, noise.get(*layer));
            }
            prop_assert_eq!(changed.decide(), (m, winner));
        }
    }

    #[test]
    fn lower_config_entries_never_change_routes_decided_above_them(spec in spec(), pd_mode in mode()) {
        let t = build(items(&spec));
        let mut spec2 = spec.clone();
        for d in &mut spec2 {
            d.pd = pd_mode;
        }
        let t2 = build(items(&spec2));
        let a = resolved(&t).to_vec();
        let b = t2.resolve().to_vec();
        for (x, y) in a.iter().zip(&b) {
            if x.decided_by < Layer::ProxyDefaults {
                prop_assert_eq!(x, y);
            }
        }
    }

    #[test]
    fn everything_default_is_none_by_default(mut spec in spec()) {
        for d in &mut spec {
            d.pd = D;
            for sd in &mut d.sds {
                sd.mode = D;
                sd.defaults = D;
                for o in &mut sd.overrides {
                    o.1 = D;
                }
            }
            for p in &mut d.proxies {
                p.mode = D;
                for u in &mut p.ups {
                    u.mode = D;
                }
            }
        }
        let t = build(items(&spec));
        for r in resolved(&t).routes() {
            prop_assert_eq!((r.mode, r.decided_by), (MeshGatewayMode::None, Layer::Default));
            prop_assert_eq!(r.next_hop.kind, HopKind::Direct);
        }
    }

    #[test]
    fn results_do_not_depend_on_file_or_datacenter_order(spec in spec(), entries_last in any::<bool>()) {
        let a = serde_json::to_value(build(items(&spec)).resolve()).unwrap();
        // Other datacenters' files first, config entries before or after the services: only
        // the registration order inside one datacenter is kept (it orders the addresses).
        let mut its = items(&spec);
        its.reverse();
        let mut per_dc: Vec<(&'static str, Item)> = Vec::new();
        for dc in DCS.iter().rev() {
            let mut mine: Vec<(&'static str, Item)> = Vec::new();
            let mut rest = Vec::new();
            for it in its.drain(..) {
                if it.0 == *dc { mine.push(it) } else { rest.push(it) }
            }
            its = rest;
            mine.reverse();
            let (mut e, s): (Vec<_>, Vec<_>) = mine.into_iter().partition(|(_, i)| matches!(i, Item::Entry(_)));
            if entries_last {
                let mut s = s;
                s.append(&mut e);
                per_dc.extend(s);
            } else {
                e.extend(s);
                per_dc.extend(e);
            }
        }
        let b = serde_json::to_value(build(per_dc).resolve()).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn same_datacenter_routes_are_always_direct(spec in spec()) {
        let t = build(items(&spec));
        for r in resolved(&t).routes() {
            if r.upstream.datacenter == r.datacenter && r.upstream.peer.is_none() {
                prop_assert_eq!(r.next_hop.kind, HopKind::Direct);
            }
        }
    }

    #[test]
    fn every_sni_built_parses_back_to_its_parts(
        svc in label(), subset in proptest::option::of(label()), ns in proptest::option::of(label()),
        part in proptest::option::of(label()), dc in label(), td in "[a-z0-9]{1,8}(\\.[a-z0-9]{1,8}){0,2}",
    ) {
        let name = sni::service_sni(&svc, subset.as_deref().unwrap_or(""), ns.as_deref().unwrap_or(""), part.as_deref().unwrap_or(""), &dc, &td);
        let parsed = Sni::parse_in(&name, &td).unwrap();
        prop_assert_eq!(parsed.clone(), Sni::Service {
            service: svc.clone(),
            subset: subset.clone(),
            namespace: ns.clone().unwrap_or_else(|| "default".into()),
            partition: part.clone().unwrap_or_else(|| "default".into()),
            datacenter: dc.clone(),
            trust_domain: td.clone(),
        });
        prop_assert_eq!(parsed.to_string(), name);
        let g = sni::gateway_sni(&dc, part.as_deref().unwrap_or(""), &td);
        let gp = Sni::parse_in(&g, &td).unwrap();
        prop_assert_eq!(gp.datacenter(), dc.as_str());
        let q = sni::query_sni(&svc, &dc, &td);
        prop_assert_eq!(Sni::parse_in(&q, &td).unwrap(), Sni::Query { name: svc.clone(), datacenter: dc.clone(), trust_domain: td.clone() });
        let p = sni::peered_service_sni(&svc, ns.as_deref().unwrap_or(""), part.as_deref().unwrap_or(""), &dc, &td).unwrap();
        let pp = Sni::parse_in(&p, &td).unwrap();
        prop_assert_eq!(pp.service(), Some(svc.as_str()));
    }

    #[test]
    fn upstream_snis_are_forwarded_elsewhere_and_served_at_the_destination(spec in spec()) {
        let t = build(items(&spec));
        for r in resolved(&t).routes() {
            let Some(sni) = r.sni.as_deref() else { continue };
            if r.upstream.peer.is_some() || r.upstream.destination_type != meshroute::DestinationType::Service {
                continue;
            }
            let dest = t.datacenter(r.upstream.datacenter).unwrap();
            if dest.endpoints(r.upstream.name).is_some() {
                let local = matches!(t.route_sni(dest.name(), sni).action, GatewayAction::Local { .. });
                prop_assert!(local, "not served at {}: {}", dest.name(), sni);
            }
            for other in t.datacenters().iter().filter(|d| d.name() != dest.name()) {
                let d = t.route_sni(other.name(), sni);
                if dest.has_gateways("default") {
                    let fwd = matches!(d.action, GatewayAction::Forward { datacenter, .. } if datacenter == dest.name());
                    prop_assert!(fwd, "{:?}", d);
                } else {
                    prop_assert_eq!(d.action_str(), "reject");
                }
            }
        }
    }
}
