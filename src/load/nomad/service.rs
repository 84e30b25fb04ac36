//! A Nomad service, registered as Nomad's Consul client registers it.
//!
//! A service with `connect { sidecar_service { … } }` is the service (ID
//! `_nomad-task-<alloc>-group-<group>-<name>-<port>`, or `-<task>-` for a task's) and its
//! sidecar, a `connect-proxy` named `<name>-sidecar-proxy` whose upstreams are the proxy's
//! `upstreams`; `connect { gateway { mesh {} } }` is a `mesh-gateway` registration, with the
//! WAN address its `tagged_addresses` name. An allocation's ID and address, and a dynamic
//! port's number, exist only once the job runs: `<alloc>` stands for the ID, and the
//! registrations have no address (a static port's number is known).

use crate::load::context::{Cx, Field, Obj, boolean, int, object, objects, port};
use crate::load::error::DiagnosticKind;
use crate::load::nomad::eval::{Eval, Names};
use crate::load::nomad::{Dialect, string_field};
use crate::model::document::Content;
use crate::model::mode::{MeshGatewayMode, go_quote};
use crate::model::service::{
    DestinationType, MeshGatewayConfig, ProxyConfig, ServiceConnect, ServiceDefinition,
    ServiceKind, TaggedAddress, Upstream,
};
use crate::syntax::tree::{Entry, Node, Pos, Value};

/// What a group gives its services.
pub(super) struct Group<'a> {
    pub(super) job: &'a str,
    /// The group's name.
    pub(super) name: &'a str,
    /// The group network's static ports, by label.
    pub(super) ports: Vec<(String, u16)>,
    /// The group's Consul namespace (`consul { namespace }`).
    pub(super) namespace: Option<String>,
}

const SERVICES: Field = Field::new("Services", "service");
const NAME: Field = Field::new("Name", "name");
const PORT_LABEL: Field = Field::new("PortLabel", "port");
const PROVIDER: Field = Field::new("Provider", "provider");
const TAGGED: Field = Field::new("TaggedAddresses", "tagged_addresses");
const CONNECT: Field = Field::new("Connect", "connect");
const CONNECT_FIELDS: [Field; 4] = [
    Field::new("Native", "native"),
    Field::new("SidecarService", "sidecar_service"),
    Field::new("Gateway", "gateway"),
    Field::new("SidecarTask", "sidecar_task"),
];
const SIDECAR_FIELDS: [Field; 5] = [
    Field::new("Tags", "tags"),
    Field::new("Port", "port"),
    Field::new("Proxy", "proxy"),
    Field::new("DisableDefaultTCPCheck", "disable_default_tcp_check"),
    Field::new("Meta", "meta"),
];
const PROXY_FIELDS: [Field; 7] = [
    Field::new("LocalServiceAddress", "local_service_address"),
    Field::new("LocalServicePort", "local_service_port"),
    Field::new("Upstreams", "upstreams"),
    Field::new("Expose", "expose"),
    Field::new("ExposeConfig", "expose_config"),
    Field::new("TransparentProxy", "transparent_proxy"),
    Field::new("Config", "config"),
];
const UPSTREAM_FIELDS: [Field; 12] = [
    Field::new("DestinationName", "destination_name"),
    Field::new("DestinationNamespace", "destination_namespace"),
    Field::new("DestinationPeer", "destination_peer"),
    Field::new("DestinationPartition", "destination_partition"),
    Field::new("DestinationType", "destination_type"),
    Field::new("LocalBindPort", "local_bind_port"),
    Field::new("Datacenter", "datacenter"),
    Field::new("LocalBindAddress", "local_bind_address"),
    Field::new("LocalBindSocketPath", "local_bind_socket_path"),
    Field::new("LocalBindSocketMode", "local_bind_socket_mode"),
    Field::new("MeshGateway", "mesh_gateway"),
    Field::new("Config", "config"),
];
const GATEWAY_FIELDS: [Field; 4] = [
    Field::new("Proxy", "proxy"),
    Field::new("Ingress", "ingress"),
    Field::new("Terminating", "terminating"),
    Field::new("Mesh", "mesh"),
];
const MODE: Field = Field::new("Mode", "mode");

/// What stands for the ID of an allocation, which exists only once the job runs.
const ALLOC: &str = "<alloc>";

/// The token of a Nomad-registered gateway: Nomad derives it when the job runs.
const DERIVED_TOKEN: &str = "(derived by Nomad for the allocation)";

/// A field's node, `null` being unset.
fn take<'t>(cx: &Cx<'t, '_>, obj: &mut Obj<'t>, field: Field) -> Option<&'t Entry<'t>> {
    obj.take(field, cx.style())
        .filter(|e| e.value.value != Value::Null)
}

/// The static ports of the group's network: `network { port "<label>" { static = N } }`, or a
/// JSON job's `Networks[].ReservedPorts[]`.
pub(super) fn static_ports<'t>(
    cx: &mut Cx<'t, '_>,
    obj: &mut Obj<'t>,
    d: Dialect,
) -> Vec<(String, u16)> {
    let Some(e) = take(cx, obj, Field::new("Networks", "network")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (_, net) in objects(cx, &e.value) {
        let entries = net.map_or(&[][..], |n| n.entries());
        match d {
            Dialect::Hcl2 => hcl_ports(entries, &mut out),
            Dialect::Json => json_ports(entries, &mut out),
        }
    }
    out
}

fn as_port(node: &Node<'_>) -> Option<u16> {
    match node.value {
        Value::Int(i) if i > 0 => u16::try_from(i).ok(),
        _ => None,
    }
}

fn first_map<'t>(node: &'t Node<'t>) -> Option<&'t [Entry<'t>]> {
    match &node.value {
        Value::Map(m) => Some(m),
        Value::List(items) => items.first().and_then(first_map),
        _ => None,
    }
}

fn hcl_ports(net: &[Entry<'_>], out: &mut Vec<(String, u16)>) {
    for e in net.iter().filter(|e| e.key == "port") {
        let Value::List(blocks) = &e.value.value else {
            continue;
        };
        for labelled in blocks.iter().filter_map(first_map) {
            for l in labelled {
                let body = first_map(&l.value).unwrap_or_default();
                let port = body
                    .iter()
                    .find(|b| b.key == "static")
                    .and_then(|b| as_port(&b.value));
                out.extend(port.map(|p| (l.key.to_string(), p)));
            }
        }
    }
}

fn json_ports(net: &[Entry<'_>], out: &mut Vec<(String, u16)>) {
    let Some(Value::List(reserved)) = net
        .iter()
        .find(|e| e.key == "ReservedPorts")
        .map(|e| &e.value.value)
    else {
        return;
    };
    for p in reserved.iter().filter_map(first_map) {
        let label = p
            .iter()
            .find(|e| e.key == "Label")
            .and_then(|e| match &e.value.value {
                Value::String(s) => Some(s.to_string()),
                _ => None,
            });
        let value = p
            .iter()
            .find(|e| e.key == "Value")
            .and_then(|e| as_port(&e.value));
        if let (Some(l), Some(v)) = (label, value) {
            out.push((l, v));
        }
    }
}

/// The registrations of the services of `obj` (a group's, or a task's).
pub(super) fn services<'t>(
    cx: &mut Cx<'t, '_>,
    obj: &mut Obj<'t>,
    g: &Group<'_>,
    task: Option<&str>,
    eval: &Eval<'t, '_>,
) -> Vec<Content> {
    let Some(e) = take(cx, obj, SERVICES) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    cx.at(&e.key, |cx| {
        for (i, svc) in objects(cx, &e.value) {
            let Some(svc) = svc else { continue };
            out.extend(cx.at_index(i, |cx| service(cx, svc, g, task, eval)));
        }
    });
    out
}

/// One service's registrations (none when it is not in the mesh).
fn service<'t>(
    cx: &mut Cx<'t, '_>,
    mut obj: Obj<'t>,
    g: &Group<'_>,
    task: Option<&str>,
    eval: &Eval<'t, '_>,
) -> Vec<Content> {
    let pos = obj.pos();
    let names = Names {
        job: g.job,
        group: g.name,
        task,
    };
    let named = Eval {
        vars: eval.vars,
        names: Some(&names),
    };
    let Some(connect) = take(cx, &mut obj, CONNECT) else {
        return Vec::new();
    };
    let Some(name) = service_name(cx, &mut obj, &named, &names, pos) else {
        return Vec::new();
    };
    let label = string_field(cx, &mut obj, PORT_LABEL, eval, "the port").unwrap_or_default();
    let provider = string_field(cx, &mut obj, PROVIDER, eval, "the provider");
    if provider.as_deref() == Some("nomad") {
        let msg = "Service with provider nomad cannot include Connect blocks";
        cx.error(DiagnosticKind::Invalid, connect.key_pos, msg);
        return Vec::new();
    }
    let tagged = tagged_addresses(cx, &mut obj, eval);
    let scope = task.map_or_else(|| format!("group-{}", g.name), str::to_owned);
    let base = ServiceDefinition {
        id: Some(format!("_nomad-task-{ALLOC}-{scope}-{name}-{label}")),
        name,
        port: resolve_port(&label, &g.ports),
        namespace: g.namespace.clone(),
        meta: [("external-source".to_owned(), "nomad".to_owned())]
            .into_iter()
            .collect(),
        pos,
        ..ServiceDefinition::default()
    };
    cx.at(&connect.key, |cx| {
        connect_block(cx, &connect.value, base, tagged, eval)
    })
}

/// The service's name, `${JOB}`-style names replaced; Nomad's default when unset
/// (`<job>-<group>`, or `<job>-<group>-<task>` for a task's service).
fn service_name<'t>(
    cx: &mut Cx<'t, '_>,
    obj: &mut Obj<'t>,
    eval: &Eval<'t, '_>,
    names: &Names<'_>,
    pos: Pos,
) -> Option<String> {
    let present = obj
        .entries()
        .iter()
        .any(|e| NAME.matches(&e.key) && e.value.value != Value::Null);
    let name = if present {
        string_field(cx, obj, NAME, eval, "the service")?
    } else {
        match names.task {
            Some(t) => format!("{}-{}-{t}", names.job, names.group),
            None => format!("{}-{}", names.job, names.group),
        }
    };
    if !valid_service_name(&name) {
        let msg = format!(
            "Service name must be valid per RFC 1123 and can contain only alphanumeric characters or dashes and must be no longer than 63 characters: {}",
            go_quote(&name)
        );
        cx.error(DiagnosticKind::Invalid, pos, msg);
        return None;
    }
    Some(name)
}

/// Nomad's rule for service names (RFC 1123 labels).
fn valid_service_name(name: &str) -> bool {
    let b = name.as_bytes();
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    match b {
        [] => false,
        [c] => alnum(c),
        [first, middle @ .., last] => {
            b.len() <= 63
                && alnum(first)
                && alnum(last)
                && middle.iter().all(|c| alnum(c) || *c == b'-')
        }
    }
}

/// A port label: a static port of the group's network, a number, else unknown (dynamic).
fn resolve_port(label: &str, ports: &[(String, u16)]) -> Option<u16> {
    ports
        .iter()
        .find(|(l, _)| l == label)
        .map(|(_, p)| *p)
        .or_else(|| label.parse().ok().filter(|p| *p != 0))
}

/// `tagged_addresses { wan = "<address>[:<port>]" }`.
fn tagged_addresses<'t>(
    cx: &mut Cx<'t, '_>,
    obj: &mut Obj<'t>,
    eval: &Eval<'t, '_>,
) -> Vec<(String, String, u16)> {
    let Some(e) = take(cx, obj, TAGGED) else {
        return Vec::new();
    };
    cx.at(&e.key, |cx| {
        let Some(o) = object(cx, &e.value) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for t in o.entries() {
            let value = cx.at(&t.key, |cx| {
                eval.string(cx, &t.value, "this tagged address")
            });
            if let Some(v) = value {
                let (addr, port) = split_address(&v);
                out.push((t.key.to_string(), addr, port));
            }
        }
        out
    })
}

/// `host:port`, `[v6]:port` or a bare host (port 0: the service's).
fn split_address(v: &str) -> (String, u16) {
    if let Some((host, port)) = v.rsplit_once(':')
        && let Ok(p) = port.parse::<u16>()
        && (!host.contains(':') || host.starts_with('['))
    {
        return (host.trim_matches(['[', ']']).to_owned(), p);
    }
    (v.to_owned(), 0)
}

/// The registrations of the `connect` block: a sidecar, a mesh gateway or a native service.
fn connect_block<'t>(
    cx: &mut Cx<'t, '_>,
    node: &'t Node<'t>,
    mut base: ServiceDefinition,
    tagged: Vec<(String, String, u16)>,
    eval: &Eval<'t, '_>,
) -> Vec<Content> {
    let Some(mut obj) = object(cx, node) else {
        return Vec::new();
    };
    let [native, sidecar, gateway, sidecar_task] = CONNECT_FIELDS;
    let is_native = take(cx, &mut obj, native)
        .and_then(|e| cx.at(&e.key, |cx| boolean(cx, &e.value)))
        .unwrap_or(false);
    let sidecar = take(cx, &mut obj, sidecar);
    let gateway = take(cx, &mut obj, gateway);
    let _ = take(cx, &mut obj, sidecar_task);
    unsupported(cx, &mut obj);
    if usize::from(is_native) + usize::from(sidecar.is_some()) + usize::from(gateway.is_some()) != 1
    {
        let msg = "Consul Connect must be exclusively native, make use of a sidecar, or represent a Gateway";
        cx.error(DiagnosticKind::Invalid, obj.pos(), msg);
        return Vec::new();
    }
    for (k, addr, p) in tagged {
        base.tagged_addresses.insert(
            k,
            TaggedAddress {
                address: addr,
                port: p,
            },
        );
    }
    if let Some(s) = sidecar {
        return cx.at(&s.key, |cx| sidecar_registrations(cx, &s.value, base, eval));
    }
    if let Some(gw) = gateway {
        return cx.at(&gw.key, |cx| gateway_registration(cx, &gw.value, base));
    }
    base.connect = Some(ServiceConnect {
        native: true,
        ..ServiceConnect::default()
    });
    vec![Content::Service(base)]
}

/// Keys Nomad's HCL2 decoding rejects, with its texts (a JSON job's are ignored, as Go's
/// JSON decoding ignores them).
fn unsupported<'t>(cx: &mut Cx<'t, '_>, obj: &mut Obj<'t>) {
    let hcl2 = cx.style() == crate::load::context::Style::Snake;
    for e in obj.rest() {
        if !hcl2 {
            continue;
        }
        let block = matches!(&e.value.value, Value::List(items) if items.iter().all(|i| matches!(i.value, Value::Map(_))) && !items.is_empty());
        let msg = if block {
            format!(
                "Unsupported block type; Blocks of type {:?} are not expected here.",
                e.key
            )
        } else {
            format!(
                "Unsupported argument; An argument named {:?} is not expected here.",
                e.key
            )
        };
        cx.at(&e.key, |cx| {
            cx.error(DiagnosticKind::UnknownKey, e.key_pos, msg);
        });
    }
}

/// The service and its `connect-proxy`.
fn sidecar_registrations<'t>(
    cx: &mut Cx<'t, '_>,
    node: &'t Node<'t>,
    base: ServiceDefinition,
    eval: &Eval<'t, '_>,
) -> Vec<Content> {
    let Some(mut obj) = object(cx, node) else {
        return Vec::new();
    };
    let [_, _, proxy_field, ..] = SIDECAR_FIELDS;
    let proxy = take(cx, &mut obj, proxy_field)
        .and_then(|p| cx.at(&p.key, |cx| proxy(cx, &p.value, eval)))
        .unwrap_or_default();
    for f in [
        SIDECAR_FIELDS[0],
        SIDECAR_FIELDS[1],
        SIDECAR_FIELDS[3],
        SIDECAR_FIELDS[4],
    ] {
        let _ = take(cx, &mut obj, f);
    }
    unsupported(cx, &mut obj);
    let id = base.service_id().to_owned();
    let sidecar = ServiceDefinition {
        kind: ServiceKind::ConnectProxy,
        id: Some(format!("{id}-sidecar-proxy")),
        name: format!("{}-sidecar-proxy", base.name),
        namespace: base.namespace.clone(),
        meta: base.meta.clone(),
        proxy: Some(ProxyConfig {
            destination_service_name: Some(base.name.clone()),
            destination_service_id: Some(id),
            ..proxy
        }),
        pos: base.pos,
        ..ServiceDefinition::default()
    };
    for d in crate::load::validate::registration(&sidecar) {
        cx.error(d.kind(), d.pos(), d.message().to_owned());
    }
    vec![Content::Service(base), Content::Service(sidecar)]
}

fn proxy<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>, eval: &Eval<'t, '_>) -> Option<ProxyConfig> {
    let mut obj = object(cx, node)?;
    let [addr, lsp, ups, ..] = PROXY_FIELDS;
    let mut p = ProxyConfig {
        pos: obj.pos(),
        ..ProxyConfig::default()
    };
    p.local_service_address =
        string_field(cx, &mut obj, addr, eval, "the address").filter(|a| !a.is_empty());
    p.local_service_port = take(cx, &mut obj, lsp)
        .and_then(|e| cx.at(&e.key, |cx| port(cx, &e.value)))
        .filter(|p| *p != 0);
    if let Some(e) = take(cx, &mut obj, ups) {
        p.upstreams = cx.at(&e.key, |cx| upstreams(cx, &e.value, eval));
    }
    for f in &PROXY_FIELDS[3..] {
        let _ = take(cx, &mut obj, *f);
    }
    unsupported(cx, &mut obj);
    Some(p)
}

fn upstreams<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>, eval: &Eval<'t, '_>) -> Vec<Upstream> {
    let mut out = Vec::new();
    for (i, u) in objects(cx, node) {
        let Some(u) = u else { continue };
        out.extend(cx.at_index(i, |cx| upstream(cx, u, eval)));
    }
    out
}

/// One upstream; `None` when a value it needs is known only when the job runs.
fn upstream<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>, eval: &Eval<'t, '_>) -> Option<Upstream> {
    let [name, ns, peer, part, ty, lbp, dc, addr, sock, _, mg, _] = UPSTREAM_FIELDS;
    let what = "the upstream";
    let mut known = true;
    let mut s = |cx: &mut Cx<'t, '_>, obj: &mut Obj<'t>, f: Field| {
        let present = obj
            .entries()
            .iter()
            .any(|e| f.matches(&e.key) && e.value.value != Value::Null);
        let v = string_field(cx, obj, f, eval, what);
        known &= v.is_some() || !present;
        v.filter(|v| !v.is_empty())
    };
    let mut u = Upstream {
        pos: obj.pos(),
        destination_name: s(cx, &mut obj, name).unwrap_or_default(),
        destination_namespace: s(cx, &mut obj, ns),
        destination_peer: s(cx, &mut obj, peer),
        destination_partition: s(cx, &mut obj, part),
        datacenter: s(cx, &mut obj, dc),
        local_bind_address: s(cx, &mut obj, addr),
        local_bind_socket_path: s(cx, &mut obj, sock),
        ..Upstream::default()
    };
    if let Some(t) = s(cx, &mut obj, ty) {
        u.destination_type = destination_type(cx, &t, u.pos)?;
    }
    u.local_bind_port = take(cx, &mut obj, lbp)
        .and_then(|e| cx.at(&e.key, |cx| int(cx, &e.value, 0, 65535, "a port")))
        .and_then(|p| u16::try_from(p).ok())
        .filter(|p| *p != 0);
    if let Some(e) = take(cx, &mut obj, mg) {
        u.mesh_gateway = cx.at(&e.key, |cx| mesh_gateway(cx, &e.value, eval))?;
    }
    for f in [UPSTREAM_FIELDS[9], UPSTREAM_FIELDS[11]] {
        let _ = take(cx, &mut obj, f);
    }
    unsupported(cx, &mut obj);
    known.then_some(u)
}

fn destination_type(cx: &mut Cx<'_, '_>, t: &str, pos: Pos) -> Option<DestinationType> {
    match t.parse::<DestinationType>() {
        Ok(t) => Some(t),
        Err(e) => {
            cx.error(DiagnosticKind::Invalid, pos, e.to_string());
            None
        }
    }
}

/// `mesh_gateway { mode = "…" }`: neither Nomad nor Consul's agent checks the mode; an
/// unknown one is an error here.
fn mesh_gateway<'t>(
    cx: &mut Cx<'t, '_>,
    node: &'t Node<'t>,
    eval: &Eval<'t, '_>,
) -> Option<MeshGatewayConfig> {
    let mut obj = object(cx, node)?;
    let e = take(cx, &mut obj, MODE);
    unsupported(cx, &mut obj);
    let Some(e) = e else {
        return Some(MeshGatewayConfig::default());
    };
    let mode = cx.at(&e.key, |cx| eval.string(cx, &e.value, "the upstream"))?;
    match mode.parse::<MeshGatewayMode>() {
        Ok(m) => Some(MeshGatewayConfig::new(m)),
        Err(err) => {
            let msg = format!(
                "{err}; expected one of \"\", \"none\", \"local\", \"remote\" (neither Nomad nor Consul's agent rejects it, and the upstream is then routed as if no gateway were set; meshroute rejects it)"
            );
            cx.at(&e.key, |cx| {
                cx.error(DiagnosticKind::InvalidMode, e.value.pos, msg);
            });
            None
        }
    }
}

/// A `mesh-gateway` registration from `gateway { mesh {} }` (other gateways are noted).
fn gateway_registration<'t>(
    cx: &mut Cx<'t, '_>,
    node: &'t Node<'t>,
    mut base: ServiceDefinition,
) -> Vec<Content> {
    let Some(mut obj) = object(cx, node) else {
        return Vec::new();
    };
    let [proxy, ingress, terminating, mesh] = GATEWAY_FIELDS;
    let _ = take(cx, &mut obj, proxy);
    let other = [ingress, terminating]
        .into_iter()
        .find_map(|f| take(cx, &mut obj, f).map(|e| (f, e)));
    let mesh = take(cx, &mut obj, mesh);
    unsupported(cx, &mut obj);
    if mesh.is_none() {
        if let Some((f, e)) = other {
            let msg = format!(
                "a {} gateway: meshroute models mesh gateways only; skipped",
                f.snake()
            );
            cx.note(DiagnosticKind::Skipped, e.key_pos, msg);
        }
        return Vec::new();
    }
    base.kind = ServiceKind::MeshGateway;
    base.token = Some(DERIVED_TOKEN.to_owned());
    vec![Content::Service(base)]
}
