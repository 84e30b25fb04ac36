//! docs/checks.md against the code: every check documented, in `Check::ALL` order, with its
//! default severity, an example, a fix, and fixtures that trigger it.

use std::path::Path;

use meshroute::preflight::{self, Check};
use meshroute::{Loader, Severity, Topology};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// (check name, section text) of every `## \`name\`` section.
fn sections() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("docs/checks.md")).unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            if let Some(name) = h.strip_prefix('`').and_then(|h| h.strip_suffix('`')) {
                out.push((name.to_owned(), String::new()));
                continue;
            }
            // Another level-2 section ends the previous check's.
            out.push((String::new(), String::new()));
            continue;
        }
        if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out.retain(|(n, _)| !n.is_empty());
    out
}

#[test]
fn every_check_is_documented_in_order_and_nothing_else() {
    let documented: Vec<String> = sections().into_iter().map(|(n, _)| n).collect();
    let known: Vec<String> = Check::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(documented, known);
}

#[test]
fn every_section_has_its_severity_an_example_and_a_fix() {
    for (name, body) in sections() {
        let check: Check = name.parse().unwrap();
        let severity = match check.default_severity() {
            Severity::Error => "error",
            _ => "warning",
        };
        assert!(
            body.contains(&format!("Default severity: {severity}")),
            "{name}: default severity {severity} not documented"
        );
        let example = body
            .find("### Example")
            .unwrap_or_else(|| panic!("{name}: no example"));
        let fix = body
            .find("### Fix")
            .unwrap_or_else(|| panic!("{name}: no fix"));
        assert!(example < fix, "{name}: the example comes before the fix");
        let example = &body[example..fix];
        assert!(
            example.contains(&format!("[{name}]")),
            "{name}: the example shows no finding line"
        );
        assert!(
            body[fix..].trim().len() > "### Fix".len(),
            "{name}: empty fix"
        );
    }
}

#[test]
fn the_fixtures_each_section_names_trigger_its_check() {
    for (name, body) in sections() {
        let check: Check = name.parse().unwrap();
        // "Fixture: `a`." or "Fixtures: `a`, `b`." (the sentence may wrap).
        let after = body
            .split_once("Fixture")
            .unwrap_or_else(|| panic!("{name}: no fixture named"))
            .1;
        let sentence = after.split_once("`.").map_or(after, |(s, _)| s);
        let fixtures: Vec<&str> = sentence.split('`').skip(1).step_by(2).collect();
        assert!(!fixtures.is_empty(), "{name}: no fixture named");
        for fixture in fixtures {
            let dir = Path::new(ROOT)
                .join("tests/fixtures/preflight")
                .join(fixture);
            assert!(dir.is_dir(), "{name}: no fixture {fixture}");
            let loaded = Loader::new().load_paths(&[&dir]);
            let topology = Topology::from_documents(&loaded.documents, None);
            let fired = preflight::run(&topology)
                .into_iter()
                .chain(
                    loaded
                        .diagnostics
                        .iter()
                        .filter_map(preflight::from_diagnostic),
                )
                .any(|f| f.check == check);
            assert!(fired, "{name}: fixture {fixture} does not trigger it");
        }
    }
}
