//! The sniffer never allocates: a counting global allocator (stats_alloc, so that this test
//! needs no `unsafe`) watches every parse of the corpus, whole, split into small records, and
//! cut short. The only test in this file, so no other test allocates concurrently.
#![cfg(feature = "sniff")]

#[path = "common/sniff_common.rs"]
mod sniff_common;

use std::alloc::System;
use std::hint::black_box;

use meshroute::sniff::{self, Status};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Parses and reads every answer, returning a checksum so nothing is optimized away.
fn exercise(data: &[u8]) -> usize {
    let config = sniff_common::big();
    match sniff::parse(black_box(data), &config) {
        Ok(Status::Complete(h)) => {
            let mut sum = h.len() + h.records();
            sum += h.server_name().map_or(0, <[u8]>::len);
            sum += h.host_name().map_or(0, |n| n.as_str().len());
            sum += usize::from(h.host_name().is_some_and(|n| n.matches("example.com")));
            sum += h.alpn().map(|p| p.as_bytes().len()).sum::<usize>();
            sum += h.supported_versions().map(usize::from).sum::<usize>();
            sum + usize::from(h.ech()) + usize::from(h.offers_tls13())
        }
        Ok(Status::Partial(n)) => n,
        Err(e) => e.as_str().len(),
    }
}

#[test]
fn parsing_the_corpus_allocates_nothing() {
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    for (file, data) in sniff_common::corpus()
        .into_iter()
        .chain(sniff_common::synthetic())
    {
        for size in [1, 3, 64, 512] {
            inputs.push((
                format!("{file} in {size}-byte records"),
                sniff_common::reframe(&data, size),
            ));
        }
        inputs.push((
            format!("{file}, first half"),
            data[..data.len() / 2].to_vec(),
        ));
        inputs.push((file, data));
    }
    assert!(inputs.len() > 150);
    for (what, data) in &inputs {
        let region = Region::new(GLOBAL);
        let sum = exercise(data);
        let stats = region.change();
        black_box(sum);
        assert_eq!(
            (stats.allocations, stats.reallocations),
            (0, 0),
            "{what}: {stats:?}"
        );
    }
}
