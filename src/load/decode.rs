//! Normalizing and decoding the generic tree into typed documents.
//!
//! Phases two and three of loading. Every object is looked up through a [`Obj`] view that
//! matches keys case-insensitively against each field's CamelCase and snake_case names (the
//! canonical one wins when both are present, as in Consul), unwraps the list of one map that
//! HCL1 makes of every block where the schema wants an object, wraps a single object where the
//! schema wants a list, and reports unused keys as Consul does (`invalid config key "…"`),
//! with a did-you-mean hint. Scalars are never coerced. Validation (phase four) runs on the
//! typed values, in [`crate::load::validate`].

use std::fmt::Write as _;

use indexmap::IndexMap;

use crate::load::error::{Diagnostic, DiagnosticKind};
use crate::model::agent::{AgentAcl, AgentConfig, AgentConnect, AgentPorts};
use crate::model::config_entry::{
    ConfigEntry, ProxyDefaults, ServiceDefaults, UpstreamConfiguration, UpstreamOverride,
};
use crate::model::document::{CaRoots, Content};
use crate::model::mode::MeshGatewayMode;
use crate::model::service::{
    DestinationType, MeshGatewayConfig, Opaque, ProxyConfig, ServiceConnect, ServiceDefinition,
    ServiceKind, TaggedAddress, Upstream,
};
use crate::syntax::tree::{Entry, Node, Pos, Value};

/// Which spelling is canonical where both appear: Consul's config entries and HTTP API
/// prefer CamelCase, agent configuration files prefer snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    Camel,
    Snake,
}

/// A key path segment.
#[derive(Clone, Copy, Debug)]
enum Seg<'t> {
    Key(&'t str),
    Index(usize),
}

/// The decoding context: the diagnostics sink and the current key path.
pub(crate) struct Cx<'t, 'd> {
    diags: &'d mut Vec<Diagnostic>,
    path: Vec<Seg<'t>>,
    pub(crate) style: Style,
    /// Whether unknown-mode errors should add the config-entry note.
    in_config_entry: bool,
}

impl<'t> Cx<'t, '_> {
    fn path_string(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                Seg::Index(i) => {
                    let _ = write!(s, "[{i}]");
                }
            }
        }
        s
    }

    pub(crate) fn error(&mut self, kind: DiagnosticKind, pos: Pos, message: impl Into<String>) {
        let path = self.path_string();
        self.diags.push(Diagnostic::error(kind, pos, path, message));
    }

    fn error_at_key(
        &mut self,
        key: &'t str,
        kind: DiagnosticKind,
        pos: Pos,
        message: impl Into<String>,
    ) {
        self.path.push(Seg::Key(key));
        self.error(kind, pos, message);
        self.path.pop();
    }

    pub(crate) fn warning(&mut self, kind: DiagnosticKind, pos: Pos, message: impl Into<String>) {
        let path = self.path_string();
        self.diags
            .push(Diagnostic::warning(kind, pos, path, message));
    }

    pub(crate) fn error_count(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }
}

/// A field of a schema: its CamelCase name and its snake_case alias.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field {
    camel: &'static str,
    snake: &'static str,
}

const fn f(camel: &'static str, snake: &'static str) -> Field {
    Field { camel, snake }
}

impl Field {
    fn matches(self, key: &str) -> bool {
        key.eq_ignore_ascii_case(self.camel) || key.eq_ignore_ascii_case(self.snake)
    }

    fn canonical(self, style: Style) -> &'static str {
        match style {
            Style::Camel => self.camel,
            Style::Snake => self.snake,
        }
    }
}

/// A map being decoded: which of its entries have been used.
struct Obj<'t> {
    entries: &'t [Entry],
    pos: Pos,
    used: Vec<bool>,
}

impl<'t> Obj<'t> {
    fn new(entries: &'t [Entry], pos: Pos) -> Self {
        Self {
            entries,
            pos,
            used: vec![false; entries.len()],
        }
    }

    /// Finds `field`: the entry spelled canonically wins, else the last alias spelling.
    /// Every matching entry is marked used.
    fn take(&mut self, field: Field, style: Style) -> Option<&'t Entry> {
        let canonical = field.canonical(style);
        let mut best: Option<usize> = None;
        let mut best_is_canonical = false;
        for (i, e) in self.entries.iter().enumerate() {
            if field.matches(&e.key) {
                self.used[i] = true;
                let is_canonical = e.key.eq_ignore_ascii_case(canonical);
                if best.is_none() || is_canonical || !best_is_canonical {
                    best = Some(i);
                    best_is_canonical = is_canonical;
                }
            }
        }
        best.map(|i| &self.entries[i])
    }

    /// Marks every entry matching one of `fields` used (keys Consul knows that we ignore).
    fn tolerate(&mut self, fields: &[Field]) {
        for (i, e) in self.entries.iter().enumerate() {
            if fields.iter().any(|f| f.matches(&e.key)) {
                self.used[i] = true;
            }
        }
    }

    /// Reports every unused key as Consul does, with a suggestion from `known`.
    fn finish(self, cx: &mut Cx<'t, '_>, known: &[Field]) {
        for (i, e) in self.entries.iter().enumerate() {
            if self.used[i] {
                continue;
            }
            let mut d = {
                cx.path.push(Seg::Key(&e.key));
                let path = cx.path_string();
                cx.path.pop();
                Diagnostic::error(
                    DiagnosticKind::UnknownKey,
                    e.key_pos,
                    path,
                    format!(
                        "invalid config key {}",
                        crate::model::mode::go_quote(&e.key)
                    ),
                )
            };
            if let Some(s) = suggest(&e.key, known) {
                d = d.with_suggestion(s);
            }
            cx.diags.push(d);
        }
    }

    /// The entries not used yet, marking them used (for maps kept as they are).
    fn rest(&mut self) -> Vec<&'t Entry> {
        let mut out = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if !self.used[i] {
                self.used[i] = true;
                out.push(e);
            }
        }
        out
    }
}

/// The closest known key to `key`, in the spelling style `key` uses.
fn suggest(key: &str, known: &[Field]) -> Option<String> {
    let snake_style = key.contains('_') || key.chars().all(|c| !c.is_ascii_uppercase());
    let lower = key.to_ascii_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for field in known {
        let cand = if snake_style {
            field.snake
        } else {
            field.camel
        };
        let score = strsim::jaro(&lower, &cand.to_ascii_lowercase());
        if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, cand));
        }
    }
    best.map(|(_, c)| c.to_owned())
}

// ---------------------------------------------------------------------------------------
// Scalars and shapes.

impl<'t> Cx<'t, '_> {
    /// Runs `f` with `key` pushed on the path.
    pub(crate) fn at<R>(&mut self, key: &'t str, f: impl FnOnce(&mut Self) -> R) -> R {
        self.path.push(Seg::Key(key));
        let r = f(self);
        self.path.pop();
        r
    }

    pub(crate) fn at_index<R>(&mut self, i: usize, f: impl FnOnce(&mut Self) -> R) -> R {
        self.path.push(Seg::Index(i));
        let r = f(self);
        self.path.pop();
        r
    }

    fn wrong_type(&mut self, node: &Node, expected: &str) {
        self.error(
            DiagnosticKind::WrongType,
            node.pos,
            format!("expected {expected}, found {}", describe(node)),
        );
    }

    fn string(&mut self, node: &'t Node) -> Option<&'t str> {
        if let Value::String(s) = &node.value {
            if s.contains("${") || s.contains("%{") {
                self.error(
                    DiagnosticKind::Interpolation,
                    node.pos,
                    format!(
                        "expected a literal string, found the template {}: Consul does not interpolate configuration",
                        crate::model::mode::go_quote(s)
                    ),
                );
                None
            } else {
                Some(s)
            }
        } else {
            self.wrong_type(node, "a string");
            None
        }
    }

    fn owned_string(&mut self, node: &'t Node) -> Option<String> {
        self.string(node).map(str::to_owned)
    }

    fn bool(&mut self, node: &Node) -> Option<bool> {
        if let Value::Bool(b) = node.value {
            Some(b)
        } else {
            self.wrong_type(node, "a boolean");
            None
        }
    }

    fn int(&mut self, node: &Node, min: i64, max: i64, what: &str) -> Option<i64> {
        match node.value {
            Value::Int(i) if (min..=max).contains(&i) => Some(i),
            Value::Int(i) => {
                self.error(
                    DiagnosticKind::OutOfRange,
                    node.pos,
                    format!("{i} is out of range for {what} ({min} to {max})"),
                );
                None
            }
            _ => {
                self.wrong_type(node, "an integer");
                None
            }
        }
    }

    fn port(&mut self, node: &Node) -> Option<u16> {
        self.int(node, 0, 65535, "a port")
            .and_then(|i| u16::try_from(i).ok())
    }

    /// An object: a map, or HCL1's list of one map. An empty list is absent.
    fn object(&mut self, node: &'t Node) -> Option<Obj<'t>> {
        match &node.value {
            Value::Map(entries) => Some(Obj::new(entries, node.pos)),
            Value::List(items) => match items.as_slice() {
                [] => None,
                [one] => {
                    if let Value::Map(entries) = &one.value {
                        Some(Obj::new(entries, one.pos))
                    } else {
                        self.wrong_type(one, "a map");
                        None
                    }
                }
                [_, second, ..] => {
                    self.error(
                        DiagnosticKind::TooMany,
                        second.pos,
                        format!(
                            "expected one block or map, found {} (this key may appear only once)",
                            items.len()
                        ),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(node, "a map or block");
                None
            }
        }
    }

    /// A list of objects: a list (whose elements may be HCL1 lists of one map), or a single
    /// object as a list of one.
    fn objects(&mut self, node: &'t Node) -> Vec<(usize, Option<Obj<'t>>)> {
        match &node.value {
            Value::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let obj = self.at_index(i, |cx| cx.object(item));
                    out.push((i, obj));
                }
                out
            }
            Value::Map(entries) => vec![(0, Some(Obj::new(entries, node.pos)))],
            _ => {
                self.wrong_type(node, "a list of maps or blocks");
                Vec::new()
            }
        }
    }

    fn strings(&mut self, node: &'t Node) -> Vec<String> {
        if let Value::List(items) = &node.value {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                if let Some(s) = self.at_index(i, |cx| cx.owned_string(item)) {
                    out.push(s);
                }
            }
            out
        } else {
            self.wrong_type(node, "a list of strings");
            Vec::new()
        }
    }

    /// A map kept as it is (`config`): a map or HCL1's list of one map.
    fn opaque(&mut self, node: &'t Node) -> Option<Opaque> {
        let obj = self.object(node)?;
        let mut m = Opaque::new();
        for e in obj.entries {
            m.insert(e.key.clone(), e.value.to_json());
        }
        Some(m)
    }

    /// A map of strings to strings (`meta`).
    fn string_map(&mut self, node: &'t Node) -> IndexMap<String, String> {
        let mut out = IndexMap::new();
        if let Some(obj) = self.object(node) {
            for e in obj.entries {
                if let Some(v) = self.at(&e.key, |cx| cx.owned_string(&e.value)) {
                    out.insert(e.key.clone(), v);
                }
            }
        }
        out
    }

    fn mode(&mut self, node: &'t Node) -> MeshGatewayMode {
        let Some(s) = self.string(node) else {
            return MeshGatewayMode::Default;
        };
        match s.parse::<MeshGatewayMode>() {
            Ok(m) => m,
            Err(e) => {
                let note = if self.in_config_entry {
                    " (Consul accepts an unknown mode in a config entry silently and then routes as if no gateway were set; meshroute rejects it)"
                } else {
                    ""
                };
                self.error(
                    DiagnosticKind::InvalidMode,
                    node.pos,
                    format!("{e}; expected one of \"\", \"none\", \"local\", \"remote\"{note}"),
                );
                MeshGatewayMode::Default
            }
        }
    }

    fn mesh_gateway(&mut self, node: &'t Node) -> MeshGatewayConfig {
        let mut cfg = MeshGatewayConfig::default();
        let Some(mut obj) = self.object(node) else {
            return cfg;
        };
        let style = self.style;
        if let Some(e) = obj.take(MODE, style) {
            cfg.mode = self.at(&e.key, |cx| cx.mode(&e.value));
        }
        obj.finish(self, &[MODE]);
        cfg
    }
}

fn describe(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Int(i) => format!("the number {i}"),
        Value::Float(x) => format!("the number {x}"),
        Value::String(s) => format!("the string {}", crate::model::mode::go_quote(s)),
        Value::List(items) => format!("a list of {}", items.len()),
        Value::Map(_) => "a map".to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Schemas.

const MODE: Field = f("Mode", "mode");
const KIND: Field = f("Kind", "kind");
const NAME: Field = f("Name", "name");

const UPSTREAM_FIELDS: [Field; 11] = [
    f("DestinationType", "destination_type"),
    f("DestinationNamespace", "destination_namespace"),
    f("DestinationPartition", "destination_partition"),
    f("DestinationPeer", "destination_peer"),
    f("DestinationName", "destination_name"),
    f("Datacenter", "datacenter"),
    f("LocalBindAddress", "local_bind_address"),
    f("LocalBindPort", "local_bind_port"),
    f("LocalBindSocketPath", "local_bind_socket_path"),
    f("MeshGateway", "mesh_gateway"),
    f("Config", "config"),
];
const UPSTREAM_TOLERATED: [Field; 2] = [
    f("LocalBindSocketMode", "local_bind_socket_mode"),
    f("CentrallyConfigured", "centrally_configured"),
];

impl<'t> Cx<'t, '_> {
    fn upstream(&mut self, mut obj: Obj<'t>) -> Upstream {
        let style = self.style;
        let mut u = Upstream {
            pos: obj.pos,
            ..Upstream::default()
        };
        let [ty, ns, part, peer, name, dc, addr, port, sock, mg, config] = UPSTREAM_FIELDS;
        if let Some(e) = obj.take(ty, style)
            && let Some(s) = self.at(&e.key, |cx| cx.string(&e.value))
        {
            match s.parse::<DestinationType>() {
                Ok(t) => u.destination_type = t,
                Err(msg) => {
                    self.error_at_key(&e.key, DiagnosticKind::Invalid, e.value.pos, msg);
                }
            }
        }
        u.destination_namespace = self.opt_string(&mut obj, ns);
        u.destination_partition = self.opt_string(&mut obj, part);
        u.destination_peer = self.opt_string(&mut obj, peer);
        u.destination_name = self.opt_string(&mut obj, name).unwrap_or_default();
        u.datacenter = self.opt_string(&mut obj, dc);
        u.local_bind_address = self.opt_string(&mut obj, addr);
        if let Some(e) = obj.take(port, style) {
            u.local_bind_port = self.at(&e.key, |cx| cx.port(&e.value));
        }
        u.local_bind_socket_path = self.opt_string(&mut obj, sock);
        if let Some(e) = obj.take(mg, style) {
            u.mesh_gateway = self.at(&e.key, |cx| cx.mesh_gateway(&e.value));
        }
        if let Some(e) = obj.take(config, style) {
            u.config = self.at(&e.key, |cx| cx.opaque(&e.value));
        }
        obj.tolerate(&UPSTREAM_TOLERATED);
        obj.finish(self, &UPSTREAM_FIELDS);
        u
    }

    fn opt_string(&mut self, obj: &mut Obj<'t>, field: Field) -> Option<String> {
        let e = obj.take(field, self.style)?;
        self.at(&e.key, |cx| cx.owned_string(&e.value))
    }

    fn opt_bool(&mut self, obj: &mut Obj<'t>, field: Field) -> Option<bool> {
        let e = obj.take(field, self.style)?;
        self.at(&e.key, |cx| cx.bool(&e.value))
    }

    fn upstreams(&mut self, node: &'t Node) -> Vec<Upstream> {
        let mut out = Vec::new();
        for (i, obj) in self.objects(node) {
            if let Some(obj) = obj {
                out.push(self.at_index(i, |cx| cx.upstream(obj)));
            }
        }
        out
    }
}

const PROXY_FIELDS: [Field; 7] = [
    f("DestinationServiceName", "destination_service_name"),
    f("DestinationServiceID", "destination_service_id"),
    f("LocalServiceAddress", "local_service_address"),
    f("LocalServicePort", "local_service_port"),
    f("Config", "config"),
    f("Upstreams", "upstreams"),
    f("MeshGateway", "mesh_gateway"),
];
const PROXY_TOLERATED: [Field; 7] = [
    f("LocalServiceSocketPath", "local_service_socket_path"),
    f("Mode", "mode"),
    f("TransparentProxy", "transparent_proxy"),
    f("Expose", "expose"),
    f("AccessLogs", "access_logs"),
    f("EnvoyExtensions", "envoy_extensions"),
    f("MutualTLSMode", "mutual_tls_mode"),
];

impl<'t> Cx<'t, '_> {
    fn proxy(&mut self, mut obj: Obj<'t>) -> ProxyConfig {
        let style = self.style;
        let [dsn, dsid, lsa, lsp, config, ups, mg] = PROXY_FIELDS;
        let mut p = ProxyConfig {
            pos: obj.pos,
            ..ProxyConfig::default()
        };
        p.destination_service_name = self.opt_string(&mut obj, dsn);
        p.destination_service_id = self.opt_string(&mut obj, dsid);
        p.local_service_address = self.opt_string(&mut obj, lsa);
        if let Some(e) = obj.take(lsp, style) {
            p.local_service_port = self.at(&e.key, |cx| cx.port(&e.value));
        }
        if let Some(e) = obj.take(config, style) {
            p.config = self.at(&e.key, |cx| cx.opaque(&e.value));
        }
        if let Some(e) = obj.take(ups, style) {
            p.upstreams = self.at(&e.key, |cx| cx.upstreams(&e.value));
        }
        if let Some(e) = obj.take(mg, style) {
            p.mesh_gateway = self.at(&e.key, |cx| cx.mesh_gateway(&e.value));
        }
        obj.tolerate(&PROXY_TOLERATED);
        obj.finish(self, &PROXY_FIELDS);
        p
    }
}

const SERVICE_FIELDS: [Field; 13] = [
    f("Kind", "kind"),
    f("ID", "id"),
    f("Name", "name"),
    f("Tags", "tags"),
    f("Address", "address"),
    f("TaggedAddresses", "tagged_addresses"),
    f("Meta", "meta"),
    f("Port", "port"),
    f("Proxy", "proxy"),
    f("Connect", "connect"),
    f("Namespace", "namespace"),
    f("Partition", "partition"),
    f("Token", "token"),
];
const SERVICE_TOLERATED: [Field; 9] = [
    f("Check", "check"),
    f("Checks", "checks"),
    f("EnableTagOverride", "enable_tag_override"),
    f("Weights", "weights"),
    f("SocketPath", "socket_path"),
    f("Locality", "locality"),
    f("ContentHash", "content_hash"),
    f("Datacenter", "datacenter"),
    f("PeerName", "peer_name"),
];
const CONNECT_FIELDS: [Field; 2] = [
    f("Native", "native"),
    f("SidecarService", "sidecar_service"),
];
const TAGGED_FIELDS: [Field; 2] = [f("Address", "address"), f("Port", "port")];

impl<'t> Cx<'t, '_> {
    /// A service definition. `api_name` is set for the HTTP API's `GET /v1/agent/service`
    /// shape, where the name is under `Service`.
    fn service(&mut self, mut obj: Obj<'t>, api_shape: bool, depth: usize) -> ServiceDefinition {
        let style = self.style;
        let [
            kind,
            id,
            name,
            tags,
            address,
            tagged,
            meta,
            port,
            proxy,
            connect,
            ns,
            part,
            token,
        ] = SERVICE_FIELDS;
        let mut s = ServiceDefinition {
            pos: obj.pos,
            ..ServiceDefinition::default()
        };
        if let Some(e) = obj.take(kind, style)
            && let Some(k) = self.at(&e.key, |cx| cx.string(&e.value))
        {
            s.kind = k.parse().unwrap_or_default();
            if let ServiceKind::Other(other) = &s.kind {
                let msg = format!(
                    "unknown service kind {}: Consul registers it as a typical service",
                    crate::model::mode::go_quote(other)
                );
                self.at(&e.key, |cx| {
                    cx.warning(DiagnosticKind::Invalid, e.value.pos, msg);
                });
            }
        }
        s.id = self.opt_string(&mut obj, id);
        let name_field = if api_shape {
            f("Service", "service")
        } else {
            name
        };
        s.name = self.opt_string(&mut obj, name_field).unwrap_or_default();
        if let Some(e) = obj.take(tags, style) {
            s.tags = self.at(&e.key, |cx| cx.strings(&e.value));
        }
        s.address = self.opt_string(&mut obj, address);
        if let Some(e) = obj.take(tagged, style) {
            s.tagged_addresses = self.at(&e.key, |cx| cx.tagged_addresses(&e.value));
        }
        if let Some(e) = obj.take(meta, style) {
            s.meta = self.at(&e.key, |cx| cx.string_map(&e.value));
        }
        if let Some(e) = obj.take(port, style) {
            s.port = self.at(&e.key, |cx| cx.port(&e.value));
        }
        if let Some(e) = obj.take(proxy, style) {
            s.proxy = self.at(&e.key, |cx| cx.object(&e.value).map(|o| cx.proxy(o)));
        }
        if let Some(e) = obj.take(connect, style) {
            s.connect = self.at(&e.key, |cx| {
                cx.object(&e.value).map(|o| cx.connect(o, depth))
            });
        }
        s.namespace = self.opt_string(&mut obj, ns);
        s.partition = self.opt_string(&mut obj, part);
        s.token = self.opt_string(&mut obj, token);
        obj.tolerate(&SERVICE_TOLERATED);
        let mut known = SERVICE_FIELDS.to_vec();
        if api_shape {
            known.push(f("Service", "service"));
        }
        obj.finish(self, &known);
        s
    }

    fn connect(&mut self, mut obj: Obj<'t>, depth: usize) -> ServiceConnect {
        let style = self.style;
        let [native, sidecar] = CONNECT_FIELDS;
        let mut c = ServiceConnect {
            native: self.opt_bool(&mut obj, native).unwrap_or(false),
            ..ServiceConnect::default()
        };
        if let Some(e) = obj.take(sidecar, style) {
            c.sidecar_service = self.at(&e.key, |cx| {
                let o = cx.object(&e.value)?;
                if depth > 0 {
                    cx.error(
                        DiagnosticKind::Invalid,
                        e.key_pos,
                        "sidecar_service can't have a nested sidecar_service",
                    );
                    return None;
                }
                Some(Box::new(cx.service(o, false, depth + 1)))
            });
        }
        obj.finish(self, &CONNECT_FIELDS);
        c
    }

    fn tagged_addresses(&mut self, node: &'t Node) -> IndexMap<String, TaggedAddress> {
        let mut out = IndexMap::new();
        let Some(obj) = self.object(node) else {
            return out;
        };
        let style = self.style;
        for e in obj.entries {
            let ta = self.at(&e.key, |cx| {
                let mut o = cx.object(&e.value)?;
                let mut ta = TaggedAddress::default();
                if let Some(a) = cx.opt_string(&mut o, TAGGED_FIELDS[0]) {
                    ta.address = a;
                }
                if let Some(p) = o.take(TAGGED_FIELDS[1], style) {
                    ta.port = cx.at(&p.key, |cx| cx.port(&p.value)).unwrap_or(0);
                }
                o.finish(cx, &TAGGED_FIELDS);
                Some(ta)
            });
            if let Some(ta) = ta {
                out.insert(e.key.clone(), ta);
            }
        }
        out
    }
}

const CONFIG_ENTRY_TOLERATED: [Field; 14] = [
    f("Kind", "kind"),
    f("CreateIndex", "create_index"),
    f("ModifyIndex", "modify_index"),
    f("Hash", "hash"),
    f("Mode", "mode"),
    f("TransparentProxy", "transparent_proxy"),
    f("MutualTLSMode", "mutual_tls_mode"),
    f("Expose", "expose"),
    f("AccessLogs", "access_logs"),
    f("EnvoyExtensions", "envoy_extensions"),
    f("FailoverPolicy", "failover_policy"),
    f("PrioritizeByLocality", "prioritize_by_locality"),
    f("Partition", "partition"),
    f("Namespace", "namespace"),
];
const PROXY_DEFAULTS_FIELDS: [Field; 4] = [
    f("Name", "name"),
    f("Config", "config"),
    f("MeshGateway", "mesh_gateway"),
    f("Meta", "meta"),
];
const SERVICE_DEFAULTS_FIELDS: [Field; 6] = [
    f("Name", "name"),
    f("Protocol", "protocol"),
    f("MeshGateway", "mesh_gateway"),
    f("ExternalSNI", "external_sni"),
    f("UpstreamConfig", "upstream_config"),
    f("Meta", "meta"),
];
const SERVICE_DEFAULTS_TOLERATED: [Field; 6] = [
    f("Destination", "destination"),
    f("MaxInboundConnections", "max_inbound_connections"),
    f("LocalConnectTimeoutMs", "local_connect_timeout_ms"),
    f("LocalRequestTimeoutMs", "local_request_timeout_ms"),
    f("BalanceInboundConnections", "balance_inbound_connections"),
    f("RateLimits", "rate_limits"),
];
const UPSTREAM_CONFIG_FIELDS: [Field; 2] = [f("Overrides", "overrides"), f("Defaults", "defaults")];
const OVERRIDE_FIELDS: [Field; 7] = [
    f("Name", "name"),
    f("Namespace", "namespace"),
    f("Partition", "partition"),
    f("Peer", "peer"),
    f("Protocol", "protocol"),
    f("ConnectTimeoutMs", "connect_timeout_ms"),
    f("MeshGateway", "mesh_gateway"),
];
const OVERRIDE_TOLERATED: [Field; 5] = [
    f("Limits", "limits"),
    f("PassiveHealthCheck", "passive_health_check"),
    f("BalanceOutboundConnections", "balance_outbound_connections"),
    f("EnvoyListenerJSON", "envoy_listener_json"),
    f("EnvoyClusterJSON", "envoy_cluster_json"),
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

impl<'t> Cx<'t, '_> {
    fn config_entry(&mut self, obj: Obj<'t>, kind: &str) -> Option<ConfigEntry> {
        let saved = (self.style, self.in_config_entry);
        self.style = Style::Camel;
        self.in_config_entry = true;
        let out = match kind {
            "proxy-defaults" => Some(ConfigEntry::ProxyDefaults(self.proxy_defaults(obj))),
            "service-defaults" => Some(ConfigEntry::ServiceDefaults(self.service_defaults(obj))),
            _ => {
                let mut body = Opaque::new();
                let mut name = String::new();
                for e in obj.entries {
                    if NAME.matches(&e.key)
                        && let Value::String(s) = &e.value.value
                    {
                        name.clone_from(s);
                    }
                    body.insert(e.key.clone(), e.value.to_json());
                }
                Some(ConfigEntry::Other {
                    kind: kind.to_owned(),
                    name,
                    body,
                    pos: obj.pos,
                })
            }
        };
        (self.style, self.in_config_entry) = saved;
        out
    }

    fn proxy_defaults(&mut self, mut obj: Obj<'t>) -> ProxyDefaults {
        let style = self.style;
        let [name, config, mg, meta] = PROXY_DEFAULTS_FIELDS;
        let mut p = ProxyDefaults {
            pos: obj.pos,
            ..ProxyDefaults::default()
        };
        if let Some(n) = self.opt_string(&mut obj, name) {
            // Consul normalises an empty name to "global".
            if !n.is_empty() {
                p.name = n;
            }
        }
        if let Some(e) = obj.take(config, style) {
            p.config = self.at(&e.key, |cx| cx.opaque(&e.value));
        }
        if let Some(e) = obj.take(mg, style) {
            p.mesh_gateway = self.at(&e.key, |cx| cx.mesh_gateway(&e.value));
        }
        if let Some(e) = obj.take(meta, style) {
            p.meta = self.at(&e.key, |cx| cx.string_map(&e.value));
        }
        obj.tolerate(&CONFIG_ENTRY_TOLERATED);
        obj.finish(self, &PROXY_DEFAULTS_FIELDS);
        p
    }

    fn service_defaults(&mut self, mut obj: Obj<'t>) -> ServiceDefaults {
        let style = self.style;
        let [name, protocol, mg, sni, uc, meta] = SERVICE_DEFAULTS_FIELDS;
        let mut s = ServiceDefaults {
            pos: obj.pos,
            ..ServiceDefaults::default()
        };
        s.name = self.opt_string(&mut obj, name).unwrap_or_default();
        s.protocol = self.opt_string(&mut obj, protocol).unwrap_or_default();
        if let Some(e) = obj.take(mg, style) {
            s.mesh_gateway = self.at(&e.key, |cx| cx.mesh_gateway(&e.value));
        }
        s.external_sni = self.opt_string(&mut obj, sni);
        if let Some(e) = obj.take(uc, style) {
            s.upstream_config = self.at(&e.key, |cx| {
                let o = cx.object(&e.value)?;
                Some(cx.upstream_config(o))
            });
        }
        if let Some(e) = obj.take(meta, style) {
            s.meta = self.at(&e.key, |cx| cx.string_map(&e.value));
        }
        obj.tolerate(&CONFIG_ENTRY_TOLERATED);
        obj.tolerate(&SERVICE_DEFAULTS_TOLERATED);
        let known: Vec<Field> = SERVICE_DEFAULTS_FIELDS
            .iter()
            .chain(&SERVICE_DEFAULTS_TOLERATED)
            .copied()
            .collect();
        obj.finish(self, &known);
        s
    }

    fn upstream_config(&mut self, mut obj: Obj<'t>) -> UpstreamConfiguration {
        let style = self.style;
        let mut uc = UpstreamConfiguration::default();
        if let Some(e) = obj.take(UPSTREAM_CONFIG_FIELDS[0], style) {
            uc.overrides = self.at(&e.key, |cx| {
                let mut out = Vec::new();
                for (i, o) in cx.objects(&e.value) {
                    if let Some(o) = o {
                        out.push(cx.at_index(i, |cx| cx.upstream_override(o)));
                    }
                }
                out
            });
        }
        if let Some(e) = obj.take(UPSTREAM_CONFIG_FIELDS[1], style) {
            uc.defaults = self.at(&e.key, |cx| {
                let o = cx.object(&e.value)?;
                Some(cx.upstream_override(o))
            });
        }
        obj.finish(self, &UPSTREAM_CONFIG_FIELDS);
        uc
    }

    fn upstream_override(&mut self, mut obj: Obj<'t>) -> UpstreamOverride {
        let style = self.style;
        let [name, ns, part, peer, protocol, timeout, mg] = OVERRIDE_FIELDS;
        let mut o = UpstreamOverride {
            pos: obj.pos,
            ..UpstreamOverride::default()
        };
        o.name = self.opt_string(&mut obj, name).unwrap_or_default();
        o.namespace = self.opt_string(&mut obj, ns);
        o.partition = self.opt_string(&mut obj, part);
        o.peer = self.opt_string(&mut obj, peer);
        o.protocol = self.opt_string(&mut obj, protocol);
        if let Some(e) = obj.take(timeout, style) {
            o.connect_timeout_ms = self.at(&e.key, |cx| {
                cx.int(
                    &e.value,
                    0,
                    i64::from(u32::MAX),
                    "a timeout in milliseconds",
                )
                .and_then(|i| u32::try_from(i).ok())
            });
        }
        if let Some(e) = obj.take(mg, style) {
            o.mesh_gateway = self.at(&e.key, |cx| cx.mesh_gateway(&e.value));
        }
        obj.tolerate(&OVERRIDE_TOLERATED);
        let known: Vec<Field> = OVERRIDE_FIELDS
            .iter()
            .chain(&OVERRIDE_TOLERATED)
            .copied()
            .collect();
        obj.finish(self, &known);
        o
    }
}

// ---------------------------------------------------------------------------------------
// Agent configuration.

const SERVICE: Field = f("Service", "service");
const SERVICES: Field = f("Services", "services");
const CONFIG_ENTRIES: Field = f("ConfigEntries", "config_entries");
const AGENT_FIELDS: [Field; 9] = [
    f("Datacenter", "datacenter"),
    f("PrimaryDatacenter", "primary_datacenter"),
    f("Server", "server"),
    f("Connect", "connect"),
    f("Ports", "ports"),
    f(
        "EnableCentralServiceConfig",
        "enable_central_service_config",
    ),
    f("ACL", "acl"),
    f("RetryJoinWan", "retry_join_wan"),
    f("PrimaryGateways", "primary_gateways"),
];

impl<'t> Cx<'t, '_> {
    fn agent(&mut self, mut obj: Obj<'t>, out: &mut Vec<Content>) {
        let saved = self.style;
        self.style = Style::Snake;
        let style = self.style;
        let [dc, pdc, server, connect, ports, central, acl, rjw, pgw] = AGENT_FIELDS;
        let mut a = AgentConfig {
            pos: obj.pos,
            ..AgentConfig::default()
        };
        for field in AGENT_FIELDS
            .iter()
            .chain([&SERVICE, &SERVICES, &CONFIG_ENTRIES])
        {
            if let Some(e) = obj.entries.iter().find(|e| field.matches(&e.key)) {
                a.positions.push((field.snake, e.key_pos));
            }
        }
        let has_agent_keys = obj.entries.iter().any(|e| {
            !(SERVICE.matches(&e.key) || SERVICES.matches(&e.key) || CONFIG_ENTRIES.matches(&e.key))
        });
        a.datacenter = self
            .opt_string(&mut obj, dc)
            .map(|d| d.to_ascii_lowercase());
        a.primary_datacenter = self.opt_string(&mut obj, pdc);
        a.server = self.opt_bool(&mut obj, server);
        if let Some(e) = obj.take(connect, style) {
            a.connect = self.at(&e.key, |cx| {
                let mut o = cx.object(&e.value)?;
                let enabled = cx.opt_bool(&mut o, f("Enabled", "enabled"));
                let enable_mesh_gateway_wan_federation = cx.opt_bool(
                    &mut o,
                    f(
                        "EnableMeshGatewayWANFederation",
                        "enable_mesh_gateway_wan_federation",
                    ),
                );
                let _ = o.rest(); // other connect settings are kept by Consul, not modelled here
                Some(AgentConnect {
                    enabled,
                    enable_mesh_gateway_wan_federation,
                })
            });
        }
        if let Some(e) = obj.take(ports, style) {
            a.ports = self.at(&e.key, |cx| {
                let mut o = cx.object(&e.value)?;
                let mut p = AgentPorts::default();
                if let Some(g) = o.take(f("GRPC", "grpc"), style) {
                    p.grpc = cx.at(&g.key, |cx| cx.int(&g.value, -1, 65535, "a port"));
                }
                if let Some(g) = o.take(f("GRPCTLS", "grpc_tls"), style) {
                    p.grpc_tls = cx.at(&g.key, |cx| cx.int(&g.value, -1, 65535, "a port"));
                }
                let _ = o.rest();
                Some(p)
            });
        }
        a.enable_central_service_config = self.opt_bool(&mut obj, central);
        if let Some(e) = obj.take(acl, style) {
            a.acl = self.at(&e.key, |cx| {
                let mut o = cx.object(&e.value)?;
                let enabled = cx.opt_bool(&mut o, f("Enabled", "enabled"));
                let _ = o.rest();
                Some(AgentAcl { enabled })
            });
        }
        if let Some(e) = obj.take(rjw, style) {
            a.retry_join_wan = self.at(&e.key, |cx| cx.strings(&e.value));
        }
        if let Some(e) = obj.take(pgw, style) {
            a.primary_gateways = self.at(&e.key, |cx| cx.strings(&e.value));
        }
        let mut services = Vec::new();
        for field in [SERVICE, SERVICES] {
            if let Some(e) = obj.take(field, style) {
                self.at(&e.key, |cx| {
                    for (i, o) in cx.objects(&e.value) {
                        let Some(o) = o else { continue };
                        let single = !matches!(&e.value.value, Value::List(l) if l.len() > 1);
                        let before = cx.error_count();
                        let decode = |cx: &mut Cx<'t, '_>| {
                            let before = cx.error_count();
                            let s = cx.service(o, false, 0);
                            // Validation reads decoded values: only when they decoded cleanly.
                            if cx.error_count() == before {
                                crate::load::validate::service(cx, &s);
                            }
                            s
                        };
                        let s = if single {
                            decode(cx)
                        } else {
                            cx.at_index(i, decode)
                        };
                        if cx.error_count() == before {
                            services.push(s);
                        }
                    }
                });
            }
        }
        let mut entries = Vec::new();
        if let Some(e) = obj.take(CONFIG_ENTRIES, style) {
            self.at(&e.key, |cx| {
                let Some(mut o) = cx.object(&e.value) else {
                    return;
                };
                if let Some(b) = o.take(f("Bootstrap", "bootstrap"), Style::Snake) {
                    cx.at(&b.key, |cx| {
                        for (i, eo) in cx.objects(&b.value) {
                            let Some(eo) = eo else { continue };
                            let before = cx.error_count();
                            let entry = cx.at_index(i, |cx| cx.entry_from_obj(eo));
                            if let Some(entry) = entry {
                                if cx.error_count() == before {
                                    cx.at_index(i, |cx| {
                                        crate::load::validate::config_entry(cx, &entry);
                                    });
                                }
                                if cx.error_count() == before {
                                    entries.push(entry);
                                }
                            }
                        }
                    });
                }
                o.finish(cx, &[f("Bootstrap", "bootstrap")]);
            });
        }
        // Every other key is kept as written: agent files hold far more than we model.
        for e in obj.rest() {
            a.other.insert(e.key.clone(), e.value.to_json());
        }
        if let Some(dc) = &a.datacenter {
            let dc_pos = obj
                .entries
                .iter()
                .find(|e| AGENT_FIELDS[0].matches(&e.key))
                .map_or(obj.pos, |e| e.value.pos);
            crate::load::validate::datacenter(self, dc, dc_pos);
        }
        self.style = saved;
        if has_agent_keys {
            out.push(Content::Agent(a));
        }
        out.extend(services.into_iter().map(Content::Service));
        out.extend(entries.into_iter().map(Content::ConfigEntry));
    }

    /// A config entry from a map with `Kind`; reports a missing or unknown kind.
    fn entry_from_obj(&mut self, mut obj: Obj<'t>) -> Option<ConfigEntry> {
        let Some(k) = obj.take(KIND, Style::Camel) else {
            self.error(DiagnosticKind::Invalid, obj.pos, "config entry has no Kind");
            return None;
        };
        let kind = self.at(&k.key, |cx| cx.string(&k.value))?;
        if kind != "proxy-defaults"
            && kind != "service-defaults"
            && !OTHER_ENTRY_KINDS.contains(&kind)
        {
            self.error_at_key(
                &k.key,
                DiagnosticKind::Invalid,
                k.value.pos,
                format!("invalid config entry kind: {kind}"),
            );
            return None;
        }
        self.config_entry(obj, kind)
    }
}

// ---------------------------------------------------------------------------------------
// Documents.

/// Decodes one parsed file into its documents, reporting problems into `diags`.
pub(crate) fn decode_document(tree: &Node, diags: &mut Vec<Diagnostic>) -> Vec<Content> {
    let mut cx = Cx {
        diags,
        path: Vec::new(),
        style: Style::Snake,
        in_config_entry: false,
    };
    let mut out = Vec::new();
    let Value::Map(entries) = &tree.value else {
        cx.wrong_type(tree, "a map at the top of the document");
        return out;
    };
    let obj = Obj::new(entries, tree.pos);
    match classify(entries) {
        Shape::ConfigEntry => {
            let before = cx.error_count();
            if let Some(entry) = cx.entry_from_obj(obj) {
                if cx.error_count() == before {
                    crate::load::validate::config_entry(&mut cx, &entry);
                }
                if cx.error_count() == before {
                    out.push(Content::ConfigEntry(entry));
                }
            }
        }
        Shape::ApiService | Shape::BareService => {
            cx.style = Style::Camel;
            let before = cx.error_count();
            let s = cx.service(obj, matches!(classify(entries), Shape::ApiService), 0);
            if cx.error_count() == before {
                crate::load::validate::service(&mut cx, &s);
            }
            if cx.error_count() == before {
                out.push(Content::Service(s));
            }
        }
        Shape::CaRoots => {
            let mut roots = CaRoots {
                trust_domain: String::new(),
                pos: tree.pos,
            };
            for e in entries {
                if e.key.eq_ignore_ascii_case("TrustDomain")
                    && let Some(td) = cx.at(&e.key, |cx| cx.owned_string(&e.value))
                {
                    roots.trust_domain = td.to_ascii_lowercase();
                }
            }
            out.push(Content::CaRoots(roots));
        }
        Shape::Agent => cx.agent(obj, &mut out),
    }
    out
}

enum Shape {
    ConfigEntry,
    ApiService,
    BareService,
    CaRoots,
    Agent,
}

/// What kind of document a top-level map is.
fn classify(entries: &[Entry]) -> Shape {
    let get = |name: &str| entries.iter().find(|e| e.key.eq_ignore_ascii_case(name));
    let is_string =
        |e: Option<&Entry>| e.is_some_and(|e| matches!(e.value.value, Value::String(_)));
    if let Some(Entry {
        value: Node {
            value: Value::String(kind),
            ..
        },
        ..
    }) = get("kind")
    {
        let service_like =
            get("port").is_some() || get("address").is_some() || get("proxy").is_some();
        let service_kind = matches!(
            kind.as_str(),
            "connect-proxy" | "mesh-gateway" | "typical" | ""
        ) || (matches!(
            kind.as_str(),
            "ingress-gateway" | "terminating-gateway" | "api-gateway"
        ) && service_like);
        if !service_kind {
            return Shape::ConfigEntry;
        }
        return if is_string(get("service")) {
            Shape::ApiService
        } else {
            Shape::BareService
        };
    }
    if get("trustdomain").is_some() && get("roots").is_some() {
        return Shape::CaRoots;
    }
    if is_string(get("service")) && get("name").is_none() {
        return Shape::ApiService;
    }
    // Agent configuration has no top-level `name` (it is `node_name`): a name makes a bare
    // service definition, as the HTTP registration body is.
    if is_string(get("name")) {
        return Shape::BareService;
    }
    Shape::Agent
}
