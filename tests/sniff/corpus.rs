//! The SNI sniffer on the real-client corpus and the shared synthetic edge cases.
#![cfg(feature = "sniff")]

use crate::sniff_common;

use meshroute::sniff::{self, Config, Error, Field, NameError, Policy, Rule, Status};
use sniff_common::{
    Answer, answer, big, corpus, defragment, frame, reframe, rename, root, synthetic,
};

fn expected() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(root().join("tests/clienthello/expected.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

#[test]
fn corpus_gives_the_expected_answers() {
    let files = corpus();
    let rows = expected();
    assert_eq!(
        rows.len(),
        files.len(),
        "expected.tsv must list every corpus file"
    );
    for row in rows {
        let (file, name, records, alpn, ech, cap) =
            (&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]);
        let data = &files
            .iter()
            .find(|(f, _)| f == file)
            .unwrap_or_else(|| panic!("{file}"))
            .1;
        let config = Config::default().with_max_hello_len(cap.parse().unwrap());
        let Ok(Status::Complete(h)) = sniff::parse(data, &config) else {
            panic!("{file}: {:?}", sniff::parse(data, &config));
        };
        let want_name = (name != "-").then_some(name.as_bytes());
        assert_eq!(h.server_name(), want_name, "{file}");
        assert_eq!(
            h.host_name().map(|n| n.as_str()),
            (name != "-").then_some(name.as_str()),
            "{file}"
        );
        assert_eq!(h.records().to_string(), *records, "{file}");
        assert_eq!(
            h.len(),
            data.len(),
            "{file}: the capture ends with the hello"
        );
        let got: Vec<Vec<u8>> = h.alpn().map(|p| p.as_bytes().to_vec()).collect();
        let want: Vec<&[u8]> = alpn
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::as_bytes)
            .collect();
        assert!(
            got.len() >= want.len() && got.iter().zip(&want).all(|(g, w)| g == w),
            "{file}: {got:?}"
        );
        assert_eq!(h.has_alpn(), !want.is_empty(), "{file}");
        assert_eq!(h.ech().to_string(), *ech, "{file}");
        assert_eq!(h.legacy_version(), 0x0303, "{file}");
        if file.contains("tls12") {
            assert!(!h.offers_tls13(), "{file}");
        } else if !file.starts_with("openssl-nosni") && !file.starts_with("wget") {
            assert!(h.offers_tls13(), "{file}");
        }
        if h.records() == 1 {
            assert_eq!(
                h.server_name_borrowed(),
                want_name,
                "{file}: contiguous names are borrowed"
            );
            assert!(h.alpn().all(|p| p.borrowed().is_some()), "{file}");
        }
    }
}

/// `sniff::Bytes` reads as a slice through `AsRef<[u8]>`, borrowed or reassembled inline.
#[test]
fn sniff_bytes_are_as_ref_slices() {
    fn slice<B: AsRef<[u8]>>(b: &B) -> &[u8] {
        b.as_ref()
    }
    let mut inline = 0;
    for (file, data) in corpus() {
        for framed in [data.clone(), reframe(&data, 7)] {
            let h = sniff::parse(&framed, &big()).unwrap().complete().unwrap();
            if let Some(name) = h.server_name_bytes() {
                assert_eq!(Some(slice(name)), h.server_name(), "{file}");
                inline += usize::from(name.borrowed().is_none());
            }
            for p in h.alpn() {
                assert_eq!(slice(&p), p.as_bytes(), "{file}");
            }
        }
    }
    assert!(inline > 0, "no name straddled a record");
}

#[test]
fn hellos_over_the_cap_are_rejected_not_waited_for() {
    for (file, data) in corpus() {
        let len = defragment(&data).1.len();
        let tight = Config::default().with_max_hello_len(len - 1);
        assert_eq!(
            sniff::parse(&data, &tight).err(),
            Some(Error::HelloTooLarge),
            "{file}"
        );
        // Decided from the first 9 bytes alone.
        assert_eq!(
            sniff::parse(&data[..9], &tight).err(),
            Some(Error::HelloTooLarge),
            "{file}"
        );
        let exact = Config::default().with_max_hello_len(len);
        assert!(sniff::parse(&data, &exact).unwrap().is_complete(), "{file}");
    }
    assert_eq!(
        Config::default()
            .with_max_hello_len(1 << 20)
            .max_hello_len(),
        64 * 1024
    );
    assert_eq!(Config::default().max_hello_len(), 64 * 1024);
}

/// Issue 13: real clients send hellos over 16 KiB (Node with a long ALPN list, 22 KB in two
/// records). The default cap, 64 KiB as in rustls and Envoy's tls_inspector, returns their
/// name; the former 16 KiB default rejected them from their first 9 bytes.
#[test]
fn the_default_config_returns_the_name_of_twenty_kib_hellos_in_two_records() {
    for (file, name) in [
        ("chromium-20k-two-records.bin", "chromium.example"),
        ("node-huge-alpn.bin", "bigalpn.example"),
    ] {
        let data = std::fs::read(root().join("tests/clienthello").join(file)).unwrap();
        let h = sniff::parse(&data, &Config::default())
            .unwrap()
            .complete()
            .unwrap_or_else(|| panic!("{file}"));
        assert_eq!(h.host_name().map(|n| n.as_str()), Some(name), "{file}");
        assert_eq!(h.records(), 2, "{file}");
        assert!(h.message_len() >= 20 * 1024, "{file}");
        // Read at every 1,460-byte segment, as from a network.
        let mut sniffer = sniff::Sniffer::new(Config::default());
        let mut got = None;
        for end in (1460..data.len()).step_by(1460).chain([data.len()]) {
            match sniffer.feed(&data[..end]) {
                Ok(Status::Partial(_)) => assert!(end < data.len(), "{file}"),
                Ok(Status::Complete(h)) => got = h.host_name().map(|n| n.as_str().to_owned()),
                Err(e) => panic!("{file} at {end}: {e}"),
            }
        }
        assert_eq!(got.as_deref(), Some(name), "{file}");
        let old = Config::default().with_max_hello_len(16 * 1024);
        assert_eq!(
            sniff::parse(&data[..9], &old).err(),
            Some(Error::HelloTooLarge),
            "{file}"
        );
    }
}

/// The default cap is the whole 64 KiB: a 65,536-byte message is read, one byte more is
/// rejected from the first 9 bytes.
#[test]
fn the_default_cap_is_sixty_four_kib() {
    let (header, msg) =
        defragment(&std::fs::read(root().join("tests/clienthello/chromium.bin")).unwrap());
    let at_cap = frame(header, &sniff_common::pad_to(&msg, 64 * 1024), 16384);
    let h = sniff::parse(&at_cap, &Config::default())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(
        (
            h.message_len(),
            h.records(),
            h.host_name().map(|n| n.as_str())
        ),
        (64 * 1024, 4, Some("chromium.example"))
    );
    let over = frame(header, &sniff_common::pad_to(&msg, 64 * 1024 + 1), 16384);
    assert_eq!(
        sniff::parse(&over[..9], &Config::default()).err(),
        Some(Error::HelloTooLarge)
    );
}

/// What each shared synthetic file must give under the default policy.
fn synthetic_expectation(file: &str) -> Result<Option<&'static str>, Option<Error>> {
    use Error::{InvalidName, Malformed};
    match file {
        "duplicate-sni-ext.bin" => Err(Some(InvalidName(NameError::DuplicateExtension))),
        "empty-hostname.bin" | "empty-name-list.bin" | "empty-sni-ext.bin" => {
            Err(Some(InvalidName(NameError::Empty)))
        }
        "http-get.bin" => Err(Some(Error::NotTls)),
        "ipv6-literal.bin" => Ok(None),
        "label-64.bin" => Err(Some(InvalidName(NameError::LabelLength))),
        "multi-hostname.bin" => Err(Some(InvalidName(NameError::MultipleNames))),
        "name-254.bin" => Err(Some(InvalidName(NameError::TooLong))),
        "nul-in-hostname.bin" | "utf8-hostname.bin" => {
            Err(Some(InvalidName(NameError::InvalidByte)))
        }
        "other-type-then-host.bin" => Ok(Some("host.example")),
        "record-version-0300.bin" => Ok(Some("v30.example")),
        "single-record-over-16384.bin" => Err(Some(Error::RecordOverflow)),
        "sni-last-after-padding.bin" => Ok(Some("late.example")),
        "sni-len-overrun.bin" => Err(Some(Malformed(Field::ServerNameList))),
        "split-1-byte-records.bin" => Ok(Some("tiny.example")),
        "split-64-byte-records.bin" => Ok(Some("split.example")),
        "sslv2-compat-hello.bin" => Err(Some(Error::Sslv2Hello)),
        "truncated-half.bin" => Err(None),
        "underscore-hostname.bin" => Ok(Some("my_svc.ns.svc.cluster.local")),
        "uppercase-hostname.bin" => Ok(Some("UPPER.EXAMPLE.COM")),
        other => panic!("no expectation for {other}"),
    }
}

#[test]
fn synthetic_edge_cases_give_the_expected_answers() {
    let files = synthetic();
    let index =
        std::fs::read_to_string(root().join("tests/clienthello/synthetic/index.tsv")).unwrap();
    let listed: Vec<&str> = index
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(listed.len(), files.len());
    for (file, data) in &files {
        assert!(listed.contains(&file.as_str()), "{file} not in index.tsv");
        let got = sniff::parse(data, &Config::default());
        match synthetic_expectation(file) {
            Ok(name) => {
                let h = got.unwrap().complete().unwrap_or_else(|| panic!("{file}"));
                assert_eq!(
                    h.host_name().map(|n| n.as_str().to_owned()).as_deref(),
                    name,
                    "{file}"
                );
            }
            Err(Some(e)) => assert_eq!(got.err(), Some(e), "{file}"),
            Err(None) => assert!(matches!(got, Ok(Status::Partial(_))), "{file}: {got:?}"),
        }
    }
}

#[test]
fn the_synthetic_copy_matches_the_shared_reference_when_present() {
    let shared = root().join("../shared/reference/clienthello-synthetic");
    if !shared.is_dir() {
        return;
    }
    for (file, data) in sniff_common::bins(&shared) {
        let local = std::fs::read(root().join("tests/clienthello/synthetic").join(&file)).unwrap();
        assert_eq!(local, data, "{file}");
    }
}

#[test]
fn the_policy_switches_each_rule() {
    let load = |f: &str| std::fs::read(root().join("tests/clienthello/synthetic").join(f)).unwrap();
    let lenient = Config::default().with_policy(Policy::LENIENT);
    let strict = Config::default().with_policy(Policy::STRICT);

    let multi = load("multi-hostname.bin");
    let h = sniff::parse(&multi, &lenient).unwrap().complete().unwrap();
    assert!(h.host_name().is_some());
    assert_eq!(h.name_issue(), Some(NameError::MultipleNames));

    let dup = load("duplicate-sni-ext.bin");
    let h = sniff::parse(&dup, &lenient).unwrap().complete().unwrap();
    assert!(h.host_name().is_some());
    assert_eq!(h.name_issue(), Some(NameError::DuplicateExtension));

    for f in [
        "empty-hostname.bin",
        "empty-name-list.bin",
        "empty-sni-ext.bin",
    ] {
        let data = load(f);
        let h = sniff::parse(&data, &lenient).unwrap().complete().unwrap();
        assert!(h.host_name().is_none(), "{f}");
        assert_eq!(h.name_issue(), Some(NameError::Empty), "{f}");
    }

    let ip = load("ipv6-literal.bin");
    let h = sniff::parse(&ip, &Config::default())
        .unwrap()
        .complete()
        .unwrap();
    assert!(h.server_name().unwrap().contains(&b':'), "reported as sent");
    assert_eq!(h.name_issue(), Some(NameError::IpLiteral));
    assert_eq!(
        sniff::parse(&ip, &strict).err(),
        Some(Error::InvalidName(NameError::IpLiteral))
    );

    for f in [
        "label-64.bin",
        "name-254.bin",
        "nul-in-hostname.bin",
        "utf8-hostname.bin",
    ] {
        let data = load(f);
        let h = sniff::parse(&data, &lenient).unwrap().complete().unwrap();
        assert!(h.server_name().is_some() && h.host_name().is_none(), "{f}");
    }

    let other = load("other-type-then-host.bin");
    assert_eq!(
        sniff::parse(&other, &strict).err(),
        Some(Error::InvalidName(NameError::UnknownNameType))
    );

    let under = load("underscore-hostname.bin");
    assert_eq!(
        sniff::parse(&under, &strict).err(),
        Some(Error::InvalidName(NameError::Underscore))
    );
    let mut no_underscore = Policy::DEFAULT;
    no_underscore.underscore = Rule::Reject;
    assert_eq!(
        sniff::parse(&under, &Config::default().with_policy(no_underscore)).err(),
        Some(Error::InvalidName(NameError::Underscore))
    );
}

#[test]
fn trailing_dot_and_case() {
    let data = std::fs::read(root().join("tests/clienthello/curl.bin")).unwrap();
    let dotted = rename(&data, b"curl.example", b"Curl.Example.");
    let h = sniff::parse(&dotted, &Config::default())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(h.server_name(), Some(&b"Curl.Example."[..]));
    let host = h.host_name().unwrap();
    assert_eq!(host.as_str(), "Curl.Example");
    assert!(host.matches("curl.example") && host == "CURL.EXAMPLE");
    assert_eq!(h.name_issue(), Some(NameError::TrailingDot));
    let strict = Config::default().with_policy(Policy::STRICT);
    assert_eq!(
        sniff::parse(&dotted, &strict).err(),
        Some(Error::InvalidName(NameError::TrailingDot))
    );

    let ip4 = rename(&data, b"curl.example", b"127.0.0.1");
    let h = sniff::parse(&ip4, &Config::default())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(
        (h.host_name().is_none(), h.name_issue()),
        (true, Some(NameError::IpLiteral))
    );
    for bad in [&b"a..b"[..], b".", b"-", b"a b.example", b"a.example.."] {
        let d = rename(&data, b"curl.example", bad);
        assert!(
            matches!(
                sniff::parse(&d, &Config::default()),
                Err(Error::InvalidName(_))
            ),
            "{bad:?}"
        );
    }
    let label63 = [b'a'; 63];
    let d = rename(&data, b"curl.example", &label63);
    assert!(
        sniff::parse(&d, &Config::default())
            .unwrap()
            .complete()
            .unwrap()
            .host_name()
            .is_some()
    );
    // 253 bytes: three labels of 63, one of 61, three dots.
    let mut n253 = Vec::new();
    for i in 0..4 {
        if i > 0 {
            n253.push(b'.');
        }
        n253.extend(std::iter::repeat_n(b'b', if i == 3 { 61 } else { 63 }));
    }
    assert_eq!(n253.len(), 253);
    let d = rename(&data, b"curl.example", &n253);
    assert!(
        sniff::parse(&d, &Config::default())
            .unwrap()
            .complete()
            .unwrap()
            .host_name()
            .is_some()
    );
    n253.push(b'.');
    let d = rename(&data, b"curl.example", &n253);
    assert_eq!(
        sniff::parse(&d, &Config::default())
            .unwrap()
            .complete()
            .unwrap()
            .host_name()
            .unwrap()
            .as_str()
            .len(),
        253
    );
}

/// A name longer than 255 bytes split across records cannot be lent or reassembled inline;
/// it was reported as absent (`sni --policy lenient` said "no server name"). It is a name all
/// the same: `server_name_vec` copies it, `has_server_name` says so, and the policy judges it
/// too long as before.
#[test]
fn a_long_name_split_across_records_is_still_the_name_sent() {
    let curl = std::fs::read(root().join("tests/clienthello/curl.bin")).unwrap();
    let long: Vec<u8> = (0..256u32)
        .map(|i| b'a' + u8::try_from(i % 26).unwrap())
        .collect();
    let one = rename(&curl, b"curl.example", &long);
    let split = reframe(&one, 100);
    let lenient = Config::default().with_policy(Policy::LENIENT);
    for data in [&one, &split] {
        let h = sniff::parse(data, &lenient).unwrap().complete().unwrap();
        assert!(h.has_server_name());
        assert_eq!(h.server_name_vec().as_deref(), Some(&long[..]));
        assert_eq!(h.name_issue(), Some(NameError::TooLong));
        assert!(h.host_name().is_none());
    }
    let h = sniff::parse(&split, &lenient).unwrap().complete().unwrap();
    assert!(h.records() > 1);
    assert_eq!(h.server_name(), None, "not in one piece to lend");
    assert_eq!(
        sniff::parse(&split, &Config::default()).unwrap_err(),
        Error::InvalidName(NameError::TooLong)
    );
}

/// Valid inputs: the corpus and the complete synthetic hellos.
fn valid_inputs() -> Vec<(String, Vec<u8>)> {
    let mut v = corpus();
    v.extend(
        synthetic().into_iter().filter(|(f, d)| {
            sniff::parse(d, &big()).is_ok_and(|s| s.is_complete()) && !f.is_empty()
        }),
    );
    v
}

#[test]
fn every_strict_prefix_needs_more_and_says_a_true_lower_bound() {
    for (file, data) in valid_inputs() {
        let full = answer(&data, &big());
        assert!(matches!(full, Answer::Complete { .. }), "{file}");
        for cut in 0..data.len() {
            match sniff::parse(&data[..cut], &big()) {
                Ok(Status::Partial(n)) => {
                    assert!(
                        n >= 1 && cut + n <= data.len(),
                        "{file} at {cut}: Partial({n})"
                    );
                }
                other => panic!("{file} at {cut}: {other:?}"),
            }
        }
    }
}

#[test]
fn answers_do_not_change_when_more_bytes_follow() {
    for (file, data) in corpus().into_iter().chain(synthetic()) {
        let want = answer(&data, &big());
        let mut more = data.clone();
        more.extend_from_slice(&[0x17, 3, 3, 0, 4, 1, 2, 3, 4]);
        more.extend_from_slice(b"trailing garbage");
        let got = answer(&more, &big());
        if want == Answer::Partial {
            continue;
        }
        assert_eq!(got, want, "{file}");
    }
}

#[test]
fn reframing_into_records_of_every_size_gives_the_same_answer() {
    for (file, data) in valid_inputs() {
        let want = answer(&data, &big());
        let msg_len = defragment(&data).1.len();
        for size in 1..=msg_len.min(16384) {
            let framed = reframe(&data, size);
            let got = answer(&framed, &big());
            assert_eq!(got, want, "{file} in {size}-byte records");
        }
        // Names straddling a record boundary come back inline, never from the heap.
        let one = reframe(&data, 1);
        let h = sniff::parse(&one, &big()).unwrap().complete().unwrap();
        if let Some(name) = h.server_name() {
            assert!(
                name.len() <= 1 || h.server_name_borrowed().is_none(),
                "{file}"
            );
        }
        assert_eq!(h.records(), msg_len, "{file}");
    }
}

/// The raw ALPN list is the protocols with their length bytes, borrowed whenever it lies in
/// one record (always, for a one-record hello).
#[test]
fn alpn_raw_is_the_protocol_list() {
    for (file, data) in valid_inputs() {
        for size in [1, 7, 100, 16384] {
            let framed = reframe(&data, size);
            let h = sniff::parse(&framed, &big()).unwrap().complete().unwrap();
            let list: Vec<u8> = h
                .alpn()
                .flat_map(|p| {
                    let p = p.as_bytes().to_vec();
                    [vec![u8::try_from(p.len()).unwrap()], p].concat()
                })
                .collect();
            match h.alpn_raw() {
                Some(raw) => assert_eq!(raw, &list[..], "{file} in {size}-byte records"),
                None => assert!(
                    !h.has_alpn() || h.records() > 1,
                    "{file} in {size}-byte records"
                ),
            }
            if h.records() == 1 {
                assert_eq!(h.alpn_raw().is_some(), h.has_alpn(), "{file}");
            }
        }
    }
}

#[test]
fn split_records_of_rejected_inputs_keep_their_error() {
    for (file, data) in synthetic() {
        let Answer::Err(want) = answer(&data, &big()) else {
            continue;
        };
        if matches!(
            want,
            Error::NotTls | Error::Sslv2Hello | Error::RecordOverflow
        ) {
            continue;
        }
        for size in [1, 2, 3, 7, 64, 512] {
            assert_eq!(
                answer(&reframe(&data, size), &big()),
                Answer::Err(want),
                "{file} / {size}"
            );
        }
    }
}

#[test]
fn framing_errors() {
    let cfg = Config::default();
    let curl = std::fs::read(root().join("tests/clienthello/curl.bin")).unwrap();
    // Zero-length record.
    assert_eq!(
        sniff::parse(&[22, 3, 1, 0, 0], &cfg).err(),
        Some(Error::Malformed(Field::RecordLength))
    );
    // Not a ClientHello (a ServerHello).
    assert_eq!(
        sniff::parse(&[22, 3, 3, 0, 4, 2, 0, 0, 0], &cfg).err(),
        Some(Error::NotClientHello)
    );
    // Alert record, TLS-looking but wrong type; wrong major version.
    assert_eq!(
        sniff::parse(&[21, 3, 3, 0, 2, 2, 40], &cfg).err(),
        Some(Error::NotTls)
    );
    assert_eq!(sniff::parse(&[22, 2], &cfg).err(), Some(Error::NotTls));
    // Another record type interleaved inside a split hello.
    let mut split = reframe(&curl, 100);
    split[105] = 23;
    assert_eq!(
        sniff::parse(&split, &cfg).err(),
        Some(Error::Malformed(Field::RecordType))
    );
    // A later record over 2^14.
    let mut split = reframe(&curl, 100);
    split[108..110].copy_from_slice(&0x4001u16.to_be_bytes());
    assert_eq!(
        sniff::parse(&split, &cfg).err(),
        Some(Error::RecordOverflow)
    );
    // Session id over 32 bytes: rejected as soon as its length byte arrives.
    let mut bad = curl.clone();
    bad[43] = 33;
    assert_eq!(
        sniff::parse(&bad[..44], &cfg).err(),
        Some(Error::Malformed(Field::SessionId))
    );
    // Extensions block length off by one.
    let (header, mut msg) = defragment(&curl);
    let mut p = 4 + 2 + 32;
    p += 1 + usize::from(msg[p]);
    p += 2 + usize::from(u16::from_be_bytes([msg[p], msg[p + 1]]));
    p += 1 + usize::from(msg[p]);
    msg[p + 1] ^= 1;
    let bad = frame(header, &msg, 16384);
    assert_eq!(
        sniff::parse(&bad, &cfg).err(),
        Some(Error::Malformed(Field::Extensions))
    );
    // Display is static and names the field.
    assert_eq!(
        Error::Malformed(Field::SessionId).to_string(),
        "malformed ClientHello: legacy_session_id"
    );
}

/// The one-record fast path and the record-crossing path must give the same answers on broken
/// input too: every byte of the fixed fields and extension headers of a small hello set to a
/// few telling values, and the message cut to every length, in three framings.
#[test]
fn fast_and_record_paths_agree_on_every_field_error() {
    let data = std::fs::read(root().join("tests/clienthello/openssl-tls13-alpn.bin")).unwrap();
    let (header, msg) = defragment(&data);
    let check = |m: &[u8], what: &str| {
        let whole = answer(&frame(header, m, 16384), &big());
        for size in [1, 7, 100] {
            assert_eq!(
                answer(&frame(header, m, size), &big()),
                whole,
                "{what}, {size}-byte records"
            );
        }
    };
    for at in 0..msg.len().min(140) {
        for v in [0u8, 1, 2, 0x20, 0x21, 0x80, 0xff] {
            let mut m = msg.clone();
            m[at] = v;
            check(&m, &format!("byte {at} = {v}"));
        }
    }
    for len in 0..msg.len() - 4 {
        let mut m = msg[..4 + len].to_vec();
        m[1..4].copy_from_slice(&u32::try_from(len).unwrap().to_be_bytes()[1..]);
        check(&m, &format!("message cut to {len}"));
    }
}

/// The extensions block cut at every byte, its length and the message's fixed to match: a
/// cut inside an extension's header or body is a bad extension length on every path.
#[test]
fn extensions_block_cut_anywhere() {
    let data = std::fs::read(root().join("tests/clienthello/openssl-tls13-alpn.bin")).unwrap();
    let (header, msg) = defragment(&data);
    let sid = usize::from(msg[4 + 34]);
    let suites = 4 + 35 + sid;
    let comp = suites + 2 + usize::from(u16::from_be_bytes([msg[suites], msg[suites + 1]]));
    let exts = comp + 1 + usize::from(msg[comp]);
    let block = &msg[exts + 2..];
    let mut boundaries = vec![0];
    while let Some(&last) = boundaries.last().filter(|&&b| b < block.len()) {
        boundaries
            .push(last + 4 + usize::from(u16::from_be_bytes([block[last + 2], block[last + 3]])));
    }
    for cut in 0..=block.len() {
        let mut m = msg[..exts].to_vec();
        m.extend_from_slice(&u16::try_from(cut).unwrap().to_be_bytes());
        m.extend_from_slice(&block[..cut]);
        let len = u32::try_from(m.len() - 4).unwrap().to_be_bytes();
        m[1..4].copy_from_slice(&len[1..]);
        let whole = answer(&frame(header, &m, 16384), &big());
        if !boundaries.contains(&cut) {
            assert_eq!(
                whole,
                Answer::Err(Error::Malformed(Field::ExtensionLength)),
                "cut at {cut}"
            );
        }
        for size in [1, 3, 100] {
            assert_eq!(
                answer(&frame(header, &m, size), &big()),
                whole,
                "cut at {cut}, {size}-byte records"
            );
        }
    }
}
