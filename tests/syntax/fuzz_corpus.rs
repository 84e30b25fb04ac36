//! Replays the fuzz seed corpora through the readers: no input may panic, and the seeds
//! that are documents we must load still load.

use std::path::Path;

use meshroute::tree::Limits;

fn corpus(name: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(name);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter_map(|e| {
            let bytes = std::fs::read(e.path()).ok()?;
            // libFuzzer feeds `&str` targets only valid UTF-8.
            let text = String::from_utf8(bytes).ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), text))
        })
        .collect();
    out.sort();
    out
}

#[test]
#[cfg_attr(not(fuzz_corpus), ignore = "fuzz/corpus is not in the packaged crate")]
fn hcl_corpus_replays() {
    let seeds = corpus("hcl");
    assert!(seeds.len() >= 10, "{} seeds", seeds.len());
    for (name, text) in &seeds {
        let result = meshroute::hcl::parse(text, &Limits::default());
        if name.starts_with("doc_") || name.starts_with("quirk_") {
            assert!(result.is_ok(), "{name}: {result:?}");
        }
        if name.ends_with("_error.hcl") {
            assert!(result.is_err(), "{name}");
        }
    }
}

#[test]
#[cfg_attr(not(fuzz_corpus), ignore = "fuzz/corpus is not in the packaged crate")]
fn json_corpus_replays() {
    let seeds = corpus("json");
    assert!(seeds.len() >= 5, "{} seeds", seeds.len());
    for (name, text) in &seeds {
        let ours = meshroute::json::parse(text, &Limits::default());
        let theirs = serde_json::from_str::<serde_json::Value>(text);
        assert_eq!(
            ours.is_ok(),
            theirs.is_ok(),
            "{name}: {ours:?} / {theirs:?}"
        );
    }
}
