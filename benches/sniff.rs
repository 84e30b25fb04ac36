//! SNI extraction over the ClientHello corpus, in one run: this crate's sniffer against a
//! strict floor (below), tls-parser (its documented path and a lean path) and rustls's server
//! `Acceptor`.
//!
//! `cargo bench --bench sniff` runs everything, then prints the Markdown tables of
//! docs/performance.md from criterion's estimates (medians, in ns), with the ratio to the floor.
//!
//! For instruction counts, the same binary runs one extractor in a loop instead of criterion
//! when `SNIFF_CALLGRIND=EXTRACTOR:INPUT:CALLS` is set (see `callgrind_mode`).

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

#[path = "../tests/common/sniff_common.rs"]
mod sniff_common;

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

/// The strict floor: a minimal zero-allocation walk written for speed and nothing else, to
/// measure how far the sniffer is from the least work its answer needs. It checks every length
/// the sniffer checks (record, handshake, session id, suites, compression, the extensions block,
/// each extension, the server_name list and entries, the ALPN list and each protocol, the
/// supported_versions list), rejects the same duplicate extensions and a `pre_shared_key` that
/// is not last, and validates the name by the same rules under the default policy (a single
/// table-driven pass). It returns the validated name's length, 0 without one, `usize::MAX` on
/// rejection or incomplete input, like `ours`. What it leaves out: the result type, the
/// policy switches, typed errors, "how many more bytes", and reading a hello split across
/// records in place: it joins the records' payloads into `scratch` (a buffer reused across
/// calls, so no allocation once it has grown), the way most parsers do.
mod floor {
    const MAX_HELLO: usize = 64 * 1024;
    const MAX_RECORD: usize = 1 << 14;

    pub(crate) fn sni_len(buf: &[u8], scratch: &mut Vec<u8>) -> usize {
        message(buf, scratch).and_then(body).unwrap_or(usize::MAX)
    }

    fn u16_at(b: &[u8], at: usize) -> Option<usize> {
        match b.get(at..at + 2) {
            Some(&[x, y]) => Some(usize::from(u16::from_be_bytes([x, y]))),
            _ => None,
        }
    }

    /// The ClientHello body (after the 4-byte handshake header), contiguous.
    fn message<'a>(buf: &'a [u8], scratch: &'a mut Vec<u8>) -> Option<&'a [u8]> {
        let &[22, 3, _, r0, r1, 1, a, b, c, ..] = buf else {
            return None;
        };
        let rlen = usize::from(u16::from_be_bytes([r0, r1]));
        let len = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
        if rlen == 0 || rlen > MAX_RECORD || len + 4 > MAX_HELLO {
            return None;
        }
        if len + 4 <= rlen {
            return buf.get(9..9 + len);
        }
        scratch.clear();
        let mut rest = buf;
        while scratch.len() < len + 4 {
            let &[22, 3, _, r0, r1, ..] = rest else {
                return None;
            };
            let n = usize::from(u16::from_be_bytes([r0, r1]));
            if n == 0 || n > MAX_RECORD {
                return None;
            }
            scratch.extend_from_slice(rest.get(5..5 + n)?);
            rest = &rest[5 + n..];
        }
        scratch.get(4..4 + len)
    }

    fn body(m: &[u8]) -> Option<usize> {
        let sid = usize::from(*m.get(34)?);
        if sid > 32 {
            return None;
        }
        let mut p = 35 + sid;
        let suites = u16_at(m, p)?;
        if suites < 2 || suites % 2 != 0 {
            return None;
        }
        p += 2 + suites;
        let comp = usize::from(*m.get(p)?);
        p += 1 + comp;
        if comp == 0 || p > m.len() {
            return None;
        }
        if p == m.len() {
            return Some(0);
        }
        let exts = u16_at(m, p)?;
        if p + 2 + exts != m.len() {
            return None;
        }
        extensions(&m[p + 2..])
    }

    fn extensions(mut e: &[u8]) -> Option<usize> {
        let mut name = None;
        let mut seen = [false; 4];
        let mut first = |i: usize| !std::mem::replace(&mut seen[i], true);
        while let &[t0, t1, l0, l1, ref rest @ ..] = e {
            let body = rest.get(..usize::from(u16::from_be_bytes([l0, l1])))?;
            e = &rest[body.len()..];
            let ok = match u16::from_be_bytes([t0, t1]) {
                0 => first(0) && server_name(body, &mut name),
                16 => first(1) && alpn(body),
                43 => {
                    let list = usize::from(*body.first()?);
                    first(2) && list + 1 == body.len() && list >= 2 && list % 2 == 0
                }
                0xfe0d => first(3),
                41 => e.is_empty(),
                _ => true,
            };
            if !ok {
                return None;
            }
        }
        if !e.is_empty() {
            return None;
        }
        name.map_or(Some(0), host_len)
    }

    /// Reads a server_name body: false if malformed or with two host_names.
    fn server_name<'a>(b: &'a [u8], name: &mut Option<&'a [u8]>) -> bool {
        if u16_at(b, 0).is_none_or(|list| list == 0 || list + 2 != b.len()) {
            return false;
        }
        let mut rest = &b[2..];
        while let &[ty, h, l, ref tail @ ..] = rest {
            let Some(n) = tail.get(..usize::from(u16::from_be_bytes([h, l]))) else {
                return false;
            };
            rest = &tail[n.len()..];
            if ty == 0 && name.replace(n).is_some() {
                return false;
            }
        }
        rest.is_empty()
    }

    fn alpn(b: &[u8]) -> bool {
        let Some(list) = u16_at(b, 0) else {
            return false;
        };
        if list < 2 || list + 2 != b.len() {
            return false;
        }
        let mut i = 2;
        while let Some(&p) = b.get(i) {
            if p == 0 {
                return false;
            }
            i += 1 + usize::from(p);
        }
        i == b.len()
    }

    /// 0: invalid; 1: letter, digit or `_`; 2: `-`; 3: `.`.
    static CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut i = 0;
        while i < 256 {
            #[allow(clippy::cast_possible_truncation)]
            let c = i as u8;
            t[i] = if c.is_ascii_alphanumeric() || c == b'_' {
                1
            } else if c == b'-' {
                2
            } else if c == b'.' {
                3
            } else {
                0
            };
            i += 1;
        }
        t
    };

    /// For `fold`: bit 0 an invalid byte, 1 an empty label, 2 a label starting with `-`, 3
    /// one ending with `-`; the high byte is the mask of the bits that are bad in the next
    /// byte. 512 bytes, always in cache.
    static PAIRS: [u16; 256] = {
        let mut t = [0u16; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = match CLASS[i] {
                0 => 1 | 1 << 8,
                1 => 1 << 8,
                2 => 4 | (1 | 8) << 8,
                _ => 2 | 8 | (1 | 2 | 4) << 8,
            };
            i += 1;
        }
        t
    };

    /// Bytes and label edges, one table load a byte.
    fn fold(s: &[u8]) -> bool {
        let mut flags = 0u16;
        let mut mask = 1 | 2 | 4;
        for &c in s {
            let t = PAIRS[usize::from(c)];
            flags |= t & mask;
            mask = t >> 8;
        }
        flags | ((2 | 8) & mask) == 0
    }

    /// No label over 63 bytes: from each label's start, the last dot of the next 64 bytes
    /// starts the next label (usually found a byte or two back from the window's end).
    fn labels_fit(s: &[u8]) -> bool {
        let mut start = 0;
        while s.len() - start > 63 {
            match s[start..start + 64].iter().rposition(|&c| c == b'.') {
                Some(d) => start += d + 1,
                None => return false,
            }
        }
        true
    }

    /// The validated name's length under the default policy: 0 for a tolerated IP literal.
    fn host_len(raw: &[u8]) -> Option<usize> {
        let s = match raw {
            [] => return None,
            [head @ .., b'.'] => head,
            s => s,
        };
        let ldh = s.len() <= 253 && fold(s) && (s.len() <= 63 || labels_fit(s));
        // Only digits and dots pass as a name and read as an address; IPv6 has colons.
        let digit_led = s.first().is_some_and(u8::is_ascii_digit);
        if s.len() == raw.len()
            && (digit_led || !ldh && s.contains(&b':'))
            && std::str::from_utf8(s).is_ok_and(|t| t.parse::<std::net::IpAddr>().is_ok())
        {
            return Some(0);
        }
        // A number ends in a (hex) digit: only then is the last label looked for.
        let number = s.last().is_some_and(u8::is_ascii_hexdigit)
            && numeric(s.rsplit(|&c| c == b'.').next()?);
        if !ldh || number {
            return None;
        }
        Some(s.len())
    }

    fn numeric(label: &[u8]) -> bool {
        match label {
            [b'0', b'x' | b'X', hex @ ..] => hex.iter().all(u8::is_ascii_hexdigit),
            digits => digits.iter().all(u8::is_ascii_digit),
        }
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

/// The single-record real-client hello whose name `name_hello` replaces.
const NAME_BASE: &str = "curl";

/// A valid host name of `n` bytes (4 to 253) in labels of 63 bytes and a last shorter one (the
/// longest labels, as in the longest DNS names), of letters, digits and inner hyphens.
fn long_name(n: usize) -> Vec<u8> {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-";
    let mut out = Vec::with_capacity(n);
    let mut label = 0;
    while out.len() < n {
        if !out.is_empty() {
            out.push(b'.');
        }
        // 62 when 64 are left, so that the last label is not empty.
        let rest = n - out.len();
        let len = if rest == 64 { 62 } else { rest.min(63) };
        let start = out.len();
        out.extend((0..len).map(|j| CHARS[(label * 7 + j) % CHARS.len()]));
        // Letters at both ends: no hyphen at an edge, no numeric last label.
        out[start] = b'k';
        *out.last_mut().unwrap() = b'z';
        label += 1;
    }
    assert_eq!(out.len(), n);
    out
}

/// `NAME_BASE` with its name replaced by `long_name(n)`.
fn name_hello(n: usize) -> Vec<u8> {
    let base = corpus()
        .into_iter()
        .find(|(f, _)| f == NAME_BASE)
        .unwrap()
        .1;
    sniff_common::rename(&base, b"curl.example", &long_name(n))
}

fn bench(c: &mut Criterion) {
    let config = Config::default();
    let files = corpus();
    let mut scratch = Vec::new();
    let mut g = c.benchmark_group("sni");
    g.warm_up_time(Duration::from_millis(300));
    g.measurement_time(Duration::from_millis(800));
    g.sample_size(30);
    for (name, data) in &files {
        // All extractors agree on the name length (sanity, outside the timing).
        let want = ours(data, &config);
        assert_eq!(floor::sni_len(data, &mut scratch), want, "{name}");
        assert_eq!(tls_parser_lean(data), want, "{name}");
        assert_eq!(tls_parser_documented(data), want, "{name}");
        assert_eq!(rustls_acceptor(data), want, "{name}");
        g.bench_with_input(BenchmarkId::new("meshroute", name), data, |b, d| {
            b.iter(|| ours(black_box(d), &config));
        });
        g.bench_with_input(BenchmarkId::new("floor", name), data, |b, d| {
            b.iter(|| floor::sni_len(black_box(d), &mut scratch));
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

    // The cost of the name itself: one hello, its name replaced by names of growing length.
    let mut g = c.benchmark_group("name");
    g.warm_up_time(Duration::from_millis(300));
    g.measurement_time(Duration::from_millis(800));
    g.sample_size(30);
    for n in NAME_LENGTHS {
        let data = name_hello(n);
        assert_eq!(ours(&data, &config), n);
        assert_eq!(floor::sni_len(&data, &mut scratch), n);
        g.bench_with_input(BenchmarkId::new("meshroute", n), &data, |b, d| {
            b.iter(|| ours(black_box(d), &config));
        });
        g.bench_with_input(BenchmarkId::new("floor", n), &data, |b, d| {
            b.iter(|| floor::sni_len(black_box(d), &mut scratch));
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

/// Name lengths of the `name` group (the base hello's own name is 12 bytes).
const NAME_LENGTHS: [usize; 5] = [16, 32, 64, 128, 253];

/// The synthetic corpus files (made from real captures, see tests/clienthello/README.md).
const SYNTHETIC: [&str; 1] = ["chromium-20k-two-records"];

const EXTRACTORS: [&str; 5] = [
    "meshroute",
    "floor",
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

/// Prints the per-file medians and the summaries the goals are judged on.
fn table() {
    let config = Config::default();
    let files = corpus();
    // Per extractor: the single-record hellos, and every real-client hello.
    let mut single: Vec<Vec<f64>> = vec![Vec::new(); EXTRACTORS.len()];
    let mut real: Vec<Vec<f64>> = vec![Vec::new(); EXTRACTORS.len()];
    let mut ratios = Vec::new();
    println!(
        "\n| file | bytes | records | {} | meshroute / floor |",
        EXTRACTORS.join(" | ")
    );
    println!("|---|---:|---:|{}---:|", "---:|".repeat(EXTRACTORS.len()));
    for (name, data) in &files {
        let records = match sniff::parse(data, &config) {
            Ok(Status::Complete(h)) => h.records(),
            _ => 0,
        };
        let mut row = format!("| {name} | {} | {records} |", data.len());
        let mut ns_of = Vec::new();
        for (i, id) in EXTRACTORS.iter().enumerate() {
            let Some(ns) = median_ns("sni", id, name) else {
                return;
            };
            if records == 1 {
                single[i].push(ns);
            }
            if !SYNTHETIC.contains(&name.as_str()) {
                real[i].push(ns);
            }
            ns_of.push(ns);
            let _ = write!(row, " {ns:.0} |");
        }
        let ratio = ns_of[0] / ns_of[1];
        if !SYNTHETIC.contains(&name.as_str()) {
            ratios.push(ratio);
        }
        println!("{row} {ratio:.2}x |");
    }
    let single: Vec<f64> = single.into_iter().map(median).collect();
    let real: Vec<f64> = real.into_iter().map(median).collect();
    println!(
        "\n| extractor | median ns, {} real-client hellos | vs meshroute | median ns, single-record hellos | vs meshroute |",
        files.len() - SYNTHETIC.len()
    );
    println!("|---|---:|---:|---:|---:|");
    for (i, id) in EXTRACTORS.iter().enumerate() {
        println!(
            "| {id} | {:.1} | {:.2}x | {:.1} | {:.2}x |",
            real[i],
            real[i] / real[0],
            single[i],
            single[i] / single[0]
        );
    }
    println!(
        "\nmeshroute / floor over the real-client corpus: {:.2}x (ratio of the medians), {:.2}x (median of the per-file ratios)",
        real[0] / real[1],
        median(ratios)
    );
    println!("\n| name bytes | meshroute ns | floor ns | meshroute / floor |");
    println!("|---:|---:|---:|---:|");
    for n in NAME_LENGTHS {
        let n = n.to_string();
        let (Some(ours), Some(floor)) = (
            median_ns("name", "meshroute", &n),
            median_ns("name", "floor", &n),
        ) else {
            return;
        };
        println!("| {n} | {ours:.0} | {floor:.0} | {:.2}x |", ours / floor);
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

/// `SNIFF_CALLGRIND=EXTRACTOR:INPUT:CALLS`: calls EXTRACTOR (`meshroute`, `floor`,
/// `tls-parser-lean` or `rustls-acceptor`) CALLS times on INPUT (a corpus file's stem, or
/// `name-N`: the `NAME_BASE` hello with a valid N-byte name) and prints a checksum. Under
/// `valgrind --tool=callgrind`, the instructions of one call are the difference between a run
/// with CALLS and a run with 0, divided by CALLS.
fn callgrind_mode(spec: &str) {
    let mut parts = spec.splitn(3, ':');
    let (Some(which), Some(input), Some(calls)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("SNIFF_CALLGRIND={spec}: want EXTRACTOR:INPUT:CALLS");
    };
    let calls: usize = calls.parse().expect("CALLS");
    let data = match input.strip_prefix("name-") {
        Some(n) => name_hello(n.parse().expect("name-N")),
        None => {
            corpus()
                .into_iter()
                .find(|(f, _)| f == input)
                .unwrap_or_else(|| panic!("no corpus file {input}"))
                .1
        }
    };
    let config = Config::default();
    let mut scratch = Vec::with_capacity(64 * 1024);
    let extract: &mut dyn FnMut(&[u8]) -> usize = match which {
        "meshroute" => &mut |d| ours(d, &config),
        "floor" => &mut |d| floor::sni_len(d, &mut scratch),
        "tls-parser-lean" => &mut tls_parser_lean,
        "rustls-acceptor" => &mut rustls_acceptor,
        other => panic!("no extractor {other}"),
    };
    let mut sum = 0usize;
    for _ in 0..calls {
        sum = sum.wrapping_add(extract(black_box(&data)));
    }
    println!("{which} {input}: {calls} calls, checksum {sum}");
}

fn main() {
    if let Ok(spec) = std::env::var("SNIFF_CALLGRIND") {
        callgrind_mode(&spec);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
    table();
}
