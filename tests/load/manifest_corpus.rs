//! The `k8s_manifest` fuzz target's seeds (`fuzz/corpus/k8s_manifest`), replayed on stable
//! with the target's invariants (`tests/common/k8s_manifest.rs`, which both share).
#![cfg(feature = "yaml")]

use std::path::Path;

use meshroute::{Format, Loader};

use crate::k8s_manifest::{check, read, stream};

/// The seeds hold the target's invariants, and reach what they are for: each is YAML, the
/// good ones decode to documents, the bad ones to errors of consul-k8s's.
#[test]
#[cfg_attr(not(fuzz_corpus), ignore = "fuzz/corpus is not in the packaged crate")]
fn manifest_corpus_replays() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/k8s_manifest");
    let mut seen = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let data = std::fs::read(e.path()).unwrap();
        let (&sel, rest) = data.split_first().unwrap();
        let (src, consul) = stream(sel, std::str::from_utf8(rest).unwrap());
        let loaded = Loader::new().load_str(&src, Format::Yaml, None);
        check(&src, sel, consul, &loaded);
        for d in &loaded.diagnostics {
            assert!(read(d.kind()), "a seed is YAML: {src}\n{d}");
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
        seen.push((name, errors, loaded.documents.len()));
    }
    seen.sort();
    assert!(seen.len() >= 10, "{seen:?}");
    for (name, errors, docs) in &seen {
        let bad = name.contains("bad");
        assert_eq!(*errors > 0, bad, "{name}: {errors} errors");
        if !bad && name != "configmap" {
            assert!(*docs > 0, "{name}: no document");
        }
    }
}
