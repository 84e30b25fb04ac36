//! Resolving generated topologies of 1k, 10k and 100k proxies with 10 upstreams each: every
//! route, including its SNI string; and the same topologies where a third of the upstreams
//! reach a service with a `service-resolver` failing over to two other datacenters (three
//! targets each, every one decided).
//!
//! `cargo bench --bench resolve -- --warm-up-time 1 --measurement-time 3`
//! (the 100k groups take 10 samples).
//!
//! For instruction counts, the same binary consumes `routes()` in a loop instead of running
//! criterion when `RESOLVE_CALLGRIND=PROXIES:CALLS` is set (see `callgrind_mode`).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use meshroute::{
    ConfigEntry, MeshGatewayConfig, MeshGatewayMode, ProxyConfig, ProxyDefaults, ResolverFailover,
    ServiceConnect, ServiceDefaults, ServiceDefinition, ServiceKind, ServiceResolver,
    TaggedAddress, Topology, Upstream,
};

const DCS: [&str; 3] = ["dc1", "dc2", "dc3"];
const SERVICES: usize = 200;
const MODES: [MeshGatewayMode; 4] = [
    MeshGatewayMode::Default,
    MeshGatewayMode::None,
    MeshGatewayMode::Local,
    MeshGatewayMode::Remote,
];

fn gateway(dc: usize, i: usize) -> ServiceDefinition {
    let mut s = ServiceDefinition::default();
    s.kind = ServiceKind::MeshGateway;
    s.name = "mesh-gateway".into();
    s.id = Some(format!("mesh-gateway-{i}"));
    s.address = Some(format!("10.{dc}.0.{i}"));
    s.port = Some(8443);
    let mut wan = TaggedAddress::default();
    wan.address = format!("198.18.{dc}.{i}");
    wan.port = 443;
    s.tagged_addresses.insert("wan".into(), wan);
    s
}

fn service(
    dc: usize,
    i: usize,
    upstreams: Vec<Upstream>,
    mode: MeshGatewayMode,
) -> ServiceDefinition {
    let mut p = ProxyConfig::default();
    p.upstreams = upstreams;
    p.mesh_gateway = MeshGatewayConfig::new(mode);
    let mut sc = ServiceDefinition::default();
    sc.port = Some(21000);
    sc.address = Some(format!("10.{dc}.{}.{}", 1 + i / 250 % 200, i % 250));
    sc.proxy = Some(p);
    let mut c = ServiceConnect::default();
    c.sidecar_service = Some(Box::new(sc));
    let mut s = ServiceDefinition::default();
    s.name = format!("svc-{}", i % SERVICES);
    s.id = Some(format!("svc-{i}"));
    s.port = Some(8080);
    s.connect = Some(c);
    s
}

/// A resolver of `svc-{s}` failing over to the datacenters other than the one it is
/// evaluated in (Consul drops a failover to the target itself).
fn resolver(s: usize) -> ConfigEntry {
    let mut f = ResolverFailover::default();
    f.datacenters = DCS.iter().map(|d| (*d).to_owned()).collect();
    let mut r = ServiceResolver::default();
    r.name = format!("svc-{s}");
    r.failover.insert("*".into(), f);
    ConfigEntry::ServiceResolver(r)
}

/// `proxies` proxies spread over three datacenters, 10 upstreams each, with every layer in use;
/// with `chains`, every third service has a resolver with a two-datacenter failover.
fn topology(proxies: usize, chains: bool) -> Topology {
    let mut b = Topology::builder();
    b.trust_domain("11111111-2222-3333-4444-555555555555.consul");
    for (d, dc) in DCS.iter().enumerate() {
        if chains {
            for s in (0..SERVICES).step_by(3) {
                b.add_config_entry(dc, resolver(s));
            }
        }
        let mut pd = ProxyDefaults::default();
        pd.mesh_gateway = MeshGatewayConfig::new(MODES[d + 1]);
        b.add_config_entry(dc, ConfigEntry::ProxyDefaults(pd));
        for s in 0..SERVICES / 4 {
            let mut sd = ServiceDefaults::default();
            sd.name = format!("svc-{s}");
            sd.mesh_gateway = MeshGatewayConfig::new(MODES[s % 4]);
            b.add_config_entry(dc, ConfigEntry::ServiceDefaults(sd));
        }
        for g in 0..2 {
            b.add_service(dc, gateway(d, g));
        }
    }
    for i in 0..proxies {
        let d = i % DCS.len();
        let ups = (0..10)
            .map(|k| {
                let mut u = Upstream::service(format!("svc-{}", (i * 7 + k * 13) % SERVICES));
                let t = (i + k) % 4;
                if t > 0 {
                    u.datacenter = Some(DCS[(d + t) % DCS.len()].to_owned());
                }
                u.mesh_gateway = MeshGatewayConfig::new(MODES[(i / 3 + k) % 4]);
                u.local_bind_port = u16::try_from(10000 + k).ok();
                u
            })
            .collect();
        b.add_service(DCS[d], service(d, i, ups, MODES[i % 4]));
    }
    b.build()
}

/// `resolve/N`: every route collected into a `Resolution` (as the CLI does);
/// `routes/N`: every route computed, SNI string included, and consumed one at a time;
/// `resolve-chains/N`, `routes-chains/N`: the same where a third of the upstreams have a
/// two-datacenter failover.
fn bench(c: &mut Criterion) {
    for n in [1_000, 10_000, 100_000] {
        for chains in [false, true] {
            let topo = topology(n, chains);
            let suffix = if chains { "-chains" } else { "" };
            for name in ["resolve", "routes"] {
                let mut g = c.benchmark_group(format!("{name}{suffix}"));
                g.throughput(Throughput::Elements(n as u64 * 10));
                if n >= 100_000 {
                    g.sample_size(10);
                }
                g.bench_with_input(BenchmarkId::from_parameter(n), &topo, |b, t| {
                    if name == "resolve" {
                        b.iter(|| black_box(t.resolve()).len());
                    } else {
                        b.iter(|| {
                            t.routes()
                                .map(|r| black_box(r).sni.map_or(0, |s| s.len()))
                                .sum::<usize>()
                        });
                    }
                });
                g.finish();
            }
        }
    }
}

/// `RESOLVE_CALLGRIND=PROXIES:CALLS[:chains][:resolve]`: builds the topology of PROXIES
/// proxies (with `chains`, a third of the upstreams with a two-datacenter failover, as
/// `*-chains/N`), then consumes every route of `routes()` (SNI included) CALLS times, as
/// `routes/N` does, or with `resolve` collects `resolve()` CALLS times, as `resolve/N` does,
/// and prints a checksum. Under `valgrind --tool=callgrind`, the instructions of one upstream
/// are the difference between a run with CALLS and a run with 0, divided by CALLS × PROXIES ×
/// 10.
fn callgrind_mode(spec: &str) {
    let mut parts = spec.split(':');
    let want = "RESOLVE_CALLGRIND: want PROXIES:CALLS[:chains][:resolve]";
    let proxies: usize = parts.next().and_then(|p| p.parse().ok()).expect(want);
    let calls: usize = parts.next().and_then(|c| c.parse().ok()).expect(want);
    let flags: Vec<&str> = parts.collect();
    let topo = topology(proxies, flags.contains(&"chains"));
    let resolve = flags.contains(&"resolve");
    let mut sum = 0usize;
    for _ in 0..calls {
        sum += if resolve {
            black_box(topo.resolve()).len()
        } else {
            topo.routes()
                .map(|r| black_box(r).sni.map_or(0, |s| s.len()))
                .sum::<usize>()
        };
    }
    println!("checksum {sum}");
}

criterion_group!(benches, bench);

fn main() {
    if let Ok(spec) = std::env::var("RESOLVE_CALLGRIND") {
        callgrind_mode(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
