//! `check --format sarif`: a SARIF 2.1.0 log that the official schema (kept in
//! schema/sarif-schema-2.1.0.json) accepts and a SARIF consumer (serde-sarif) reads, with a
//! result per problem: rule, level, message, URI relative to the root, region.
#![cfg(feature = "cli")]

use serde_sarif::sarif::{ResultLevel, Sarif};

use crate::run::meshroute;

const BROKEN: &str = "tests/fixtures/broken-example";

/// A validator for the SARIF 2.1.0 schema.
fn sarif_schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/sarif-schema-2.1.0.json"
    );
    // The schema's two `language` patterns have an unbalanced `]`, a literal in ECMAScript (the
    // dialect JSON Schema names) that the validator's check of the schema itself refuses: it
    // is escaped here, in memory, to the same meaning. The file stays the published text.
    let text = std::fs::read_to_string(path).unwrap();
    let bad = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert_eq!(text.matches(bad).count(), 2);
    let text = text.replace(bad, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#);
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// The log printed by `check --format sarif ARGS`, validated against the SARIF schema, and
/// the exit code.
fn sarif(args: &[&str]) -> (i32, serde_json::Value) {
    let validator = sarif_schema();
    let mut argv = vec!["check", "--format", "sarif"];
    argv.extend(args);
    let run = meshroute(&argv, None);
    let log = run.json();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{argv:?}: {errors:#?}");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    (run.code, log)
}

#[test]
fn the_broken_example_is_one_result_per_problem() {
    let (code, log) = sarif(&[BROKEN]);
    assert_eq!(code, 1);
    let parsed: Sarif = serde_json::from_value(log.clone()).expect("serde-sarif reads it");
    let results = parsed.runs[0].results.as_ref().unwrap();
    assert_eq!(results.len(), 9);
    let errors = results
        .iter()
        .filter(|r| r.level == Some(ResultLevel::Error))
        .count();
    assert_eq!(errors, 6);

    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], r["ruleId"], "{r:#}");
        let location = &r["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with(&format!("{BROKEN}/")), "{uri}");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    let first = &log["runs"][0]["results"][0];
    assert_eq!(first["ruleId"], "invalid-mode-accepted-by-consul");
    assert_eq!(first["level"], "error");
    assert_eq!(
        first["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 6, "startColumn": 10})
    );
    assert!(
        first["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("MeshGateway.Mode: Invalid Mesh Gateway Mode: \"Local\"")
    );
}

#[test]
fn uris_are_relative_to_the_root() {
    let (_, log) = sarif(&["--root", BROKEN, BROKEN]);
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "primary/config-entries/service-defaults-web.hcl");
    // A file outside the root is an absolute file URI.
    let (_, log) = sarif(&["--root", "examples", BROKEN]);
    let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    let uri = location["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.starts_with("file:///"), "{uri}");
    assert!(location["artifactLocation"].get("uriBaseId").is_none());
}

#[test]
fn every_check_is_a_rule_with_its_documentation() {
    let (code, log) = sarif(&["examples"]);
    assert_eq!(code, 0);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let checks: Vec<&str> = meshroute::preflight::Check::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(ids, checks);
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/checks.md")).unwrap();
    for r in rules {
        let help = r["help"]["markdown"].as_str().unwrap();
        assert!(help.contains("### Fix"), "{}: {help}", r["id"]);
        assert!(
            docs.contains(help),
            "{}: the section of docs/checks.md",
            r["id"]
        );
    }
}

#[test]
fn a_run_that_cannot_check_says_why_in_sarif() {
    let (code, log) = sarif(&["no/such/path"]);
    assert_eq!(code, 2);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(invocation["exitCode"], 2);
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["descriptor"]["id"],
        "missing-path"
    );
    let (code, _) = sarif(&["--deny", "nope", "examples"]);
    assert_eq!(code, 2);
}

#[test]
fn the_sarif_schema_is_not_a_rubber_stamp() {
    let (_, log) = sarif(&[BROKEN]);
    let validator = sarif_schema();
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad));
    let mut bad = log;
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&bad));
}
