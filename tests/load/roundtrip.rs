//! proptest: any model value, serialized to canonical JSON and written as JSON, YAML and HCL,
//! loads back equal.
#![cfg(feature = "yaml")]

use meshroute::{
    ConfigEntry, Content, DestinationType, Format, MeshGatewayConfig, MeshGatewayMode, ProxyConfig,
    ProxyDefaults, ServiceConnect, ServiceDefaults, ServiceDefinition, ServiceKind, Upstream,
    UpstreamConfiguration, UpstreamOverride,
};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,8}"
}

fn text() -> impl Strategy<Value = String> {
    // Printable text with the characters every writer must escape.
    "[ -~]{0,12}".prop_filter("no templates", |s| !s.contains("${") && !s.contains("%{"))
}

fn mode() -> impl Strategy<Value = MeshGatewayMode> {
    prop::sample::select(MeshGatewayMode::ALL.to_vec())
}

fn upstream() -> impl Strategy<Value = Upstream> {
    (
        name(),
        prop::bool::ANY,
        prop::option::of(name()),
        prop::option::of(name()),
        mode(),
        prop::option::of("127\\.0\\.0\\.[1-9]"),
    )
        .prop_map(|(n, query, dc, ns, m, addr)| {
            let mut u = Upstream::service(n);
            if query {
                u.destination_type = DestinationType::PreparedQuery;
            }
            u.datacenter = dc;
            u.destination_namespace = ns;
            u.mesh_gateway = MeshGatewayConfig::new(m);
            u.local_bind_address = addr;
            u
        })
}

fn proxy(max_upstreams: usize) -> impl Strategy<Value = ProxyConfig> {
    (
        prop::option::of(name()),
        mode(),
        prop::collection::vec(upstream(), 0..max_upstreams),
        prop::option::of(1u16..),
    )
        .prop_map(|(dsn, m, mut ups, lsp)| {
            for (i, u) in ups.iter_mut().enumerate() {
                // Distinct listeners and identities: Consul rejects duplicates.
                u.local_bind_port = Some(10000 + u16::try_from(i).unwrap());
                u.destination_name = format!("{}-{i}", u.destination_name);
            }
            let mut p = ProxyConfig::default();
            p.destination_service_name = dsn;
            p.mesh_gateway = MeshGatewayConfig::new(m);
            p.upstreams = ups;
            p.local_service_port = lsp;
            p
        })
}

fn service() -> impl Strategy<Value = ServiceDefinition> {
    (
        name(),
        prop::option::of(name()),
        prop::option::of(1u16..),
        prop::collection::vec(text(), 0..3),
        prop::collection::btree_map("[a-z]{1,6}", text(), 0..3),
        prop::option::of(proxy(4)),
        0u8..3,
    )
        .prop_map(|(n, id, port, tags, meta, px, shape)| {
            let mut s = ServiceDefinition::default();
            s.name = n;
            s.id = id;
            s.port = port;
            s.tags = tags;
            s.meta = meta.into_iter().collect();
            match (shape, px) {
                (0, Some(mut p)) => {
                    s.kind = ServiceKind::ConnectProxy;
                    p.destination_service_name
                        .get_or_insert_with(|| "web".to_owned());
                    s.proxy = Some(p);
                }
                (1, Some(p)) => {
                    let mut side = ServiceDefinition::default();
                    side.port = Some(21000);
                    side.proxy = Some(p);
                    let mut c = ServiceConnect::default();
                    c.sidecar_service = Some(Box::new(side));
                    s.connect = Some(c);
                }
                _ => {}
            }
            s
        })
}

fn entry() -> impl Strategy<Value = ConfigEntry> {
    let pd = (
        mode(),
        prop::collection::btree_map("[a-z_]{1,8}", text(), 0..3),
    )
        .prop_map(|(m, cfg)| {
            let mut p = ProxyDefaults::default();
            p.mesh_gateway = MeshGatewayConfig::new(m);
            if !cfg.is_empty() {
                p.config = Some(
                    cfg.into_iter()
                        .map(|(k, v)| (k, serde_json::Value::String(v)))
                        .collect(),
                );
            }
            ConfigEntry::ProxyDefaults(p)
        });
    let sd = (
        name(),
        mode(),
        prop::option::of(prop::sample::select(vec!["tcp", "http", "grpc"])),
        prop::collection::vec((name(), mode()), 0..3),
        prop::option::of(mode()),
    )
        .prop_map(|(n, m, proto, overrides, defaults)| {
            let mut s = ServiceDefaults::default();
            s.name = n;
            s.mesh_gateway = MeshGatewayConfig::new(m);
            proto.unwrap_or_default().clone_into(&mut s.protocol);
            if !overrides.is_empty() || defaults.is_some() {
                let mut uc = UpstreamConfiguration::default();
                uc.overrides = overrides
                    .into_iter()
                    .enumerate()
                    .map(|(i, (n, m))| {
                        let mut o = UpstreamOverride::default();
                        o.name = format!("{n}-{i}");
                        o.mesh_gateway = MeshGatewayConfig::new(m);
                        o
                    })
                    .collect();
                uc.defaults = defaults.map(|m| {
                    let mut o = UpstreamOverride::default();
                    o.mesh_gateway = MeshGatewayConfig::new(m);
                    o
                });
                s.upstream_config = Some(uc);
            }
            ConfigEntry::ServiceDefaults(s)
        });
    prop_oneof![pd, sd]
}

/// Writes a canonical JSON value as HCL1: maps as blocks (`Key { … }`), which HCL1 decodes as
/// lists of one map, and maps inside lists as objects.
fn write_hcl(v: &serde_json::Value) -> String {
    fn key(k: &str) -> String {
        let bare = k
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if bare { k.to_owned() } else { quote(k) }
    }
    fn quote(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }
    fn value(v: &serde_json::Value, out: &mut String) {
        use serde_json::Value as J;
        match v {
            J::Null => unreachable!("canonical JSON has no nulls here"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Number(n) => out.push_str(&n.to_string()),
            J::String(s) => out.push_str(&quote(s)),
            J::Array(items) => {
                out.push_str("[\n");
                for item in items {
                    value(item, out);
                    out.push_str(",\n");
                }
                out.push(']');
            }
            J::Object(m) => {
                out.push_str("{\n");
                body(m, out);
                out.push('}');
            }
        }
    }
    fn body(m: &serde_json::Map<String, serde_json::Value>, out: &mut String) {
        for (k, v) in m {
            out.push_str(&key(k));
            if v.is_object() {
                out.push(' ');
            } else {
                out.push_str(" = ");
            }
            value(v, out);
            out.push('\n');
        }
    }
    let mut out = String::new();
    body(v.as_object().expect("a document is a map"), &mut out);
    out
}

fn write_yaml(v: &serde_json::Value) -> String {
    serde_saphyr::to_string(v).expect("YAML writer")
}

/// Loads `text` and returns the canonical JSON of its single document.
fn reload(text: &str, format: Format) -> serde_json::Value {
    let loaded = meshroute::Loader::new().load_str(text, format, None);
    assert!(
        loaded.diagnostics.is_empty(),
        "{format:?} did not load back:\n{text}\n{:?}",
        loaded
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    assert_eq!(loaded.documents.len(), 1, "{text}");
    loaded.documents[0].to_json()
}

fn check_formats(canonical: &serde_json::Value) {
    let json = serde_json::to_string_pretty(canonical).unwrap();
    assert_eq!(&reload(&json, Format::Json), canonical);
    let yaml = write_yaml(canonical);
    assert_eq!(&reload(&yaml, Format::Yaml), canonical, "YAML:\n{yaml}");
    let hcl = write_hcl(canonical);
    assert_eq!(&reload(&hcl, Format::Hcl), canonical, "HCL:\n{hcl}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn services_load_back_equal(s in service()) {
        let canonical = serde_json::to_value(&s).unwrap();
        check_formats(&canonical);
        // And the typed value itself, positions aside.
        let docs = meshroute::load::from_str(&canonical.to_string(), Format::Json).unwrap();
        let Content::Service(back) = &docs[0].content else { panic!() };
        prop_assert_eq!(serde_json::to_value(back).unwrap(), canonical);
    }

    #[test]
    fn config_entries_load_back_equal(e in entry()) {
        let canonical = serde_json::to_value(&e).unwrap();
        check_formats(&canonical);
    }
}
