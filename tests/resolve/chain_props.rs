//! Laws of discovery chains over generated entries (proptest).
#![allow(clippy::assigning_clones)]

use crate::helpers;

use helpers::*;
use meshroute::discovery_chain::{FailoverTarget, ResolverFailover, ResolverRedirect};
use meshroute::topology::chain::{ChainError, ChainRequest, compile};
use meshroute::topology::entries::ConfigEntries;
use meshroute::{ConfigEntry, MeshGatewayMode, ServiceResolver, Topology};
use proptest::prelude::*;

const DCS: [&str; 3] = ["dc1", "dc2", "dc3"];
const SVCS: [&str; 5] = ["a", "b", "c", "d", "e"];

fn mode() -> impl Strategy<Value = MeshGatewayMode> {
    prop_oneof![Just(D), Just(N), Just(L), Just(R)]
}

/// A resolver of `SVCS[svc]`: maybe a redirect (service, datacenter), maybe failover to
/// datacenters or targets (one maybe a peer).
#[derive(Clone, Debug)]
struct ResolverSpec {
    svc: usize,
    redirect: Option<(usize, Option<usize>)>,
    failover_dcs: Vec<usize>,
    failover_targets: Vec<(usize, usize, bool)>,
}

fn resolver_spec() -> impl Strategy<Value = ResolverSpec> {
    (
        0..SVCS.len(),
        proptest::option::of((0..SVCS.len(), proptest::option::of(0..DCS.len()))),
        proptest::collection::vec(0..DCS.len(), 0..3),
        proptest::collection::vec((0..SVCS.len(), 0..DCS.len(), any::<bool>()), 0..3),
    )
        .prop_map(
            |(svc, redirect, failover_dcs, failover_targets)| ResolverSpec {
                svc,
                redirect,
                failover_dcs,
                failover_targets,
            },
        )
}

fn resolver(spec: &ResolverSpec) -> ConfigEntry {
    let mut r = ServiceResolver::default();
    r.name = SVCS[spec.svc].to_owned();
    if let Some((s, dc)) = spec.redirect {
        let mut d = ResolverRedirect::default();
        d.service = SVCS[s].to_owned();
        d.datacenter = dc.map_or_else(String::new, |d| DCS[d].to_owned());
        r.redirect = Some(d);
        // Consul refuses Redirect with Failover: a resolver has one or the other.
        return ConfigEntry::ServiceResolver(r);
    }
    let mut f = ResolverFailover::default();
    if spec.failover_targets.is_empty() {
        f.datacenters = spec
            .failover_dcs
            .iter()
            .map(|d| DCS[*d].to_owned())
            .collect();
    }
    for (s, dc, peer) in &spec.failover_targets {
        let mut t = FailoverTarget::default();
        t.service = SVCS[*s].to_owned();
        if *peer {
            t.peer = "partner".into();
        } else {
            t.datacenter = DCS[*dc].to_owned();
        }
        f.targets.push(t);
    }
    if !f.datacenters.is_empty() || !f.targets.is_empty() {
        r.failover.insert("*".into(), f);
    }
    ConfigEntry::ServiceResolver(r)
}

/// Resolvers, one per service (the first of each), and a mode per service's defaults.
fn entries(specs: &[ResolverSpec], modes: &[MeshGatewayMode]) -> Vec<ConfigEntry> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for s in specs {
        if !seen.contains(&s.svc) {
            seen.push(s.svc);
            out.push(resolver(s));
        }
    }
    for (svc, m) in SVCS.iter().zip(modes) {
        out.push(ConfigEntry::ServiceDefaults(sd(svc, *m)));
    }
    out
}

/// dc1..dc3 of one federation, a gateway and an instance of every service in each, `web` in
/// dc1 with one upstream to each service (in `up_dc`), each with mode `up_mode`.
fn topology(entries: Vec<ConfigEntry>, mode: MeshGatewayMode, up_dc: usize) -> Topology {
    let mut b = Topology::builder();
    b.trust_domain(TD);
    for (i, dc) in DCS.iter().enumerate() {
        b.primary_datacenter(dc, "dc1");
        let addr = format!("10.{i}.0.1");
        b.add_service(dc, gateway(&format!("gw-{dc}"), &addr, 8443, None));
        for (k, s) in SVCS.iter().enumerate() {
            let a = format!("10.{i}.1.{k}");
            b.add_service(dc, with_sidecar(s, &a, 21000, None, D, vec![]));
        }
    }
    let ups = SVCS
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let mut u = up_mode(s, if up_dc == 0 { "" } else { DCS[up_dc] }, mode);
            u.local_bind_port = u16::try_from(10_000 + k).ok();
            u
        })
        .collect();
    b.add_service("dc1", proxy("web-proxy", "web", D, ups));
    for e in entries {
        b.add_config_entry("dc2", e);
    }
    b.build()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn without_routers_splitters_or_resolvers_nothing_changes(
        modes in proptest::collection::vec(mode(), SVCS.len()),
        up in mode(),
        up_dc in 0..DCS.len(),
        unused in proptest::collection::vec(resolver_spec(), 0..4),
    ) {
        let plain = topology(entries(&[], &modes), up, up_dc);
        let res = resolved(&plain);
        prop_assert!(res.routes().all(|r| r.chain.is_none()));
        // Resolvers of services nobody dials, and resolvers that change nothing (a connect
        // timeout only), leave every route as it was.
        let mut with = entries(&[], &modes);
        for spec in &unused {
            let mut r = resolver(spec);
            if let ConfigEntry::ServiceResolver(r) = &mut r {
                r.name = format!("unused-{}", r.name);
            }
            with.push(r);
        }
        let mut quiet = ServiceResolver::default();
        quiet.name = "a".into();
        quiet.connect_timeout = Some("5s".into());
        with.push(ConfigEntry::ServiceResolver(quiet));
        let other = topology(with, up, up_dc);
        let a = serde_json::to_value(&res).unwrap();
        let b = serde_json::to_value(resolved(&other)).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn a_dialing_side_mode_gives_every_target_that_mode(
        specs in proptest::collection::vec(resolver_spec(), 0..6),
        modes in proptest::collection::vec(mode(), SVCS.len()),
        up in prop_oneof![Just(N), Just(L), Just(R)],
        up_dc in 0..DCS.len(),
    ) {
        let t = topology(entries(&specs, &modes), up, up_dc);
        for r in resolved(&t).routes() {
            prop_assert_eq!(r.mode, up);
            for target in r.chain.iter().flat_map(|c| &c.targets) {
                prop_assert_eq!((target.mode, target.decided_by), (up, meshroute::resolve::Layer::Upstream));
            }
        }
    }

    #[test]
    fn without_one_each_target_follows_its_own_services_defaults(
        specs in proptest::collection::vec(resolver_spec(), 0..6),
        modes in proptest::collection::vec(mode(), SVCS.len()),
        up_dc in 0..DCS.len(),
    ) {
        let t = topology(entries(&specs, &modes), D, up_dc);
        for r in resolved(&t).routes() {
            for target in r.chain.iter().flat_map(|c| &c.targets) {
                let tt = target.target;
                if tt.peer.is_some() {
                    continue; // a peer target takes the upstream's merged mode (remote here)
                }
                let own = modes[SVCS.iter().position(|s| *s == tt.service).unwrap()];
                let want = if own.is_default() { N } else { own };
                prop_assert_eq!(target.mode, want, "{}", tt.id);
            }
        }
    }

    #[test]
    fn redirect_chains_terminate(specs in proptest::collection::vec(resolver_spec(), 0..8), svc in 0..SVCS.len(), dc in 0..DCS.len()) {
        let set = ConfigEntries::from_entries(entries(&specs, &[D; SVCS.len()]));
        match compile(&set, &ChainRequest::new(SVCS[svc], DCS[dc])) {
            Ok(chain) => {
                // Every primary target's resolver keeps it: no redirect moves it further.
                let p = chain.primary();
                let again = compile(&set, &ChainRequest::new(&p.service, &p.datacenter));
                prop_assert!(again.is_ok());
                prop_assert_eq!(again.unwrap().primary().id.clone(), p.id.clone());
            }
            Err(ChainError::CircularRedirect(ids)) => {
                let last = ids.last().unwrap();
                prop_assert!(ids[..ids.len() - 1].contains(last), "{ids:?}");
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }
}
