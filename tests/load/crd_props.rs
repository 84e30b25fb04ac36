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

/// A resolver: subsets (the default one among them), and a redirect or a failover (by
/// service, or by targets: consul-k8s refuses `datacenters` on a cluster without admin
/// partitions), a connect timeout, a load balancer.
fn service_resolver() -> impl Strategy<Value = Forms> {
    (
        name(),
        prop::collection::btree_map("[a-z][a-z0-9]{0,4}", prop::bool::ANY, 0..3),
        prop::bool::ANY,
        (name(), prop::option::of(name()), 0u8..3),
        prop::sample::select(vec!["", "5s", "1m30s"]),
        0u8..3,
    )
        .prop_map(|(n, subsets, use_default, (target, dc, how), timeout, lb)| {
            let mut spec = json!({});
            let mut entry = json!({"Kind": "service-resolver", "Name": n});
            if !subsets.is_empty() {
                spec["subsets"] = json!({});
                entry["Subsets"] = json!({});
                for (s, only) in &subsets {
                    let filter = format!("Service.Meta.version == {s}");
                    spec["subsets"][s] = json!({"filter": filter, "onlyPassing": only});
                    entry["Subsets"][s] = json!({"Filter": filter, "OnlyPassing": only});
                }
                if use_default {
                    let first = subsets.keys().next().unwrap();
                    spec["defaultSubset"] = json!(first);
                    entry["DefaultSubset"] = json!(first);
                }
            }
            match how {
                0 => {
                    spec["redirect"] = json!({"service": target});
                    entry["Redirect"] = json!({"Service": target});
                    if let Some(dc) = &dc {
                        spec["redirect"]["datacenter"] = json!(dc);
                        entry["Redirect"]["Datacenter"] = json!(dc);
                    }
                }
                1 => {
                    spec["failover"] = json!({"*": {"service": target}});
                    entry["Failover"] = json!({"*": {"Service": target}});
                }
                _ => {
                    let dc = dc.unwrap_or_else(|| "dc2".to_owned());
                    spec["failover"] = json!({"*": {"targets": [{"datacenter": dc}, {"service": target}], "policy": {"mode": "order-by-locality"}}});
                    entry["Failover"] = json!({"*": {"Targets": [{"Datacenter": dc}, {"Service": target}], "Policy": {"Mode": "order-by-locality"}}});
                }
            }
            put(&mut spec, &mut entry, ("connectTimeout", "ConnectTimeout"), timeout);
            match lb {
                1 => {
                    spec["loadBalancer"] = json!({"policy": "least_request", "leastRequestConfig": {"choiceCount": 3}});
                    entry["LoadBalancer"] = json!({"Policy": "least_request", "LeastRequestConfig": {"ChoiceCount": 3}});
                }
                2 => {
                    spec["loadBalancer"] = json!({"policy": "ring_hash", "ringHashConfig": {"minimumRingSize": 1024}, "hashPolicies": [{"field": "header", "fieldValue": "x-user", "terminal": true}]});
                    entry["LoadBalancer"] = json!({"Policy": "ring_hash", "RingHashConfig": {"MinimumRingSize": 1024}, "HashPolicies": [{"Field": "header", "FieldValue": "x-user", "Terminal": true}]});
                }
                _ => {}
            }
            ("ServiceResolver", n, spec, entry)
        })
}

/// A router: path-prefix routes to services, with the destination's kept fields.
fn service_router() -> impl Strategy<Value = Forms> {
    (
        name(),
        prop::collection::vec((name(), name(), 0u32..5, prop::bool::ANY), 1..4),
    )
        .prop_map(|(n, routes)| {
            let crd: Vec<Value> = routes
                .iter()
                .map(|(path, svc, retries, connect)| {
                    json!({
                        "match": {"http": {"pathPrefix": format!("/{path}"), "header": [{"name": "x-canary", "exact": "1"}]}},
                        "destination": {"service": svc, "prefixRewrite": "/", "requestTimeout": "5s", "numRetries": retries, "retryOnConnectFailure": connect, "requestHeaders": {"set": {"x-route": path}}},
                    })
                })
                .collect();
            let consul: Vec<Value> = routes
                .iter()
                .map(|(path, svc, retries, connect)| {
                    json!({
                        "Match": {"HTTP": {"PathPrefix": format!("/{path}"), "Header": [{"Name": "x-canary", "Exact": "1"}]}},
                        "Destination": {"Service": svc, "PrefixRewrite": "/", "RequestTimeout": "5s", "NumRetries": retries, "RetryOnConnectFailure": connect, "RequestHeaders": {"Set": {"x-route": path}}},
                    })
                })
                .collect();
            let spec = json!({"routes": crd});
            let entry = json!({"Kind": "service-router", "Name": n, "Routes": consul});
            ("ServiceRouter", n, spec, entry)
        })
}

/// A splitter: two splits whose weights add up to 100.
fn service_splitter() -> impl Strategy<Value = Forms> {
    (name(), 1u32..100, name(), prop::option::of(name())).prop_map(|(n, w, a, subset)| {
        // Consul refuses a splitter whose splits go to the same place twice.
        let b = format!("{a}-v2");
        let mut spec = json!({"splits": [
            {"weight": w, "service": a, "requestHeaders": {"add": {"x-split": "a"}}},
            {"weight": 100 - w, "service": b},
        ]});
        let mut entry = json!({"Kind": "service-splitter", "Name": n, "Splits": [
            {"Weight": w, "Service": a, "RequestHeaders": {"Add": {"x-split": "a"}}},
            {"Weight": 100 - w, "Service": b},
        ]});
        if let Some(s) = subset {
            spec["splits"][1]["serviceSubset"] = json!(s);
            entry["Splits"][1]["ServiceSubset"] = json!(s);
        }
        ("ServiceSplitter", n, spec, entry)
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

    #[test]
    fn service_resolver_resource_and_entry_are_equal(forms in service_resolver()) {
        check(forms);
    }

    #[test]
    fn service_router_resource_and_entry_are_equal(forms in service_router()) {
        check(forms);
    }

    #[test]
    fn service_splitter_resource_and_entry_are_equal(forms in service_splitter()) {
        check(forms);
    }
}
