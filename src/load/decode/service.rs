//! Service definitions: the service, its `connect` block and inline sidecar, its `proxy`
//! block and the proxy's upstreams.

use indexmap::IndexMap;

use crate::load::context::{
    Cx, Field, Obj, each_object, object, opaque, port, string, string_map, strings,
};
use crate::load::decode::mesh_gateway::mesh_gateway;
use crate::load::error::DiagnosticKind;
use crate::load::validate;
use crate::model::mode::go_quote;
use crate::model::service::{
    DestinationType, ProxyConfig, ServiceConnect, ServiceDefinition, ServiceKind, TaggedAddress,
    Upstream,
};
use crate::syntax::tree::Node;

const SERVICE_FIELDS: [Field; 13] = [
    Field::new("Kind", "kind"),
    Field::new("ID", "id"),
    Field::new("Name", "name"),
    Field::new("Tags", "tags"),
    Field::new("Address", "address"),
    Field::new("TaggedAddresses", "tagged_addresses"),
    Field::new("Meta", "meta"),
    Field::new("Port", "port"),
    Field::new("Proxy", "proxy"),
    Field::new("Connect", "connect"),
    Field::new("Namespace", "namespace"),
    Field::new("Partition", "partition"),
    Field::new("Token", "token"),
];
const SERVICE_TOLERATED: [Field; 9] = [
    Field::new("Check", "check"),
    Field::new("Checks", "checks"),
    Field::new("EnableTagOverride", "enable_tag_override"),
    Field::new("Weights", "weights"),
    Field::new("SocketPath", "socket_path"),
    Field::new("Locality", "locality"),
    Field::new("ContentHash", "content_hash"),
    Field::new("Datacenter", "datacenter"),
    Field::new("PeerName", "peer_name"),
];
/// The name of a service in the HTTP API's `GET /v1/agent/service/<id>` shape.
const API_NAME: Field = Field::new("Service", "service");
const CONNECT_FIELDS: [Field; 2] = [
    Field::new("Native", "native"),
    Field::new("SidecarService", "sidecar_service"),
];
const TAGGED_FIELDS: [Field; 2] = [Field::new("Address", "address"), Field::new("Port", "port")];

const PROXY_FIELDS: [Field; 7] = [
    Field::new("DestinationServiceName", "destination_service_name"),
    Field::new("DestinationServiceID", "destination_service_id"),
    Field::new("LocalServiceAddress", "local_service_address"),
    Field::new("LocalServicePort", "local_service_port"),
    Field::new("Config", "config"),
    Field::new("Upstreams", "upstreams"),
    Field::new("MeshGateway", "mesh_gateway"),
];
const PROXY_TOLERATED: [Field; 7] = [
    Field::new("LocalServiceSocketPath", "local_service_socket_path"),
    Field::new("Mode", "mode"),
    Field::new("TransparentProxy", "transparent_proxy"),
    Field::new("Expose", "expose"),
    Field::new("AccessLogs", "access_logs"),
    Field::new("EnvoyExtensions", "envoy_extensions"),
    Field::new("MutualTLSMode", "mutual_tls_mode"),
];

const UPSTREAM_FIELDS: [Field; 11] = [
    Field::new("DestinationType", "destination_type"),
    Field::new("DestinationNamespace", "destination_namespace"),
    Field::new("DestinationPartition", "destination_partition"),
    Field::new("DestinationPeer", "destination_peer"),
    Field::new("DestinationName", "destination_name"),
    Field::new("Datacenter", "datacenter"),
    Field::new("LocalBindAddress", "local_bind_address"),
    Field::new("LocalBindPort", "local_bind_port"),
    Field::new("LocalBindSocketPath", "local_bind_socket_path"),
    Field::new("MeshGateway", "mesh_gateway"),
    Field::new("Config", "config"),
];
const UPSTREAM_TOLERATED: [Field; 2] = [
    Field::new("LocalBindSocketMode", "local_bind_socket_mode"),
    Field::new("CentrallyConfigured", "centrally_configured"),
];

/// A service definition, validated; `None` when it had an error. `api_shape` is set for the
/// HTTP API's `GET /v1/agent/service/<id>` shape, where the name is under `Service`.
pub(super) fn checked_service<'t>(
    cx: &mut Cx<'t, '_>,
    obj: Obj<'t>,
    api_shape: bool,
) -> Option<ServiceDefinition> {
    cx.checked(|cx| Some(service(cx, obj, api_shape, 0)), validate::service)
}

/// A service definition; `depth` is 1 inside a `sidecar_service`.
fn service<'t>(
    cx: &mut Cx<'t, '_>,
    mut obj: Obj<'t>,
    api_shape: bool,
    depth: usize,
) -> ServiceDefinition {
    let mut s = ServiceDefinition {
        pos: obj.pos(),
        ..ServiceDefinition::default()
    };
    service_identity(cx, &mut obj, api_shape, &mut s);
    service_mesh(cx, &mut obj, depth, &mut s);
    obj.tolerate(&SERVICE_TOLERATED);
    if api_shape {
        let mut known = SERVICE_FIELDS.to_vec();
        known.push(API_NAME);
        obj.finish(cx, &known);
    } else {
        obj.finish(cx, &SERVICE_FIELDS);
    }
    s
}

/// Kind, ID, name, tags, addresses, meta and port.
fn service_identity<'t>(
    cx: &mut Cx<'t, '_>,
    obj: &mut Obj<'t>,
    api_shape: bool,
    s: &mut ServiceDefinition,
) {
    let [kind, id, name, tags, address, tagged, meta, svc_port, ..] = SERVICE_FIELDS;
    s.kind = cx
        .field(obj, kind, service_kind)
        .flatten()
        .unwrap_or_default();
    s.id = cx.opt_string(obj, id);
    let name = if api_shape { API_NAME } else { name };
    s.name = cx.opt_string(obj, name).unwrap_or_default();
    s.tags = cx.field(obj, tags, strings).unwrap_or_default();
    s.address = cx.opt_string(obj, address);
    s.tagged_addresses = cx.field(obj, tagged, tagged_addresses).unwrap_or_default();
    s.meta = cx.field(obj, meta, string_map).unwrap_or_default();
    s.port = cx.field(obj, svc_port, port).flatten();
}

/// Proxy, connect, namespace, partition and token.
fn service_mesh<'t>(
    cx: &mut Cx<'t, '_>,
    obj: &mut Obj<'t>,
    depth: usize,
    s: &mut ServiceDefinition,
) {
    let [.., proxy_field, connect_field, ns, part, token] = SERVICE_FIELDS;
    s.proxy = cx.field_object(obj, proxy_field, proxy);
    s.connect = cx.field_object(obj, connect_field, |cx, o| connect(cx, o, depth));
    s.namespace = cx.opt_string(obj, ns);
    s.partition = cx.opt_string(obj, part);
    s.token = cx.opt_string(obj, token);
}

/// A service `kind`; an unknown one is a warning (Consul registers a typical service).
fn service_kind<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>) -> Option<ServiceKind> {
    let kind: ServiceKind = string(cx, node)?.parse().unwrap_or_default();
    if let ServiceKind::Other(other) = &kind {
        let msg = format!(
            "unknown service kind {}: Consul registers it as a typical service",
            go_quote(other)
        );
        cx.warning(DiagnosticKind::Invalid, node.pos, msg);
    }
    Some(kind)
}

fn connect<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>, depth: usize) -> ServiceConnect {
    let [native, sidecar] = CONNECT_FIELDS;
    let mut c = ServiceConnect {
        native: cx.opt_bool(&mut obj, native).unwrap_or(false),
        ..ServiceConnect::default()
    };
    if let Some(e) = obj.take(sidecar, cx.style()) {
        c.sidecar_service = cx.at(&e.key, |cx| {
            let o = object(cx, &e.value)?;
            if depth > 0 {
                cx.error(
                    DiagnosticKind::Invalid,
                    e.key_pos,
                    "sidecar_service can't have a nested sidecar_service",
                );
                return None;
            }
            Some(Box::new(service(cx, o, false, depth + 1)))
        });
    }
    obj.finish(cx, &CONNECT_FIELDS);
    c
}

fn tagged_addresses<'t>(
    cx: &mut Cx<'t, '_>,
    node: &'t Node<'t>,
) -> IndexMap<String, TaggedAddress> {
    let mut out = IndexMap::new();
    let Some(obj) = object(cx, node) else {
        return out;
    };
    for e in obj.entries() {
        let ta = cx.at(&e.key, |cx| {
            object(cx, &e.value).map(|o| tagged_address(cx, o))
        });
        if let Some(ta) = ta {
            out.insert(e.key.to_string(), ta);
        }
    }
    out
}

fn tagged_address<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> TaggedAddress {
    let [address, tagged_port] = TAGGED_FIELDS;
    let mut ta = TaggedAddress::default();
    if let Some(a) = cx.opt_string(&mut obj, address) {
        ta.address = a;
    }
    if let Some(p) = cx.field(&mut obj, tagged_port, port) {
        ta.port = p.unwrap_or(0);
    }
    obj.finish(cx, &TAGGED_FIELDS);
    ta
}

fn proxy<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> ProxyConfig {
    let [dsn, dsid, lsa, lsp, config, ups, mg] = PROXY_FIELDS;
    let mut p = ProxyConfig {
        pos: obj.pos(),
        ..ProxyConfig::default()
    };
    p.destination_service_name = cx.opt_string(&mut obj, dsn);
    p.destination_service_id = cx.opt_string(&mut obj, dsid);
    p.local_service_address = cx.opt_string(&mut obj, lsa);
    p.local_service_port = cx.field(&mut obj, lsp, port).flatten();
    p.config = cx.field(&mut obj, config, opaque).flatten();
    p.upstreams = cx.field(&mut obj, ups, upstreams).unwrap_or_default();
    p.mesh_gateway = cx.field(&mut obj, mg, mesh_gateway).unwrap_or_default();
    obj.tolerate(&PROXY_TOLERATED);
    obj.finish(cx, &PROXY_FIELDS);
    p
}

fn upstreams<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>) -> Vec<Upstream> {
    each_object(cx, node, |cx, o| Some(upstream(cx, o)))
}

fn upstream<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> Upstream {
    let [ty, ns, part, peer, name, dc, addr, lbp, sock, mg, config] = UPSTREAM_FIELDS;
    let mut u = Upstream {
        pos: obj.pos(),
        ..Upstream::default()
    };
    if let Some(t) = cx.field(&mut obj, ty, destination_type).flatten() {
        u.destination_type = t;
    }
    u.destination_namespace = cx.opt_string(&mut obj, ns);
    u.destination_partition = cx.opt_string(&mut obj, part);
    u.destination_peer = cx.opt_string(&mut obj, peer);
    u.destination_name = cx.opt_string(&mut obj, name).unwrap_or_default();
    u.datacenter = cx.opt_string(&mut obj, dc);
    u.local_bind_address = cx.opt_string(&mut obj, addr);
    u.local_bind_port = cx.field(&mut obj, lbp, port).flatten();
    u.local_bind_socket_path = cx.opt_string(&mut obj, sock);
    u.mesh_gateway = cx.field(&mut obj, mg, mesh_gateway).unwrap_or_default();
    u.config = cx.field(&mut obj, config, opaque).flatten();
    obj.tolerate(&UPSTREAM_TOLERATED);
    obj.finish(cx, &UPSTREAM_FIELDS);
    u
}

/// An upstream's `destination_type`, with Consul's error text for an unknown one.
fn destination_type<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>) -> Option<DestinationType> {
    match string(cx, node)?.parse::<DestinationType>() {
        Ok(t) => Some(t),
        Err(e) => {
            cx.error(DiagnosticKind::Invalid, node.pos, e.to_string());
            None
        }
    }
}
