//! Consul on Kubernetes: multi-document manifests, consul-k8s's custom resources with its
//! webhook's rules, annotated workloads registered as the injector registers them, and Helm
//! values as the datacenter's agent facts. The behaviour is described from consul-k8s's
//! source case by case; every manifest here is our own.
#![cfg(feature = "yaml")]

use std::fmt::Write as _;
use std::path::Path;

use meshroute::{
    Content, Diagnostic, DiagnosticKind, Document, Format, Loaded, Loader, MeshGatewayMode,
    ServiceKind, Severity,
};

fn load(src: &str) -> Loaded {
    Loader::new().load_str(src, Format::Yaml, Some(Path::new("k8s/app.yaml")))
}

fn errors(l: &Loaded) -> Vec<&Diagnostic> {
    l.diagnostics.iter().filter(|d| d.is_error()).collect()
}

fn of(l: &Loaded, severity: Severity) -> Vec<&Diagnostic> {
    l.diagnostics
        .iter()
        .filter(|d| d.severity() == severity)
        .collect()
}

/// The only error of `src`, which must contain `text`.
fn only_error(src: &str, text: &str) -> Diagnostic {
    let l = load(src);
    let e = errors(&l);
    assert_eq!(e.len(), 1, "{:#?}", l.diagnostics);
    assert!(e[0].message().contains(text), "{}", e[0]);
    e[0].clone()
}

fn services(l: &Loaded) -> Vec<&meshroute::ServiceDefinition> {
    l.documents
        .iter()
        .filter_map(Document::as_service)
        .collect()
}

// ---------------------------------------------------------------------------------------
// Streams and manifests that are not Consul's.

const STREAM: &str = "\
# three documents and an empty one, as kubectl apply -f reads them
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
---
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ProxyDefaults
metadata:
  name: global
spec:
  meshGateway:
    mode: Local
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: edge
";

#[test]
fn positions_name_the_file_the_document_and_the_line() {
    let l = load(STREAM);
    let e = errors(&l);
    assert_eq!(e.len(), 1, "{:#?}", l.diagnostics);
    let d = e[0];
    assert_eq!(d.file(), Some(Path::new("k8s/app.yaml")));
    assert_eq!(
        d.document(),
        Some(3),
        "the empty second document still counts"
    );
    assert_eq!((d.line(), d.path()), (14, "spec.meshGateway.mode"));
    assert_eq!(
        d.to_string(),
        "k8s/app.yaml:14:11: document 3: spec.meshGateway.mode: proxydefaults.consul.hashicorp.com \"global\" is invalid: spec.meshGateway.mode: Invalid value: \"Local\": must be one of \"remote\", \"local\", \"none\", \"\""
    );
    let json = serde_json::to_value(d).unwrap();
    assert_eq!(json["document"], 3);
    assert_eq!(json["line"], 14);
}

#[test]
fn manifests_that_are_not_consuls_are_notes_never_errors() {
    let l = load(&STREAM.replace("Local", "local"));
    assert!(!l.has_errors(), "{:#?}", l.diagnostics);
    let notes = of(&l, Severity::Note);
    let texts: Vec<String> = notes.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [
            "k8s/app.yaml:2:1: document 1: ConfigMap \"settings\" (v1) is not a Consul resource: skipped",
            "k8s/app.yaml:16:1: document 4: Ingress \"edge\" (networking.k8s.io/v1) is not a Consul resource: skipped",
        ]
    );
    assert!(notes.iter().all(|d| d.kind() == DiagnosticKind::Skipped));
    assert_eq!(l.documents.len(), 1);
    assert_eq!(l.documents[0].kind(), "proxy-defaults");
    // One document: no document number.
    let l = load("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n");
    assert_eq!(l.diagnostics[0].document(), None);
}

#[test]
fn services_and_service_accounts_are_read_silently_and_lists_item_by_item() {
    let src = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: web
- apiVersion: v1
  kind: Service
  metadata:
    name: web
  spec:
    selector:
      app: web
- apiVersion: consul.hashicorp.com/v1alpha1
  kind: ServiceDefaults
  metadata:
    name: web
  spec:
    protocol: http2x
";
    let l = load(src);
    let e = errors(&l);
    assert_eq!(e.len(), 1, "{:#?}", l.diagnostics);
    assert_eq!(e[0].path(), "items[2].spec.protocol");
    assert_eq!(
        e[0].message(),
        "servicedefaults.consul.hashicorp.com \"web\" is invalid: spec.protocol: Invalid value: \"http2x\": must be one of \"tcp\", \"http\", \"http2\", \"grpc\""
    );
    assert!(of(&l, Severity::Note).is_empty());
}

// ---------------------------------------------------------------------------------------
// Custom resources and the admission webhook.

fn crd(kind: &str, name: &str, spec: &str) -> String {
    format!(
        "apiVersion: consul.hashicorp.com/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: apps\nspec:\n{spec}"
    )
}

#[test]
fn proxy_defaults_is_the_config_entry_and_must_be_global() {
    let l = load(&crd(
        "ProxyDefaults",
        "global",
        "  meshGateway:\n    mode: remote\n  config:\n    protocol: http\n",
    ));
    assert!(!l.has_errors(), "{:#?}", l.diagnostics);
    let meshroute::ConfigEntry::ProxyDefaults(pd) = l.documents[0].as_config_entry().unwrap()
    else {
        panic!()
    };
    assert_eq!(pd.name, "global");
    assert_eq!(pd.mesh_gateway.mode, MeshGatewayMode::Remote);
    assert_eq!(pd.config.as_ref().unwrap().get("protocol").unwrap(), "http");
    let d = only_error(
        &crd(
            "ProxyDefaults",
            "defaults",
            "  meshGateway:\n    mode: local\n",
        ),
        "proxydefaults resource name must be \"global\"",
    );
    assert_eq!((d.line(), d.path()), (4, "metadata.name"));
}

#[test]
fn unknown_fields_are_strict_decoding_errors() {
    let d = only_error(
        &crd(
            "ServiceDefaults",
            "web",
            "  meshGateway:\n    Mode: local\n",
        ),
        "strict decoding error: unknown field \"spec.meshGateway.Mode\"",
    );
    assert_eq!((d.line(), d.path()), (8, "spec.meshGateway.Mode"));
    assert_eq!(d.kind(), DiagnosticKind::UnknownKey);
    // A config entry's own key is not a field of the resource.
    only_error(
        &crd("ServiceDefaults", "web", "  name: web\n"),
        "unknown field \"spec.name\"",
    );
    only_error(
        &format!(
            "{}extra: 1\n",
            crd("Mesh", "mesh", "  validateClusters: true\n")
        ),
        "unknown field \"extra\"",
    );
}

#[test]
fn the_webhook_rules_with_their_texts() {
    let cases = [
        (
            crd(
                "ServiceDefaults",
                "web",
                "  meshGateway:\n    mode: Remote\n",
            ),
            "spec.meshGateway.mode",
            "servicedefaults.consul.hashicorp.com \"web\" is invalid: spec.meshGateway.mode: Invalid value: \"Remote\": must be one of \"remote\", \"local\", \"none\", \"\"",
        ),
        (
            crd("ServiceDefaults", "web", "  mode: transparent\n"),
            "spec.mode",
            "Invalid value: \"transparent\": use the annotation `consul.hashicorp.com/transparent-proxy` to configure the Transparent Proxy Mode",
        ),
        (
            crd("ProxyDefaults", "global", "  mutualTLSMode: lax\n"),
            "spec.mutualTLSMode",
            "Invalid value: \"lax\": Must be one of \"\", \"strict\", or \"permissive\".",
        ),
        (
            crd(
                "ServiceDefaults",
                "web",
                "  upstreamConfig:\n    overrides:\n    - meshGateway:\n        mode: local\n",
            ),
            "spec.upstreamConfig.overrides[0].name",
            "upstream.name for an override upstream cannot be \"\"",
        ),
        (
            crd(
                "ServiceDefaults",
                "web",
                "  upstreamConfig:\n    defaults:\n      name: api\n",
            ),
            "spec.upstreamConfig.defaults.name",
            "Invalid value: \"api\": upstream.name for a default upstream must be \"\"",
        ),
        (
            crd(
                "ServiceDefaults",
                "web",
                "  upstreamConfig:\n    overrides:\n    - name: api\n      partition: p1\n",
            ),
            "spec.upstreamConfig.overrides[0].partition",
            "Consul Enterprise Admin Partitions must be enabled to set upstream.partition",
        ),
        (
            crd(
                "ServiceDefaults",
                "web",
                "  upstreamConfig:\n    overrides:\n    - name: api\n      meshGateway:\n        mode: locl\n",
            ),
            "spec.upstreamConfig.overrides[0].meshGateway.mode",
            "Invalid value: \"locl\": must be one of",
        ),
        (
            crd("ServiceDefaults", "web", "  maxInboundConnections: -1\n"),
            "spec.maxinboundconnections",
            "Invalid value: -1: MaxInboundConnections must be > 0",
        ),
        (
            crd(
                "Mesh",
                "mesh",
                "  tls:\n    incoming:\n      tlsMinVersion: TLSv9\n",
            ),
            "spec.tls.incoming.tlsMinVersion",
            "mesh.consul.hashicorp.com \"mesh\" is invalid: spec.tls.incoming.tlsMinVersion: Invalid value: \"TLSv9\"",
        ),
        (
            crd("Mesh", "default", "  validateClusters: true\n"),
            "metadata.name",
            "mesh resource name must be \"mesh\"",
        ),
        (
            crd(
                "ExportedServices",
                "exports",
                "  services:\n  - name: api\n    consumers:\n    - peer: p1\n",
            ),
            "metadata.name",
            "exportedservices resource name must be \"default\"",
        ),
        (
            crd(
                "ExportedServices",
                "default",
                "  services:\n  - name: api\n",
            ),
            "spec.services[0]",
            "service must have at least 1 consumer.",
        ),
        (
            crd(
                "ExportedServices",
                "default",
                "  services:\n  - name: api\n    consumers:\n    - peer: p1\n      partition: x\n",
            ),
            "spec.services[0].consumers[0]",
            "service consumer must define at most one of Peer, Partition, or SamenessGroup",
        ),
        (
            crd(
                "ExportedServices",
                "default",
                "  services:\n  - name: api\n    consumers:\n    - peer: \"*\"\n",
            ),
            "spec.services[0].consumers[0].peer",
            "exporting to all peers (wildcard) is not supported",
        ),
    ];
    for (src, path, text) in cases {
        let d = only_error(&src, text);
        assert_eq!(d.path(), path, "{d}");
        assert!(d.line() > 0, "{d}");
    }
}

#[test]
fn other_consul_resources_are_recognised_and_skipped() {
    let l = load(&crd(
        "ServiceIntentions",
        "web",
        "  destination:\n    name: web\n",
    ));
    assert!(!l.has_errors());
    let n = of(&l, Severity::Note);
    assert_eq!(n.len(), 1);
    assert!(
        n[0].message()
            .starts_with("ServiceIntentions \"web\" (consul.hashicorp.com/v1alpha1) is consul-k8s's, but not one meshroute reads"),
        "{}",
        n[0]
    );
    let d = only_error(
        &crd(
            "ProxyDefaults",
            "global",
            "  meshGateway:\n    mode: local\n",
        )
        .replace("v1alpha1", "v2beta1"),
        "consul-k8s serves ProxyDefaults only as consul.hashicorp.com/v1alpha1",
    );
    assert_eq!(d.line(), 1);
}

#[test]
fn mesh_and_exported_services_become_the_entries_consul_is_written() {
    let l = load(&crd(
        "Mesh",
        "mesh",
        "  peering:\n    peerThroughMeshGateways: true\n  tls:\n    incoming:\n      tlsMinVersion: TLSv1_2\n",
    ));
    assert!(!l.has_errors(), "{:#?}", l.diagnostics);
    assert_eq!(
        l.documents[0].to_json(),
        serde_json::json!({
            "Kind": "mesh",
            "Peering": {"PeerThroughMeshGateways": true},
            "TLS": {"Incoming": {"TLSMinVersion": "TLSv1_2"}},
        })
    );
    let l = load(&crd(
        "ExportedServices",
        "default",
        "  services:\n  - name: api\n    consumers:\n    - peer: west\n",
    ));
    assert_eq!(
        l.documents[0].to_json(),
        serde_json::json!({
            "Kind": "exported-services",
            "Name": "default",
            "Services": [{"Name": "api", "Consumers": [{"Peer": "west"}]}],
        })
    );
}

#[test]
fn cluster_wide_webhook_rules_span_documents() {
    let two = format!(
        "{}---\n{}",
        crd(
            "ProxyDefaults",
            "global",
            "  meshGateway:\n    mode: local\n"
        ),
        crd(
            "ProxyDefaults",
            "global",
            "  meshGateway:\n    mode: remote\n"
        )
        .replace("namespace: apps", "namespace: other"),
    );
    let d = only_error(
        &two,
        "proxydefaults resource already defined - only one global entry is supported",
    );
    assert_eq!(
        (d.document(), d.line(), d.path()),
        (Some(2), 13, "metadata.name")
    );
    let two = format!(
        "{}---\n{}",
        crd("ServiceDefaults", "web", "  protocol: http\n"),
        crd("ServiceDefaults", "web", "  protocol: grpc\n")
            .replace("namespace: apps", "namespace: other"),
    );
    only_error(
        &two,
        "servicedefaults resource with name \"web\" is already defined – all servicedefaults resources must have unique names across namespaces",
    );
    // With Consul namespaces mirrored, each Kubernetes namespace is its own.
    let mirrored = format!("global:\n  enableConsulNamespaces: true\n---\n{two}");
    let l = load(&mirrored);
    assert!(!l.has_errors(), "{:#?}", l.diagnostics);
}

// ---------------------------------------------------------------------------------------
// Annotated workloads.

const WEB: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: frontend
  namespace: shop
spec:
  selector:
    app: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  template:
    metadata:
      labels:
        app: web
      annotations:
        consul.hashicorp.com/connect-inject: \"true\"
        consul.hashicorp.com/connect-service-upstreams: \"api:9090:dc2, cache.svc:7000:mesh_gateway_mode=none, prepared_query:geo:7001\"
    spec:
      serviceAccountName: frontend
      containers:
      - name: web
        ports:
        - name: http
          containerPort: 8080
";

#[test]
fn an_injected_deployment_is_a_service_and_its_connect_proxy() {
    let l = load(WEB);
    assert!(!l.has_errors(), "{:#?}", l.diagnostics);
    let s = services(&l);
    assert_eq!(s.len(), 2);
    let (svc, proxy) = (s[0], s[1]);
    // Named after the Kubernetes Service that selects the pods; the workload's name stands
    // for the pod's in the IDs.
    assert_eq!(
        (svc.name.as_str(), svc.service_id()),
        ("frontend", "web-frontend")
    );
    assert_eq!(svc.port, Some(8080), "the first container's first port");
    assert_eq!(svc.kind, ServiceKind::Typical);
    assert_eq!(proxy.kind, ServiceKind::ConnectProxy);
    assert_eq!(
        (proxy.name.as_str(), proxy.service_id(), proxy.port),
        (
            "frontend-sidecar-proxy",
            "web-frontend-sidecar-proxy",
            Some(20000)
        )
    );
    let p = proxy.proxy.as_ref().unwrap();
    assert_eq!(p.destination_service_name.as_deref(), Some("frontend"));
    assert_eq!(p.destination_service_id.as_deref(), Some("web-frontend"));
    assert_eq!(p.local_service_port, Some(8080));
    let ups: Vec<(&str, Option<&str>, MeshGatewayMode)> = p
        .upstreams
        .iter()
        .map(|u| {
            (
                u.destination_name.as_str(),
                u.datacenter.as_deref(),
                u.mesh_gateway.mode,
            )
        })
        .collect();
    assert_eq!(
        ups,
        [
            ("api", Some("dc2"), MeshGatewayMode::Default),
            ("cache", None, MeshGatewayMode::None),
            ("geo", None, MeshGatewayMode::Default),
        ]
    );
    assert_eq!(p.upstreams[0].pos.line, 23, "at the annotation");
    assert_eq!(svc.meta["k8s-namespace"], "shop");
    assert_eq!(svc.namespace, None, "Consul CE: no namespaces");
}

#[test]
fn the_service_name_comes_from_the_annotation_else_the_service_else_the_workload() {
    let named = WEB.replace(
        "        consul.hashicorp.com/connect-inject: \"true\"",
        "        consul.hashicorp.com/connect-inject: \"true\"\n        consul.hashicorp.com/connect-service: storefront",
    );
    assert_eq!(services(&load(&named))[0].name, "storefront");
    let alone = WEB.split("---\n").nth(1).unwrap();
    let l = load(alone);
    assert_eq!(services(&l)[0].name, "web");
    let n = of(&l, Severity::Note);
    assert!(
        n[0].message().starts_with(
            "no Kubernetes Service in this file selects the pods of Deployment \"web\""
        ),
        "{}",
        n[0]
    );
}

#[test]
fn upstream_errors_reject_the_pod_with_consul_k8s_texts() {
    let bad = WEB.replace("api:9090:dc2", "api.svc.ns1.ns:9090, db:zero");
    let l = load(&bad);
    let e: Vec<&str> = errors(&l).iter().map(|d| d.message()).collect();
    assert_eq!(
        e,
        [
            "upstream structured incorrectly: api.svc.ns1.ns:9090",
            "invalid upstream local bind port \"zero\" in \"db:zero\"",
        ]
    );
    assert!(
        services(&l).is_empty(),
        "consul-k8s registers nothing for the pod"
    );
    let d = errors(&l)[0];
    assert_eq!(
        (d.line(), d.path()),
        (
            23,
            "spec.template.metadata.annotations.consul.hashicorp.com/connect-service-upstreams"
        )
    );
    // Consul's own rules on the registration, at the annotation.
    let dup = WEB.replace("api:9090:dc2", "api:9090:dc2, api:9091:dc2");
    only_error(
        &dup,
        "upstreams cannot contain duplicates of [type=\"service\", name=\"api\"",
    );
    let peer_dc = WEB.replace("api:9090:dc2", "api.svc.p1.peer:9090:dc=dc2");
    only_error(
        &peer_dc,
        "upstream cannot specify both destination peer and datacenter",
    );
}

#[test]
fn the_injector_decides_which_pods_it_injects() {
    let off = WEB.replace("connect-inject: \"true\"", "connect-inject: \"false\"");
    let l = load(&off);
    assert!(services(&l).is_empty());
    assert!(
        of(&l, Severity::Note)[0]
            .message()
            .contains("is not injected")
    );
    let d = only_error(
        &WEB.replace("connect-inject: \"true\"", "connect-inject: \"yes\""),
        "error checking if should inject: strconv.ParseBool: parsing \"yes\": invalid syntax",
    );
    assert_eq!(d.line(), 22);
    only_error(
        &WEB.replace(
            "        consul.hashicorp.com/connect-inject: \"true\"",
            "        consul.hashicorp.com/connect-inject: \"T\"\n        consul.hashicorp.com/transparent-proxy: \"on\"",
        ),
        "error determining if transparent proxy is enabled: strconv.ParseBool: parsing \"on\": invalid syntax",
    );
    // System namespaces are never injected, and connectInject.default injects without the
    // annotation.
    let system = WEB.replace("namespace: shop", "namespace: kube-system");
    assert!(services(&load(&system)).is_empty());
    let unannotated = WEB.replace(
        "        consul.hashicorp.com/connect-inject: \"true\"\n",
        "",
    );
    assert!(services(&load(&unannotated)).is_empty());
    let by_default = format!("connectInject:\n  default: true\n---\n{unannotated}");
    assert_eq!(services(&load(&by_default)).len(), 2);
}

#[test]
fn managed_acls_need_the_service_account_to_carry_the_service_name() {
    let acls = format!("global:\n  acls:\n    manageSystemACLs: true\n---\n{WEB}");
    assert!(!load(&acls).has_errors());
    let other = acls.replace("serviceAccountName: frontend", "serviceAccountName: web-sa");
    let d = only_error(
        &other,
        "service account name web-sa doesn't match Consul service name frontend",
    );
    assert_eq!(d.path(), "spec.template.spec.serviceAccountName");
}

#[test]
fn namespaces_and_partitions_change_how_upstreams_and_names_are_read() {
    let ent = format!(
        "global:\n  enableConsulNamespaces: true\n  adminPartitions:\n    enabled: true\n    name: p1\nconnectInject:\n  consulNamespaces:\n    mirroringK8SPrefix: k8s-\n---\n{}",
        WEB.replace("api:9090:dc2", "api.team.ap2:9090")
    );
    let l = load(&ent);
    assert!(!l.has_errors(), "{:#?}", l.diagnostics);
    let s = services(&l);
    let proxy = s
        .iter()
        .find(|s| s.kind == ServiceKind::ConnectProxy)
        .unwrap();
    assert_eq!(
        proxy.namespace.as_deref(),
        Some("k8s-shop"),
        "mirrored with the prefix"
    );
    let u = &proxy.proxy.as_ref().unwrap().upstreams[0];
    assert_eq!(
        (
            u.destination_name.as_str(),
            u.destination_namespace.as_deref(),
            u.destination_partition.as_deref()
        ),
        ("api", Some("team"), Some("ap2"))
    );
}

#[test]
fn an_unreadable_service_port_is_skipped_with_a_warning() {
    let bad = WEB.replace(
        "        consul.hashicorp.com/connect-inject: \"true\"",
        "        consul.hashicorp.com/connect-inject: \"true\"\n        consul.hashicorp.com/connect-service-port: \"web, 0x1F90\"",
    );
    let l = load(&bad);
    assert!(!l.has_errors());
    assert_eq!(services(&l)[0].port, Some(8080), "0x1F90, as Go reads it");
    let w = of(&l, Severity::Warning);
    assert!(
        w[0].message().starts_with("\"web\" is neither the name of a container port nor a number (strconv.ParseInt: parsing \"web\": invalid syntax)"),
        "{}",
        w[0]
    );
}

#[test]
fn old_injectors_wanted_proxy_defaults_for_a_datacenter_upstream() {
    let l = load(WEB);
    let w = of(&l, Severity::Warning);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(
        w[0].message().starts_with(
            "upstream \"api:9090:dc2\" is invalid: there is no ProxyDefaults config to set mesh gateway mode (consul-k8s 0.21 to 1.x"
        ),
        "{}",
        w[0]
    );
    let none = format!(
        "{}---\n{WEB}",
        crd(
            "ProxyDefaults",
            "global",
            "  meshGateway:\n    mode: none\n"
        )
    );
    let w = load(&none);
    let w = of(&w, Severity::Warning);
    assert!(
        w[0].message()
            .contains("ProxyDefaults mesh gateway mode is neither \"local\" nor \"remote\"")
    );
    let local = none.replace("mode: none", "mode: local");
    assert!(of(&load(&local), Severity::Warning).is_empty());
}

// ---------------------------------------------------------------------------------------
// Helm values.

const VALUES: &str = "\
global:
  datacenter: East-1
  tls:
    enabled: true
  acls:
    manageSystemACLs: true
  federation:
    enabled: true
    primaryDatacenter: west
    primaryGateways: [\"198.18.1.10:443\"]
meshGateway:
  enabled: true
  replicas: 2
  wanAddress:
    source: Static
    static: 198.18.2.10
";

#[test]
fn helm_values_are_the_datacenters_agent_facts() {
    let l = load(VALUES);
    assert!(!l.has_errors(), "{:#?}", l.diagnostics);
    let agent = l.documents[0].as_agent().unwrap();
    assert_eq!(agent.datacenter.as_deref(), Some("east-1"));
    assert_eq!(agent.server, Some(true));
    assert_eq!(agent.primary_datacenter.as_deref(), Some("west"));
    assert_eq!(agent.primary_gateways, ["198.18.1.10:443"]);
    let connect = agent.connect.as_ref().unwrap();
    assert_eq!(
        (connect.enabled, connect.enable_mesh_gateway_wan_federation),
        (Some(true), Some(true))
    );
    let ports = agent.ports.as_ref().unwrap();
    assert_eq!(
        (ports.grpc, ports.grpc_tls),
        (Some(-1), Some(8502)),
        "TLS: gRPC over TLS"
    );
    assert_eq!(agent.acl.as_ref().unwrap().enabled, Some(true));
    assert_eq!(agent.pos_of("datacenter").line, 2);
    assert_eq!(agent.pos_of("acl").line, 6);
    let gateways: Vec<_> = l.documents[1..]
        .iter()
        .filter_map(Document::as_service)
        .collect();
    assert_eq!(gateways.len(), 2, "one per replica");
    let g = gateways[0];
    assert_eq!(g.kind, ServiceKind::MeshGateway);
    assert_eq!((g.name.as_str(), g.port), ("mesh-gateway", Some(8443)));
    assert_eq!(
        g.address, None,
        "the pod's address is known only at run time"
    );
    let wan = &g.tagged_addresses["wan"];
    assert_eq!((wan.address.as_str(), wan.port), ("198.18.2.10", 443));
    assert_eq!(g.meta["consul-wan-federation"], "1");
    assert!(g.token.is_some(), "ACLs managed: the gateway logs in");
    assert!(matches!(l.documents[0].content, Content::Agent(_)));
}

#[test]
fn the_charts_own_rules_with_its_texts() {
    let cases = [
        (
            VALUES.replace("    enabled: true\n  acls", "    enabled: false\n  acls"),
            "If global.federation.enabled is true, global.tls.enabled must be true because federation is only supported with TLS enabled",
        ),
        (
            VALUES.replace(
                "meshGateway:\n  enabled: true",
                "meshGateway:\n  enabled: false",
            ),
            "If global.federation.enabled is true, meshGateway.enabled must be true because mesh gateways are required for federation",
        ),
        (
            VALUES.replace("    static: 198.18.2.10\n", ""),
            "if meshGateway.wanAddress.source=Static then meshGateway.wanAddress.static cannot be empty",
        ),
        (
            format!("{VALUES}  consulServiceName: gw\n"),
            "if global.acls.manageSystemACLs is true, meshGateway.consulServiceName cannot be set",
        ),
        (
            format!("{VALUES}connectInject:\n  enabled: false\n"),
            "connectInject.enabled must be true",
        ),
    ];
    for (src, text) in cases {
        only_error(&src, text);
    }
    let lb = VALUES.replace(
        "    source: Static\n    static: 198.18.2.10\n",
        "    source: Service\n",
    );
    let l = load(&lb);
    let w = of(&l, Severity::Warning);
    assert!(
        w[0].message().starts_with(
            "the mesh gateways register the load balancer's address as their WAN address"
        ),
        "{}",
        w[0]
    );
    assert_eq!(w[0].path(), "meshGateway.wanAddress.source");
}

#[test]
fn values_in_another_file_set_how_a_directory_is_read() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kubernetes/enterprise");
    let l = Loader::new().load_paths(&[&dir]);
    assert!(!l.has_errors(), "{:#?}", l.diagnostics);
    let proxy = services(&l)
        .into_iter()
        .find(|s| s.kind == ServiceKind::ConnectProxy)
        .unwrap();
    let u = &proxy.proxy.as_ref().unwrap().upstreams[0];
    assert_eq!(u.destination_namespace.as_deref(), Some("billing"));
    assert_eq!(
        proxy.namespace.as_deref(),
        Some("payments"),
        "not mirrored: the destination namespace"
    );
    // The chain's resources go to the same namespace, and a router's destinations without
    // one get it (consul-k8s's defaulting); one written stays.
    let router = l
        .documents
        .iter()
        .find_map(|d| match d.as_config_entry() {
            Some(meshroute::ConfigEntry::ServiceRouter(r)) => Some(r),
            _ => None,
        })
        .unwrap();
    assert_eq!(router.namespace.as_deref(), Some("payments"));
    let ns: Vec<&str> = router
        .routes
        .iter()
        .map(|r| r.destination.as_ref().unwrap().namespace.as_str())
        .collect();
    assert_eq!(ns, ["payments", "compliance"]);
}

#[test]
fn a_stream_of_more_than_a_thousand_documents_loads() {
    // serde-saphyr stops at 1,024 documents by default; a cluster's manifests hold more.
    let mut src = String::new();
    for i in 0..1500 {
        let _ = write!(
            src,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n"
        );
    }
    let l = load(&src);
    assert!(!l.has_errors(), "{:?}", l.diagnostics.first());
    let notes = of(&l, Severity::Note);
    assert_eq!(notes.len(), 1500);
    assert_eq!(
        (notes[1499].document(), notes[1499].line()),
        (Some(1500), 7497)
    );
}

// ---------------------------------------------------------------------------------------
// The discovery chain's resources.

#[test]
fn chain_resources_decode_as_their_config_entries_do() {
    let l = load(&crd(
        "ServiceResolver",
        "api",
        "  defaultSubset: v1\n  subsets:\n    v1:\n      filter: Service.Meta.version == 1\n  connectTimeout: 5s\n  failover:\n    \"*\":\n      targets:\n      - datacenter: dc2\n",
    ));
    assert!(!l.has_errors(), "{:#?}", l.diagnostics);
    let Some(meshroute::ConfigEntry::ServiceResolver(r)) = l.documents[0].as_config_entry() else {
        panic!("{:?}", l.documents)
    };
    assert_eq!(r.name, "api");
    assert_eq!(r.default_subset, "v1");
    assert_eq!(r.failover["*"].targets[0].datacenter, "dc2");
    // Without Consul namespaces the entry has no namespace (consul-k8s writes it to the
    // default one).
    assert_eq!(r.namespace, None);
    assert_eq!(r.pos.line, 1);
}

/// Each case: the resource, the only error's key path, its message in full.
fn chain_cases() -> Vec<(String, &'static str, String)> {
    let bad_dc = "cross-datacenter failover is only supported in the default partition";
    vec![
        // consul-k8s compares the cluster's partition with "default", and without admin
        // partitions it is empty: a failover by `datacenters` is refused (the text users
        // reported in hashicorp/consul#21683).
        (
            crd("ServiceResolver", "facts-api-backend", "  connectTimeout: 5s\n  failover:\n    '*':\n      datacenters: ['azure']\n"),
            "spec.failover.*.datacenters",
            format!("serviceresolver.consul.hashicorp.com \"facts-api-backend\" is invalid: spec.failover[*].datacenters: Invalid value: []string{{\"azure\"}}: {bad_dc}"),
        ),
        (
            crd("ServiceResolver", "api", "  failover:\n    v1: {}\n"),
            "spec.failover.v1",
            "serviceresolver.consul.hashicorp.com \"api\" is invalid: spec.failover[v1]: Invalid value: \"{}\": service, serviceSubset, namespace, datacenters, policy, and targets cannot all be empty at once".to_owned(),
        ),
        (
            crd("ServiceResolver", "api", "  failover:\n    \"*\":\n      service: web\n      targets:\n      - peer: east\n"),
            "spec.failover.*",
            r#"serviceresolver.consul.hashicorp.com "api" is invalid: spec.failover[*]: Invalid value: "{\"service\":\"web\",\"targets\":[{\"peer\":\"east\"}]}": targets cannot be set with service"#.to_owned(),
        ),
        (
            crd("ServiceResolver", "api", "  failover:\n    \"*\":\n      targets:\n      - peer: east\n        datacenter: dc2\n"),
            "spec.failover.*.targets[0]",
            r#"serviceresolver.consul.hashicorp.com "api" is invalid: spec.failover[*].targets[0]: Invalid value: "{\"datacenter\":\"dc2\",\"peer\":\"east\"}": target.peer cannot be set with target.datacenter"#.to_owned(),
        ),
        (
            crd("ServiceResolver", "api", "  redirect:\n    peer: east\n    serviceSubset: v1\n    service: api\n"),
            "spec.redirect",
            r#"serviceresolver.consul.hashicorp.com "api" is invalid: spec.redirect: Invalid value: "{\"service\":\"api\",\"serviceSubset\":\"v1\",\"peer\":\"east\"}": peer cannot be set with serviceSubset"#.to_owned(),
        ),
        (
            crd("ServiceResolver", "api", "  redirect: {}\n"),
            "spec.redirect",
            "serviceresolver.consul.hashicorp.com \"api\" is invalid: spec.redirect: Invalid value: \"{}\": service resolver redirect cannot be empty".to_owned(),
        ),
        (
            crd("ServiceResolver", "api", "  subsets:\n    V1:\n      onlyPassing: true\n"),
            "spec.subsets.V1",
            "serviceresolver.consul.hashicorp.com \"api\" is invalid: spec.subsets[V1]: Invalid value: \"V1\": subset name must begin or end with lower case alphanumeric characters, and contain lower case alphanumeric characters or '-' in between".to_owned(),
        ),
        (
            crd("ServiceResolver", "api", "  redirect:\n    service: web\n    namespace: other\n"),
            "spec.redirect.namespace",
            "serviceresolver.consul.hashicorp.com \"api\" is invalid: spec.redirect.namespace: Invalid value: \"other\": Consul Enterprise namespaces must be enabled to set redirect.namespace".to_owned(),
        ),
        (
            crd("ServiceResolver", "api", "  loadBalancer:\n    policy: ring_hash\n    hashPolicies:\n    - field: header\n      sourceIP: true\n"),
            "spec.loadBalancer.hashPolicies[0]",
            r#"serviceresolver.consul.hashicorp.com "api" is invalid: spec.loadBalancer.hashPolicies[0]: Invalid value: "{\"field\":\"header\",\"sourceIP\":true}": cannot set both field and sourceIP"#.to_owned(),
        ),
        (
            crd("ServiceRouter", "web", "  routes:\n  - destination:\n      service: api\n      prefixRewrite: /v2\n"),
            "spec.routes[0]",
            // The value quoted is cut past 64 characters, as every quoted value is (its
            // whole JSON is go_json's unit test).
            r#"servicerouter.consul.hashicorp.com "web" is invalid: spec.routes[0]: Invalid value: "{\"destination\":{\"service\":\"api\",\"prefixRewrite\":\"/v2\",\"idleTimeo…" (96 bytes): destination.prefixRewrite requires that either match.http.pathPrefix or match.http.pathExact be configured on this route"#.to_owned(),
        ),
        (
            crd("ServiceRouter", "web", "  routes:\n  - match:\n      http:\n        pathPrefix: api\n"),
            "spec.routes[0].match.http.pathPrefix",
            "servicerouter.consul.hashicorp.com \"web\" is invalid: spec.routes[0].match.http.pathPrefix: Invalid value: \"api\": must begin with a '/'".to_owned(),
        ),
        (
            crd("ServiceRouter", "web", "  routes:\n  - match:\n      http:\n        header:\n        - name: x-debug\n          exact: \"1\"\n          present: true\n"),
            "spec.routes[0].match.http.header[0]",
            r#"servicerouter.consul.hashicorp.com "web" is invalid: spec.routes[0].match.http.header[0]: Invalid value: "{\"name\":\"x-debug\",\"present\":true,\"exact\":\"1\"}": at most only one of exact, prefix, suffix, regex, or present may be configured"#.to_owned(),
        ),
        (
            crd("ServiceSplitter", "web", "  splits:\n  - weight: 50\n    service: web\n  - weight: 40.5\n    service: web-v2\n"),
            "spec.splits",
            r#"servicesplitter.consul.hashicorp.com "web" is invalid: spec.splits: Invalid value: "[{\"weight\":50,\"service\":\"web\"},{\"weight\":40.5,\"service\":\"web-v2\"…" (66 bytes): the sum of weights across all splits must add up to 100 percent, but adds up to 90.500000"#.to_owned(),
        ),
        (
            crd("ServiceRouter", "web", "  routes:\n  - destination:\n      service: api\n      partition: p1\n"),
            "spec.routes[0].destination.partition",
            "servicerouter.consul.hashicorp.com \"web\" is invalid: spec.routes[0].destination.partition: Invalid value: \"p1\": Consul Enterprise partitions must be enabled to set destination.partition".to_owned(),
        ),
        (
            crd("ServiceResolver", "api", "  failover:\n    \"*\":\n      service: api\n      namespace: other\n"),
            "spec.failover.*.namespace",
            "serviceresolver.consul.hashicorp.com \"api\" is invalid: spec.failover[*].namespace: Invalid value: \"other\": Consul Enterprise namespaces must be enabled to set failover.namespace".to_owned(),
        ),
        (
            crd("ServiceSplitter", "web", "  splits:\n  - weight: 100\n    service: web\n    namespace: other\n"),
            "spec.splits[0].namespace",
            "servicesplitter.consul.hashicorp.com \"web\" is invalid: spec.splits[0].namespace: Invalid value: \"other\": Consul Enterprise namespaces must be enabled to set split.namespace".to_owned(),
        ),
    ]
}

#[test]
fn chain_resources_meet_the_webhook_rules_with_their_texts() {
    for (src, path, text) in chain_cases() {
        let d = only_error(&src, &text);
        assert_eq!(d.message(), text, "{src}");
        assert_eq!(d.path(), path, "{d}");
        assert!(d.line() > 0, "{d}");
    }
}

/// What the webhook accepts and Consul refuses (a failover policy mode consul-k8s knows and
/// Consul does not) is still an error: the entry never reaches Consul.
#[test]
fn what_the_webhook_accepts_consul_may_still_refuse() {
    let d = only_error(
        &crd(
            "ServiceResolver",
            "api",
            "  failover:\n    \"*\":\n      service: api-backup\n      policy:\n        mode: sequential\n",
        ),
        "Policy must be one of '', 'default', or 'order-by-locality'",
    );
    assert!(
        d.message().contains("kubectl apply accepts the resource"),
        "{d}"
    );
    assert!(d.path().starts_with("spec.failover"), "{d}");
}

/// The cap on problems listed for a file spans the documents of its stream: one summary for
/// the file, after the last document's problems.
#[test]
fn problems_past_the_cap_are_counted_for_the_whole_stream() {
    let mut src = String::new();
    for i in 0..1100 {
        let _ = write!(
            src,
            "---\napiVersion: consul.hashicorp.com/v1alpha1\nkind: ServiceDefaults\nmetadata:\n  name: s{i}\nspec:\n  protocol: http9\n"
        );
    }
    let l = load(&src);
    let e = errors(&l);
    assert_eq!(e.len(), meshroute::load::MAX_DIAGNOSTICS_PER_FILE + 1);
    assert_eq!(e[999].document(), Some(1000));
    let last = e[1000];
    assert_eq!(
        last.message(),
        "100 more problems (100 errors, 0 warnings) not listed: at most 1000 are listed for one file"
    );
    assert_eq!(last.document(), None);
    assert_eq!(last.file(), Some(Path::new("k8s/app.yaml")));
}

/// A syntax error stops the whole stream, as it stops kubectl, and names its document.
#[test]
fn a_syntax_error_names_its_document() {
    let l = load(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: [\n",
    );
    let e = errors(&l);
    assert_eq!(e.len(), 1, "{:#?}", l.diagnostics);
    assert_eq!(e[0].document(), Some(2));
    assert!(l.documents.is_empty());
    assert!(
        e[0].to_string()
            .starts_with("k8s/app.yaml:7:7: document 2: expected ']' to end the list"),
        "{}",
        e[0]
    );
}
