//! Properties of the sniffer over generated hellos and mutated captures.
#![cfg(feature = "sniff")]

use crate::sniff_common;

use meshroute::sniff::{self, Status};
use proptest::prelude::*;
use sniff_common::{Answer, answer, big, corpus, frame};

/// A generated ClientHello and what it must give.
#[derive(Debug, Clone)]
struct Hello {
    bytes: Vec<u8>,
    msg: Vec<u8>,
    name: Option<String>,
    alpn: Vec<Vec<u8>>,
    versions: Vec<u16>,
    ech: bool,
}

fn ext(out: &mut Vec<u8>, ty: u16, body: &[u8]) {
    out.extend_from_slice(&ty.to_be_bytes());
    out.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
    out.extend_from_slice(body);
}

prop_compose! {
    fn hello()(
        sid in proptest::collection::vec(any::<u8>(), 0..=32),
        suites in proptest::collection::vec(any::<u16>(), 1..40),
        name in proptest::option::of("[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\\.[a-z0-9_]{1,20}){0,3}\\.[a-z]{2,6}"),
        alpn in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..20), 0..6),
        versions in proptest::collection::vec(any::<u16>(), 0..6),
        ech in any::<bool>(),
        others in proptest::collection::vec((100u16..0xfe00, proptest::collection::vec(any::<u8>(), 0..300)), 0..8),
        order in any::<proptest::sample::Index>(),
        record in 1usize..=16384,
    ) -> Hello {
        let mut exts: Vec<Vec<u8>> = Vec::new();
        if let Some(n) = &name {
            let mut b = Vec::new();
            let mut list = vec![0u8];
            list.extend_from_slice(&u16::try_from(n.len()).unwrap().to_be_bytes());
            list.extend_from_slice(n.as_bytes());
            b.extend_from_slice(&u16::try_from(list.len()).unwrap().to_be_bytes());
            b.extend_from_slice(&list);
            let mut e = Vec::new();
            ext(&mut e, 0, &b);
            exts.push(e);
        }
        if !alpn.is_empty() {
            let mut list = Vec::new();
            for p in &alpn {
                list.push(u8::try_from(p.len()).unwrap());
                list.extend_from_slice(p);
            }
            let mut b = u16::try_from(list.len()).unwrap().to_be_bytes().to_vec();
            b.extend_from_slice(&list);
            let mut e = Vec::new();
            ext(&mut e, 16, &b);
            exts.push(e);
        }
        if !versions.is_empty() {
            let mut b = vec![u8::try_from(versions.len() * 2).unwrap()];
            for v in &versions {
                b.extend_from_slice(&v.to_be_bytes());
            }
            let mut e = Vec::new();
            ext(&mut e, 43, &b);
            exts.push(e);
        }
        if ech {
            let mut e = Vec::new();
            ext(&mut e, 0xfe0d, &[0, 1, 2, 3]);
            exts.push(e);
        }
        for (ty, body) in &others {
            // Types this parser reads are left to the fields above.
            if matches!(*ty, 0 | 16 | 41 | 43 | 0xfe0d) {
                continue;
            }
            let mut e = Vec::new();
            ext(&mut e, *ty, body);
            exts.push(e);
        }
        // Shuffle: rotate by a random amount.
        if !exts.is_empty() {
            let k = order.index(exts.len());
            exts.rotate_left(k);
        }
        let mut body = vec![3, 3];
        body.extend_from_slice(&[7u8; 32]);
        body.push(u8::try_from(sid.len()).unwrap());
        body.extend_from_slice(&sid);
        body.extend_from_slice(&u16::try_from(suites.len() * 2).unwrap().to_be_bytes());
        for s in &suites {
            body.extend_from_slice(&s.to_be_bytes());
        }
        body.extend_from_slice(&[1, 0]);
        let all: Vec<u8> = exts.concat();
        body.extend_from_slice(&u16::try_from(all.len()).unwrap().to_be_bytes());
        body.extend_from_slice(&all);
        let mut msg = vec![1];
        msg.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes()[1..]);
        msg.extend_from_slice(&body);
        let bytes = frame([22, 3, 1, 0, 0], &msg, record);
        Hello { bytes, msg, name, alpn, versions, ech }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn generated_hellos_give_what_they_carry(h in hello()) {
        let Ok(Status::Complete(ch)) = sniff::parse(&h.bytes, &big()) else {
            return Err(TestCaseError::fail(format!("{:?}", sniff::parse(&h.bytes, &big()))));
        };
        prop_assert_eq!(ch.host_name().map(|n| n.as_str().to_owned()), h.name.clone());
        prop_assert_eq!(ch.alpn().map(|p| p.as_bytes().to_vec()).collect::<Vec<_>>(), h.alpn.clone());
        prop_assert_eq!(ch.supported_versions().collect::<Vec<_>>(), h.versions.clone());
        prop_assert_eq!(ch.ech(), h.ech);
        prop_assert_eq!(ch.len(), h.bytes.len());
        prop_assert_eq!(ch.message_len(), h.msg.len());
    }

    #[test]
    fn every_strict_prefix_needs_more(h in hello()) {
        let step = (h.bytes.len() / 200).max(1);
        for cut in (0..h.bytes.len()).step_by(step) {
            match sniff::parse(&h.bytes[..cut], &big()) {
                Ok(Status::Partial(n)) => prop_assert!(n >= 1 && cut + n <= h.bytes.len(), "cut {cut}: {n}"),
                other => return Err(TestCaseError::fail(format!("cut {cut}: {other:?}"))),
            }
        }
    }

    #[test]
    fn any_record_size_gives_the_same_answer(h in hello(), size in 1usize..=16384) {
        let want = answer(&h.bytes, &big());
        prop_assert_eq!(answer(&frame([22, 3, 1, 0, 0], &h.msg, size), &big()), want);
    }

    #[test]
    fn answers_stay_the_same_when_more_bytes_follow(h in hello(), tail in proptest::collection::vec(any::<u8>(), 1..64)) {
        let want = answer(&h.bytes, &big());
        let mut more = h.bytes.clone();
        more.extend_from_slice(&tail);
        prop_assert_eq!(answer(&more, &big()), want);
    }

    /// On any input, mutated captures included: a prefix either needs more or already gives
    /// the final answer; "more needed" never hides a decision, and `Partial(n)` is a true lower
    /// bound on the bytes before a complete answer.
    #[test]
    fn decisions_are_final(
        pick in any::<proptest::sample::Index>(),
        flips in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 0..4),
        size in prop_oneof![Just(16384usize), 1usize..600],
        cut in any::<proptest::sample::Index>(),
    ) {
        let files = corpus();
        let (_, data) = &files[pick.index(files.len())];
        let mut data = sniff_common::reframe(data, size);
        for (at, byte) in &flips {
            let i = at.index(data.len());
            data[i] = *byte;
        }
        let full = answer(&data, &big());
        let c = cut.index(data.len() + 1);
        if let Ok(Status::Partial(n)) = sniff::parse(&data[..c], &big()) {
            if n > 1 && c + n - 1 <= data.len() {
                let before = answer(&data[..c + n - 1], &big());
                prop_assert!(!matches!(before, Answer::Complete { .. }), "complete before {n} more bytes");
            }
        } else {
            prop_assert_eq!(answer(&data[..c], &big()), full);
        }
    }

    /// Broken hellos too: the same bytes give the same answer (the same error) in any framing.
    /// This holds the contiguous fast path and the record-crossing path to the same checks.
    #[test]
    fn mutated_hellos_give_the_same_answer_in_any_framing(
        pick in any::<proptest::sample::Index>(),
        flips in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..4),
        size in 1usize..2000,
    ) {
        let files = corpus();
        let (_, data) = &files[pick.index(files.len())];
        let (header, mut msg) = sniff_common::defragment(data);
        for (at, byte) in &flips {
            let i = at.index(msg.len());
            msg[i] = *byte;
        }
        let whole = answer(&frame(header, &msg, 16384), &big());
        prop_assert_eq!(answer(&frame(header, &msg, size), &big()), whole);
    }

    #[test]
    fn arbitrary_records_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..2000)) {
        // A TLS-looking start so the bytes reach the body parser.
        let mut bytes = vec![22, 3, 1];
        bytes.extend_from_slice(&tail);
        let a = answer(&bytes, &big());
        if let Answer::Partial = a {
            prop_assert!(matches!(sniff::parse(&bytes, &big()), Ok(Status::Partial(n)) if n >= 1));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// `Sniffer` over any read pattern ends with the answer `parse` gives on the whole input,
    /// mutated captures included: skipping parses delays a decision, never changes it.
    #[test]
    fn sniffer_ends_with_the_answer_of_parse(
        pick in any::<proptest::sample::Index>(),
        flips in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 0..3),
        size in prop_oneof![Just(16384usize), 1usize..600],
        step in 1usize..1500,
    ) {
        let files = corpus();
        let (_, data) = &files[pick.index(files.len())];
        let mut data = sniff_common::reframe(data, size);
        for (at, byte) in &flips {
            let i = at.index(data.len());
            data[i] = *byte;
        }
        let want = answer(&data, &big());
        let mut sniffer = sniff::Sniffer::new(big());
        let mut have = 0;
        let mut got = Answer::Partial;
        while have < data.len() {
            have = (have + step).min(data.len());
            got = match sniffer.feed(&data[..have]) {
                Ok(Status::Complete(h)) => sniff_common::summarize(&h),
                Ok(Status::Partial(n)) => {
                    prop_assert!(n >= 1);
                    Answer::Partial
                }
                Err(e) => Answer::Err(e),
            };
            if got != Answer::Partial {
                break;
            }
        }
        if got == Answer::Partial {
            // The documented trade-off: when the framing promised more bytes than ever came,
            // an error inside them stays unreported (parse reports it); a completion never.
            prop_assert!(!matches!(want, Answer::Complete { .. }), "{want:?}");
        } else {
            prop_assert_eq!(got, want);
        }
    }
}

#[test]
fn sniffer_skips_parsing_until_the_promised_bytes() {
    for (file, data) in corpus() {
        let mut sniffer = sniff::Sniffer::new(big());
        let Ok(Status::Partial(n)) = sniffer.feed(&data[..9]) else {
            panic!("{file}")
        };
        // A single record: the framing promises the whole record at once.
        if data.len() == 9 + n {
            for extra in [1, n / 2, n - 1] {
                assert_eq!(
                    sniffer.feed(&data[..9 + extra]),
                    Ok(Status::Partial(n - extra)),
                    "{file}"
                );
            }
        }
        assert!(sniffer.feed(&data).unwrap().is_complete(), "{file}");
    }
}
