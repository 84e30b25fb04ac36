//! The discovery chain's entries and `exported-services`: decoded from HCL, JSON and YAML
//! alike, with Consul's validation texts, key paths and lines.
#![cfg(feature = "yaml")]

use meshroute::{ConfigEntry, Format, Loader};

const RESOLVER_HCL: &str = r#"
Kind          = "service-resolver"
Name          = "api"
DefaultSubset = "v1"
ConnectTimeout = "15s"
Subsets = {
  v1 = {
    Filter = "Service.Meta.version == 1"
  }
  v2 = {
    Filter      = "Service.Meta.version == 2"
    OnlyPassing = true
  }
}
Failover = {
  "*" = {
    Datacenters = ["dc2", "dc3"]
  }
  v2 = {
    Targets = [
      { Peer = "partner" },
      { Service = "api-backup", Datacenter = "dc2" },
    ]
  }
}
"#;

const RESOLVER_JSON: &str = r#"{
  "Kind": "service-resolver",
  "Name": "api",
  "DefaultSubset": "v1",
  "ConnectTimeout": "15s",
  "Subsets": {
    "v1": {"Filter": "Service.Meta.version == 1"},
    "v2": {"Filter": "Service.Meta.version == 2", "OnlyPassing": true}
  },
  "Failover": {
    "*": {"Datacenters": ["dc2", "dc3"]},
    "v2": {"Targets": [{"Peer": "partner"}, {"Service": "api-backup", "Datacenter": "dc2"}]}
  }
}"#;

const RESOLVER_YAML: &str = r#"
kind: service-resolver
name: api
default_subset: v1
connect_timeout: 15s
subsets:
  v1:
    filter: Service.Meta.version == 1
  v2:
    filter: Service.Meta.version == 2
    only_passing: true
failover:
  "*":
    datacenters: [dc2, dc3]
  v2:
    targets:
      - peer: partner
      - service: api-backup
        datacenter: dc2
"#;

fn entry(src: &str, format: Format) -> ConfigEntry {
    let loaded = Loader::new().load_str(src, format, None);
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    loaded.documents[0].as_config_entry().unwrap().clone()
}

/// The errors of `src`: (line, path, message).
fn errors(src: &str, format: Format) -> Vec<(u32, String, String)> {
    let loaded = Loader::new().load_str(src, format, None);
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.line(), d.path().to_owned(), d.message().to_owned()))
        .collect()
}

#[test]
fn a_resolver_reads_the_same_in_every_format() {
    let hcl = entry(RESOLVER_HCL, Format::Hcl);
    let ConfigEntry::ServiceResolver(r) = &hcl else {
        panic!("{hcl:?}")
    };
    assert_eq!(r.default_subset, "v1");
    assert_eq!(r.subsets.keys().collect::<Vec<_>>(), ["v1", "v2"]);
    assert!(r.subsets["v2"].only_passing);
    assert_eq!(r.failover["*"].datacenters, ["dc2", "dc3"]);
    assert_eq!(r.failover["v2"].targets[0].peer, "partner");
    assert_eq!(r.failover["v2"].targets[1].service, "api-backup");
    assert_eq!(r.failover["v2"].targets[1].pos.line, 22);
    let json = serde_json::to_value(&hcl).unwrap();
    assert_eq!(json["Subsets"]["v1"]["Filter"], "Service.Meta.version == 1");
    assert_eq!(json["ConnectTimeout"], "15s");
    for (src, format) in [(RESOLVER_JSON, Format::Json), (RESOLVER_YAML, Format::Yaml)] {
        let other = serde_json::to_value(entry(src, format)).unwrap();
        assert_eq!(other, json, "{format:?}");
    }
}

#[test]
fn routers_splitters_and_exports_read() {
    let router = r#"
Kind = "service-router"
Name = "web"
Routes = [
  {
    Match { HTTP { PathPrefix = "/admin" } }
    Destination {
      Service       = "admin"
      PrefixRewrite = "/"
      NumRetries    = 3
    }
  },
]
"#;
    let ConfigEntry::ServiceRouter(r) = entry(router, Format::Hcl) else {
        panic!()
    };
    let d = r.routes[0].destination.as_ref().unwrap();
    assert_eq!(d.service, "admin");
    assert_eq!(d.other["NumRetries"], 3);
    assert!(r.routes[0].r#match.is_some());
    let splitter = "Kind: service-splitter\nName: web\nSplits:\n  - Weight: 90\n    ServiceSubset: v1\n  - Weight: 10.5\n    ServiceSubset: v2\n  - weight: -0.5\n    service_subset: v3\n";
    let ConfigEntry::ServiceSplitter(s) = entry(splitter, Format::Yaml) else {
        panic!()
    };
    let weights: Vec<f32> = s.splits.iter().map(|x| x.weight).collect();
    assert_eq!(weights, [90.0, 10.5, -0.5]);
    let exports = r#"{"Kind": "exported-services", "Name": "default",
      "Services": [{"Name": "api", "Consumers": [{"Peer": "east"}, {"PeerName": "west"}, {"SamenessGroup": "g"}]}]}"#;
    let ConfigEntry::ExportedServices(e) = entry(exports, Format::Json) else {
        panic!()
    };
    let peers: Vec<&str> = e.services[0]
        .consumers
        .iter()
        .map(|c| c.peer.as_str())
        .collect();
    assert_eq!(peers, ["east", "west", ""]);
}

#[test]
fn unknown_keys_and_wrong_types_are_errors_with_their_paths() {
    let src = "Kind = \"service-resolver\"\nName = \"api\"\nRedirect {\n  Service = \"b\"\n  Datacentre = \"dc2\"\n}\n";
    let e = errors(src, Format::Hcl);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].0, e[0].1.as_str()), (5, "Redirect.Datacentre"));
    assert_eq!(e[0].2, "invalid config key \"Datacentre\"");
    let src = "Kind: service-splitter\nName: web\nSplits:\n  - Weight: \"100\"\n";
    let e = errors(src, Format::Yaml);
    assert_eq!(e[0].1, "Splits[0].Weight");
    assert_eq!(e[0].2, "expected a number, found the string \"100\"");
}

#[test]
fn consuls_validation_rules_with_its_texts() {
    let cases: &[(&str, u32, &str, &str)] = &[
        (
            "Kind: service-resolver\nName: api\nDefaultSubset: v9\nSubsets:\n  v1: {}\n",
            1,
            "",
            "DefaultSubset \"v9\" is not a valid subset",
        ),
        (
            "Kind: service-resolver\nName: api\nSubsets:\n  V1: {}\n",
            1,
            "",
            "Subset \"V1\" is invalid: must be 63 characters or fewer, begin or end with lower case alphanumeric characters, and contain lower case alphanumeric characters or '-' in between",
        ),
        (
            "Kind: service-resolver\nName: api\nRedirect:\n  ServiceSubset: v1\n",
            4,
            "Redirect",
            "Redirect.ServiceSubset defined without Redirect.Service",
        ),
        (
            "Kind: service-resolver\nName: api\nFailover:\n  v1:\n    Datacenters: [dc2]\n",
            5,
            "Failover",
            "Bad Failover[\"v1\"]: not a valid subset subset",
        ),
        (
            "Kind: service-resolver\nName: api\nFailover:\n  '*':\n    Targets:\n      - Peer: p\n        Datacenter: dc2\n",
            6,
            "Failover",
            "Bad Failover[\"*\"].Targets[0]: Peer cannot be set with Datacenter",
        ),
        (
            "Kind: service-splitter\nName: web\nSplits:\n  - Weight: 60\n  - Weight: 30\n    Service: other\n",
            1,
            "Splits",
            "the sum of all split weights must be 100, not 90.000000",
        ),
        (
            "Kind: service-splitter\nName: web\nSplits:\n  - Weight: 50\n  - Weight: 50\n",
            5,
            "Splits",
            "split destination occurs more than once: service=\"web\", subset=\"\", namespace=\"\", partition=\"\"",
        ),
        (
            "Kind: exported-services\nName: default\nServices:\n  - Name: api\n    Consumers:\n      - Peer: '*'\n",
            4,
            "Services",
            "Services[0].Consumers[0]: exporting to all peers (wildcard) is not supported",
        ),
        ("Kind: service-router\n", 1, "", "Name is required"),
    ];
    for (src, line, path, message) in cases {
        let e = errors(src, Format::Yaml);
        assert!(
            e.iter()
                .any(|(l, p, m)| l == line && p == path && m == message),
            "{src}\n{e:?}"
        );
    }
}

#[test]
fn a_null_map_or_list_is_an_empty_one_as_in_consul() {
    // A saved `GET /v1/config/proxy-defaults/global` response.
    let src = r#"{"Kind": "proxy-defaults", "Name": "global", "Config": null, "TransparentProxy": {},
      "MeshGateway": {"Mode": "local"}, "Expose": {}, "Meta": null, "CreateIndex": 5, "ModifyIndex": 5}"#;
    let ConfigEntry::ProxyDefaults(pd) = entry(src, Format::Json) else {
        panic!()
    };
    assert_eq!(pd.config, None);
    assert!(pd.meta.is_empty());
    let src = r#"{"Kind": "exported-services", "Name": "default", "Services": null}"#;
    let ConfigEntry::ExportedServices(e) = entry(src, Format::Json) else {
        panic!()
    };
    assert!(e.services.is_empty());
}
