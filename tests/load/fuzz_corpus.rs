//! Replays the fuzz corpora of the load targets on stable, so CI covers them without a fuzzer:
//! every file must load or be rejected with diagnostics, never panic.

use std::path::Path;

use meshroute::{Format, Loader};

#[test]
#[cfg_attr(not(fuzz_corpus), ignore = "fuzz/corpus is not in the packaged crate")]
fn fuzz_corpora_load_without_panicking() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut seen = 0;
    for (dir, format) in [
        ("load_hcl", Format::Hcl),
        ("load_json", Format::Json),
        ("load_yaml", Format::Yaml),
        ("load_nomad", Format::Hcl2),
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let bytes = std::fs::read(e.path()).unwrap();
            if let Ok(src) = std::str::from_utf8(&bytes) {
                let loaded = Loader::new().load_str(src, format, None);
                for d in &loaded.diagnostics {
                    assert!(!d.to_string().is_empty());
                }
            }
            seen += 1;
        }
    }
    assert!(seen > 0, "no corpus files found under {}", root.display());
}
