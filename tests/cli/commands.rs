//! `show` (round trip), `checks`, `completions` and the man pages.
#![cfg(feature = "cli")]

use std::path::Path;

use meshroute::{Loader, preflight::Check};

use crate::run::{Scratch, meshroute};

/// `show` prints every document in Consul's API JSON form; loading those back gives the same
/// models, document for document (compared by their canonical JSON: the positions, which
/// models keep for messages, are of course the new file's).
#[test]
fn show_then_load_gives_the_same_models() {
    let inputs = ["examples", "tests/fixtures/load", "tests/fixtures/resolve"];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let original = Loader::new().load_paths(&inputs.map(|p| root.join(p)));
    assert!(!original.has_errors(), "{:?}", original.diagnostics);
    let mut args = vec!["show", "--format", "json"];
    args.extend(inputs);
    let run = meshroute(&args, None);
    assert_eq!(run.code, 0, "{run:?}");
    let shown = run.json()["result"].as_array().unwrap().clone();
    assert_eq!(shown.len(), original.documents.len());
    let dir = Scratch::new("show-roundtrip");
    for (i, (doc, v)) in original.documents.iter().zip(&shown).enumerate() {
        assert_eq!(v["kind"], doc.kind(), "{i}");
        let file = dir.file(&format!("{i}.json"), v["value"].to_string().as_bytes());
        let back = Loader::new().load_file(Path::new(&file));
        assert!(back.diagnostics.is_empty(), "{i}: {:?}", back.diagnostics);
        assert_eq!(back.documents.len(), 1, "{i}: {v}");
        assert_eq!(back.documents[0].kind(), doc.kind(), "{i}: {v}");
        assert_eq!(back.documents[0].to_json(), doc.to_json(), "{i}: {v}");
    }
}

#[test]
fn show_text_prints_each_document_under_its_place() {
    let run = meshroute(&["show", "examples/primary/ca-roots.json"], None);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        "# examples/primary/ca-roots.json:1 (ca-roots)\n{\n  \"TrustDomain\": \"7f2ee3b4-5a44-4d5e-9b1c-4a2b9c1c7e0d.consul\",\n  \"Roots\": []\n}\n"
    );
}

#[test]
fn checks_lists_every_check_with_its_severity() {
    let run = meshroute(&["checks"], None);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), Check::ALL.len());
    for (line, check) in lines.iter().zip(Check::ALL) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words[0], check.as_str());
        assert_eq!(words[1], check.default_severity().as_str());
        assert!(line.ends_with(check.summary()), "{line}");
    }
    let v = meshroute(&["checks", "--format", "json"], None).json();
    assert_eq!(v["result"][6]["name"], "gateway-missing");
    assert_eq!(v["result"][6]["severity"], "error");
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = meshroute(&["completions", shell], None);
        assert_eq!(run.code, 0, "{shell}: {run:?}");
        assert!(run.stdout.contains("meshroute"), "{shell}");
        assert!(run.stdout.contains("resolve"), "{shell}");
        assert!(run.stdout.contains("input-format"), "{shell}");
    }
    assert_eq!(meshroute(&["completions", "tcsh"], None).code, 2);
}

/// The commands with a man page of their own, besides meshroute(1).
#[cfg(feature = "sniff")]
const PAGES: [&str; 8] = [
    "check",
    "checks",
    "resolve",
    "explain",
    "route",
    "sni",
    "show",
    "completions",
];

/// The man pages in `man/` are what the command generates (clap_mangen): a change of a flag or
/// its help fails here until `MESHROUTE_BLESS=1` rewrites them.
#[cfg(feature = "sniff")]
#[test]
fn the_checked_in_man_pages_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let bless = std::env::var_os("MESHROUTE_BLESS").is_some();
    let mut stale = Vec::new();
    let pages = std::iter::once(None).chain(PAGES.iter().map(Some));
    for command in pages {
        let (args, file) = match command {
            None => (vec!["man"], "meshroute.1".to_owned()),
            Some(c) => (vec!["man", c], format!("meshroute-{c}.1")),
        };
        let run = meshroute(&args, None);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stdout.starts_with(".ie \\n(.g .ds Aq"), "{file}: roff");
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(&file), &run.stdout).unwrap();
        } else if std::fs::read_to_string(dir.join(&file)).ok().as_deref() != Some(&run.stdout) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale man pages {stale:?}: rerun with MESHROUTE_BLESS=1"
    );
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        files,
        PAGES.len() + 1,
        "a page in man/ for a command that is gone"
    );
}

#[test]
fn check_says_what_it_checked_unless_quiet() {
    let run = meshroute(&["check", "examples"], None);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        "checked 25 file(s): 35 document(s) in 6 datacenter(s) (east, k8s, nomad, primary, secondary, west); no problems\n"
    );
    let run = meshroute(&["check", "--quiet", "examples"], None);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    // Warnings are still printed under --quiet, and counted otherwise.
    let warn_only = "tests/fixtures/preflight/mode-ignored";
    let run = meshroute(&["check", "-q", warn_only], None);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("warning: [mode-ignored]"), "{run:?}");
    let run = meshroute(&["check", warn_only], None);
    assert!(run.stdout.ends_with("warning(s)\n"), "{run:?}");
}

#[test]
fn every_command_reads_standard_input_in_the_format_given() {
    let web = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/primary/web.hcl"
    ))
    .unwrap();
    let args = [
        "resolve",
        "--trust-domain",
        "x.consul",
        "--input-format",
        "hcl",
        "-",
    ];
    let run = meshroute(&args, Some(&web));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.lines().nth(1).unwrap().contains(" web "),
        "{run:?}"
    );
    let run = meshroute(&["resolve", "-"], Some(&web));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("needs --input-format"), "{run:?}");
    let run = meshroute(&["show", "--input-format", "hcl", "-"], Some(&web));
    assert!(run.stdout.starts_with("# <stdin>:3 (service)"), "{run:?}");
}
