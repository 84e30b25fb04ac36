//! Agent configuration files: the settings a multi-datacenter mesh needs (every other key
//! kept as written), and the services and bootstrap config entries the file registers, which
//! become documents of their own.

use crate::load::context::{Cx, Field, Obj, Style, each_object, int, object, objects, strings};
use crate::load::decode::Documents;
use crate::load::decode::config_entry::checked_entry;
use crate::load::decode::service::checked_service;
use crate::load::validate;
use crate::model::agent::{AgentAcl, AgentConfig, AgentConnect, AgentPorts};
use crate::model::config_entry::ConfigEntry;
use crate::model::document::Content;
use crate::syntax::tree::{Entry, Node, Pos, Value};

const AGENT_FIELDS: [Field; 9] = [
    Field::new("Datacenter", "datacenter"),
    Field::new("PrimaryDatacenter", "primary_datacenter"),
    Field::new("Server", "server"),
    Field::new("Connect", "connect"),
    Field::new("Ports", "ports"),
    Field::new(
        "EnableCentralServiceConfig",
        "enable_central_service_config",
    ),
    Field::new("ACL", "acl"),
    Field::new("RetryJoinWan", "retry_join_wan"),
    Field::new("PrimaryGateways", "primary_gateways"),
];
/// The keys whose contents are documents of their own: `service`, `services`,
/// `config_entries`.
const DOCUMENT_FIELDS: [Field; 3] = [
    Field::new("Service", "service"),
    Field::new("Services", "services"),
    Field::new("ConfigEntries", "config_entries"),
];
const BOOTSTRAP: Field = Field::new("Bootstrap", "bootstrap");
const ENABLED: Field = Field::new("Enabled", "enabled");
const WAN_FEDERATION: Field = Field::new(
    "EnableMeshGatewayWANFederation",
    "enable_mesh_gateway_wan_federation",
);
const GRPC: Field = Field::new("GRPC", "grpc");
const GRPC_TLS: Field = Field::new("GRPCTLS", "grpc_tls");

/// The documents of an agent file: the agent configuration (only when the file holds agent
/// keys besides services and config entries), then its services, then its bootstrap entries.
/// `taken` is the `services` list [`take_services`] took out of the tree.
pub(super) fn agent<'t>(
    cx: &mut Cx<'t, '_>,
    obj: Obj<'t>,
    taken: Option<Box<[Node<'_>]>>,
    out: &mut Documents<'_>,
) {
    cx.with_style(Style::Snake, |cx| documents(cx, obj, taken, out));
}

fn documents<'t>(
    cx: &mut Cx<'t, '_>,
    mut obj: Obj<'t>,
    taken: Option<Box<[Node<'_>]>>,
    out: &mut Documents<'_>,
) {
    let mut a = AgentConfig {
        pos: obj.pos(),
        positions: positions(&obj),
        ..AgentConfig::default()
    };
    let has_agent_keys = obj
        .entries()
        .iter()
        .any(|e| !DOCUMENT_FIELDS.iter().any(|f| f.matches(&e.key)));
    settings(cx, &mut obj, &mut a);
    let dc_pos = datacenter_pos(&obj);
    // The agent's own document goes first, but is whole only once the others are read.
    let start = out.len();
    services(cx, &mut obj, taken, out);
    for entry in bootstrap(cx, &mut obj) {
        out.push(Content::ConfigEntry(entry));
    }
    // Every other key is kept as written: agent files hold far more than we model.
    for e in obj.rest() {
        a.other.insert(e.key.to_string(), e.value.to_json());
    }
    if let Some(dc) = &a.datacenter {
        let valid = cx.clean(|cx| {
            validate::datacenter(cx, dc, dc_pos);
            Some(())
        });
        if valid.is_none() {
            a.invalid.push("datacenter");
        }
    }
    if has_agent_keys {
        out.insert(start, Content::Agent(a));
    }
}

/// Where each modelled key was written (its first spelling).
fn positions(obj: &Obj<'_>) -> Vec<(&'static str, Pos)> {
    AGENT_FIELDS
        .iter()
        .chain(&DOCUMENT_FIELDS)
        .filter_map(|field| {
            let e = obj.entries().iter().find(|e| field.matches(&e.key))?;
            Some((field.snake(), e.key_pos))
        })
        .collect()
}

/// Where the `datacenter` value was written (its first spelling), else the file's start.
fn datacenter_pos(obj: &Obj<'_>) -> Pos {
    obj.entries()
        .iter()
        .find(|e| AGENT_FIELDS[0].matches(&e.key))
        .map_or(obj.pos(), |e| e.value.pos)
}

fn settings<'t>(cx: &mut Cx<'t, '_>, obj: &mut Obj<'t>, a: &mut AgentConfig) {
    let [dc, pdc, server, connect, ports, central, acl, rjw, pgw] = AGENT_FIELDS;
    let inv = &mut a.invalid;
    a.datacenter = setting(cx, inv, dc, |cx| {
        cx.opt_string(obj, dc).map(|d| d.to_ascii_lowercase())
    });
    a.primary_datacenter = setting(cx, inv, pdc, |cx| cx.opt_string(obj, pdc));
    a.server = setting(cx, inv, server, |cx| cx.opt_bool(obj, server));
    a.connect = setting(cx, inv, connect, |cx| {
        cx.field_object(obj, connect, agent_connect)
    });
    a.ports = setting(cx, inv, ports, |cx| {
        cx.field_object(obj, ports, agent_ports)
    });
    a.enable_central_service_config = setting(cx, inv, central, |cx| cx.opt_bool(obj, central));
    a.acl = setting(cx, inv, acl, |cx| cx.field_object(obj, acl, agent_acl));
    a.retry_join_wan = setting(cx, inv, rjw, |cx| cx.field(obj, rjw, strings)).unwrap_or_default();
    a.primary_gateways =
        setting(cx, inv, pgw, |cx| cx.field(obj, pgw, strings)).unwrap_or_default();
}

/// Reads one setting with `read`; when that reported an error, the setting is recorded as
/// invalid (and reads as unset).
fn setting<'t, R>(
    cx: &mut Cx<'t, '_>,
    invalid: &mut Vec<&'static str>,
    field: Field,
    read: impl FnOnce(&mut Cx<'t, '_>) -> Option<R>,
) -> Option<R> {
    let out = cx.clean(|cx| Some(read(cx)));
    if out.is_none() {
        invalid.push(field.snake());
    }
    out.flatten()
}

// The agent's blocks: other settings in them are Consul's, not modelled here.

fn agent_connect<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> AgentConnect {
    let enabled = cx.opt_bool(&mut obj, ENABLED);
    let enable_mesh_gateway_wan_federation = cx.opt_bool(&mut obj, WAN_FEDERATION);
    let _ = obj.rest();
    AgentConnect {
        enabled,
        enable_mesh_gateway_wan_federation,
    }
}

fn agent_ports<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> AgentPorts {
    // A negative port disables the listener.
    let port = |cx: &mut Cx<'t, '_>, node: &'t Node<'t>| int(cx, node, -1, 65535, "a port");
    let p = AgentPorts {
        grpc: cx.field(&mut obj, GRPC, port).flatten(),
        grpc_tls: cx.field(&mut obj, GRPC_TLS, port).flatten(),
    };
    let _ = obj.rest();
    p
}

fn agent_acl<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> AgentAcl {
    let enabled = cx.opt_bool(&mut obj, ENABLED);
    let _ = obj.rest();
    AgentAcl { enabled }
}

/// The services of `service` and `services`, each validated, added to `out`; those with an
/// error left out.
fn services<'t>(
    cx: &mut Cx<'t, '_>,
    obj: &mut Obj<'t>,
    taken: Option<Box<[Node<'_>]>>,
    out: &mut Documents<'_>,
) {
    let [service, services, _] = DOCUMENT_FIELDS;
    cx.field(obj, service, |cx, node| service_list(cx, node, out));
    match taken {
        // Taken out of the one entry so spelled: its node is left an empty list.
        Some(items) => cx.field(obj, services, |cx, _| taken_list(cx, items, out)),
        None => cx.field(obj, services, |cx, node| service_list(cx, node, out)),
    };
}

/// Takes the list of several services of the one `services` entry (however spelled) out of
/// an agent file's top-level map, leaving it an empty list.
pub(super) fn take_services<'s>(entries: &mut [Entry<'s>]) -> Option<Box<[Node<'s>]>> {
    let [_, services, _] = DOCUMENT_FIELDS;
    let mut spelled = entries.iter_mut().filter(|e| services.matches(&e.key));
    let (Some(e), None) = (spelled.next(), spelled.next()) else {
        return None;
    };
    match &mut e.value.value {
        Value::List(items) if items.len() > 1 => Some(std::mem::take(items)),
        _ => None,
    }
}

/// How many services of a taken list are read through one narrowed context: its path is
/// copied once for them, and their trees go together.
const CHUNK: usize = 256;

/// A list of several services taken out of the tree, read as [`service_list`] reads one
/// (elements that are no object reported first, then each service at its index), each
/// chunk of elements dropped once its services are built.
fn taken_list(cx: &mut Cx<'_, '_>, items: Box<[Node<'_>]>, out: &mut Documents<'_>) {
    // Room for them all and the agent's own document, which goes before them.
    out.reserve(items.len() + 1);
    let objects: Vec<bool> = cx.narrowed(|cx| {
        let each = items.iter().enumerate();
        each.map(|(i, item)| cx.at_index(i, |cx| object(cx, item).is_some()))
            .collect()
    });
    let mut rest = items.into_vec().into_iter().zip(objects).enumerate();
    let mut chunk = Vec::with_capacity(CHUNK);
    loop {
        chunk.extend(rest.by_ref().take(CHUNK));
        if chunk.is_empty() {
            return;
        }
        cx.narrowed(|cx| {
            for (i, (item, _)) in chunk.iter().filter(|(_, (_, is_object))| *is_object) {
                // No diagnostic: it was found an object above.
                let obj = object(cx, item);
                let service = cx.at_index(*i, |cx| checked_service(cx, obj?, false));
                if let Some(s) = service {
                    out.push(Content::Service(s));
                }
            }
        });
        chunk.clear();
    }
}

/// One service or a list of them; only a list of several puts the index on the key path.
fn service_list<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>, out: &mut Documents<'_>) {
    let single = !matches!(&node.value, Value::List(l) if l.len() > 1);
    if let Value::List(l) = &node.value {
        // Room for them all and the agent's own document, which goes before them.
        out.reserve(l.len() + 1);
    }
    for (i, obj) in objects(cx, node) {
        let Some(obj) = obj else { continue };
        let service = if single {
            checked_service(cx, obj, false)
        } else {
            cx.at_index(i, |cx| checked_service(cx, obj, false))
        };
        if let Some(s) = service {
            out.push(Content::Service(s));
        }
    }
}

/// The entries of `config_entries { bootstrap = [ … ] }`, each validated; those with an
/// error left out.
fn bootstrap<'t>(cx: &mut Cx<'t, '_>, obj: &mut Obj<'t>) -> Vec<ConfigEntry> {
    let [.., config_entries] = DOCUMENT_FIELDS;
    cx.field_object(obj, config_entries, |cx, mut o| {
        let entries = cx
            .field(&mut o, BOOTSTRAP, |cx, node| {
                each_object(cx, node, checked_entry)
            })
            .unwrap_or_default();
        o.finish(cx, &[BOOTSTRAP]);
        entries
    })
    .unwrap_or_default()
}
