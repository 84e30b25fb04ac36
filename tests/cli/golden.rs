//! The bundled example's output, byte for byte: every command in `tests/golden/cases.tsv`
//! is run and its exit code, standard output and standard error compared with
//! `tests/golden/<name>.txt`. A change of output is a decision: rerun with
//! `MESHROUTE_BLESS=1` to rewrite the files, and say why in the CHANGELOG.
#![cfg(feature = "cli")]

use std::path::Path;
use std::process::Command;

fn transcript(args: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_meshroute"))
        .args(args.split(' '))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    format!(
        "$ meshroute {args}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status
            .code()
            .map_or_else(|| "signal".to_owned(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn example_output_is_unchanged() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let cases = std::fs::read_to_string(dir.join("cases.tsv")).unwrap();
    let bless = std::env::var_os("MESHROUTE_BLESS").is_some();
    let mut changed = Vec::new();
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let (name, args) = line.split_once('\t').unwrap();
        if args.starts_with("sni ") && !cfg!(feature = "sniff") {
            continue; // `sni` is built only with the `sniff` feature
        }
        let got = transcript(args);
        let file = dir.join(format!("{name}.txt"));
        if bless {
            std::fs::write(&file, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&file).unwrap_or_default();
        if got != want {
            changed.push(format!("{name}:\n--- want\n{want}\n--- got\n{got}"));
        }
    }
    assert!(
        changed.is_empty(),
        "output changed:\n{}",
        changed.join("\n")
    );
}
