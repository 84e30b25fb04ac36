#![no_main]
//! Arbitrary topologies: several documents (JSON, YAML or HCL) in datacenter directories,
//! loaded, built into a topology and resolved, explained and routed: never panics, and every
//! route read from the plan equals the one read from the models.
use libfuzzer_sys::fuzz_target;
use meshroute::{Format, Loader, Topology};
use std::path::PathBuf;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    // Documents are separated by a form feed; the first character of each picks its format
    // and directory.
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
    let topo = Topology::from_documents(&docs, td);
    let res = topo.resolve();
    let _ = format!("{res:?}");
    assert_eq!(res.len(), topo.routes().count());
    assert!(res.routes().eq(topo.routes()));
    let mut names: Vec<String> = res
        .routes()
        .filter_map(|r| r.sni.as_deref().map(str::to_owned))
        .collect();
    names.extend(src.split('\u{c}').take(4).map(str::to_owned));
    // The plan that `resolve` reads gives the same route as the models themselves.
    let mut planned = res.routes();
    for dc in topo.datacenters() {
        for p in dc.proxies() {
            for u in &p.upstreams {
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
});
