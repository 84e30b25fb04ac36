//! Replays the `resolve` fuzz target's corpus (`fuzz/corpus/resolve`) on stable, with the
//! target's own invariants.

use std::path::Path;

use crate::resolve_fuzz;

#[test]
#[cfg_attr(not(fuzz_corpus), ignore = "fuzz/corpus is not in the packaged crate")]
fn resolve_corpus_replays_with_the_targets_invariants() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/resolve");
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 2, "{seeds:?}");
    let mut chained = 0;
    for seed in seeds {
        let data = std::fs::read(&seed).unwrap();
        resolve_fuzz::run(&data);
        let (topo, _) = resolve_fuzz::topology(&data).unwrap();
        chained += topo.routes().filter(|r| r.chain.is_some()).count();
    }
    // The corpus reaches the discovery chain (redirect, failover with a peer, router and
    // splitter).
    assert!(chained >= 3, "{chained} chained routes");
}
