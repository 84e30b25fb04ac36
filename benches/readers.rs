//! The readers against their peers on ~1 MB documents: `meshroute::hcl::parse` against
//! hcl-rs (`::hcl`, an HCL2 reader) on HCL both accept, and `meshroute::json::parse` against
//! `serde_json::Value` on the same content as JSON.
//!
//! `cargo bench --bench readers -- --warm-up-time 1 --measurement-time 3`

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use meshroute::tree::Limits;

/// About `target` bytes of service definitions in the HCL that HCL1 and HCL2 share.
fn hcl_document(target: usize) -> String {
    let mut out = String::with_capacity(target + 1024);
    let mut n = 0;
    while out.len() < target {
        let _ = write!(
            out,
            r#"service "web-{n}" {{
  name    = "web-{n}"
  port    = {port}
  enabled = true
  weight  = 1.5
  tags    = ["primary", "v{n}", "dc1"]
  meta    = {{ version = "1.{n}", team = "payments" }}
  # The sidecar and its upstreams.
  proxy {{
    destination_service_name = "web-{n}"
    mesh_gateway {{
      mode = "local"
    }}
    upstreams = [
      {{ destination_name = "db-{n}", local_bind_port = 10001 }},
      {{ destination_name = "cache", datacenter = "dc2", local_bind_port = 10002 }},
    ]
  }}
}}
"#,
            port = 8000 + n % 1000
        );
        n += 1;
    }
    out
}

fn readers(c: &mut Criterion) {
    let limits = Limits::default();
    let hcl_src = hcl_document(1 << 20);
    // Both must accept the document, or the comparison means nothing.
    meshroute::hcl::parse(&hcl_src, &limits).expect("meshroute reads the bench document");
    ::hcl::from_str::<::hcl::Value>(&hcl_src).expect("hcl-rs reads the bench document");
    let json_src =
        serde_json::to_string_pretty(&meshroute::hcl::parse(&hcl_src, &limits).unwrap().to_json())
            .unwrap();
    meshroute::json::parse(&json_src, &limits).expect("meshroute reads the bench json");

    let mut g = c.benchmark_group("hcl");
    g.throughput(Throughput::Bytes(hcl_src.len() as u64));
    g.sample_size(10);
    g.bench_function("meshroute::hcl::parse", |b| {
        b.iter(|| meshroute::hcl::parse(black_box(&hcl_src), &limits).unwrap());
    });
    g.bench_function("hcl-rs from_str::<Value>", |b| {
        b.iter(|| ::hcl::from_str::<::hcl::Value>(black_box(&hcl_src)).unwrap());
    });
    g.finish();

    let mut g = c.benchmark_group("json");
    g.throughput(Throughput::Bytes(json_src.len() as u64));
    g.sample_size(10);
    g.bench_function("meshroute::json::parse", |b| {
        b.iter(|| meshroute::json::parse(black_box(&json_src), &limits).unwrap());
    });
    g.bench_function("serde_json from_str::<Value>", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&json_src)).unwrap());
    });
    g.finish();
}

criterion_group!(benches, readers);
criterion_main!(benches);
