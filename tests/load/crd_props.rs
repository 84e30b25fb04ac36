//! proptest: a consul-k8s custom resource and the config entry it is written to Consul as
//! (Consul's API JSON, PascalCase) decode to equal models. The two forms are written here
//! independently, each from the same generated values.
#![cfg(feature = "yaml")]

use meshroute::{Document, Format, Loader};
use proptest::prelude::*;
use serde_json::{Value, json};

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,8}"
}

fn mode() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", "none", "local", "remote"])
}

fn protocol() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", "tcp", "http", "http2", "grpc"])
}

/// Inserts `key: value` into both maps when `value` is not empty.
fn put(crd: &mut Value, consul: &mut Value, keys: (&str, &str), value: &str) {
    if !value.is_empty() {
        crd[keys.0] = json!(value);
        consul[keys.1] = json!(value);
    }
}

/// One upstream override (or the defaults, without a name).
#[derive(Clone, Debug)]
struct Override {
    name: String,
    peer: Option<String>,
    protocol: &'static str,
    timeout: Option<u32>,
    mode: &'static str,
}

fn override_(named: bool) -> impl Strategy<Value = Override> {
    (
        name(),
        prop::option::of(name()),
        protocol(),
        prop::option::of(1u32..60_000),
        mode(),
    )
        .prop_map(move |(name, peer, protocol, timeout, mode)| Override {
            name: if named { name } else { String::new() },
            peer: peer.filter(|_| named),
            protocol,
            timeout,
            mode,
        })
}

impl Override {
    fn forms(&self) -> (Value, Value) {
        let (mut crd, mut consul) = (json!({}), json!({}));
        put(&mut crd, &mut consul, ("name", "Name"), &self.name);
        put(
            &mut crd,
            &mut consul,
            ("peer", "Peer"),
            self.peer.as_deref().unwrap_or(""),
        );
        put(
            &mut crd,
            &mut consul,
            ("protocol", "Protocol"),
            self.protocol,
        );
        if let Some(t) = self.timeout {
            crd["connectTimeoutMs"] = json!(t);
            consul["ConnectTimeoutMs"] = json!(t);
        }
        crd["meshGateway"] = json!({});
        consul["MeshGateway"] = json!({});
        put(
            &mut crd["meshGateway"],
            &mut consul["MeshGateway"],
            ("mode", "Mode"),
            self.mode,
        );
        (crd, consul)
    }
}

/// A resource and its config entry: (kind, name, spec, entry).
type Forms = (&'static str, String, Value, Value);

fn proxy_defaults() -> impl Strategy<Value = Forms> {
    (mode(), prop::option::of((name(), 0i64..100)), protocol()).prop_map(|(m, cfg, p)| {
        let (mut spec, mut entry) = (
            json!({}),
            json!({"Kind": "proxy-defaults", "Name": "global"}),
        );
        spec["meshGateway"] = json!({});
        entry["MeshGateway"] = json!({});
        put(
            &mut spec["meshGateway"],
            &mut entry["MeshGateway"],
            ("mode", "Mode"),
            m,
        );
        if let Some((k, v)) = cfg {
            spec["config"] = json!({k.clone(): v, "protocol": p});
            entry["Config"] = json!({k: v, "protocol": p});
        }
        ("ProxyDefaults", "global".to_owned(), spec, entry)
    })
}

fn service_defaults() -> impl Strategy<Value = Forms> {
    (
        name(),
        protocol(),
        mode(),
        prop::option::of(name()),
        prop::collection::vec(override_(true), 0..3),
        prop::option::of(override_(false)),
    )
        .prop_map(|(n, p, m, sni, overrides, defaults)| {
            let (mut spec, mut entry) = (json!({}), json!({"Kind": "service-defaults", "Name": n}));
            put(&mut spec, &mut entry, ("protocol", "Protocol"), p);
            put(
                &mut spec,
                &mut entry,
                ("externalSNI", "ExternalSNI"),
                sni.as_deref().unwrap_or(""),
            );
            spec["meshGateway"] = json!({"mode": m});
            entry["MeshGateway"] = json!({"Mode": m});
            if !overrides.is_empty() || defaults.is_some() {
                let (mut uc, mut euc) = (json!({}), json!({}));
                if !overrides.is_empty() {
                    let forms: Vec<(Value, Value)> =
                        overrides.iter().map(Override::forms).collect();
                    uc["overrides"] = forms.iter().map(|f| f.0.clone()).collect();
                    euc["Overrides"] = forms.iter().map(|f| f.1.clone()).collect();
                }
                if let Some(d) = &defaults {
                    let (c, e) = d.forms();
                    uc["defaults"] = c;
                    euc["Defaults"] = e;
                }
                spec["upstreamConfig"] = uc;
                entry["UpstreamConfig"] = euc;
            }
            ("ServiceDefaults", n, spec, entry)
        })
}

fn mesh() -> impl Strategy<Value = Forms> {
    (
        prop::bool::ANY,
        prop::sample::select(vec!["", "TLSv1_2", "TLSv1_3"]),
    )
        .prop_map(|(peer, tls)| {
            let (mut spec, mut entry) = (json!({}), json!({"Kind": "mesh"}));
            spec["peering"] = json!({"peerThroughMeshGateways": peer});
            entry["Peering"] = json!({"PeerThroughMeshGateways": peer});
            if !tls.is_empty() {
                spec["tls"] = json!({"outgoing": {"tlsMinVersion": tls}});
                entry["TLS"] = json!({"Outgoing": {"TLSMinVersion": tls}});
            }
            ("Mesh", "mesh".to_owned(), spec, entry)
        })
}

fn exported_services() -> impl Strategy<Value = Forms> {
    prop::collection::vec((name(), prop::collection::vec(name(), 1..3)), 1..3).prop_map(|svcs| {
        let spec = json!({"services": svcs.iter().map(|(n, peers)| json!({
            "name": n,
            "consumers": peers.iter().map(|p| json!({"peer": p})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()});
        let entry = json!({"Kind": "exported-services", "Name": "default", "Services": svcs.iter().map(|(n, peers)| json!({
            "Name": n,
            "Consumers": peers.iter().map(|p| json!({"Peer": p})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()});
        ("ExportedServices", "default".to_owned(), spec, entry)
    })
}

fn only(src: &str, format: Format) -> Document {
    let l = Loader::new().load_str(src, format, None);
    assert!(!l.has_errors(), "{src}\n{:#?}", l.diagnostics);
    assert_eq!(l.documents.len(), 1, "{src}");
    l.documents.into_iter().next().unwrap()
}

fn check((kind, name, spec, entry): Forms) {
    // JSON is YAML: the spec is written in flow style.
    let crd = format!(
        "apiVersion: consul.hashicorp.com/v1alpha1\nkind: {kind}\nmetadata:\n  name: \"{name}\"\n  namespace: team-a\nspec: {spec}\n"
    );
    let from_crd = only(&crd, Format::Yaml);
    let from_entry = only(&entry.to_string(), Format::Json);
    assert_eq!(from_crd.kind(), from_entry.kind());
    assert_eq!(from_crd.to_json(), from_entry.to_json(), "{crd}\n{entry}");
    assert_eq!(
        from_crd.as_config_entry().map(meshroute::ConfigEntry::name),
        from_entry
            .as_config_entry()
            .map(meshroute::ConfigEntry::name)
            .filter(|n| !n.is_empty())
            .or(Some(&name)),
    );
}

proptest! {
    #[test]
    fn proxy_defaults_resource_and_entry_are_equal(forms in proxy_defaults()) {
        check(forms);
    }

    #[test]
    fn service_defaults_resource_and_entry_are_equal(forms in service_defaults()) {
        check(forms);
    }

    #[test]
    fn mesh_resource_and_entry_are_equal(forms in mesh()) {
        check(forms);
    }

    #[test]
    fn exported_services_resource_and_entry_are_equal(forms in exported_services()) {
        check(forms);
    }
}
