//! Replays the fuzz seeds in `fuzz/corpus/sniff_*` on stable, with the invariants of the fuzz
//! targets: every file as arbitrary bytes (`sniff_bytes`), and the `sniff_reads` files split
//! into their reads. (`sniff_structured` seeds are `arbitrary` descriptions: replayed here as
//! bytes, for panics only.)
#![cfg(feature = "sniff")]

use crate::sniff_common;

use meshroute::sniff::{Config, Policy, Status, parse};

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = sniff_common::root().join("fuzz/corpus").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds for {target}");
    out
}

fn bytes_invariants(what: &str, data: &[u8]) {
    // One handshake record holding the whole input: the same answer in other framings.
    if data.len() > 6 && data[0] == 22 && data[1] == 3 {
        let rlen = usize::from(u16::from_be_bytes([data[3], data[4]]));
        if rlen == data.len() - 5 && rlen <= 16384 {
            let config = sniff_common::big();
            let whole = sniff_common::answer(data, &config);
            for size in [1, 2, 7, usize::from(data[5]) + 1] {
                let framed = sniff_common::reframe(data, size);
                assert_eq!(
                    sniff_common::answer(&framed, &config),
                    whole,
                    "{what}: {size}-byte records"
                );
            }
        }
    }
    let configs = [
        Config::default(),
        Config::default()
            .with_max_hello_len(64 * 1024)
            .with_policy(Policy::LENIENT),
        Config::default().with_policy(Policy::STRICT),
    ];
    for config in &configs {
        let mut more = data.to_vec();
        more.extend_from_slice(&[0; 8]);
        match parse(data, config) {
            Ok(Status::Complete(h)) => {
                assert!(h.len() <= data.len(), "{what}");
                assert_eq!(parse(&more, config), Ok(Status::Complete(h)), "{what}");
            }
            Ok(Status::Partial(n)) => assert!(n >= 1, "{what}"),
            Err(e) => assert_eq!(parse(&more, config).err(), Some(e), "{what}"),
        }
    }
}

fn reads_invariants(what: &str, data: &[u8]) {
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let k = usize::from(k % 16).min(rest.len());
    let (sizes, stream) = rest.split_at(k);
    let config = Config::default().with_max_hello_len(64 * 1024);
    let last = parse(stream, &config);
    let (mut have, mut i, mut promised) = (0, 0, 0);
    while have < stream.len() {
        let step = sizes
            .get(i % sizes.len().max(1))
            .map_or(1, |&s| usize::from(s).max(1));
        i += 1;
        have = (have + step).min(stream.len());
        let now = parse(&stream[..have], &config);
        if let Ok(Status::Partial(n)) = now {
            promised = have + n;
        } else {
            assert_eq!(now, last, "{what}: decided at {have}");
            if matches!(now, Ok(Status::Complete(_))) {
                assert!(have >= promised, "{what}");
            }
            return;
        }
    }
}

#[test]
#[cfg_attr(not(fuzz_corpus), ignore = "fuzz/corpus is not in the packaged crate")]
fn fuzz_seeds_keep_the_invariants() {
    let mut n = 0;
    for target in ["sniff_bytes", "sniff_reads", "sniff_structured"] {
        for (what, data) in seeds(target) {
            bytes_invariants(&what, &data);
            if target == "sniff_reads" {
                reads_invariants(&what, &data);
            }
            n += 1;
        }
    }
    assert!(n >= 10);
}

#[test]
#[cfg_attr(not(fuzz_corpus), ignore = "fuzz/corpus is not in the packaged crate")]
fn the_reads_seeds_reach_a_decision() {
    // The seeds are real hellos behind a read-size prefix: they must end complete or rejected.
    for (what, data) in seeds("sniff_reads") {
        let k = usize::from(data[0] % 16);
        let got = parse(&data[1 + k..], &Config::default());
        assert!(!matches!(got, Ok(Status::Partial(_))), "{what}: {got:?}");
    }
}
