//! Consul's validation rules on decoded values, each with Consul's own error text.
//!
//! Runs after typed decoding, with the decoder's key path still in place, so each error
//! names the key path and the line of the value it concerns.

mod chain;
mod repeats;

use crate::load::context::{Cx, Style};
use crate::load::error::DiagnosticKind;
use crate::load::validate::repeats::{Print, Repeats, text_print};
use crate::model::config_entry::{ConfigEntry, ServiceDefaults, UpstreamOverride};
use crate::model::mode::go_quote;
use crate::model::service::{
    DestinationType, ServiceDefinition, ServiceKind, Upstream, non_empty_or,
};
use crate::syntax::tree::Pos;

/// The key name for `camel`/`snake` in the document's style.
fn key(cx: &Cx<'_, '_>, camel: &'static str, snake: &'static str) -> &'static str {
    match cx.style() {
        Style::Camel => camel,
        Style::Snake => snake,
    }
}

fn invalid(cx: &mut Cx<'_, '_>, pos: Pos, message: impl Into<String>) {
    cx.error(DiagnosticKind::Invalid, pos, message);
}

/// Reports, for each `(name, set)` of `checks` that is set, `message(name)`.
fn invalid_if_set(
    cx: &mut Cx<'_, '_>,
    pos: Pos,
    checks: &[(&str, bool)],
    message: impl Fn(&str) -> String,
) {
    for (name, set) in checks {
        if *set {
            invalid(cx, pos, message(name));
        }
    }
}

/// Validates a service definition (and its inline sidecar).
pub(crate) fn service(cx: &mut Cx<'_, '_>, s: &ServiceDefinition) {
    service_at(cx, s, false);
}

/// Consul's rules on a registration another tool makes (a consul-k8s pod's, a Nomad
/// service's): each problem with the position of what it concerns, for the caller to report
/// where the tool's own file says it.
pub(crate) fn registration(s: &ServiceDefinition) -> Vec<crate::load::error::Diagnostic> {
    let mut sink = Vec::new();
    service(&mut Cx::new(&mut sink), s);
    sink
}

fn service_at(cx: &mut Cx<'_, '_>, s: &ServiceDefinition, is_sidecar: bool) {
    identity(cx, s, is_sidecar);
    match s.kind {
        ServiceKind::ConnectProxy => connect_proxy(cx, s),
        ServiceKind::MeshGateway => mesh_gateway(cx, s),
        _ => {}
    }
    if let Some(p) = &s.proxy {
        let pk = key(cx, "Proxy", "proxy");
        let uk = key(cx, "Upstreams", "upstreams");
        cx.at(pk, |cx| {
            cx.at(uk, |cx| upstreams(cx, &p.upstreams, s.partition.as_deref()));
        });
    }
    if let Some(sidecar) = s.sidecar() {
        let ck = key(cx, "Connect", "connect");
        let sk = key(cx, "SidecarService", "sidecar_service");
        cx.at(ck, |cx| cx.at(sk, |cx| service_at(cx, sidecar, true)));
    }
}

/// Name, sidecar ID and address.
fn identity(cx: &mut Cx<'_, '_>, s: &ServiceDefinition, is_sidecar: bool) {
    if s.name.is_empty() && !is_sidecar {
        invalid(cx, s.pos, "Missing service name");
    }
    if is_sidecar && s.id.as_deref().is_some_and(|id| !id.is_empty()) {
        invalid(cx, s.pos, "sidecar_service can't specify an ID");
    }
    if let Some(addr) = s.address.as_deref()
        && (addr == "0.0.0.0" || addr == "::" || addr == "[::]")
    {
        let k = key(cx, "Address", "address");
        cx.at(k, |cx| invalid(cx, s.pos, "Invalid service address"));
    }
}

fn connect_proxy(cx: &mut Cx<'_, '_>, s: &ServiceDefinition) {
    let dsn = s
        .proxy
        .as_ref()
        .and_then(|p| p.destination_service_name.as_deref())
        .unwrap_or("");
    let pos = s.proxy.as_ref().map_or(s.pos, |p| p.pos);
    if dsn.is_empty() {
        invalid(
            cx,
            pos,
            "Proxy.DestinationServiceName must be non-empty for Connect proxy services",
        );
    } else if dsn == "*" {
        invalid(
            cx,
            pos,
            "Proxy.DestinationServiceName must not be a wildcard for Connect proxy services",
        );
    }
    if s.connect.as_ref().is_some_and(|c| c.native) {
        invalid(
            cx,
            s.pos,
            "A Proxy cannot also be Connect Native, only typical services",
        );
    }
}

fn mesh_gateway(cx: &mut Cx<'_, '_>, s: &ServiceDefinition) {
    if s.port.unwrap_or(0) == 0 {
        invalid(cx, s.pos, "Port must be non-zero for a mesh-gateway");
    }
    if s.sidecar().is_some() {
        invalid(
            cx,
            s.pos,
            "A mesh-gateway cannot have a sidecar service defined",
        );
    }
    if let Some(p) = &s.proxy {
        let checks = [
            (
                "DestinationServiceName",
                p.destination_service_name.is_some(),
            ),
            ("DestinationServiceID", p.destination_service_id.is_some()),
            ("LocalServiceAddress", p.local_service_address.is_some()),
            ("LocalServicePort", p.local_service_port.is_some()),
            ("Upstreams", !p.upstreams.is_empty()),
        ];
        invalid_if_set(cx, p.pos, &checks, |name| {
            format!("The Proxy.{name} configuration is invalid for a mesh-gateway")
        });
    }
    reserved_meta(cx, s);
}

/// Meta keys under `consul-` are Consul's (`consul-wan-federation` is set by hand).
fn reserved_meta(cx: &mut Cx<'_, '_>, s: &ServiceDefinition) {
    for (k, v) in &s.meta {
        if k.starts_with("consul-") && k != "consul-wan-federation" {
            let mk = key(cx, "Meta", "meta");
            cx.at(mk, |cx| {
                invalid(
                    cx,
                    s.pos,
                    format!(
                        "Couldn't load metadata pair ('{k}', '{v}'): Key prefix 'consul-' is reserved for internal use"
                    ),
                );
            });
        }
    }
}

/// Consul's `Upstream.Validate` on each upstream, then the list-wide duplicate rules.
fn upstreams(cx: &mut Cx<'_, '_>, ups: &[Upstream], service_partition: Option<&str>) {
    let service_partition = non_empty_or(service_partition, "default");
    let same_identity = Repeats::of(ups, Identity::of);
    let same_listener = Repeats::of(ups, Listener::of);
    for (i, u) in ups.iter().enumerate() {
        cx.at_index(i, |cx| {
            upstream(cx, u, service_partition);
            if same_identity.at(i) {
                duplicate_identity(cx, u);
            }
            if same_listener.at(i)
                && let Some(l) = Listener::of(u)
            {
                invalid(
                    cx,
                    u.pos,
                    format!(
                        "upstreams cannot contain duplicates by local bind address and port or unix path; {} is specified twice",
                        go_quote(&l.to_string())
                    ),
                );
            }
        });
    }
}

impl Print for Identity<'_> {
    fn print(&self) -> u64 {
        self.fields().iter().fold(0, |h, f| {
            h.rotate_left(16) ^ text_print(f.len(), f.bytes().last().unwrap_or(0))
        })
    }
}

impl Print for Option<Listener<'_>> {
    /// The print of the listener's text (a socket path and an address and port may be the
    /// same text).
    fn print(&self) -> u64 {
        let Some(l) = self else {
            return 0;
        };
        if l.port == 0 {
            return text_print(l.head.len(), l.head.bytes().last().unwrap_or(0));
        }
        let digits = l.port.ilog10() as usize + 1;
        text_print(l.head.len() + 1 + digits, b'0' + (l.port % 10) as u8)
    }
}

/// The rules on one upstream.
fn upstream(cx: &mut Cx<'_, '_>, u: &Upstream, service_partition: &str) {
    if u.destination_name.is_empty() {
        invalid(cx, u.pos, "upstream destination name cannot be empty");
    } else if u.destination_name == "*" {
        invalid(cx, u.pos, "upstream destination name cannot be a wildcard");
    }
    let has_peer = u.destination_peer.as_deref().is_some_and(|p| !p.is_empty());
    let has_dc = u.datacenter.as_deref().is_some_and(|d| !d.is_empty());
    if has_peer && has_dc {
        invalid(
            cx,
            u.pos,
            "upstream cannot specify both destination peer and datacenter",
        );
    }
    local_bind(cx, u);
    if !has_peer && has_dc && (u.partition() != "default" || service_partition != "default") {
        invalid(
            cx,
            u.pos,
            "upstreams cannot target another datacenter in non default partition",
        );
    }
    if has_peer
        && non_empty_or(u.destination_partition.as_deref(), service_partition) != service_partition
    {
        invalid(
            cx,
            u.pos,
            "upstreams must target peers in the same partition as the service",
        );
    }
}

/// Exactly one of a local bind port and a socket path.
fn local_bind(cx: &mut Cx<'_, '_>, u: &Upstream) {
    let port = u.local_bind_port.unwrap_or(0);
    let socket = u.local_bind_socket_path.as_deref().unwrap_or("");
    if port == 0 && socket.is_empty() {
        invalid(
            cx,
            u.pos,
            "upstream local bind port or local socket path must be defined and nonzero",
        );
    } else if port != 0 && !socket.is_empty() {
        invalid(
            cx,
            u.pos,
            "only one of upstream local bind port or local socket path can be defined and nonzero",
        );
    }
}

/// What makes two upstreams the same destination (Consul's `UpstreamKey`, with the
/// datacenter).
struct Identity<'u> {
    ty: DestinationType,
    name: &'u str,
    partition: &'u str,
    namespace: &'u str,
    peer: &'u str,
    datacenter: &'u str,
}

impl<'u> Identity<'u> {
    fn of(u: &'u Upstream) -> Self {
        Self {
            ty: u.destination_type,
            name: &u.destination_name,
            partition: u.destination_partition.as_deref().unwrap_or(""),
            namespace: u.destination_namespace.as_deref().unwrap_or(""),
            peer: u.destination_peer.as_deref().unwrap_or(""),
            datacenter: u.datacenter.as_deref().unwrap_or(""),
        }
    }

    /// What identities are compared by (in an order of their own).
    fn fields(&self) -> [&str; 6] {
        let Self {
            ty,
            name,
            partition,
            namespace,
            peer,
            datacenter,
        } = *self;
        [name, ty.as_str(), partition, namespace, peer, datacenter]
    }
}

impl PartialEq for Identity<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.fields() == other.fields()
    }
}

impl Eq for Identity<'_> {}

impl PartialOrd for Identity<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Identity<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.fields().cmp(&other.fields())
    }
}

fn duplicate_identity(cx: &mut Cx<'_, '_>, u: &Upstream) {
    let id = Identity::of(u);
    invalid(
        cx,
        u.pos,
        format!(
            "upstreams cannot contain duplicates of [type={}, name={}, partition={}, namespace={}, peer={}, datacenter={}]",
            go_quote(id.ty.as_str()),
            go_quote(id.name),
            go_quote(id.partition),
            go_quote(id.namespace),
            go_quote(id.peer),
            go_quote(id.datacenter),
        ),
    );
}

/// The local listener of an upstream, as Consul compares them (as text): the socket path,
/// else the bind address and port, `address:port`; none when neither is set.
#[derive(Clone, Copy)]
struct Listener<'u> {
    head: &'u str,
    /// The port after the address; 0 after a socket path.
    port: u16,
}

impl<'u> Listener<'u> {
    fn of(u: &'u Upstream) -> Option<Self> {
        match (u.local_bind_socket_path.as_deref(), u.local_bind_port) {
            (Some(socket), _) if !socket.is_empty() => Some(Self {
                head: socket,
                port: 0,
            }),
            (_, Some(port)) if port != 0 => Some(Self {
                head: u.bind_address(),
                port,
            }),
            _ => None,
        }
    }

    /// The text's bytes, written nowhere.
    fn bytes(self) -> impl Iterator<Item = u8> + 'u {
        let mut tail = [0; 6];
        let mut len = 0;
        if self.port != 0 {
            let digits = self.port.ilog10() as usize + 1;
            tail[0] = b':';
            let mut p = self.port;
            for slot in tail[1..=digits].iter_mut().rev() {
                *slot = b'0' + (p % 10) as u8;
                p /= 10;
            }
            len = digits + 1;
        }
        self.head.bytes().chain(tail.into_iter().take(len))
    }
}

impl std::fmt::Display for Listener<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.head)?;
        if self.port != 0 {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

impl PartialEq for Listener<'_> {
    fn eq(&self, other: &Self) -> bool {
        if (self.port == 0) == (other.port == 0) {
            // Both paths, or both `address:port` (the port, after the last ':', has no ':').
            return self.head == other.head && self.port == other.port;
        }
        self.bytes().eq(other.bytes())
    }
}

impl Eq for Listener<'_> {}

impl PartialOrd for Listener<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Listener<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bytes().cmp(other.bytes())
    }
}

/// Validates a config entry; `name_pos` is where its `Name` key was written (where the entry
/// starts when it has none).
pub(crate) fn config_entry(cx: &mut Cx<'_, '_>, entry: &ConfigEntry, name_pos: Pos) {
    match name_error(entry) {
        // A missing name concerns the whole entry; a wrong one, its `Name`.
        Some(msg) if entry.name().is_empty() => invalid(cx, entry.pos(), msg),
        Some(msg) => cx.at("Name", |cx| invalid(cx, name_pos, msg)),
        None => {}
    }
    match entry {
        ConfigEntry::ServiceDefaults(s) => service_defaults(cx, s),
        ConfigEntry::ServiceResolver(r) => chain::resolver(cx, r),
        ConfigEntry::ServiceSplitter(s) => chain::splitter(cx, s),
        ConfigEntry::ExportedServices(e) => chain::exported(cx, e),
        ConfigEntry::ProxyDefaults(_)
        | ConfigEntry::ServiceRouter(_)
        | ConfigEntry::Other { .. } => {}
    }
}

/// Consul's rules on a config entry's `Name`.
fn name_error(entry: &ConfigEntry) -> Option<String> {
    let name = entry.name();
    match entry {
        ConfigEntry::ProxyDefaults(_) if name != "global" => Some(format!(
            "invalid name ({}), only \"global\" is supported",
            go_quote(name)
        )),
        ConfigEntry::ProxyDefaults(_)
        | ConfigEntry::ExportedServices(_)
        | ConfigEntry::Other { .. } => None,
        _ if name.is_empty() => Some("Name is required".to_owned()),
        ConfigEntry::ServiceDefaults(_) if name.contains('*') => Some(
            "service-defaults name must be the name of a service, and not a wildcard".to_owned(),
        ),
        _ => None,
    }
}

fn service_defaults(cx: &mut Cx<'_, '_>, s: &ServiceDefaults) {
    if let Some(uc) = &s.upstream_config {
        cx.at("UpstreamConfig", |cx| {
            cx.at("Overrides", |cx| {
                for (i, o) in uc.overrides.iter().enumerate() {
                    cx.at_index(i, |cx| upstream_override(cx, o));
                }
            });
            if let Some(d) = &uc.defaults {
                cx.at("Defaults", |cx| upstream_defaults(cx, d));
            }
        });
    }
}

fn upstream_override(cx: &mut Cx<'_, '_>, o: &UpstreamOverride) {
    let prefix = format!("error in upstream override for {}", o.name);
    if o.name.is_empty() {
        invalid(cx, o.pos, format!("{prefix}: Name is required"));
    } else if o.name == "*" {
        invalid(
            cx,
            o.pos,
            format!("{prefix}: Wildcard name is not supported"),
        );
    }
    if o.namespace.as_deref() == Some("*") {
        invalid(
            cx,
            o.pos,
            format!("{prefix}: Wildcard namespace is not supported"),
        );
    }
}

fn upstream_defaults(cx: &mut Cx<'_, '_>, d: &UpstreamOverride) {
    let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
    let checks = [
        ("Name", !d.name.is_empty()),
        ("Namespace", set(&d.namespace)),
        ("Partition", set(&d.partition)),
    ];
    invalid_if_set(cx, d.pos, &checks, |field| {
        format!("error in upstream defaults: {field} must be empty")
    });
}

/// Consul's agent rule for `datacenter`: lower-cased, then `^[a-z0-9_-]+$`.
pub(crate) fn datacenter(cx: &mut Cx<'_, '_>, dc: &str, pos: Pos) {
    cx.at("datacenter", |cx| {
        if dc.is_empty() {
            invalid(cx, pos, "datacenter cannot be empty");
        } else if !dc
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            invalid(
                cx,
                pos,
                format!(
                    "datacenter cannot be {}. Please use only [a-z0-9-_].",
                    go_quote(dc)
                ),
            );
        }
    });
}
