//! Every grammar of consul-k8s's `consul.hashicorp.com/connect-service-upstreams` annotation,
//! valid and malformed, with consul-k8s's error texts. The behaviour is consul-k8s's
//! endpoints controller's (`processUpstreams` and the three entry parsers it dispatches to),
//! described case by case; the inputs are our own.

use meshroute::load::kubernetes::annotation::{
    AnnotatedUpstream, AnnotationErrorKind, Form, Options, parse,
};
use meshroute::{DestinationType, MeshGatewayMode};

fn one(s: &str, o: &Options) -> AnnotatedUpstream {
    let mut all = parse(s, o);
    assert_eq!(all.len(), 1, "{s}");
    all.remove(0).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn err(s: &str, o: &Options) -> String {
    let mut all = parse(s, o);
    assert_eq!(all.len(), 1, "{s}");
    all.remove(0)
        .map(|u| format!("{u:?}"))
        .unwrap_err()
        .to_string()
}

/// (name, namespace, partition, peer, datacenter, port) of an upstream.
type Fields<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    u16,
);

fn fields(u: &AnnotatedUpstream) -> Fields<'_> {
    let up = &u.upstream;
    (
        &up.destination_name,
        up.destination_namespace.as_deref(),
        up.destination_partition.as_deref(),
        up.destination_peer.as_deref(),
        up.datacenter.as_deref(),
        up.local_bind_port.unwrap(),
    )
}

fn ce() -> Options {
    Options::new()
}

fn ent() -> Options {
    Options::new().with_enterprise(true, true)
}

#[test]
fn unlabelled_service_port_and_datacenter() {
    let u = one("api:9090", &ce());
    assert_eq!(u.form, Form::Unlabeled);
    assert_eq!(fields(&u), ("api", None, None, None, None, 9090));
    assert_eq!(u.upstream.destination_type, DestinationType::Service);
    let u = one("  api : 9090 : dc2  ", &ce());
    assert_eq!(fields(&u), ("api", None, None, None, Some("dc2"), 9090));
    assert_eq!(u.raw, "api : 9090 : dc2", "the entry is quoted trimmed");
}

#[test]
fn unlabelled_dots_are_the_name_without_enterprise_features() {
    // Without namespaces or partitions the whole head is the service name.
    let u = one("api.team.part:9090", &ce());
    assert_eq!(fields(&u).0, "api.team.part");
    // With either enabled, `name.namespace.partition` (the partition keeps further dots).
    let u = one(
        "api.team:9090",
        &Options::new().with_enterprise(true, false),
    );
    assert_eq!(fields(&u), ("api", Some("team"), None, None, None, 9090));
    let u = one("api.team.part.x:9090:dc2", &ent());
    assert_eq!(
        fields(&u),
        ("api", Some("team"), Some("part.x"), None, Some("dc2"), 9090)
    );
}

#[test]
fn unlabelled_query_options_after_the_port() {
    let u = one(
        "api:9090:mesh_gateway_mode=remote&local_bind_address=127.0.0.9&dc=dc3",
        &ce(),
    );
    assert_eq!(u.upstream.mesh_gateway.mode, MeshGatewayMode::Remote);
    assert_eq!(u.upstream.local_bind_address.as_deref(), Some("127.0.0.9"));
    assert_eq!(u.upstream.datacenter.as_deref(), Some("dc3"));
    // `dc?options`: the prefix is the datacenter unless the options name one.
    let u = one(
        "api:9090:dc2?meshGatewayMode=local;destination-port=grpc",
        &ce(),
    );
    assert_eq!(u.upstream.datacenter.as_deref(), Some("dc2"));
    assert_eq!(u.upstream.mesh_gateway.mode, MeshGatewayMode::Local);
    assert_eq!(u.destination_port.as_deref(), Some("grpc"));
    let u = one("api:9090:dc2?datacenter=dc4", &ce());
    assert_eq!(u.upstream.datacenter.as_deref(), Some("dc4"));
    // `?options` with no prefix, escapes decoded, an empty value ignored whatever its key.
    let u = one("api:9090:?mesh-gateway-mode=none&port=a%2Fb&bogus=", &ce());
    assert_eq!(u.upstream.mesh_gateway.mode, MeshGatewayMode::None);
    assert_eq!(u.destination_port.as_deref(), Some("a/b"));
    // The first value of a repeated key wins.
    let u = one("api:9090:dc=a&dc=b", &ce());
    assert_eq!(u.upstream.datacenter.as_deref(), Some("a"));
}

#[test]
fn labelled_forms() {
    let cases: [(&str, Options, Fields<'_>); 8] = [
        ("api.svc:9090", ce(), ("api", None, None, None, None, 9090)),
        (
            "api.svc.dc2.dc:9090",
            ce(),
            ("api", None, None, None, Some("dc2"), 9090),
        ),
        (
            "api.svc.p1.peer:9090",
            ce(),
            ("api", None, None, Some("p1"), None, 9090),
        ),
        (
            "api.svc.ns1.ns:9090",
            ent(),
            ("api", Some("ns1"), None, None, None, 9090),
        ),
        (
            "api.svc.ns1.ns.p1.peer:9090",
            ent(),
            ("api", Some("ns1"), None, Some("p1"), None, 9090),
        ),
        (
            "api.svc.ns1.ns.ap1.ap:9090",
            ent(),
            ("api", Some("ns1"), Some("ap1"), None, None, 9090),
        ),
        (
            "api.svc.ns1.ns.dc2.dc:9090",
            ent(),
            ("api", Some("ns1"), None, None, Some("dc2"), 9090),
        ),
        ("api.svc:9090", ent(), ("api", None, None, None, None, 9090)),
    ];
    for (s, o, want) in cases {
        let u = one(s, &o);
        assert_eq!(u.form, Form::Labeled, "{s}");
        assert_eq!(fields(&u), want, "{s}");
    }
}

#[test]
fn labelled_third_part_is_a_destination_port_or_options() {
    let u = one("api.svc:9090:grpc", &ce());
    assert_eq!(u.destination_port.as_deref(), Some("grpc"));
    assert_eq!(
        u.upstream.datacenter, None,
        "a plain third part is not a datacenter"
    );
    let u = one("api.svc:9090:?dc=dc2&mesh_gateway_mode=local", &ce());
    assert_eq!(u.upstream.datacenter.as_deref(), Some("dc2"));
    assert_eq!(u.upstream.mesh_gateway.mode, MeshGatewayMode::Local);
    // The same datacenter twice is fine; two different ones are not.
    assert_eq!(
        one("api.svc.dc2.dc:9090:dc=dc2", &ce())
            .upstream
            .datacenter
            .as_deref(),
        Some("dc2")
    );
    assert_eq!(
        err("api.svc.dc2.dc:9090:dc=dc3", &ce()),
        "upstream structured incorrectly: api.svc.dc2.dc:9090:dc=dc3"
    );
}

#[test]
fn prepared_queries() {
    let u = one("prepared_query:nearest-api:9091", &ce());
    assert_eq!(u.form, Form::PreparedQuery);
    assert_eq!(u.upstream.destination_type, DestinationType::PreparedQuery);
    assert_eq!(fields(&u), ("nearest-api", None, None, None, None, 9091));
    assert_eq!(
        err("prepared_query:q", &ce()),
        "upstream structured incorrectly: prepared_query:q"
    );
    assert_eq!(
        err("prepared_query: :9091", &ce()),
        "upstream structured incorrectly: prepared_query: :9091"
    );
    assert_eq!(
        err("prepared_query:q:x", &ce()),
        "invalid upstream local bind port \"x\" in \"prepared_query:q:x\""
    );
}

#[test]
fn ports_are_container_port_names_or_go_integers() {
    let o = ce().with_named_port("metrics", 9102);
    assert_eq!(one("api:metrics", &o).upstream.local_bind_port, Some(9102));
    // Go's base-0 integers: hexadecimal, octal, digit separators.
    for (s, p) in [
        ("api:0x2382", 9090),
        ("api:0o21602", 9090),
        ("api:9_090", 9090),
    ] {
        assert_eq!(one(s, &ce()).upstream.local_bind_port, Some(p), "{s}");
    }
    for bad in ["api:0", "api:-1", "api:http", "api:", "api:99999999999"] {
        let token = bad.split(':').nth(1).unwrap();
        assert_eq!(
            err(bad, &ce()),
            format!("invalid upstream local bind port \"{token}\" in \"{bad}\""),
            "{bad}"
        );
    }
}

#[test]
fn malformed_entries_with_consul_k8s_texts() {
    let structure = |s: &str, o: &Options| {
        assert_eq!(
            err(s, o),
            format!("upstream structured incorrectly: {s}"),
            "{s}"
        );
    };
    structure("api", &ce());
    structure("api.svc", &ce());
    // Labels consul-k8s does not know, or in the wrong place.
    structure("api.svc.x.err:9090", &ce());
    structure("api.svc.ns1.ns:9090", &ce()); // namespaces off
    structure("api.svc.ap1.ap:9090", &ce()); // partitions off
    structure("api.svc.p1.peer:9090", &ent()); // namespaces on: `.ns` comes first
    structure("api.svc.ns1.err:9090", &ent());
    structure("api.svc.ns1.ns.x.err:9090", &ent());
    structure("api.svc.ns1.ns.p.partition.p1.peer:9090", &ent());
    structure("api.svc.a.b.c:9090", &ce());
    // A bad escape in the options.
    structure("api:9090:dc=%zz", &ce());
    assert_eq!(
        err("api:9090:mesh_gateway_mode=Local", &ce()),
        "invalid upstream mesh gateway mode \"Local\" in \"api:9090:mesh_gateway_mode=Local\""
    );
    assert_eq!(
        err("api:9090:timeout=5s", &ce()),
        "unsupported upstream option \"timeout\" in \"api:9090:timeout=5s\""
    );
    let e = parse("api:9090:mode=x", &ce()).remove(0).unwrap_err();
    assert_eq!(
        e.kind,
        AnnotationErrorKind::UnsupportedOption("mode".to_owned())
    );
}

#[test]
fn entries_are_comma_separated_and_an_empty_one_is_malformed() {
    let all = parse("api:9090, db.svc:5432 ,prepared_query:q:7000", &ce());
    let names: Vec<&str> = all
        .iter()
        .map(|r| r.as_ref().unwrap().upstream.destination_name.as_str())
        .collect();
    assert_eq!(names, ["api", "db", "q"]);
    let offsets: Vec<usize> = all.iter().map(|r| r.as_ref().unwrap().offset).collect();
    assert_eq!(offsets, [0, 10, 23]);
    // A trailing comma leaves an empty entry, which consul-k8s rejects.
    let all = parse("api:9090,", &ce());
    assert!(all[0].is_ok());
    assert_eq!(
        all[1].clone().unwrap_err().to_string(),
        "upstream structured incorrectly: "
    );
}

/// The fuzz target's seeds (`fuzz/corpus/k8s_annotation`: a flags byte, then the text),
/// replayed with the target's invariants.
#[test]
#[cfg_attr(not(fuzz_corpus), ignore = "fuzz/corpus is not in the packaged crate")]
fn fuzz_corpus_replays() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/k8s_annotation");
    let mut seen = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let data = std::fs::read(e.path()).unwrap();
        let Some((&flags, rest)) = data.split_first() else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(rest) else {
            continue;
        };
        let mut o = Options::new().with_enterprise(flags & 1 != 0, flags & 2 != 0);
        if flags & 4 != 0 {
            o = o.with_named_port("http", 8080).with_named_port("", 0);
        }
        let all = parse(text, &o);
        assert_eq!(all.len(), text.split(',').count());
        for r in all {
            let (offset, raw) = match &r {
                Ok(u) => (u.offset, u.raw.as_str()),
                Err(e) => (e.offset, e.raw.as_str()),
            };
            assert_eq!(&text[offset..offset + raw.len()], raw);
        }
        seen += 1;
    }
    assert!(seen >= 5, "{seen} seeds");
}
