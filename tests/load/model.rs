//! The model's small types as a library user meets them: parsing with typed errors, and
//! names that print with width and alignment.

use std::error::Error;

use meshroute::{DestinationType, Format, MeshGatewayMode, ServiceKind};

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

#[test]
fn names_print_with_width_and_alignment() {
    assert_eq!(format!("{:>8}|", MeshGatewayMode::Local), "   local|");
    assert_eq!(format!("{:<8}|", MeshGatewayMode::None), "none    |");
    assert_eq!(format!("[{:^6}]", MeshGatewayMode::Default), "[      ]");
    assert_eq!(format!("{:.3}", MeshGatewayMode::Remote), "rem");
    assert_eq!(
        format!("{:>15}|", ServiceKind::MeshGateway),
        "   mesh-gateway|"
    );
    assert_eq!(
        format!("{:<8}|", ServiceKind::Other("x".into())),
        "x       |"
    );
    assert_eq!(
        format!("{:>16}|", DestinationType::PreparedQuery),
        "  prepared_query|"
    );
    assert_eq!(format!("{:<6}|", Format::Hcl), "hcl   |");
    assert_eq!(format!("{:>6}|", Format::Yaml), "  yaml|");
}

#[test]
fn names_print_as_they_parse() {
    for m in MeshGatewayMode::ALL {
        assert_eq!(m.to_string().parse::<MeshGatewayMode>().unwrap(), m);
    }
    for t in [DestinationType::Service, DestinationType::PreparedQuery] {
        assert_eq!(t.to_string().parse::<DestinationType>().unwrap(), t);
    }
    for f in [Format::Hcl, Format::Json, Format::Yaml] {
        assert_eq!(f.to_string(), f.as_str());
        assert_eq!(f.to_string().parse::<Format>().unwrap(), f);
    }
}
