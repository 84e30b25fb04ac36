//! Loading 10,000 service definitions in each format, against each parser's own parse into
//! its generic value (serde_json `Value`, hcl-rs `Value`, serde-saphyr into a JSON `Value`).
//!
//! `cargo bench --bench load -- --warm-up-time 1 --measurement-time 5`
//!
//! For instruction counts, which the shared machine's load does not disturb, the bench binary
//! runs one loader CALLS times instead of criterion when `LOAD_CALLGRIND=READER:CALLS` is set
//! (see `callgrind_mode`).

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use meshroute::{Format, Loader};

const N: usize = 10_000;

fn services_json() -> String {
    let mut s = String::from("{\"services\": [\n");
    for i in 0..N {
        if i > 0 {
            s.push_str(",\n");
        }
        let _ = write!(
            s,
            r#"{{"name": "svc-{i}-sidecar-proxy", "kind": "connect-proxy", "port": {port}, "address": "10.0.{a}.{b}",
  "meta": {{"team": "t{m}", "version": "{i}"}},
  "proxy": {{"destination_service_name": "svc-{i}", "mesh_gateway": {{"mode": "local"}},
    "upstreams": [
      {{"destination_name": "api", "datacenter": "secondary", "local_bind_port": 10000, "mesh_gateway": {{"mode": "remote"}}}},
      {{"destination_name": "db", "local_bind_port": 10001}},
      {{"destination_name": "cache", "destination_type": "prepared_query", "local_bind_port": 10002}}]}}}}"#,
            port = 20000 + i % 40000,
            a = i / 250,
            b = i % 250,
            m = i % 7,
        );
    }
    s.push_str("\n]}\n");
    s
}

fn services_hcl() -> String {
    let mut s = String::new();
    for i in 0..N {
        let _ = write!(
            s,
            r#"services {{
  name = "svc-{i}-sidecar-proxy"
  kind = "connect-proxy"
  port = {port}
  address = "10.0.{a}.{b}"
  meta = {{
    team = "t{m}"
    version = "{i}"
  }}
  proxy {{
    destination_service_name = "svc-{i}"
    mesh_gateway = {{
      mode = "local"
    }}
    upstreams = [
      {{
        destination_name = "api"
        datacenter = "secondary"
        local_bind_port = 10000
        mesh_gateway = {{
          mode = "remote"
        }}
      }},
      {{
        destination_name = "db"
        local_bind_port = 10001
      }},
      {{
        destination_name = "cache"
        destination_type = "prepared_query"
        local_bind_port = 10002
      }},
    ]
  }}
}}
"#,
            port = 20000 + i % 40000,
            a = i / 250,
            b = i % 250,
            m = i % 7,
        );
    }
    s
}

fn services_yaml(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    serde_saphyr::to_string(&v).unwrap()
}

/// The same options meshroute uses (YAML 1.2 booleans, node caps scaled to the input),
/// without positions and without decoding.
fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 4 * 1024 * 1024;
    budget.max_events = 8 * 1024 * 1024;
    options.budget = Some(budget);
    options
}

/// `LOAD_CALLGRIND=READER:CALLS`: reads the 10k-service document CALLS times with READER
/// (`meshroute-json`, `meshroute-hcl`, `meshroute-yaml`, `serde_json`, `hcl-rs`,
/// `serde-saphyr`), then exits. Instructions of one read: a run of N calls minus a run of 0,
/// divided by N (the documents are generated in both runs).
fn callgrind_mode(spec: &str) {
    let (reader, calls) = spec.split_once(':').expect("LOAD_CALLGRIND=READER:CALLS");
    let calls: usize = calls.parse().expect("CALLS is a number");
    let json = services_json();
    let hcl = services_hcl();
    let yaml = services_yaml(&json);
    let loader = Loader::new();
    for _ in 0..calls {
        match reader {
            "meshroute-json" => drop(loader.load_str(black_box(&json), Format::Json, None)),
            "meshroute-hcl" => drop(loader.load_str(black_box(&hcl), Format::Hcl, None)),
            "meshroute-yaml" => drop(loader.load_str(black_box(&yaml), Format::Yaml, None)),
            "serde_json" => drop(serde_json::from_str::<serde_json::Value>(&json).unwrap()),
            "hcl-rs" => drop(::hcl::from_str::<::hcl::Value>(&hcl).unwrap()),
            "serde-saphyr" => drop(
                serde_saphyr::from_str_with_options::<serde_json::Value>(&yaml, yaml_options())
                    .unwrap(),
            ),
            other => panic!("LOAD_CALLGRIND: unknown reader {other}"),
        }
    }
}

fn bench(c: &mut Criterion) {
    if let Ok(spec) = std::env::var("LOAD_CALLGRIND") {
        callgrind_mode(&spec);
        return;
    }
    let json = services_json();
    let hcl = services_hcl();
    let yaml = services_yaml(&json);
    let loader = Loader::new();
    for (name, src) in [("json", &json), ("hcl", &hcl), ("yaml", &yaml)] {
        let format: Format = name.parse().unwrap();
        let loaded = loader.load_str(src, format, None);
        assert!(
            loaded.diagnostics.is_empty(),
            "{name}: {:?}",
            &loaded.diagnostics[..1]
        );
        assert_eq!(loaded.documents.len(), N, "{name}");
    }

    let mut g = c.benchmark_group("load-10k-services");
    g.sample_size(10);
    for (name, src) in [("json", &json), ("hcl", &hcl), ("yaml", &yaml)] {
        g.throughput(Throughput::Bytes(src.len() as u64));
        let format: Format = name.parse().unwrap();
        g.bench_function(format!("meshroute/{name}"), |b| {
            b.iter(|| loader.load_str(black_box(src), format, None));
        });
    }
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("serde_json-value/json", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&json)).unwrap());
    });
    g.throughput(Throughput::Bytes(hcl.len() as u64));
    g.bench_function("hcl-rs-value/hcl", |b| {
        b.iter(|| ::hcl::from_str::<::hcl::Value>(black_box(&hcl)).unwrap());
    });
    g.throughput(Throughput::Bytes(yaml.len() as u64));
    g.bench_function("serde-saphyr-value/yaml", |b| {
        b.iter(|| {
            serde_saphyr::from_str_with_options::<serde_json::Value>(
                black_box(&yaml),
                yaml_options(),
            )
            .unwrap()
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
