//! Preflight over generated config directories (proptest): no panics on any input, and the
//! findings do not depend on the order the files are given in.

use std::path::Path;

use meshroute::preflight::{self, Check};
use meshroute::{Format, Loader, Topology};
use proptest::prelude::*;
use serde_json::{Value, json};

const DIRS: [&str; 6] = ["a", "a/x", "b", "b/y", "c", ""];
const DCS: [&str; 6] = ["a", "b", "dc1", "", "A", "c.d"];
const MODES: [&str; 6] = ["", "none", "local", "remote", "Local", "remot"];
const ADDRS: [&str; 4] = [
    "198.18.0.1",
    "198.18.0.2:8302",
    "[::1]:8302",
    "provider=aws",
];

fn pick<T: Clone + std::fmt::Debug + 'static>(items: &'static [T]) -> impl Strategy<Value = T> {
    prop::sample::select(items)
}

fn opt_bool() -> impl Strategy<Value = Value> {
    prop_oneof![Just(Value::Null), Just(json!(true)), Just(json!(false))]
}

fn agent() -> impl Strategy<Value = Value> {
    (
        (pick(&DCS), pick(&DCS), opt_bool(), opt_bool(), opt_bool()),
        (
            prop::option::of(pick(&[-1i64, 0, 8502])),
            opt_bool(),
            opt_bool(),
            prop::option::of(pick(&ADDRS)),
            prop::option::of(pick(&ADDRS)),
            prop::option::of(pick(&ADDRS)),
        ),
    )
        .prop_map(
            |((dc, pdc, server, connect, fed), (grpc, acl, central, join, wan, pgw))| {
                let mut o = serde_json::Map::new();
                o.insert("datacenter".into(), json!(dc));
                o.insert("primary_datacenter".into(), json!(pdc));
                if !server.is_null() {
                    o.insert("server".into(), server);
                }
                let mut c = serde_json::Map::new();
                if !connect.is_null() {
                    c.insert("enabled".into(), connect);
                }
                if !fed.is_null() {
                    c.insert("enable_mesh_gateway_wan_federation".into(), fed);
                }
                o.insert("connect".into(), Value::Object(c));
                if let Some(g) = grpc {
                    o.insert("ports".into(), json!({ "grpc": g }));
                }
                if !acl.is_null() {
                    o.insert("acl".into(), json!({ "enabled": acl }));
                }
                if !central.is_null() {
                    o.insert("enable_central_service_config".into(), central);
                }
                if let Some(j) = join {
                    o.insert("retry_join_wan".into(), json!([j]));
                }
                if let Some(w) = wan {
                    o.insert("advertise_addr_wan".into(), json!(w));
                }
                if let Some(p) = pgw {
                    o.insert("primary_gateways".into(), json!([p]));
                }
                Value::Object(o)
            },
        )
}

fn upstream() -> impl Strategy<Value = Value> {
    (
        pick(&["api", "web", "db"]),
        prop::option::of(pick(&DCS)),
        prop::option::of(pick(&["partner", ""])),
        prop::bool::ANY,
        pick(&MODES),
        1000u16..1010,
    )
        .prop_map(|(name, dc, peer, query, mode, port)| {
            let mut o = serde_json::Map::new();
            o.insert("destination_name".into(), json!(name));
            if let Some(d) = dc {
                o.insert("datacenter".into(), json!(d));
            }
            if let Some(p) = peer {
                o.insert("destination_peer".into(), json!(p));
            }
            if query {
                o.insert("destination_type".into(), json!("prepared_query"));
            }
            o.insert("local_bind_port".into(), json!(port));
            o.insert("mesh_gateway".into(), json!({ "mode": mode }));
            Value::Object(o)
        })
}

fn service() -> impl Strategy<Value = Value> {
    prop_oneof![
        (prop::option::of(pick(&["", "secret"])), prop::bool::ANY).prop_map(|(token, addr)| {
            let mut s = json!({"name": "mesh-gateway", "kind": "mesh-gateway", "port": 8443});
            if addr {
                s["address"] = json!("10.0.0.1");
            }
            if let Some(t) = token {
                s["token"] = json!(t);
            }
            json!({ "service": s })
        }),
        (
            pick(&["web", "api"]),
            pick(&MODES),
            prop::collection::vec(upstream(), 0..3),
            prop::option::of(pick(&["builtin", "envoy"])),
            prop::bool::ANY,
        )
            .prop_map(|(name, mode, ups, meta, handshake)| {
                let mut proxy = json!({ "upstreams": ups, "mesh_gateway": { "mode": mode } });
                if handshake {
                    proxy["config"] = json!({ "handshake_timeout_ms": 1000 });
                }
                let mut sidecar = json!({ "port": 21000, "proxy": proxy });
                if let Some(m) = meta {
                    sidecar["meta"] = json!({ "meshroute-proxy": m });
                }
                json!({ "service": { "name": name, "port": 8080, "address": "10.0.0.2",
                    "connect": { "sidecar_service": sidecar } } })
            }),
        pick(&MODES).prop_map(|m| json!({
            "Kind": "proxy-defaults", "Name": "global", "MeshGateway": { "Mode": m }
        })),
        pick(&MODES).prop_map(|m| json!({
            "Kind": "service-defaults", "Name": "web",
            "UpstreamConfig": { "Defaults": { "MeshGateway": { "Mode": m } } }
        })),
    ]
}

fn file() -> impl Strategy<Value = (&'static str, Value)> {
    (pick(&DIRS), prop_oneof![agent(), service()])
}

/// Loads the files in the given order; each gets a distinct name.
fn load(
    files: &[(usize, &'static str, Value)],
) -> (Vec<meshroute::Document>, Vec<meshroute::Diagnostic>) {
    let loader = Loader::new();
    let mut docs = Vec::new();
    let mut diags = Vec::new();
    for (i, dir, v) in files {
        let path = Path::new(dir).join(format!("f{i}.json"));
        let l = loader.load_str(&v.to_string(), Format::Json, Some(&path));
        docs.extend(l.documents);
        diags.extend(l.diagnostics);
    }
    (docs, diags)
}

fn findings(
    files: &[(usize, &'static str, Value)],
) -> Vec<(Check, Option<std::path::PathBuf>, u32, u32)> {
    let (docs, diags) = load(files);
    let topology = Topology::from_documents(&docs, None);
    let mut out: Vec<_> = preflight::run(&topology)
        .into_iter()
        .chain(diags.iter().filter_map(preflight::from_diagnostic))
        .map(|f| (f.check, f.file, f.pos.line, f.pos.column))
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn no_panics_and_no_dependence_on_file_order(files in prop::collection::vec(file(), 0..8)) {
        // Two entries of one kind and name: the topology keeps the first loaded (with a
        // warning), so order matters by design. Keep one of each kind.
        // Likewise agent files of one directory naming different datacenters: keep one agent
        // file per directory.
        let mut kinds = Vec::new();
        let mut agent_dirs = Vec::new();
        let files: Vec<(usize, &'static str, Value)> = files
            .into_iter()
            .filter(|(d, v)| match v.get("Kind") {
                Some(k) if kinds.contains(k) => false,
                Some(k) => {
                    kinds.push(k.clone());
                    true
                }
                None if v.get("datacenter").is_some() => {
                    let fresh = !agent_dirs.contains(d);
                    agent_dirs.push(*d);
                    fresh
                }
                None => true,
            })
            .enumerate()
            .map(|(i, (d, v))| (i, d, v))
            .collect();
        let forward = findings(&files);
        let mut reversed = files.clone();
        reversed.reverse();
        prop_assert_eq!(&forward, &findings(&reversed));
        for (check, file, _, _) in &forward {
            prop_assert!(Check::ALL.contains(check));
            prop_assert!(file.is_some());
        }
    }
}
