//! The model's small types as a library user meets them: parsing with typed errors.

use std::error::Error;

use meshroute::{DestinationType, Format};

#[test]
fn format_parses_any_case_and_its_error_is_typed() {
    for (s, f) in [
        ("hcl", Format::Hcl),
        ("JSON", Format::Json),
        ("yaml", Format::Yaml),
        ("Yml", Format::Yaml),
    ] {
        assert_eq!(s.parse::<Format>().unwrap(), f);
    }
    let e = "TOML".parse::<Format>().unwrap_err();
    assert_eq!(e.value(), "TOML");
    assert_eq!(
        e.to_string(),
        r#"unknown format "toml" (expected hcl, json or yaml)"#
    );
    let as_error: &dyn Error = &e;
    assert!(as_error.source().is_none());
}

#[test]
fn destination_type_parses_consuls_strings_and_its_error_is_typed() {
    for (s, t) in [
        ("", DestinationType::Service),
        ("service", DestinationType::Service),
        ("prepared_query", DestinationType::PreparedQuery),
    ] {
        assert_eq!(s.parse::<DestinationType>().unwrap(), t);
    }
    let e = "Service".parse::<DestinationType>().unwrap_err();
    assert_eq!(e.value(), "Service");
    assert_eq!(
        e.to_string(),
        r#"unknown upstream destination type: "Service""#
    );
    let as_error: &dyn Error = &e;
    assert!(as_error.source().is_none());
}
