//! The consul Helm chart's values: the datacenter's agent facts and its mesh gateways.
//!
//! The chart writes its servers' configuration from the values (`server-config-configmap`):
//! `datacenter`, `server = true`, `connect { enabled }` (`server.connect`), the gRPC port
//! (`grpc = 8502` without TLS, `grpc_tls = 8502` with it), `enable_central_service_config`,
//! `acl { enabled = true }` with `global.acls.manageSystemACLs`, and with
//! `global.federation.enabled` the `primary_datacenter`, `primary_gateways` and
//! `connect { enable_mesh_gateway_wan_federation = true }`. That is the [`AgentConfig`]
//! decoded here, each setting positioned at the value that decides it, so the placement rule
//! and the preflight checks read a Kubernetes datacenter as they read a VM one. With
//! `meshGateway.enabled`, each replica is a `mesh-gateway` registration as consul-k8s makes
//! it. The chart's own `fail` rules for these values are errors with the chart's texts.

use crate::load::context::{Cx, boolean, int, string};
use crate::load::error::DiagnosticKind;
use crate::load::kubernetes::settings::Settings;
use crate::load::kubernetes::{get, map_of};
use crate::model::agent::{AgentAcl, AgentConfig, AgentConnect, AgentPorts};
use crate::model::document::Content;
use crate::model::service::{ServiceDefinition, ServiceKind, TaggedAddress};
use crate::syntax::tree::{Entry, Node, Pos, Value};

/// The chart's top-level keys (current and removed ones).
const CHART_KEYS: &[&str] = &[
    "global",
    "server",
    "externalServers",
    "client",
    "dns",
    "ui",
    "syncCatalog",
    "connectInject",
    "meshGateway",
    "ingressGateways",
    "terminatingGateways",
    "apiGateway",
    "controller",
    "webhookCertManager",
    "prometheus",
    "tests",
    "telemetryCollector",
];

/// A values file: a map of only the chart's top-level keys, each a map.
pub(super) fn is_values(tree: &Node<'_>) -> bool {
    let Value::Map(entries) = &tree.value else {
        return false;
    };
    !entries.is_empty()
        && entries
            .iter()
            .all(|e| CHART_KEYS.contains(&e.key.as_ref()) && matches!(e.value.value, Value::Map(_)))
}

/// A value by its dotted path, with where it is written; `null` is unset.
struct Values<'t> {
    root: &'t [Entry<'t>],
    pos: Pos,
}

impl<'t> Values<'t> {
    fn of(tree: &'t Node<'t>) -> Self {
        Self {
            root: map_of(tree).unwrap_or_default(),
            pos: tree.pos,
        }
    }

    fn node(&self, path: &[&str]) -> Option<&'t Node<'t>> {
        let (last, parents) = path.split_last()?;
        let mut entries = self.root;
        for p in parents {
            entries = map_of(get(entries, p)?)?;
        }
        get(entries, last).filter(|n| !matches!(n.value, Value::Null))
    }

    fn read<R>(
        &self,
        cx: &mut Cx<'t, '_>,
        path: &[&'static str],
        f: impl FnOnce(&mut Cx<'t, '_>, &'t Node<'t>) -> Option<R>,
    ) -> Option<(R, Pos)> {
        let node = self.node(path)?;
        let r = at_path(cx, path, |cx| f(cx, node))?;
        Some((r, node.pos))
    }

    fn bool(&self, cx: &mut Cx<'t, '_>, path: &[&'static str]) -> Option<(bool, Pos)> {
        self.read(cx, path, boolean)
    }

    fn str(&self, cx: &mut Cx<'t, '_>, path: &[&'static str]) -> Option<(&'t str, Pos)> {
        self.read(cx, path, string)
    }

    fn int(&self, cx: &mut Cx<'t, '_>, path: &[&'static str], max: i64) -> Option<(i64, Pos)> {
        self.read(cx, path, |cx, n| int(cx, n, 0, max, "this value"))
    }

    fn strings(&self, cx: &mut Cx<'t, '_>, path: &[&'static str]) -> Option<(Vec<String>, Pos)> {
        self.read(cx, path, |cx, n| Some(crate::load::context::strings(cx, n)))
    }

    /// A boolean that the chart also lets be `"-"` (inherit `global.enabled`).
    fn enabled(&self, cx: &mut Cx<'t, '_>, path: &[&'static str]) -> Option<(bool, Pos)> {
        match self.node(path).map(|n| &n.value) {
            Some(Value::String(s)) if s == "-" => None,
            _ => self.bool(cx, path),
        }
    }
}

/// Runs `f` with every segment of `path` on the key path.
fn at_path<'t, R>(
    cx: &mut Cx<'t, '_>,
    path: &[&'static str],
    f: impl FnOnce(&mut Cx<'t, '_>) -> R,
) -> R {
    match path.split_first() {
        None => f(cx),
        Some((first, rest)) => cx.at(first, |cx| at_path(cx, rest, f)),
    }
}

/// The settings a values file gives its cluster's manifests (no diagnostics: the values are
/// reported when the file itself is decoded).
pub(super) fn settings(tree: &Node<'_>) -> Settings {
    let mut sink = Vec::new();
    let mut cx = Cx::new(&mut sink);
    read_settings(&mut cx, &Values::of(tree))
}

fn read_settings<'t>(cx: &mut Cx<'t, '_>, v: &Values<'t>) -> Settings {
    let d = Settings::default();
    let b = |cx: &mut Cx<'t, '_>, path: &[&'static str], default: bool| {
        v.bool(cx, path).map_or(default, |(b, _)| b)
    };
    let s = |cx: &mut Cx<'t, '_>, path: &[&'static str], default: &str| {
        v.str(cx, path)
            .map_or_else(|| default.to_owned(), |(s, _)| s.to_owned())
    };
    let ns = ["connectInject", "consulNamespaces"];
    Settings {
        datacenter: s(cx, &["global", "datacenter"], &d.datacenter).to_ascii_lowercase(),
        namespaces: b(cx, &["global", "enableConsulNamespaces"], d.namespaces),
        partitions: b(cx, &["global", "adminPartitions", "enabled"], d.partitions),
        partition: s(cx, &["global", "adminPartitions", "name"], &d.partition),
        mirroring: b(cx, &[ns[0], ns[1], "mirroringK8S"], d.mirroring),
        mirroring_prefix: s(cx, &[ns[0], ns[1], "mirroringK8SPrefix"], ""),
        destination_namespace: s(cx, &[ns[0], ns[1], "consulDestinationNamespace"], "default"),
        inject_enabled: v
            .enabled(cx, &["connectInject", "enabled"])
            .map_or(d.inject_enabled, |(b, _)| b),
        inject_default: b(cx, &["connectInject", "default"], d.inject_default),
        allow_namespaces: v
            .strings(cx, &["connectInject", "k8sAllowNamespaces"])
            .map_or(d.allow_namespaces, |(l, _)| l),
        deny_namespaces: v
            .strings(cx, &["connectInject", "k8sDenyNamespaces"])
            .map_or(d.deny_namespaces, |(l, _)| l),
        tproxy_default: b(
            cx,
            &["connectInject", "transparentProxy", "defaultEnabled"],
            d.tproxy_default,
        ),
        manage_acls: b(cx, &["global", "acls", "manageSystemACLs"], d.manage_acls),
    }
}

/// The documents of a values file: the agent configuration, then one `mesh-gateway`
/// registration per replica.
pub(super) fn documents<'t>(cx: &mut Cx<'t, '_>, tree: &'t Node<'t>) -> Vec<Content> {
    let v = Values::of(tree);
    let settings = read_settings(cx, &v);
    let facts = Facts::read(cx, &v);
    chart_rules(cx, &facts, &settings, v.pos);
    let agent = agent_config(&facts, &settings, v.pos);
    let mut out = vec![Content::Agent(agent)];
    if facts.mesh_gateway.0 && settings.inject_enabled {
        out.extend(mesh_gateways(cx, &v, &facts, &settings).map(Content::Service));
    }
    out
}

/// The values the agent configuration and the chart's rules read, with their positions.
struct Facts {
    datacenter: Option<Pos>,
    server: (bool, Option<Pos>),
    connect: (bool, Option<Pos>),
    tls: (bool, Option<Pos>),
    federation: (bool, Option<Pos>),
    primary: Option<(String, Pos)>,
    primary_gateways: Option<(Vec<String>, Pos)>,
    peering: (bool, Option<Pos>),
    acls: Option<Pos>,
    mesh_gateway: (bool, Option<Pos>),
    external_grpc: Option<(i64, Pos)>,
}

impl Facts {
    fn read<'t>(cx: &mut Cx<'t, '_>, v: &Values<'t>) -> Self {
        let flag = |cx: &mut Cx<'t, '_>, path: &[&'static str], default: bool| {
            v.bool(cx, path)
                .map_or((default, None), |(b, p)| (b, Some(p)))
        };
        let global_enabled = v.bool(cx, &["global", "enabled"]).is_none_or(|(b, _)| b);
        let server = v
            .enabled(cx, &["server", "enabled"])
            .map_or((global_enabled, None), |(b, p)| (b, Some(p)));
        Self {
            // Read (and reported) with the settings: only their positions here.
            datacenter: v.node(&["global", "datacenter"]).map(|n| n.pos),
            server,
            connect: flag(cx, &["server", "connect"], true),
            tls: flag(cx, &["global", "tls", "enabled"], false),
            federation: flag(cx, &["global", "federation", "enabled"], false),
            primary: v
                .str(cx, &["global", "federation", "primaryDatacenter"])
                .map(|(s, p)| (s.to_owned(), p)),
            primary_gateways: v.strings(cx, &["global", "federation", "primaryGateways"]),
            peering: flag(cx, &["global", "peering", "enabled"], false),
            acls: v
                .node(&["global", "acls", "manageSystemACLs"])
                .filter(|n| n.value == Value::Bool(true))
                .map(|n| n.pos),
            mesh_gateway: flag(cx, &["meshGateway", "enabled"], false),
            external_grpc: v.int(cx, &["externalServers", "grpcPort"], 65535),
        }
    }
}

/// The chart's `fail` rules on these values, with the chart's texts.
fn chart_rules(cx: &mut Cx<'_, '_>, f: &Facts, s: &Settings, start: Pos) {
    let at = |p: Option<Pos>| p.unwrap_or(start);
    let rules: [(bool, Option<Pos>, &str); 7] = [
        (
            f.mesh_gateway.0 && !s.inject_enabled,
            f.mesh_gateway.1,
            "connectInject.enabled must be true",
        ),
        (
            f.federation.0 && !f.tls.0,
            f.federation.1,
            "If global.federation.enabled is true, global.tls.enabled must be true because federation is only supported with TLS enabled",
        ),
        (
            f.federation.0 && !f.mesh_gateway.0,
            f.federation.1,
            "If global.federation.enabled is true, meshGateway.enabled must be true because mesh gateways are required for federation",
        ),
        (
            f.federation.0 && s.partitions,
            f.federation.1,
            "If global.federation.enabled is true, global.adminPartitions.enabled must be false because they are mutually exclusive",
        ),
        (
            f.peering.0 && !s.inject_enabled,
            f.peering.1,
            "setting global.peering.enabled to true requires connectInject.enabled to be true",
        ),
        (
            f.peering.0 && !f.tls.0,
            f.peering.1,
            "setting global.peering.enabled to true requires global.tls.enabled to be true",
        ),
        (
            f.peering.0 && !f.mesh_gateway.0,
            f.peering.1,
            "setting global.peering.enabled to true requires meshGateway.enabled to be true",
        ),
    ];
    for (broken, pos, text) in rules {
        if broken {
            cx.error(
                DiagnosticKind::Invalid,
                at(pos),
                format!("{text} (the chart fails to render)"),
            );
        }
    }
}

/// The agent configuration the chart gives the datacenter's servers.
fn agent_config(f: &Facts, s: &Settings, start: Pos) -> AgentConfig {
    let mut a = AgentConfig {
        datacenter: Some(s.datacenter.clone()),
        server: Some(f.server.0),
        connect: Some(AgentConnect {
            enabled: Some(f.connect.0),
            enable_mesh_gateway_wan_federation: f.federation.0.then_some(true),
        }),
        ports: Some(grpc_ports(f)),
        enable_central_service_config: Some(true),
        acl: f.acls.map(|_| AgentAcl {
            enabled: Some(true),
        }),
        pos: start,
        ..AgentConfig::default()
    };
    if f.federation.0 {
        a.primary_datacenter = f.primary.as_ref().map(|(p, _)| p.clone());
        a.primary_gateways = f
            .primary_gateways
            .as_ref()
            .map(|(g, _)| g.clone())
            .unwrap_or_default();
    }
    if f.peering.0 {
        a.other
            .insert("peering".to_owned(), serde_json::json!({"enabled": true}));
    }
    a.positions = positions(f, start);
    a
}

/// The gRPC listener: 8502, plain without TLS and TLS with it; the external servers' port
/// when the chart runs no servers.
fn grpc_ports(f: &Facts) -> AgentPorts {
    let port = if f.server.0 {
        8502
    } else {
        f.external_grpc.map_or(8502, |(p, _)| p)
    };
    let (grpc, grpc_tls) = if f.tls.0 { (-1, port) } else { (port, -1) };
    AgentPorts {
        grpc: Some(grpc),
        grpc_tls: Some(grpc_tls),
    }
}

/// Where each agent setting is decided in the values.
fn positions(f: &Facts, start: Pos) -> Vec<(&'static str, Pos)> {
    let at = |p: Option<Pos>| p.unwrap_or(start);
    let mut out = vec![
        ("datacenter", at(f.datacenter)),
        ("server", at(f.server.1)),
        ("connect", at(f.connect.1.or(f.federation.1))),
        ("ports", at(f.tls.1)),
        ("enable_central_service_config", start),
    ];
    if let Some(p) = f.acls {
        out.push(("acl", p));
    }
    if f.federation.0 {
        out.push((
            "primary_datacenter",
            at(f.primary.as_ref().map(|(_, p)| *p)),
        ));
        out.push((
            "primary_gateways",
            at(f.primary_gateways.as_ref().map(|(_, p)| *p)),
        ));
    }
    out
}

/// The mesh gateway registrations: one per replica, named `meshGateway.consulServiceName`,
/// at `meshGateway.containerPort` on the pod (whose address is known only at run time), with
/// the WAN address `meshGateway.wanAddress` gives.
fn mesh_gateways<'t>(
    cx: &mut Cx<'t, '_>,
    v: &Values<'t>,
    f: &Facts,
    s: &Settings,
) -> impl Iterator<Item = ServiceDefinition> {
    let name = v
        .str(cx, &["meshGateway", "consulServiceName"])
        .filter(|(n, _)| !n.is_empty());
    if let Some((n, pos)) = name
        && s.manage_acls
        && n != "mesh-gateway"
    {
        cx.at("meshGateway", |cx| {
            cx.at("consulServiceName", |cx| {
                cx.error(
                    DiagnosticKind::Invalid,
                    pos,
                    "if global.acls.manageSystemACLs is true, meshGateway.consulServiceName cannot be set (the chart fails to render)",
                );
            });
        });
    }
    let name = name.map_or("mesh-gateway", |(n, _)| n).to_owned();
    let replicas = v
        .int(cx, &["meshGateway", "replicas"], 10_000)
        .map_or(1, |(r, _)| r);
    let port = v
        .int(cx, &["meshGateway", "containerPort"], 65535)
        .map_or(8443, |(p, _)| p);
    let wan = wan_address(cx, v);
    let pos = f.mesh_gateway.1.unwrap_or(v.pos);
    let template = gateway(&name, u16::try_from(port).unwrap_or(8443), wan, f, s, pos);
    (0..replicas).map(move |i| {
        let mut g = template.clone();
        g.id = Some(format!("{name}-{i}"));
        g
    })
}

fn gateway(
    name: &str,
    port: u16,
    wan: Option<TaggedAddress>,
    f: &Facts,
    s: &Settings,
    pos: Pos,
) -> ServiceDefinition {
    let mut g = ServiceDefinition {
        kind: ServiceKind::MeshGateway,
        name: name.to_owned(),
        port: Some(port),
        namespace: s.namespaces.then(|| "default".to_owned()),
        pos,
        ..ServiceDefinition::default()
    };
    if let Some(wan) = wan {
        g.tagged_addresses.insert("wan".to_owned(), wan);
    }
    if f.federation.0 {
        g.meta
            .insert("consul-wan-federation".to_owned(), "1".to_owned());
    }
    g.meta.insert(
        "managed-by".to_owned(),
        "consul-k8s-endpoints-controller".to_owned(),
    );
    if s.manage_acls {
        g.token = Some(ACL_LOGIN_TOKEN.to_owned());
    }
    g
}

/// What stands for the token of a registration consul-k8s makes with ACLs managed: the
/// token comes from the Kubernetes auth method at run time.
pub(super) const ACL_LOGIN_TOKEN: &str = "(from consul-k8s's Kubernetes auth method login)";

/// The WAN address `meshGateway.wanAddress` registers: known offline only for `Static`; the
/// other sources (a load balancer's address, a node's) are reported as unknown.
fn wan_address<'t>(cx: &mut Cx<'t, '_>, v: &Values<'t>) -> Option<TaggedAddress> {
    let source = v.str(cx, &["meshGateway", "wanAddress", "source"]);
    let (source, source_pos) = source.unwrap_or(("Service", v.pos));
    let port = |cx: &mut Cx<'t, '_>, path: &[&'static str], default: i64| -> u16 {
        v.int(cx, path, 65535)
            .map_or(default, |(p, _)| p)
            .try_into()
            .unwrap_or(0)
    };
    let service_type = v
        .str(cx, &["meshGateway", "service", "type"])
        .map_or("LoadBalancer", |(t, _)| t);
    match source {
        "Static" => {
            let address = v
                .str(cx, &["meshGateway", "wanAddress", "static"])
                .map_or("", |(a, _)| a);
            if address.is_empty() {
                static_missing(cx, source_pos);
                return None;
            }
            let port = port(cx, &["meshGateway", "wanAddress", "port"], 443);
            Some(TaggedAddress {
                address: address.to_owned(),
                port,
            })
        }
        "Service"
            if service_type == "NodePort"
                && v.node(&["meshGateway", "service", "nodePort"]).is_none() =>
        {
            at_path(cx, &["meshGateway", "service", "nodePort"], |cx| {
                cx.error(
                    DiagnosticKind::Invalid,
                    source_pos,
                    "if meshGateway.wanAddress.source=Service and meshGateway.service.type=NodePort, meshGateway.service.nodePort must be set (the chart fails to render)",
                );
            });
            None
        }
        "Service" | "NodeIP" | "NodeName" => {
            let what = match (source, service_type) {
                ("Service", "LoadBalancer") => "the load balancer's address",
                ("Service", "ClusterIP") => "the Service's cluster IP",
                ("Service" | "NodeIP", _) => "the node's IP",
                _ => "the node's name",
            };
            at_path(cx, &["meshGateway", "wanAddress", "source"], |cx| {
                cx.warning(
                    DiagnosticKind::Unevaluated,
                    source_pos,
                    format!(
                        "the mesh gateways register {what} as their WAN address, known only once the cluster runs: routes through them have no WAN address here; set meshGateway.wanAddress.source to Static to name it"
                    ),
                );
            });
            None
        }
        other => {
            at_path(cx, &["meshGateway", "wanAddress", "source"], |cx| {
                cx.error(
                    DiagnosticKind::Invalid,
                    source_pos,
                    format!(
                        "unknown WAN address source {other:?} (expected Service, NodeIP, NodeName or Static)"
                    ),
                );
            });
            None
        }
    }
}

fn static_missing(cx: &mut Cx<'_, '_>, pos: Pos) {
    at_path(cx, &["meshGateway", "wanAddress", "static"], |cx| {
        cx.error(
            DiagnosticKind::Invalid,
            pos,
            "if meshGateway.wanAddress.source=Static then meshGateway.wanAddress.static cannot be empty (the chart fails to render)",
        );
    });
}
