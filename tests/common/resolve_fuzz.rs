//! The body of the `resolve` fuzz target, shared with its corpus replay test: arbitrary
//! topologies (several documents in JSON, YAML or HCL, in datacenter directories) are loaded,
//! built, resolved, explained, checked and routed: nothing panics, every route read from the
//! plan equals the one read from the models, and every chained route's own mode, SNI and next
//! hop are its primary target's.
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use meshroute::{Format, Loader, Topology};

/// Builds the topology of `data` and checks the invariants.
pub fn run(data: &[u8]) {
    if let Some((topo, src)) = topology(data) {
        check(&topo, src);
    }
}

/// The topology of `data` (and its text): documents are separated by a form feed; the first
/// character of each picks its format and directory.
pub fn topology(data: &[u8]) -> Option<(Topology, &str)> {
    let src = std::str::from_utf8(data).ok()?;
    let loader = Loader::new();
    let mut docs = Vec::new();
    for (i, part) in src.split('\u{c}').take(16).enumerate() {
        let sel = part.bytes().next().unwrap_or(0);
        let format = match sel % 3 {
            0 => Format::Json,
            1 => Format::Yaml,
            _ => Format::Hcl,
        };
        let dir = match sel % 5 {
            0 => "dc1".to_owned(),
            1 => "dc2".to_owned(),
            2 => "dc1/nested".to_owned(),
            3 => String::new(),
            _ => format!("x{}", sel % 7),
        };
        let file = PathBuf::from(dir).join(format!("doc{i}.{}", format.as_str()));
        let loaded = loader.load_str(part.get(1..).unwrap_or(""), format, Some(&file));
        docs.extend(loaded.documents);
    }
    let td = if src.len() % 2 == 0 {
        Some("ABC.consul")
    } else {
        None
    };
    Some((Topology::from_documents(&docs, td), src))
}

fn check(topo: &Topology, src: &str) {
    let res = topo.resolve();
    let _ = format!("{res:?}");
    assert_eq!(res.len(), topo.routes().count());
    assert!(res.routes().eq(topo.routes()));
    for r in res.routes() {
        if let Some(c) = &r.chain {
            let p = c.primary().expect("a chain has a primary target");
            assert_eq!((r.mode, r.decided_by), (p.mode, p.decided_by));
            assert_eq!((&r.sni, &r.next_hop), (&p.sni, &p.next_hop));
        }
    }
    let _ = meshroute::preflight::run(topo);
    let mut names: Vec<String> = res
        .routes()
        .flat_map(|r| {
            let own = r.sni.as_deref().map(str::to_owned);
            let targets = r.chain.into_iter().flat_map(|c| c.targets);
            own.into_iter()
                .chain(targets.filter_map(|t| t.sni.as_deref().map(str::to_owned)))
        })
        .collect();
    names.extend(src.split('\u{c}').take(4).map(str::to_owned));
    // The plan that `resolve` reads gives the same route as the models themselves.
    let mut planned = res.routes();
    for dc in topo.datacenters() {
        for p in dc.proxies() {
            for u in p.upstreams() {
                let e = topo.explain(dc, p, u);
                assert_eq!(Some(&e.route), planned.next().as_ref());
                let _ = e.to_string();
            }
        }
        for n in &names {
            let d = topo.route_sni(dc.name(), n);
            let _ = (d.to_string(), d.action_str());
        }
    }
}
