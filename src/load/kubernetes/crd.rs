//! consul-k8s's custom resources (`consul.hashicorp.com/v1alpha1`) as config entries.
//!
//! A resource is checked as `kubectl apply`, consul-k8s's admission webhook and Consul check
//! it, in that order, and only a resource they accept is decoded: its fields against the
//! resource's schema (an unknown field is `strict decoding error: unknown field "spec.…"`),
//! then the webhook's rules with its texts (`proxydefaults resource name must be "global"`,
//! `proxydefaults.consul.hashicorp.com "global" is invalid: spec.meshGateway.mode: Invalid
//! value: "Local": must be one of "remote", "local", "none", ""`; the discovery chain's in
//! `chain`), then Consul's own rules on the entry consul-k8s writes. Every kind but `Mesh`
//! decodes into the same model as its config-entry form (the fields are the entry's, in
//! camelCase); `Mesh` into the entry Consul is written, with Consul's field names.
//! consul-k8s's other resources are recognised and left out with a note.

use crate::load::context::{Cx, Obj, object};
use crate::load::decode::spec_entry;
use crate::load::error::DiagnosticKind;
use crate::load::kubernetes::field::{FieldError, not_in, one_of, str_value, value};
use crate::load::kubernetes::rules::FactsAt;
use crate::load::kubernetes::schema::{self, F, Shape};
use crate::load::kubernetes::settings::Settings;
use crate::load::kubernetes::{Manifest, get, map_of};
use crate::load::kubernetes::{chain, opaque};
use crate::model::config_entry::ConfigEntry;
use crate::model::mode::go_quote;
use crate::model::opaque::{JsonMap, Opaque};
use crate::syntax::tree::{Entry, Node, Pos, Value};

/// A resource kind this crate reads: its config entry kind and the fields of its spec.
struct Kind {
    crd: &'static str,
    entry: &'static str,
    spec: &'static [F],
}

impl Kind {
    /// The kind as consul-k8s names it in its messages (`proxydefaults`).
    fn kube(&self) -> String {
        self.crd.to_ascii_lowercase()
    }
}

const KINDS: &[Kind] = &[
    Kind {
        crd: "ProxyDefaults",
        entry: "proxy-defaults",
        spec: schema::PROXY_DEFAULTS,
    },
    Kind {
        crd: "ServiceDefaults",
        entry: "service-defaults",
        spec: schema::SERVICE_DEFAULTS,
    },
    Kind {
        crd: "Mesh",
        entry: "mesh",
        spec: schema::MESH,
    },
    Kind {
        crd: "ExportedServices",
        entry: "exported-services",
        spec: schema::EXPORTED_SERVICES,
    },
    Kind {
        crd: "ServiceResolver",
        entry: "service-resolver",
        spec: schema::SERVICE_RESOLVER,
    },
    Kind {
        crd: "ServiceRouter",
        entry: "service-router",
        spec: schema::SERVICE_ROUTER,
    },
    Kind {
        crd: "ServiceSplitter",
        entry: "service-splitter",
        spec: schema::SERVICE_SPLITTER,
    },
];

/// consul-k8s's resources that are known and not read.
const KNOWN: &[&str] = &[
    "ServiceIntentions",
    "IngressGateway",
    "TerminatingGateway",
    "SamenessGroup",
    "JWTProvider",
    "ControlPlaneRequestLimit",
    "PeeringAcceptor",
    "PeeringDialer",
    "Registration",
    "GatewayClassConfig",
    "GatewayPolicy",
    "MeshService",
    "RouteAuthFilter",
    "RouteRetryFilter",
    "RouteTimeoutFilter",
    "RouteExtProcFilter",
    "RouteTLSSDSFilter",
    "RateLimit",
    "APIGateway",
];

/// The config entry of a consul-k8s resource; `None` when it is another resource (noted) or
/// `kubectl apply` or the webhook would reject it (reported).
pub(super) fn decode<'t>(
    cx: &mut Cx<'t, '_>,
    m: &Manifest<'t>,
    settings: &Settings,
    facts: FactsAt<'_>,
) -> Option<ConfigEntry> {
    let Some(kind) = KINDS.iter().find(|k| k.crd == m.kind) else {
        let what = if KNOWN.contains(&m.kind) {
            "consul-k8s's, but not one meshroute reads"
        } else {
            "not a resource consul-k8s defines"
        };
        let msg = format!("{} ({}) is {what}: skipped", m.describe(), m.api_version);
        cx.note(DiagnosticKind::Skipped, m.pos, msg);
        return None;
    };
    if m.api_version != "consul.hashicorp.com/v1alpha1" {
        let msg = format!(
            "{}: consul-k8s serves {} only as consul.hashicorp.com/v1alpha1, not {}",
            m.describe(),
            m.kind,
            m.api_version
        );
        cx.error(DiagnosticKind::Invalid, m.pos, msg);
        return None;
    }
    let spec = get(m.entries, "spec");
    cx.clean(|cx| {
        top_level(cx, m);
        if let Some(spec) = spec {
            cx.at("spec", |cx| known_fields(cx, spec, kind.spec, "spec"));
        }
        Some(())
    })?;
    let spec_entries = spec.and_then(map_of).unwrap_or_default();
    cx.clean(|cx| {
        webhook(cx, kind, m, spec_entries, settings);
        Some(())
    })?;
    facts.record_entry(m, spec_entries, settings.namespaces && settings.mirroring);
    entry(cx, kind, m, spec, settings)
}

/// A resource's top level: `apiVersion`, `kind`, `metadata`, `spec`, `status`.
fn top_level(cx: &mut Cx<'_, '_>, m: &Manifest<'_>) {
    for e in m.entries {
        if !["apiVersion", "kind", "metadata", "spec", "status"].contains(&e.key.as_ref()) {
            strict_error(cx, e.key_pos, &e.key);
        }
    }
}

/// Every field of `node` known to `fields`, recursively; `at` is the field path so far.
fn known_fields(cx: &mut Cx<'_, '_>, node: &Node<'_>, fields: &[F], at: &str) {
    let Some(entries) = map_of(node) else { return };
    for e in entries {
        let path = format!("{at}.{}", e.key);
        match fields.iter().find(|f| f.crd == e.key) {
            Some(f) => known_shape(cx, &e.value, f.shape, &path),
            None => strict_error(cx, e.key_pos, &path),
        }
    }
}

fn known_shape(cx: &mut Cx<'_, '_>, node: &Node<'_>, shape: Shape, at: &str) {
    match (shape, &node.value) {
        (Shape::Object(fields), _) => known_fields(cx, node, fields, at),
        (Shape::List(item), Value::List(items)) => {
            for (i, n) in items.iter().enumerate() {
                known_shape(cx, n, *item, &format!("{at}[{i}]"));
            }
        }
        (Shape::Map(item), Value::Map(entries)) => {
            for e in entries {
                known_shape(cx, &e.value, *item, &format!("{at}.{}", e.key));
            }
        }
        _ => {}
    }
}

/// The API server's rejection of an unknown field (`kubectl` 1.27 and later; earlier ones
/// dropped the field silently).
fn strict_error(cx: &mut Cx<'_, '_>, pos: Pos, path: &str) {
    let top = cx_path_reset(path);
    cx.error_below(
        DiagnosticKind::UnknownKey,
        pos,
        top,
        format!(
            "strict decoding error: unknown field {} (kubectl 1.27 and later reject it; earlier versions drop it silently)",
            go_quote(path)
        ),
    );
}

/// The part of `path` below `spec` (the context is already at `spec` when the spec is walked).
fn cx_path_reset(path: &str) -> &str {
    path.strip_prefix("spec.").unwrap_or(path)
}

/// The decoded entry: `Mesh` as the entry Consul is written (it has no model), the others
/// through the config entry decoder into the same models as their config-entry forms, in
/// the Consul namespace and partition consul-k8s writes them to.
fn entry<'t>(
    cx: &mut Cx<'t, '_>,
    kind: &Kind,
    m: &Manifest<'t>,
    spec: Option<&'t Node<'t>>,
    settings: &Settings,
) -> Option<ConfigEntry> {
    if kind.entry == "mesh" {
        let mut body = JsonMap::new();
        body.insert("Kind".to_owned(), kind.entry.into());
        if let Some(spec) = spec {
            translate_fields(spec, kind.spec, &mut body);
        }
        return Some(ConfigEntry::Other {
            kind: kind.entry.to_owned(),
            name: m.name.to_owned(),
            body: Opaque::from(body),
            pos: m.pos,
        });
    }
    let obj = match spec {
        Some(s) => cx.at("spec", |cx| object(cx, s))?,
        None => Obj::new(&[], m.pos),
    };
    let mut e = cx.at("spec", |cx| spec_entry(cx, kind.entry, m.name, obj))?;
    opaque::canonical(&mut e);
    place(&mut e, m, settings);
    consul_rules(cx, kind, m, &e).then_some(e)
}

/// Consul's own rules on the entry consul-k8s writes for an accepted resource: what they
/// refuse, `kubectl apply` accepts and the entry never reaches Consul (the resource's
/// `Synced` condition turns `False`). Reported with Consul's text, on the resource's path.
/// Whether the entry passed.
fn consul_rules(cx: &mut Cx<'_, '_>, kind: &Kind, m: &Manifest<'_>, e: &ConfigEntry) -> bool {
    let mut found = Vec::new();
    crate::load::validate::config_entry(&mut Cx::new(&mut found), e, m.name_pos);
    let mut ok = true;
    for d in found {
        let path = format!("spec.{}", crd_path(kind.spec, &d.path));
        let msg = format!(
            "{} (Consul's rule: kubectl apply accepts the resource, but Consul refuses the config entry consul-k8s writes for it, and the resource is never synced)",
            d.message
        );
        if d.severity == crate::load::error::Severity::Error {
            ok = false;
            cx.error_below(d.kind, d.pos, &path, msg);
        } else {
            cx.warning_below(d.kind, d.pos, &path, msg);
        }
    }
    ok
}

/// A key path in Consul's field names (`Failover.*.Targets[0]`) in the resource's
/// (`failover.*.targets[0]`), as far as the schema knows it.
fn crd_path(fields: &'static [F], consul: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut fields = Some(fields);
    let mut key_next = false;
    for seg in consul.split('.').filter(|s| !s.is_empty()) {
        let (base, index) = seg.find('[').map_or((seg, ""), |i| seg.split_at(i));
        if key_next {
            out.push(seg.to_owned());
            key_next = false;
            continue;
        }
        let Some(f) = fields.and_then(|fs| fs.iter().find(|f| f.consul.eq_ignore_ascii_case(base)))
        else {
            out.push(seg.to_owned());
            fields = None;
            continue;
        };
        out.push(format!("{}{index}", f.crd));
        (fields, key_next) = match f.shape {
            Shape::Object(fs) => (Some(fs), false),
            Shape::List(Shape::Object(fs)) => (Some(*fs), false),
            Shape::Map(Shape::Object(fs)) => (Some(*fs), true),
            _ => (None, false),
        };
    }
    out.join(".")
}

/// Where consul-k8s writes a resource's entry: its position, and for the discovery chain's
/// entries the Consul namespace its Kubernetes namespace maps to and the cluster's
/// partition; a router's destinations without a namespace get the resource's (its
/// `DefaultNamespaceFields`), when namespaces are enabled.
fn place(e: &mut ConfigEntry, m: &Manifest<'_>, settings: &Settings) {
    let ns = settings.consul_namespace(m.namespace);
    let part = settings.partitions.then(|| settings.partition.clone());
    match e {
        ConfigEntry::ProxyDefaults(p) => p.pos = m.pos,
        ConfigEntry::ServiceDefaults(s) => s.pos = m.pos,
        ConfigEntry::ExportedServices(x) => x.pos = m.pos,
        ConfigEntry::ServiceResolver(r) => {
            (r.pos, r.namespace, r.partition) = (m.pos, ns, part);
        }
        ConfigEntry::ServiceSplitter(sp) => {
            (sp.pos, sp.namespace, sp.partition) = (m.pos, ns, part);
        }
        ConfigEntry::ServiceRouter(r) => {
            for d in r.routes.iter_mut().filter_map(|r| r.destination.as_mut()) {
                if let Some(ns) = ns.as_ref().filter(|_| d.namespace.is_empty()) {
                    d.namespace.clone_from(ns);
                }
            }
            (r.pos, r.namespace, r.partition) = (m.pos, ns, part);
        }
        ConfigEntry::Other { .. } => {}
    }
}

/// The fields of `node`, under Consul's names.
fn translate_fields(node: &Node<'_>, fields: &[F], out: &mut JsonMap) {
    for e in map_of(node).unwrap_or_default() {
        if let Some(f) = fields.iter().find(|f| f.crd == e.key) {
            out.insert(f.consul.to_owned(), translate(&e.value, f.shape));
        }
    }
}

fn translate(node: &Node<'_>, shape: Shape) -> serde_json::Value {
    match (shape, &node.value) {
        (Shape::Object(fields), Value::Map(_)) => {
            let mut m = JsonMap::new();
            translate_fields(node, fields, &mut m);
            serde_json::Value::Object(m)
        }
        (Shape::List(item), Value::List(items)) => {
            serde_json::Value::Array(items.iter().map(|n| translate(n, *item)).collect())
        }
        (Shape::Map(item), Value::Map(entries)) => serde_json::Value::Object(
            entries
                .iter()
                .map(|e| (e.key.to_string(), translate(&e.value, *item)))
                .collect(),
        ),
        _ => node.to_json(),
    }
}

// ---------------------------------------------------------------------------------------
// The admission webhook's rules.

/// Runs the webhook's rules for `kind` and reports what it rejects.
fn webhook(
    cx: &mut Cx<'_, '_>,
    kind: &Kind,
    m: &Manifest<'_>,
    spec: &[Entry<'_>],
    settings: &Settings,
) {
    if let Some(required) = singleton_name(kind, settings)
        && m.name != required
    {
        let kube = kind.kube();
        let msg = match kind.crd {
            "ExportedServices" if settings.partitions => format!(
                "{kube}.consul.hashicorp.com {} is invalid: name: Invalid value: {}: {kube} resource name must be the same name as the partition, {}",
                go_quote(m.name),
                go_quote(m.name),
                go_quote(&settings.partition)
            ),
            "ExportedServices" => format!(
                "{kube}.consul.hashicorp.com {} is invalid: name: Invalid value: {}: {kube} resource name must be \"default\"",
                go_quote(m.name),
                go_quote(m.name)
            ),
            _ => format!("{kube} resource name must be \"{required}\""),
        };
        cx.at("metadata", |cx| {
            cx.at("name", |cx| {
                cx.error(DiagnosticKind::Invalid, m.name_pos, msg);
            });
        });
    }
    let mut errs = Vec::new();
    match kind.crd {
        "ProxyDefaults" => proxy_defaults_rules(spec, &mut errs),
        "ServiceDefaults" => service_defaults_rules(spec, settings, &mut errs),
        "Mesh" => mesh_rules(spec, settings, &mut errs),
        "ServiceResolver" => chain::resolver_rules(spec, m.pos, settings, &mut errs),
        "ServiceRouter" => chain::router_rules(spec, settings, &mut errs),
        "ServiceSplitter" => chain::splitter_rules(spec, m.pos, settings, &mut errs),
        _ => exported_services_rules(spec, m.pos, settings, &mut errs),
    }
    for e in errs {
        let msg = format!(
            "{}.consul.hashicorp.com {} is invalid: {}: {}",
            kind.kube(),
            go_quote(m.name),
            e.path,
            e.body
        );
        cx.error_below(DiagnosticKind::Invalid, e.pos, &key_path(&e.path), msg);
    }
}

/// A field path as Kubernetes writes it (`spec.failover[*].targets[0]`) as a key path
/// (`spec.failover.*.targets[0]`): a map key in brackets becomes a dotted key.
fn key_path(k8s: &str) -> String {
    let mut out = String::with_capacity(k8s.len());
    let mut rest = k8s;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| open + c) else {
            break;
        };
        let inner = &rest[open + 1..close];
        out.push_str(&rest[..open]);
        if inner.bytes().all(|b| b.is_ascii_digit()) && !inner.is_empty() {
            out.push_str(&rest[open..=close]);
        } else {
            out.push('.');
            out.push_str(inner);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The name a resource of which a cluster has one must have.
fn singleton_name(kind: &Kind, settings: &Settings) -> Option<String> {
    match kind.crd {
        "ProxyDefaults" => Some("global".to_owned()),
        "Mesh" => Some("mesh".to_owned()),
        "ExportedServices" if settings.partitions => Some(settings.partition.clone()),
        "ExportedServices" => Some("default".to_owned()),
        _ => None,
    }
}

const MESH_GATEWAY_MODES: &[&str] = &["remote", "local", "none", ""];
const MUTUAL_TLS_MODES: &str = "Must be one of \"\", \"strict\", or \"permissive\".";

/// The rules ProxyDefaults and ServiceDefaults share.
fn proxy_rules(spec: &[Entry<'_>], errs: &mut Vec<FieldError>) {
    one_of(spec, &["meshGateway", "mode"], MESH_GATEWAY_MODES, errs);
    if let Some(n) = value(spec, &["transparentProxy", "outboundListenerPort"])
        && let Value::Int(port) = n.value
        && port != 0
    {
        errs.push(FieldError::invalid(
            "spec.transparentProxy.outboundListenerPort",
            n.pos,
            &port.to_string(),
            "use the annotation `consul.hashicorp.com/transparent-proxy-outbound-listener-port` to configure the Outbound Listener Port",
        ));
    }
    if let Some((v, pos)) = str_value(spec, &["mutualTLSMode"])
        && !["", "strict", "permissive"].contains(&v)
    {
        errs.push(FieldError::invalid(
            "spec.mutualTLSMode",
            pos,
            &go_quote(v),
            MUTUAL_TLS_MODES,
        ));
    }
    if let Some(n) = value(spec, &["mode"]) {
        let shown = match &n.value {
            Value::String(s) => go_quote(s),
            _ => "null".to_owned(),
        };
        errs.push(FieldError::invalid(
            "spec.mode",
            n.pos,
            &shown,
            "use the annotation `consul.hashicorp.com/transparent-proxy` to configure the Transparent Proxy Mode",
        ));
    }
    expose_rules(spec, errs);
    envoy_extension_rules(spec, errs);
}

fn expose_rules(spec: &[Entry<'_>], errs: &mut Vec<FieldError>) {
    let Some(Value::List(paths)) = value(spec, &["expose", "paths"]).map(|n| &n.value) else {
        return;
    };
    for (i, p) in paths.iter().enumerate() {
        let entries = map_of(p).unwrap_or_default();
        let at = format!("spec.expose.paths[{i}]");
        if let Some((path, pos)) = str_value(entries, &["path"])
            && !path.is_empty()
            && !path.starts_with('/')
        {
            errs.push(FieldError::invalid(
                format!("{at}.path"),
                pos,
                &go_quote(path),
                "must begin with a '/'",
            ));
        }
        if let Some((proto, pos)) = str_value(entries, &["protocol"])
            && !proto.is_empty()
            && !["http", "http2"].contains(&proto)
        {
            errs.push(FieldError::invalid(
                format!("{at}.protocol"),
                pos,
                &go_quote(proto),
                &not_in(&["http", "http2"]),
            ));
        }
    }
}

fn envoy_extension_rules(spec: &[Entry<'_>], errs: &mut Vec<FieldError>) {
    let Some(Value::List(exts)) = value(spec, &["envoyExtensions"]).map(|n| &n.value) else {
        return;
    };
    for (i, ext) in exts.iter().enumerate() {
        if get(map_of(ext).unwrap_or_default(), "arguments").is_none() {
            errs.push(FieldError::required(
                format!("spec.envoyExtensions.envoyExtension[{i}].arguments"),
                ext.pos,
                "arguments must be defined",
            ));
        }
    }
}

fn proxy_defaults_rules(spec: &[Entry<'_>], errs: &mut Vec<FieldError>) {
    proxy_rules(spec, errs);
    one_of(
        spec,
        &["failoverPolicy", "mode"],
        &["", "sequential", "order-by-locality"],
        errs,
    );
    one_of(
        spec,
        &["prioritizeByLocality", "mode"],
        &["", "none", "failover"],
        errs,
    );
    access_log_rules(spec, errs);
}

fn access_log_rules(spec: &[Entry<'_>], errs: &mut Vec<FieldError>) {
    let Some(logs) = value(spec, &["accessLogs"]).and_then(map_of) else {
        return;
    };
    let ty = str_value(logs, &["type"]);
    let path = str_value(logs, &["path"]);
    let file = ty.is_some_and(|(t, _)| t == "file");
    if let Some((t, pos)) = ty
        && !["", "stderr", "stdout", "file"].contains(&t)
    {
        errs.push(FieldError::invalid(
            "spec.accessLogs.type",
            pos,
            &go_quote(t),
            "invalid access log type (must be one of \"stdout\", \"stderr\", \"file\"",
        ));
    } else if file && path.is_none_or(|(p, _)| p.is_empty()) {
        errs.push(FieldError::invalid(
            "spec.accessLogs.path",
            ty.map_or(Pos::default(), |(_, p)| p),
            "\"\"",
            "path must be specified when using file type access logs",
        ));
    } else if let Some((p, pos)) = path
        && !file
        && !p.is_empty()
    {
        errs.push(FieldError::invalid(
            "spec.accessLogs.path",
            pos,
            &go_quote(p),
            "path is only valid for file type access logs",
        ));
    }
}

fn service_defaults_rules(spec: &[Entry<'_>], settings: &Settings, errs: &mut Vec<FieldError>) {
    one_of(spec, &["protocol"], &["tcp", "http", "http2", "grpc"], errs);
    let protocol_empty = str_value(spec, &["protocol"]).is_some_and(|(p, _)| p.is_empty());
    if protocol_empty {
        errs.retain(|e| e.path != "spec.protocol");
    }
    proxy_rules(spec, errs);
    for (key, path, what) in [
        (
            "maxInboundConnections",
            "spec.maxinboundconnections",
            "MaxInboundConnections",
        ),
        (
            "localConnectTimeoutMs",
            "spec.localConnectTimeoutMs",
            "LocalConnectTimeoutMs",
        ),
        (
            "localRequestTimeoutMs",
            "spec.localRequestTimeoutMs",
            "LocalRequestTimeoutMs",
        ),
    ] {
        if let Some(n) = value(spec, &[key])
            && let Value::Int(v) = n.value
            && v < 0
        {
            let detail = format!("{what} must be > 0");
            errs.push(FieldError::invalid(path, n.pos, &v.to_string(), &detail));
        }
    }
    if let Some((v, pos)) = str_value(spec, &["balanceInboundConnections"])
        && !v.is_empty()
        && v != "exact_balance"
    {
        errs.push(FieldError::invalid(
            "spec.balanceInboundConnections",
            pos,
            &go_quote(v),
            "BalanceInboundConnections must be an empty string or exact_balance",
        ));
    }
    upstream_config_rules(spec, settings, errs);
}

fn upstream_config_rules(spec: &[Entry<'_>], settings: &Settings, errs: &mut Vec<FieldError>) {
    let base = "spec.upstreamConfig";
    if let Some(d) = value(spec, &["upstreamConfig", "defaults"]).and_then(map_of) {
        upstream_rules(d, &format!("{base}.defaults"), true, settings, errs);
    }
    if let Some(Value::List(items)) =
        value(spec, &["upstreamConfig", "overrides"]).map(|n| &n.value)
    {
        for (i, o) in items.iter().enumerate() {
            let entries = map_of(o).unwrap_or_default();
            let at = format!("{base}.overrides[{i}]");
            upstream_rules(entries, &at, false, settings, errs);
            if str_value(entries, &["name"]).is_none_or(|(n, _)| n.is_empty()) {
                errs.push(FieldError::invalid(
                    format!("{at}.name"),
                    o.pos,
                    "\"\"",
                    "upstream.name for an override upstream cannot be \"\"",
                ));
            }
        }
    }
}

fn upstream_rules(
    u: &[Entry<'_>],
    at: &str,
    defaults: bool,
    settings: &Settings,
    errs: &mut Vec<FieldError>,
) {
    let set = |k: &str| str_value(u, &[k]).filter(|(v, _)| !v.is_empty());
    if defaults {
        for k in ["name", "namespace", "partition", "peer"] {
            if let Some((v, pos)) = set(k) {
                let detail = format!("upstream.{k} for a default upstream must be \"\"");
                errs.push(FieldError::invalid(
                    format!("{at}.{k}"),
                    pos,
                    &go_quote(v),
                    &detail,
                ));
            }
        }
    } else if set("peer").is_some() {
        for (k, what) in [("namespace", "namespace"), ("partition", "partition")] {
            if let Some((_, pos)) = set(k) {
                let detail = format!("both {what} and peer cannot be specified.");
                errs.push(FieldError::invalid(at, pos, "(the upstream)", &detail));
            }
        }
    }
    if !settings.partitions
        && let Some((v, pos)) = set("partition")
    {
        errs.push(FieldError::invalid(
            format!("{at}.partition"),
            pos,
            &go_quote(v),
            "Consul Enterprise Admin Partitions must be enabled to set upstream.partition",
        ));
    }
    if let Some((v, pos)) = str_value(u, &["meshGateway", "mode"])
        && !MESH_GATEWAY_MODES.contains(&v)
    {
        errs.push(FieldError::invalid(
            format!("{at}.meshGateway.mode"),
            pos,
            &go_quote(v),
            &not_in(MESH_GATEWAY_MODES),
        ));
    }
}

fn mesh_rules(spec: &[Entry<'_>], settings: &Settings, errs: &mut Vec<FieldError>) {
    let versions = ["TLS_AUTO", "TLSv1_0", "TLSv1_1", "TLSv1_2", "TLSv1_3", ""];
    for dir in ["incoming", "outgoing"] {
        for key in ["tlsMaxVersion", "tlsMinVersion"] {
            one_of(spec, &["tls", dir, key], &versions, errs);
        }
    }
    if settings.partitions
        && settings.partition != "default"
        && let Some(n) = value(spec, &["peering", "peerThroughMeshGateways"])
        && n.value == Value::Bool(true)
    {
        errs.push(FieldError {
            path: "spec.peering.peerThroughMeshGateways".to_owned(),
            pos: n.pos,
            body:
                "Forbidden: \"peerThroughMeshGateways\" is only valid in the \"default\" partition"
                    .to_owned(),
        });
    }
}

fn exported_services_rules(
    spec: &[Entry<'_>],
    start: Pos,
    settings: &Settings,
    errs: &mut Vec<FieldError>,
) {
    let services = match value(spec, &["services"]).map(|n| &n.value) {
        Some(Value::List(items)) if !items.is_empty() => &items[..],
        found => {
            errs.push(FieldError::invalid(
                "spec.services",
                start,
                &go_empty_slice("ExportedService", found),
                "at least one service must be exported",
            ));
            return;
        }
    };
    for (i, svc) in services.iter().enumerate() {
        let at = format!("spec.services[{i}]");
        let entries = map_of(svc).unwrap_or_default();
        let found = value(entries, &["consumers"]).map(|n| &n.value);
        let consumers = match found {
            Some(Value::List(c)) => &c[..],
            _ => &[],
        };
        if consumers.is_empty() {
            errs.push(FieldError::invalid(
                at.clone(),
                svc.pos,
                &go_empty_slice("ServiceConsumer", found),
                "service must have at least 1 consumer.",
            ));
        }
        if !settings.namespaces
            && let Some((ns, pos)) =
                str_value(entries, &["namespace"]).filter(|(n, _)| !n.is_empty())
        {
            let detail = "Consul Namespaces must be enabled to specify service namespace.";
            errs.push(FieldError::invalid(at.clone(), pos, &go_quote(ns), detail));
        }
        for (j, c) in consumers.iter().enumerate() {
            consumer_rules(c, &format!("{at}.consumers[{j}]"), settings, errs);
        }
    }
}

/// An empty Go slice of `v1alpha1.<item>` as `%#v` prints it: `[]v1alpha1.X(nil)` when
/// absent, `[]v1alpha1.X{}` when written empty.
fn go_empty_slice(item: &str, found: Option<&Value>) -> String {
    match found {
        Some(Value::List(_)) => format!("[]v1alpha1.{item}{{}}"),
        _ => format!("[]v1alpha1.{item}(nil)"),
    }
}

fn consumer_rules(c: &Node<'_>, at: &str, settings: &Settings, errs: &mut Vec<FieldError>) {
    let entries = map_of(c).unwrap_or_default();
    let set = |k: &str| str_value(entries, &[k]).filter(|(v, _)| !v.is_empty());
    let count = ["partition", "peer", "samenessGroup"]
        .iter()
        .filter(|k| set(k).is_some())
        .count();
    let detail = match count {
        0 => Some("service consumer must define at least one of Peer, Partition, or SamenessGroup"),
        1 => None,
        _ => Some("service consumer must define at most one of Peer, Partition, or SamenessGroup"),
    };
    if let Some(d) = detail {
        let field = |k: &str| go_quote(set(k).map_or("", |(v, _)| v));
        let shown = format!(
            "v1alpha1.ServiceConsumer{{Partition:{}, Peer:{}, SamenessGroup:{}}}",
            field("partition"),
            field("peer"),
            field("samenessGroup")
        );
        errs.push(FieldError::invalid(at, c.pos, &shown, d));
        return;
    }
    if !settings.partitions
        && let Some((p, pos)) = set("partition")
    {
        let detail = "Consul Admin Partitions need to be enabled to specify partition.";
        errs.push(FieldError::invalid(
            format!("{at}.partition"),
            pos,
            &go_quote(p),
            detail,
        ));
        return;
    }
    for (k, path, what) in [
        ("partition", "partition", "partitions"),
        ("peer", "peer", "peers"),
        ("samenessGroup", "samenessgroup", "sameness groups"),
    ] {
        if let Some(("*", pos)) = set(k) {
            let detail = format!("exporting to all {what} (wildcard) is not supported");
            errs.push(FieldError::invalid(
                format!("{at}.{path}"),
                pos,
                "\"\"",
                &detail,
            ));
            return;
        }
    }
}
