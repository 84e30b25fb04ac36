//! SNI extraction over the ClientHello corpus, in one run: this crate's sniffer against
//! tls-parser (its documented path and a lean path) and rustls's server `Acceptor`.
//!
//! `cargo bench --bench sniff` runs everything, then prints the Markdown table of
//! docs/performance.md from criterion's estimates (medians, in ns).

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use meshroute::sniff::{self, Config, Status};
use tls_parser::{
    SNIType, TlsExtension, TlsMessage, TlsMessageHandshake, parse_tls_client_hello_extensions,
    parse_tls_extension, parse_tls_handshake_client_hello, parse_tls_message_handshake,
    parse_tls_plaintext, parse_tls_raw_record,
};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clienthello");
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    v.sort();
    v
}

/// Ours, with full validation, returning the validated name's length.
fn ours(buf: &[u8], config: &Config) -> usize {
    match sniff::parse(buf, config) {
        Ok(Status::Complete(h)) => h.host_name().map_or(0, |n| n.as_bytes().len()),
        _ => usize::MAX,
    }
}

/// Concatenates the payloads of consecutive records: the copy tls-parser needs for a hello
/// split across records (it parses one record at a time).
fn glue(mut buf: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let (rest, rec) = parse_tls_raw_record(buf).ok()?;
        out.extend_from_slice(rec.data);
        buf = rest;
    }
    Some(out)
}

fn sni_of(exts: &[TlsExtension<'_>]) -> usize {
    for e in exts {
        if let TlsExtension::SNI(names) = e {
            return names
                .iter()
                .find(|(t, _)| *t == SNIType::HostName)
                .map_or(0, |(_, n)| n.len());
        }
    }
    0
}

/// tls-parser's documented path: parse_tls_plaintext, then the extensions vector.
fn tls_parser_documented(buf: &[u8]) -> usize {
    let from_handshake = |msg: &TlsMessage<'_>| match msg {
        TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch)) => ch
            .ext
            .and_then(|e| parse_tls_client_hello_extensions(e).ok())
            .map_or(0, |(_, exts)| sni_of(&exts)),
        _ => usize::MAX,
    };
    if let Ok((_, plain)) = parse_tls_plaintext(buf) {
        plain.msg.first().map_or(usize::MAX, from_handshake)
    } else {
        // Split across records: the documented answer is to defragment (copy) and re-parse.
        let Some(hs) = glue(buf) else {
            return usize::MAX;
        };
        match parse_tls_message_handshake(&hs) {
            Ok((_, msg)) => from_handshake(&msg),
            Err(_) => usize::MAX,
        }
    }
}

/// tls-parser's lean path: raw record, ClientHello body, then extensions one by one.
fn tls_parser_lean(buf: &[u8]) -> usize {
    let lean = |hs: &[u8]| -> usize {
        let Some(body) = hs.get(4..) else {
            return usize::MAX;
        };
        let Ok((_, ch)) = parse_tls_handshake_client_hello(body) else {
            return usize::MAX;
        };
        let mut ext = ch.ext.unwrap_or_default();
        let mut found = 0;
        while !ext.is_empty() {
            match parse_tls_extension(ext) {
                Ok((rest, e)) => {
                    if let TlsExtension::SNI(names) = &e {
                        found = names.first().map_or(0, |(_, n)| n.len());
                    }
                    ext = rest;
                }
                Err(_) => return usize::MAX,
            }
        }
        found
    };
    match parse_tls_raw_record(buf) {
        Ok(([], rec)) => lean(rec.data),
        Ok(_) => glue(buf).map_or(usize::MAX, |hs| lean(&hs)),
        Err(_) => usize::MAX,
    }
}

/// rustls's server-side Acceptor: the strict oracle. It reads at most a buffer's worth per
/// `read_tls`, so `accept` runs after each read, as a server loop would.
fn rustls_acceptor(mut buf: &[u8]) -> usize {
    let mut acceptor = rustls::server::Acceptor::default();
    while !buf.is_empty() {
        if acceptor.read_tls(&mut buf).is_err() {
            return usize::MAX;
        }
        match acceptor.accept() {
            Ok(Some(accepted)) => {
                return accepted.client_hello().server_name().map_or(0, str::len);
            }
            Ok(None) => {}
            Err(_) => return usize::MAX,
        }
    }
    usize::MAX
}

fn bench(c: &mut Criterion) {
    let config = Config::default().with_max_hello_len(64 * 1024);
    let files = corpus();
    let mut g = c.benchmark_group("sni");
    g.warm_up_time(Duration::from_millis(300));
    g.measurement_time(Duration::from_millis(800));
    g.sample_size(30);
    for (name, data) in &files {
        // All extractors agree on the name length (sanity, outside the timing).
        let want = ours(data, &config);
        assert_eq!(tls_parser_lean(data), want, "{name}");
        assert_eq!(tls_parser_documented(data), want, "{name}");
        assert_eq!(rustls_acceptor(data), want, "{name}");
        g.bench_with_input(BenchmarkId::new("meshroute", name), data, |b, d| {
            b.iter(|| ours(black_box(d), &config));
        });
        g.bench_with_input(BenchmarkId::new("tls-parser-lean", name), data, |b, d| {
            b.iter(|| tls_parser_lean(black_box(d)));
        });
        g.bench_with_input(
            BenchmarkId::new("tls-parser-documented", name),
            data,
            |b, d| {
                b.iter(|| tls_parser_documented(black_box(d)));
            },
        );
        g.bench_with_input(BenchmarkId::new("rustls-acceptor", name), data, |b, d| {
            b.iter(|| rustls_acceptor(black_box(d)));
        });
    }
    g.finish();

    // A caller reading 1460-byte TCP segments and re-parsing from the start at every read,
    // against a single parse of the whole hello.
    let mut g = c.benchmark_group("reads");
    g.warm_up_time(Duration::from_millis(300));
    g.measurement_time(Duration::from_millis(800));
    g.sample_size(30);
    for name in ["chromium", "node-alpn-500", "chromium-20k-two-records"] {
        let data = &files.iter().find(|(n, _)| n == name).unwrap().1;
        g.bench_with_input(
            BenchmarkId::new("reparse-per-1460-byte-read", name),
            data,
            |b, d| {
                b.iter(|| {
                    let mut sum = 0;
                    let mut have = 0;
                    while have < d.len() {
                        have = (have + 1460).min(d.len());
                        sum += ours(black_box(&d[..have]), &config);
                    }
                    sum
                });
            },
        );
        g.bench_with_input(
            BenchmarkId::new("sniffer-per-1460-byte-read", name),
            data,
            |b, d| {
                b.iter(|| {
                    let mut sniffer = sniff::Sniffer::new(config);
                    let mut sum = 0;
                    let mut have = 0;
                    while have < d.len() {
                        have = (have + 1460).min(d.len());
                        if let Ok(Status::Complete(h)) = sniffer.feed(black_box(&d[..have])) {
                            sum += h.host_name().map_or(0, |n| n.as_bytes().len());
                        }
                    }
                    sum
                });
            },
        );
        g.bench_with_input(BenchmarkId::new("one-parse", name), data, |b, d| {
            b.iter(|| ours(black_box(d), &config));
        });
    }
    g.finish();
}

const EXTRACTORS: [&str; 4] = [
    "meshroute",
    "tls-parser-lean",
    "tls-parser-documented",
    "rustls-acceptor",
];

fn median_ns(group: &str, id: &str, file: &str) -> Option<f64> {
    let target = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/target").to_owned());
    let path = format!("{target}/criterion/{group}/{id}/{file}/new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => f64::midpoint(v[n / 2 - 1], v[n / 2]),
    }
}

/// Prints the per-file medians and the summary the goals are judged on.
fn table() {
    let config = Config::default().with_max_hello_len(64 * 1024);
    let files = corpus();
    let mut single: Vec<Vec<f64>> = vec![Vec::new(); EXTRACTORS.len()];
    println!("\n| file | bytes | records | {} |", EXTRACTORS.join(" | "));
    println!("|---|---:|---:|{}", "---:|".repeat(EXTRACTORS.len()));
    for (name, data) in &files {
        let records = match sniff::parse(data, &config) {
            Ok(Status::Complete(h)) => h.records(),
            _ => 0,
        };
        let mut row = format!("| {name} | {} | {records} |", data.len());
        for (i, id) in EXTRACTORS.iter().enumerate() {
            let Some(ns) = median_ns("sni", id, name) else {
                return;
            };
            if records == 1 {
                single[i].push(ns);
            }
            let _ = write!(row, " {ns:.0} |");
        }
        println!("{row}");
    }
    let medians: Vec<f64> = single.into_iter().map(median).collect();
    println!("\n| extractor | median ns, single-record hellos | vs meshroute |");
    println!("|---|---:|---:|");
    for (id, m) in EXTRACTORS.iter().zip(&medians) {
        println!("| {id} | {m:.1} | {:.1}x |", m / medians[0]);
    }
    println!(
        "\n| hello | parse at every 1460-byte read, ns | Sniffer at every 1460-byte read, ns | one parse of the whole hello, ns |"
    );
    println!("|---|---:|---:|---:|");
    for name in ["chromium", "node-alpn-500", "chromium-20k-two-records"] {
        let (Some(re), Some(sn), Some(one)) = (
            median_ns("reads", "reparse-per-1460-byte-read", name),
            median_ns("reads", "sniffer-per-1460-byte-read", name),
            median_ns("reads", "one-parse", name),
        ) else {
            return;
        };
        println!("| {name} | {re:.0} | {sn:.0} | {one:.0} |");
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
    table();
}
