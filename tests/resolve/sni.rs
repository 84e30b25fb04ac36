//! Consul's SNI test vectors (reference notes §3.1): every name built exactly as Consul's
//! `agent/connect/sni.go` builds it, and every one of them parsed back to its parts.

use meshroute::Upstream;
use meshroute::service::DestinationType;
use meshroute::sni::{self, Sni, SniForm};

const TD1: &str = "5fcd4b81-a2ca-405a-ac62-0fac602c1949.consul";
const TD2: &str = "d2e1a32e-5733-47f2-a9dd-6cf271aab5b7.consul";

fn upstream(name: &str, ns: &str, dc: &str) -> Upstream {
    let mut u = Upstream::service(name);
    if !ns.is_empty() {
        u.destination_namespace = Some(ns.to_owned());
    }
    if !dc.is_empty() {
        u.datacenter = Some(dc.to_owned());
    }
    u
}

fn query(name: &str, dc: &str) -> Upstream {
    let mut u = upstream(name, "", dc);
    u.destination_type = DestinationType::PreparedQuery;
    u
}

/// (vector, built name, expected name)
fn vectors() -> Vec<(&'static str, String, String)> {
    vec![
        (
            "S1",
            sni::upstream_sni(&upstream("api", "", ""), "", "foo", TD1),
            format!("api.default.foo.internal.{TD1}"),
        ),
        (
            "S2",
            sni::upstream_sni(&upstream("api", "", "bar"), "", "foo", TD1),
            format!("api.default.bar.internal.{TD1}"),
        ),
        (
            "S3",
            sni::upstream_sni(&upstream("api", "neighbor", ""), "", "foo", TD2),
            format!("api.neighbor.foo.internal.{TD2}"),
        ),
        (
            "S4",
            sni::upstream_sni(&upstream("api", "neighbor", "bar"), "", "foo", TD2),
            format!("api.neighbor.bar.internal.{TD2}"),
        ),
        (
            "S5",
            sni::upstream_sni(&upstream("api", "", ""), "v2", "foo", TD1),
            format!("v2.api.default.foo.internal.{TD1}"),
        ),
        (
            "S6",
            sni::upstream_sni(&upstream("api", "", "bar"), "v2", "foo", TD1),
            format!("v2.api.default.bar.internal.{TD1}"),
        ),
        (
            "S7",
            sni::upstream_sni(&upstream("api", "neighbor", ""), "canary", "foo", TD2),
            format!("canary.api.neighbor.foo.internal.{TD2}"),
        ),
        (
            "S8",
            sni::upstream_sni(&upstream("api", "neighbor", "bar"), "canary", "foo", TD2),
            format!("canary.api.neighbor.bar.internal.{TD2}"),
        ),
        (
            "S9",
            sni::upstream_sni(&query("magicquery", ""), "", "foo", TD1),
            format!("magicquery.default.foo.query.{TD1}"),
        ),
        (
            "S10",
            sni::upstream_sni(&query("magicquery", "bar"), "", "foo", TD2),
            format!("magicquery.default.bar.query.{TD2}"),
        ),
        (
            "S11",
            sni::gateway_sni("foo", "", "domain1"),
            "foo.internal.domain1".to_owned(),
        ),
        (
            "S12",
            sni::gateway_sni("bar", "", "domain2"),
            "bar.internal.domain2".to_owned(),
        ),
        (
            "S13",
            sni::datacenter_sni("foo", TD1),
            format!("foo.internal.{TD1}"),
        ),
        (
            "S14",
            sni::service_sni("api", "", "", "part1", "foo", TD1),
            format!("api.default.part1.foo.internal-v1.{TD1}"),
        ),
        (
            "S15",
            sni::service_sni("api", "", "neighbor", "part1", "foo", TD2),
            format!("api.neighbor.part1.foo.internal-v1.{TD2}"),
        ),
        (
            "S16",
            sni::service_sni("api", "v2", "", "part1", "foo", TD1),
            format!("v2.api.default.part1.foo.internal-v1.{TD1}"),
        ),
        (
            "S17",
            sni::service_sni("api", "canary", "neighbor", "part1", "foo", TD2),
            format!("canary.api.neighbor.part1.foo.internal-v1.{TD2}"),
        ),
        // Consul's test passes the suffix constant as the trust domain: "internal" doubled.
        (
            "S18",
            sni::peered_service_sni("api", "billing", "", "webstuff", &format!("internal.{TD1}"))
                .unwrap(),
            format!("api.billing.default.webstuff.external.internal.{TD1}"),
        ),
        (
            "S19",
            sni::query_sni("magicquery", "foo", TD1),
            format!("magicquery.default.foo.query.{TD1}"),
        ),
        // TargetSNI: a target in the default partition, spelled out or empty.
        (
            "S20",
            sni::service_sni("api", "", "default", "default", "foo", TD1),
            format!("api.default.foo.internal.{TD1}"),
        ),
        (
            "S21",
            sni::service_sni("api", "", "", "", "foo", TD1),
            format!("api.default.foo.internal.{TD1}"),
        ),
    ]
}

#[test]
fn consul_sni_vectors_build_exactly() {
    for (id, built, expected) in vectors() {
        assert_eq!(built, expected, "vector {id}");
    }
}

#[test]
fn consul_sni_vectors_parse_back_without_the_trust_domain() {
    for (id, built, _) in vectors() {
        let parsed = Sni::parse(&built).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(parsed.to_string(), built, "vector {id} round trip");
    }
}

#[test]
fn consul_sni_vectors_parse_to_their_parts() {
    let s = Sni::parse_in(
        &format!("canary.api.neighbor.part1.foo.internal-v1.{TD2}"),
        TD2,
    )
    .unwrap();
    assert_eq!(
        s,
        Sni::Service {
            service: "api".into(),
            subset: Some("canary".into()),
            namespace: "neighbor".into(),
            partition: "part1".into(),
            datacenter: "foo".into(),
            trust_domain: TD2.into(),
        }
    );
    let g = Sni::parse_in("foo.internal.domain1", "domain1").unwrap();
    assert_eq!(g.form(), SniForm::Gateway);
    assert_eq!(g.datacenter(), "foo");
    assert_eq!(g.partition(), "default");
    let q = Sni::parse(&format!("magicquery.default.bar.query.{TD2}")).unwrap();
    assert_eq!(
        q,
        Sni::Query {
            name: "magicquery".into(),
            datacenter: "bar".into(),
            trust_domain: TD2.into()
        }
    );
    // S18: the first marker from the left wins, so the doubled "internal" stays in the TD.
    let p = Sni::parse(&format!(
        "api.billing.default.webstuff.external.internal.{TD1}"
    ))
    .unwrap();
    assert_eq!(
        p,
        Sni::Peered {
            service: "api".into(),
            namespace: "billing".into(),
            partition: "default".into(),
            peer: "webstuff".into(),
            trust_domain: format!("internal.{TD1}"),
        }
    );
    let gp = Sni::parse_in(&format!("part1.foo.internal-v1.{TD1}"), TD1).unwrap();
    assert_eq!(gp.form(), SniForm::Gateway);
    assert_eq!(gp.partition(), "part1");
}

#[test]
fn names_compare_case_insensitively_as_dns() {
    let s = Sni::parse_in(
        &format!("Api.Default.Foo.Internal.{}", TD1.to_uppercase()),
        TD1,
    )
    .unwrap();
    assert_eq!(s.form(), SniForm::Service);
    assert_eq!(s.datacenter(), "Foo");
}

#[test]
fn not_consul_names_are_rejected() {
    for bad in [
        "",
        "example.com",
        "a..b",
        "api.default.foo.internal",
        "x.y.query.td",
        ".",
    ] {
        assert!(Sni::parse(bad).is_err(), "{bad:?}");
    }
}
