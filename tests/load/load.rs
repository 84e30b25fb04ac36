//! Loading: the product document's examples, both key styles, the HTTP API shapes and the
//! list-of-one-map form, each asserting the typed values.
#![cfg(feature = "yaml")]

use std::path::PathBuf;

use meshroute::{
    ConfigEntry, Content, DestinationType, Document, Format, Loader, MeshGatewayMode, ServiceKind,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/load")
        .join(name)
}

fn load(name: &str) -> Vec<Document> {
    let loaded = Loader::new().load_file(&fixture(name));
    assert!(
        loaded.diagnostics.is_empty(),
        "{name}: {:#?}",
        loaded
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    loaded.documents
}

/// The formats every product-document example is written in.
const FORMATS: &[&str] = &["hcl", "yaml"];

#[test]
fn product_document_enabling_gateways_globally() {
    for ext in FORMATS {
        let docs = load(&format!("doc1-proxy-defaults.{ext}"));
        assert_eq!(docs.len(), 1);
        let Some(ConfigEntry::ProxyDefaults(pd)) = docs[0].as_config_entry() else {
            panic!("{ext}: not proxy-defaults: {:?}", docs[0])
        };
        assert_eq!(pd.name, "global");
        assert_eq!(pd.mesh_gateway.mode, MeshGatewayMode::Local, "{ext}");
        assert_eq!(docs[0].kind(), "proxy-defaults");
    }
}

#[test]
fn product_document_enabling_gateways_per_service() {
    for ext in FORMATS {
        let docs = load(&format!("doc2-service-defaults.{ext}"));
        let Some(ConfigEntry::ServiceDefaults(sd)) = docs[0].as_config_entry() else {
            panic!("{ext}: not service-defaults")
        };
        assert_eq!(sd.name, "web");
        assert_eq!(sd.mesh_gateway.mode, MeshGatewayMode::Local);
    }
}

#[test]
fn product_document_enabling_gateways_for_an_instance() {
    for ext in FORMATS {
        let docs = load(&format!("doc3-instance.{ext}"));
        assert_eq!(docs.len(), 1, "{ext}");
        let s = docs[0].as_service().unwrap();
        assert_eq!(s.kind, ServiceKind::ConnectProxy);
        assert_eq!(s.name, "web-sidecar-proxy");
        assert_eq!(s.port, Some(8181));
        let p = s.proxy.as_ref().unwrap();
        assert_eq!(p.destination_service_name.as_deref(), Some("web"));
        assert_eq!(p.mesh_gateway.mode, MeshGatewayMode::Remote);
        assert_eq!(p.upstreams.len(), 1);
        let u = &p.upstreams[0];
        assert_eq!(u.destination_name, "api");
        assert_eq!(u.datacenter.as_deref(), Some("secondary"));
        assert_eq!(u.mesh_gateway.mode, MeshGatewayMode::Default);
        // The document's YAML says 100 where its HCL says 10000: kept verbatim.
        let want = if *ext == "yaml" { 100 } else { 10000 };
        assert_eq!(u.local_bind_port, Some(want));
    }
}

#[test]
fn product_document_enabling_gateways_per_upstream() {
    for ext in FORMATS {
        let docs = load(&format!("doc4-upstreams.{ext}"));
        let s = docs[0].as_service().unwrap();
        let ups = &s.proxy.as_ref().unwrap().upstreams;
        let got: Vec<_> = ups
            .iter()
            .map(|u| {
                (
                    u.destination_name.as_str(),
                    u.local_bind_port,
                    u.mesh_gateway.mode,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("api", Some(10000), MeshGatewayMode::Remote),
                ("db", Some(10001), MeshGatewayMode::Local),
                ("logging", Some(10002), MeshGatewayMode::None),
            ],
            "{ext}"
        );
        assert!(
            ups.iter()
                .all(|u| u.destination_type == DestinationType::Service)
        );
    }
}

#[test]
fn agent_config_json_in_snake_case() {
    let docs = load("agent-snake.json");
    let kinds: Vec<_> = docs.iter().map(Document::kind).collect();
    assert_eq!(kinds, ["agent", "service", "service", "proxy-defaults"]);
    let a = docs[0].as_agent().unwrap();
    assert_eq!(
        a.datacenter.as_deref(),
        Some("secondary"),
        "datacenter is lower-cased"
    );
    assert_eq!(a.primary_datacenter.as_deref(), Some("primary"));
    assert_eq!(a.server, Some(true));
    assert_eq!(a.connect.as_ref().unwrap().enabled, Some(true));
    let ports = a.ports.as_ref().unwrap();
    assert_eq!((ports.grpc, ports.grpc_tls), (Some(8502), Some(-1)));
    assert_eq!(a.acl.as_ref().unwrap().enabled, Some(true));
    assert_eq!(a.retry_join_wan, ["10.0.0.1", "10.0.0.2"]);
    assert_eq!(a.other["log_level"], "INFO", "unknown agent keys are kept");
    assert_eq!(a.pos_of("ports").line, if a.pos.is_known() { 6 } else { 0 });
    let api = docs[1].as_service().unwrap();
    assert_eq!(api.meta["version"], "2");
    assert_eq!(api.sidecar().unwrap().port, Some(21000));
    let gw = docs[2].as_service().unwrap();
    assert_eq!(gw.kind, ServiceKind::MeshGateway);
    assert_eq!(gw.wan_address(), Some(("198.51.100.5", 443)));
    assert_eq!(gw.lan_address(), Some(("10.1.0.5", 8443)));
    assert_eq!(gw.token.as_deref(), Some("gateway-token"));
    let Some(ConfigEntry::ProxyDefaults(pd)) = docs[3].as_config_entry() else {
        panic!()
    };
    assert_eq!(pd.mesh_gateway.mode, MeshGatewayMode::Local);
    assert_eq!(pd.config.as_ref().unwrap().get("protocol").unwrap(), "http");
}

#[test]
fn service_json_in_camel_case() {
    let docs = load("service-camel.json");
    assert_eq!(
        docs.len(),
        1,
        "a file of services only has no agent document"
    );
    let s = docs[0].as_service().unwrap();
    let sidecar = s.sidecar().unwrap();
    let p = sidecar.proxy.as_ref().unwrap();
    assert_eq!(p.mesh_gateway.mode, MeshGatewayMode::Remote);
    let u = &p.upstreams[0];
    assert_eq!(u.mesh_gateway.mode, MeshGatewayMode::Local);
    assert_eq!(
        u.config
            .as_ref()
            .unwrap()
            .get("connect_timeout_ms")
            .unwrap(),
        5000
    );
}

#[test]
fn http_api_proxy_defaults_shape() {
    let docs = load("api-proxy-defaults.json");
    let Some(ConfigEntry::ProxyDefaults(pd)) = docs[0].as_config_entry() else {
        panic!()
    };
    assert_eq!(pd.mesh_gateway.mode, MeshGatewayMode::Remote);
    assert_eq!(docs[0].to_json()["MeshGateway"]["Mode"], "remote");
}

#[test]
fn http_api_service_defaults_shape_with_empty_mesh_gateway() {
    let docs = load("api-service-defaults.json");
    let Some(ConfigEntry::ServiceDefaults(sd)) = docs[0].as_config_entry() else {
        panic!()
    };
    assert_eq!(
        sd.mesh_gateway.mode,
        MeshGatewayMode::Default,
        "{{}} is no opinion"
    );
    let uc = sd.upstream_config.as_ref().unwrap();
    assert_eq!(uc.overrides.len(), 2);
    assert_eq!(uc.overrides[0].mesh_gateway.mode, MeshGatewayMode::Local);
    assert_eq!(uc.overrides[0].connect_timeout_ms, Some(2500));
    assert_eq!(uc.overrides[1].peer.as_deref(), Some("partner"));
    assert_eq!(
        uc.defaults.as_ref().unwrap().mesh_gateway.mode,
        MeshGatewayMode::None
    );
    assert!(sd.override_for("api", "default", "default", None).is_some());
    assert!(
        sd.override_for("db", "default", "default", Some("partner"))
            .is_some()
    );
    assert!(sd.override_for("db", "default", "default", None).is_none());
}

#[test]
fn http_api_agent_service_shape() {
    let docs = load("api-agent-service.json");
    let s = docs[0].as_service().unwrap();
    assert_eq!(
        s.name, "web-sidecar-proxy",
        "the API's Service key is the name"
    );
    assert_eq!(s.service_id(), "web-sidecar-proxy");
    let p = s.proxy.as_ref().unwrap();
    assert_eq!(p.mesh_gateway.mode, MeshGatewayMode::Default);
    assert_eq!(p.local_service_port, Some(8080));
    assert_eq!(p.upstreams[0].local_bind_port, Some(9191));
}

#[test]
fn canonical_key_wins_over_alias() {
    // Consul's key translation copies an alias only when the canonical key is absent: in a
    // config entry CamelCase is canonical, in an agent file snake_case is.
    let entry = r#"{"Kind": "proxy-defaults", "mesh_gateway": {"mode": "remote"}, "MeshGateway": {"Mode": "local"}}"#;
    let docs = meshroute::load::from_str(entry, Format::Json).unwrap();
    let Some(ConfigEntry::ProxyDefaults(pd)) = docs[0].as_config_entry() else {
        panic!()
    };
    assert_eq!(pd.mesh_gateway.mode, MeshGatewayMode::Local);
    let agent = r#"{"service": {"name": "web", "Port": 1, "port": 2}}"#;
    let docs = meshroute::load::from_str(agent, Format::Json).unwrap();
    assert_eq!(docs[0].as_service().unwrap().port, Some(2));
}

#[test]
fn keys_match_case_insensitively() {
    let src = r#"{"KIND": "service-defaults", "NAME": "web", "meshgateway": {"MODE": "remote"}}"#;
    let docs = meshroute::load::from_str(src, Format::Json).unwrap();
    let Some(ConfigEntry::ServiceDefaults(sd)) = docs[0].as_config_entry() else {
        panic!()
    };
    assert_eq!(sd.mesh_gateway.mode, MeshGatewayMode::Remote);
}

#[test]
fn single_object_where_a_list_is_expected_is_a_list_of_one() {
    let src = r#"{"service": {"name": "web", "kind": "connect-proxy", "port": 1,
        "proxy": {"destination_service_name": "w", "upstreams": {"destination_name": "api", "local_bind_port": 9}}}}"#;
    let docs = meshroute::load::from_str(src, Format::Json).unwrap();
    let ups = &docs[0]
        .as_service()
        .unwrap()
        .proxy
        .as_ref()
        .unwrap()
        .upstreams;
    assert_eq!(ups.len(), 1);
    assert_eq!(ups[0].destination_name, "api");
}

#[test]
fn opaque_maps_are_kept_as_written() {
    let src = r#"{"Kind": "proxy-defaults", "Name": "global",
        "Config": {"envoy_extra": [{"a": 1}], "nested": {"Mode": "weird", "x": null}}}"#;
    let docs = meshroute::load::from_str(src, Format::Json).unwrap();
    let Some(ConfigEntry::ProxyDefaults(pd)) = docs[0].as_config_entry() else {
        panic!()
    };
    let cfg = serde_json::Value::Object(pd.config.as_ref().unwrap().to_map());
    assert_eq!(
        cfg,
        serde_json::json!({"envoy_extra": [{"a": 1}], "nested": {"Mode": "weird", "x": null}})
    );
}

#[test]
fn several_services_give_several_documents() {
    let src = r#"{"services": [{"name": "a", "port": 1}, {"name": "b", "port": 2}]}"#;
    let docs = meshroute::load::from_str(src, Format::Json).unwrap();
    let names: Vec<_> = docs
        .iter()
        .filter_map(|d| d.as_service())
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert!(
        docs.iter()
            .all(|d| matches!(d.content, Content::Service(_)))
    );
}

#[test]
fn other_config_entry_kinds_are_kept_opaque() {
    let src = r#"{"Kind": "service-resolver", "Name": "api", "Redirect": {"Datacenter": "dc2"}}"#;
    let docs = meshroute::load::from_str(src, Format::Json).unwrap();
    assert_eq!(docs[0].kind(), "service-resolver");
    assert_eq!(docs[0].as_config_entry().unwrap().name(), "api");
}

#[test]
fn saved_ca_roots_give_the_trust_domain() {
    let src = r#"{"ActiveRootID": "x", "TrustDomain": "7F3A0C1E-1111-2222-3333-444455556666.consul", "Roots": []}"#;
    let docs = meshroute::load::from_str(src, Format::Json).unwrap();
    assert_eq!(
        docs[0].as_ca_roots().unwrap().trust_domain,
        "7f3a0c1e-1111-2222-3333-444455556666.consul"
    );
}

/// An agent file's list of services is read element by element (each part of the tree
/// dropped once its service is built): the agent's own document still comes first, then
/// the services in order, then the bootstrap entries, and the problems come in source
/// order with their indexes, elements that are no map first (as Consul's decoder finds
/// them), past the first few hundred elements too.
#[test]
fn an_agent_files_long_list_of_services_keeps_its_order_and_paths() {
    let mut services: Vec<String> = (0..600)
        .map(|i| format!(r#"{{"name": "s{i}", "port": {}}}"#, 1000 + i))
        .collect();
    services[3] = "5".to_owned();
    services[300] = r#"{"name": "bad", "port": 70000}"#.to_owned();
    services[599] = r#"{"name": "last", "prot": 1}"#.to_owned();
    let src = format!(
        r#"{{"datacenter": "dc1", "service": {{"name": "one"}}, "services": [{}],
            "config_entries": {{"bootstrap": [{{"Kind": "proxy-defaults", "Name": "global"}}]}}}}"#,
        services.join(",\n")
    );
    let loaded = meshroute::Loader::new().load_str(&src, Format::Json, None);
    let problems: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.line(), d.path(), d.message()))
        .collect();
    assert_eq!(
        problems,
        [
            (
                4,
                "services[3]",
                "expected a map or block, found the number 5"
            ),
            (
                301,
                "services[300].port",
                "70000 is out of range for a port (0 to 65535)"
            ),
            (600, "services[599].prot", r#"invalid config key "prot""#),
        ]
    );
    let kinds: Vec<_> = loaded.documents.iter().map(Document::kind).collect();
    assert_eq!(kinds.len(), 1 + 1 + 597 + 1);
    assert_eq!(kinds[0], "agent");
    assert_eq!(kinds[599], "proxy-defaults");
    let names: Vec<_> = loaded.documents[1..599]
        .iter()
        .map(|d| d.as_service().unwrap().name.as_str())
        .collect();
    assert_eq!(names[..4], ["one", "s0", "s1", "s2"]);
    assert_eq!(names[4], "s4");
    assert!(!names.contains(&"bad") && !names.contains(&"last"));
}
