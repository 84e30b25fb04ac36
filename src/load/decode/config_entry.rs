//! Config entries: `proxy-defaults`, `service-defaults` (with its `UpstreamConfig`), the
//! discovery chain's kinds (in [`super::discovery_chain`]), and the other kinds Consul knows,
//! kept opaque.

use crate::load::context::{
    Cx, Field, Obj, Style, each_object, int, opaque, opaque_of, string, string_map,
};
use crate::load::decode::discovery_chain;
use crate::load::decode::mesh_gateway::mesh_gateway;
use crate::load::error::DiagnosticKind;
use crate::load::validate;
use crate::model::config_entry::{
    ConfigEntry, ProxyDefaults, ServiceDefaults, UpstreamConfiguration, UpstreamOverride,
};
use crate::syntax::tree::{Node, Value};

const KIND: Field = Field::new("Kind", "kind");
const NAME: Field = Field::new("Name", "name");

const CONFIG_ENTRY_TOLERATED: [Field; 14] = [
    Field::new("Kind", "kind"),
    Field::new("CreateIndex", "create_index"),
    Field::new("ModifyIndex", "modify_index"),
    Field::new("Hash", "hash"),
    Field::new("Mode", "mode"),
    Field::new("TransparentProxy", "transparent_proxy"),
    Field::new("MutualTLSMode", "mutual_tls_mode"),
    Field::new("Expose", "expose"),
    Field::new("AccessLogs", "access_logs"),
    Field::new("EnvoyExtensions", "envoy_extensions"),
    Field::new("FailoverPolicy", "failover_policy"),
    Field::new("PrioritizeByLocality", "prioritize_by_locality"),
    Field::new("Partition", "partition"),
    Field::new("Namespace", "namespace"),
];
const PROXY_DEFAULTS_FIELDS: [Field; 4] = [
    Field::new("Name", "name"),
    Field::new("Config", "config"),
    Field::new("MeshGateway", "mesh_gateway"),
    Field::new("Meta", "meta"),
];
const SERVICE_DEFAULTS_FIELDS: [Field; 6] = [
    Field::new("Name", "name"),
    Field::new("Protocol", "protocol"),
    Field::new("MeshGateway", "mesh_gateway"),
    Field::new("ExternalSNI", "external_sni"),
    Field::new("UpstreamConfig", "upstream_config"),
    Field::new("Meta", "meta"),
];
const SERVICE_DEFAULTS_TOLERATED: [Field; 6] = [
    Field::new("Destination", "destination"),
    Field::new("MaxInboundConnections", "max_inbound_connections"),
    Field::new("LocalConnectTimeoutMs", "local_connect_timeout_ms"),
    Field::new("LocalRequestTimeoutMs", "local_request_timeout_ms"),
    Field::new("BalanceInboundConnections", "balance_inbound_connections"),
    Field::new("RateLimits", "rate_limits"),
];
const UPSTREAM_CONFIG_FIELDS: [Field; 2] = [
    Field::new("Overrides", "overrides"),
    Field::new("Defaults", "defaults"),
];
const OVERRIDE_FIELDS: [Field; 7] = [
    Field::new("Name", "name"),
    Field::new("Namespace", "namespace"),
    Field::new("Partition", "partition"),
    Field::new("Peer", "peer"),
    Field::new("Protocol", "protocol"),
    Field::new("ConnectTimeoutMs", "connect_timeout_ms"),
    Field::new("MeshGateway", "mesh_gateway"),
];
const OVERRIDE_TOLERATED: [Field; 5] = [
    Field::new("Limits", "limits"),
    Field::new("PassiveHealthCheck", "passive_health_check"),
    Field::new("BalanceOutboundConnections", "balance_outbound_connections"),
    Field::new("EnvoyListenerJSON", "envoy_listener_json"),
    Field::new("EnvoyClusterJSON", "envoy_cluster_json"),
];

/// Config entry kinds Consul knows besides the two this crate models.
const OTHER_ENTRY_KINDS: &[&str] = &[
    "service-router",
    "service-splitter",
    "service-resolver",
    "ingress-gateway",
    "terminating-gateway",
    "service-intentions",
    "mesh",
    "exported-services",
    "sameness-group",
    "api-gateway",
    "bound-api-gateway",
    "http-route",
    "tcp-route",
    "inline-certificate",
    "jwt-provider",
    "control-plane-request-limit",
    "file-system-certificate",
];

/// A config entry from a map with `Kind`, validated; `None` when it had an error.
pub(super) fn checked_entry<'t>(cx: &mut Cx<'t, '_>, obj: Obj<'t>) -> Option<ConfigEntry> {
    let name_pos = obj
        .entries()
        .iter()
        .find(|e| NAME.matches(&e.key))
        .map_or(obj.pos(), |e| e.key_pos);
    cx.checked(
        |cx| entry(cx, obj),
        |cx, e| validate::config_entry(cx, e, name_pos),
    )
}

/// A config entry from a map with `Kind`; reports a missing or unknown kind.
fn entry<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> Option<ConfigEntry> {
    let Some(k) = obj.take(KIND, Style::Camel) else {
        cx.error(
            DiagnosticKind::Invalid,
            obj.pos(),
            "config entry has no Kind",
        );
        return None;
    };
    let kind = cx.at(&k.key, |cx| {
        let kind = string(cx, &k.value)?;
        if kind == "proxy-defaults"
            || kind == "service-defaults"
            || OTHER_ENTRY_KINDS.contains(&kind)
        {
            return Some(kind);
        }
        let msg = format!("invalid config entry kind: {kind}");
        cx.error(DiagnosticKind::Invalid, k.value.pos, msg);
        None
    })?;
    Some(cx.in_config_entry(|cx| match kind {
        "proxy-defaults" => ConfigEntry::ProxyDefaults(proxy_defaults(cx, obj)),
        "service-defaults" => ConfigEntry::ServiceDefaults(service_defaults(cx, obj)),
        "service-resolver" => ConfigEntry::ServiceResolver(discovery_chain::resolver(cx, obj)),
        "service-router" => ConfigEntry::ServiceRouter(discovery_chain::router(cx, obj)),
        "service-splitter" => ConfigEntry::ServiceSplitter(discovery_chain::splitter(cx, obj)),
        "exported-services" => ConfigEntry::ExportedServices(discovery_chain::exported(cx, obj)),
        _ => other_entry(&obj, kind),
    }))
}

/// The config entry of kind `kind` (`proxy-defaults`, `service-defaults`, the discovery
/// chain's three kinds, `exported-services`) named `name` whose other fields are those of
/// `obj`: the `spec` of a consul-k8s custom resource, whose field names are the entry's in
/// camelCase. `None` when it had an error. Consul's own rules do not run: the resource's
/// admission webhook has its own.
pub(crate) fn spec_entry<'t>(
    cx: &mut Cx<'t, '_>,
    kind: &str,
    name: &str,
    obj: Obj<'t>,
) -> Option<ConfigEntry> {
    cx.clean(|cx| {
        cx.in_config_entry(|cx| match kind {
            "proxy-defaults" => {
                let mut p = proxy_defaults(cx, obj);
                name.clone_into(&mut p.name);
                Some(ConfigEntry::ProxyDefaults(p))
            }
            "service-defaults" => {
                let mut s = service_defaults(cx, obj);
                name.clone_into(&mut s.name);
                Some(ConfigEntry::ServiceDefaults(s))
            }
            "service-resolver" => {
                let mut r = discovery_chain::resolver(cx, obj);
                name.clone_into(&mut r.name);
                Some(ConfigEntry::ServiceResolver(r))
            }
            "service-router" => {
                let mut r = discovery_chain::router(cx, obj);
                name.clone_into(&mut r.name);
                Some(ConfigEntry::ServiceRouter(r))
            }
            "service-splitter" => {
                let mut s = discovery_chain::splitter(cx, obj);
                name.clone_into(&mut s.name);
                Some(ConfigEntry::ServiceSplitter(s))
            }
            "exported-services" => {
                let mut e = discovery_chain::exported(cx, obj);
                name.clone_into(&mut e.name);
                Some(ConfigEntry::ExportedServices(e))
            }
            _ => None,
        })
    })
}

/// An entry of a kind this crate does not model, kept as written.
fn other_entry(obj: &Obj<'_>, kind: &str) -> ConfigEntry {
    let mut name = String::new();
    for e in obj.entries() {
        if NAME.matches(&e.key)
            && let Value::String(s) = &e.value.value
        {
            s.as_ref().clone_into(&mut name);
        }
    }
    let body = opaque_of(obj.entries());
    ConfigEntry::Other {
        kind: kind.to_owned(),
        name,
        body,
        pos: obj.pos(),
    }
}

fn proxy_defaults<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> ProxyDefaults {
    let [name, config, mg, meta] = PROXY_DEFAULTS_FIELDS;
    let mut p = ProxyDefaults {
        pos: obj.pos(),
        ..ProxyDefaults::default()
    };
    // Consul normalises an empty name to "global".
    if let Some(n) = cx.opt_string(&mut obj, name).filter(|n| !n.is_empty()) {
        p.name = n;
    }
    p.config = cx.field(&mut obj, config, opaque).flatten();
    p.mesh_gateway = cx.field(&mut obj, mg, mesh_gateway).unwrap_or_default();
    p.meta = cx.field(&mut obj, meta, string_map).unwrap_or_default();
    obj.tolerate(&CONFIG_ENTRY_TOLERATED);
    obj.finish(cx, &PROXY_DEFAULTS_FIELDS);
    p
}

fn service_defaults<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> ServiceDefaults {
    let [name, protocol, mg, sni, uc, meta] = SERVICE_DEFAULTS_FIELDS;
    let mut s = ServiceDefaults {
        pos: obj.pos(),
        ..ServiceDefaults::default()
    };
    s.name = cx.opt_string(&mut obj, name).unwrap_or_default();
    s.protocol = cx.opt_string(&mut obj, protocol).unwrap_or_default();
    s.mesh_gateway = cx.field(&mut obj, mg, mesh_gateway).unwrap_or_default();
    s.external_sni = cx.opt_string(&mut obj, sni);
    s.upstream_config = cx.field_object(&mut obj, uc, upstream_config);
    s.meta = cx.field(&mut obj, meta, string_map).unwrap_or_default();
    obj.tolerate(&CONFIG_ENTRY_TOLERATED);
    obj.tolerate(&SERVICE_DEFAULTS_TOLERATED);
    let known: Vec<Field> = SERVICE_DEFAULTS_FIELDS
        .iter()
        .chain(&SERVICE_DEFAULTS_TOLERATED)
        .copied()
        .collect();
    obj.finish(cx, &known);
    s
}

fn upstream_config<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> UpstreamConfiguration {
    let [overrides, defaults] = UPSTREAM_CONFIG_FIELDS;
    let uc = UpstreamConfiguration {
        overrides: cx
            .field(&mut obj, overrides, |cx, node| {
                each_object(cx, node, |cx, o| Some(upstream_override(cx, o)))
            })
            .unwrap_or_default(),
        defaults: cx.field_object(&mut obj, defaults, upstream_override),
    };
    obj.finish(cx, &UPSTREAM_CONFIG_FIELDS);
    uc
}

fn upstream_override<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> UpstreamOverride {
    let [name, ns, part, peer, protocol, timeout, mg] = OVERRIDE_FIELDS;
    let mut o = UpstreamOverride {
        pos: obj.pos(),
        ..UpstreamOverride::default()
    };
    o.name = cx.opt_string(&mut obj, name).unwrap_or_default();
    o.namespace = cx.opt_string(&mut obj, ns);
    o.partition = cx.opt_string(&mut obj, part);
    o.peer = cx.opt_string(&mut obj, peer);
    o.protocol = cx.opt_string(&mut obj, protocol);
    o.connect_timeout_ms = cx.field(&mut obj, timeout, timeout_ms).flatten();
    o.mesh_gateway = cx.field(&mut obj, mg, mesh_gateway).unwrap_or_default();
    obj.tolerate(&OVERRIDE_TOLERATED);
    let known: Vec<Field> = OVERRIDE_FIELDS
        .iter()
        .chain(&OVERRIDE_TOLERATED)
        .copied()
        .collect();
    obj.finish(cx, &known);
    o
}

fn timeout_ms(cx: &mut Cx<'_, '_>, node: &Node) -> Option<u32> {
    int(
        cx,
        node,
        0,
        i64::from(u32::MAX),
        "a timeout in milliseconds",
    )
    .and_then(|i| u32::try_from(i).ok())
}
