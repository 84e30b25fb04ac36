//! Loading 10,000 annotated Deployments, each with its Kubernetes Service and its
//! ServiceDefaults resource, plus the cluster's ProxyDefaults and Helm values, as one
//! `kubectl apply -f` stream; against serde-saphyr's own parse of the same stream into a
//! generic value (`serde_json::Value`, one per document).
//!
//! `cargo bench --bench kubernetes -- --warm-up-time 1 --measurement-time 5`

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use meshroute::{Format, Loader};

const N: usize = 10_000;

fn manifests() -> String {
    let mut s = String::from(
        "global:\n  datacenter: east\n  tls:\n    enabled: true\nmeshGateway:\n  enabled: true\n  wanAddress:\n    source: Static\n    static: 198.18.0.10\n---\napiVersion: consul.hashicorp.com/v1alpha1\nkind: ProxyDefaults\nmetadata:\n  name: global\nspec:\n  meshGateway:\n    mode: local\n",
    );
    for i in 0..N {
        let _ = write!(
            s,
            r#"---
apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
  namespace: team-{t}
spec:
  selector:
    app: svc-{i}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
  namespace: team-{t}
  labels:
    app: svc-{i}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: svc-{i}
  template:
    metadata:
      labels:
        app: svc-{i}
        tier: backend
      annotations:
        consul.hashicorp.com/connect-inject: "true"
        consul.hashicorp.com/connect-service-upstreams: "api-{u}:9090:west, db-{u}.svc:9091, cache-{u}:9092:west?mesh_gateway_mode=remote"
    spec:
      serviceAccountName: svc-{i}
      containers:
      - name: app
        image: example/app:{i}
        ports:
        - name: http
          containerPort: 8080
        env:
        - name: TEAM
          value: team-{t}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceDefaults
metadata:
  name: svc-{i}
  namespace: team-{t}
spec:
  protocol: http
  upstreamConfig:
    overrides:
    - name: api-{u}
      meshGateway:
        mode: remote
"#,
            t = i % 50,
            u = i % 97,
        );
    }
    s
}

fn bench(c: &mut Criterion) {
    let yaml = manifests();
    let loader = Loader::new();
    let loaded = loader.load_str(&yaml, Format::Yaml, None);
    assert!(!loaded.has_errors(), "{:?}", &loaded.diagnostics[..1]);
    // values: agent + gateway; ProxyDefaults; per workload: service, proxy, service-defaults.
    assert_eq!(loaded.documents.len(), 3 + 3 * N);

    let mut g = c.benchmark_group("load-10k-workloads");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(yaml.len() as u64));
    g.bench_function("meshroute/kubernetes", |b| {
        b.iter(|| loader.load_str(black_box(&yaml), Format::Yaml, None));
    });
    // The same options meshroute uses (YAML 1.2 booleans, node caps scaled to the input),
    // without positions and without decoding.
    let options = || {
        let mut options = serde_saphyr::Options::default();
        options.strict_booleans = true;
        let mut budget = serde_saphyr::Budget::default();
        budget.max_nodes = 4 * 1024 * 1024;
        budget.max_events = 8 * 1024 * 1024;
        budget.max_documents = 1024 * 1024;
        options.budget = Some(budget);
        options
    };
    g.bench_function("serde-saphyr-value/kubernetes", |b| {
        b.iter(|| {
            serde_saphyr::from_multiple_with_options::<serde_json::Value>(
                black_box(&yaml),
                options(),
            )
            .unwrap()
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
