//! Workloads annotated for the connect injector, registered as consul-k8s registers them.
//!
//! For each injected pod, consul-k8s's endpoints controller registers the service (ID
//! `<pod>-<service>`, at the pod's address, on `connect-service-port`) and its sidecar, a
//! `connect-proxy` named `<service>-sidecar-proxy` (ID `<pod>-<service>-sidecar-proxy`, port
//! 20000) whose upstreams come from `connect-service-upstreams`. The service's name is the
//! `connect-service` annotation, else the Kubernetes Service selecting the pod (found among
//! the file's Services), else (with a note) the workload's name. A workload's pods are not
//! named until they run: the workload's name stands for the pod's in the IDs, and the pods'
//! addresses are unknown (the registrations have none).

use std::collections::HashMap;

use crate::load::context::Cx;
use crate::load::error::DiagnosticKind;
use crate::load::kubernetes::annotation::{self, AnnotatedUpstream, Form, GoIntError, Options};
use crate::load::kubernetes::rules::FactsAt;
use crate::load::kubernetes::settings::Settings;
use crate::load::kubernetes::{Manifest, get, map_of, str_of, type_meta};
use crate::load::source::SourceDoc;
use crate::model::document::Content;
use crate::model::service::{ProxyConfig, ServiceDefinition, ServiceKind, Upstream};
use crate::syntax::tree::{Entry, Node, Pos, Value};

const INJECT: &str = "consul.hashicorp.com/connect-inject";
const INJECT_STATUS: &str = "consul.hashicorp.com/connect-inject-status";
const SERVICE: &str = "consul.hashicorp.com/connect-service";
const KUBERNETES_SERVICE: &str = "consul.hashicorp.com/kubernetes-service";
const PORT: &str = "consul.hashicorp.com/connect-service-port";
const UPSTREAMS: &str = "consul.hashicorp.com/connect-service-upstreams";
const TRANSPARENT_PROXY: &str = "consul.hashicorp.com/transparent-proxy";

/// The sidecar's inbound port (consul-k8s's `ProxyDefaultInboundPort`).
const PROXY_PORT: u16 = 20000;

/// A Kubernetes Service of the file: what it selects.
pub(crate) struct KubeService<'s> {
    name: &'s str,
    namespace: &'s str,
    selector: Vec<(&'s str, &'s str)>,
}

/// The Kubernetes Services of a file, indexed by the first pair of their selector.
#[derive(Default)]
pub(crate) struct KubeServices<'s> {
    all: Vec<KubeService<'s>>,
    /// (namespace, key, value) of a selector's first pair: indexes into `all`.
    by_first: HashMap<(&'s str, &'s str, &'s str), Vec<usize>>,
}

impl<'s> KubeServices<'s> {
    /// The Kubernetes Services among `docs` (a `List`'s items included).
    pub(crate) fn of(docs: &'s [SourceDoc<'s>]) -> Self {
        let mut all = Vec::new();
        for d in docs {
            collect_services(&d.tree, &mut all);
        }
        let mut by_first: HashMap<_, Vec<usize>> = HashMap::new();
        for (i, s) in all.iter().enumerate() {
            if let Some((k, v)) = s.selector.first() {
                by_first.entry((s.namespace, *k, *v)).or_default().push(i);
            }
        }
        Self { all, by_first }
    }

    /// The names of the Services of `namespace` that select the pods of `t`, in file order.
    fn selecting(&self, namespace: &str, t: &Template<'_>) -> Vec<&'s str> {
        let mut found: Vec<usize> = t
            .labels
            .iter()
            .filter_map(|l| Some((l.key.as_ref(), str_of(&l.value)?)))
            .filter_map(|(k, v)| self.by_first.get(&(namespace, k, v)))
            .flatten()
            .copied()
            .filter(|&i| selects(&self.all[i], t))
            .collect();
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|i| self.all[i].name).collect()
    }
}

fn collect_services<'s>(tree: &'s Node<'s>, out: &mut Vec<KubeService<'s>>) {
    let Some((api, kind)) = type_meta(tree) else {
        return;
    };
    let entries = map_of(tree).unwrap_or_default();
    if (api, kind) == ("v1", "List") {
        if let Some(Value::List(items)) = get(entries, "items").map(|n| &n.value) {
            for i in items {
                collect_services(i, out);
            }
        }
        return;
    }
    if (api, kind) != ("v1", "Service") {
        return;
    }
    let meta = get(entries, "metadata")
        .and_then(map_of)
        .unwrap_or_default();
    let field = |k: &str| get(meta, k).and_then(str_of);
    let selector = get(entries, "spec")
        .and_then(map_of)
        .and_then(|s| get(s, "selector"))
        .and_then(map_of)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| Some((e.key.as_ref(), str_of(&e.value)?)))
        .collect();
    out.push(KubeService {
        name: field("name").unwrap_or(""),
        namespace: field("namespace").unwrap_or("default"),
        selector,
    });
}

/// Whether an object has a pod template the injector acts on.
pub(crate) fn is_workload(m: &Manifest<'_>) -> bool {
    matches!(
        (m.api_version, m.kind),
        ("v1", "Pod")
            | (
                "apps/v1",
                "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
            )
    )
}

/// What a workload is decoded with.
pub(crate) struct WorkloadContext<'a> {
    pub(crate) settings: &'a Settings,
    pub(crate) services: &'a KubeServices<'a>,
}

/// The pod template of a workload: its metadata and spec, and the key path to them.
struct Template<'t> {
    at: &'static str,
    annotations: &'t [Entry<'t>],
    labels: &'t [Entry<'t>],
    spec: &'t [Entry<'t>],
    pos: Pos,
}

impl<'t> Template<'t> {
    fn of(cx: &mut Cx<'t, '_>, m: &Manifest<'t>) -> Option<Self> {
        let (at, root): (&'static str, &'t [Entry<'t>]) = if m.kind == "Pod" {
            ("", m.entries)
        } else {
            let spec = get(m.entries, "spec").and_then(map_of).unwrap_or_default();
            let template = get(spec, "template");
            let Some(t) = template.and_then(map_of) else {
                let what = "a pod template (spec.template)";
                cx.error(
                    DiagnosticKind::Invalid,
                    m.pos,
                    format!("{} has no {what}", m.describe()),
                );
                return None;
            };
            ("spec.template.", t)
        };
        let metadata = get(root, "metadata").and_then(map_of).unwrap_or_default();
        let strings = |k: &str| get(metadata, k).and_then(map_of).unwrap_or_default();
        Some(Self {
            at,
            annotations: strings("annotations"),
            labels: strings("labels"),
            spec: get(root, "spec").and_then(map_of).unwrap_or_default(),
            pos: m.pos,
        })
    }

    /// An annotation's value and where it is written; an annotation that is not a string is
    /// reported (`None`).
    fn annotation(&self, cx: &mut Cx<'t, '_>, key: &str) -> Option<(&'t str, Pos)> {
        let e = self.annotations.iter().find(|e| e.key == key)?;
        let path = format!("{}metadata.annotations.{key}", self.at);
        if let Value::String(s) = &e.value.value {
            return Some((s.as_ref(), e.value.pos));
        }
        let msg = format!("annotations are strings; found {}", e.value.type_name());
        cx.error_below(DiagnosticKind::WrongType, e.value.pos, &path, msg);
        None
    }

    fn path(&self, key: &str) -> String {
        format!("{}metadata.annotations.{key}", self.at)
    }

    fn label(&self, key: &str) -> Option<&'t str> {
        get(self.labels, key).and_then(str_of)
    }

    /// Every named container port, `(name, containerPort)`, in container order.
    fn named_ports(&self) -> Vec<(String, i64)> {
        self.container_ports()
            .filter_map(|(name, port)| Some((name?.to_owned(), port?)))
            .collect()
    }

    /// Each container port's name and number, in container order.
    fn container_ports(&self) -> impl Iterator<Item = (Option<&'t str>, Option<i64>)> + '_ {
        let containers = match get(self.spec, "containers").map(|n| &n.value) {
            Some(Value::List(c)) => &c[..],
            _ => &[],
        };
        containers.iter().flat_map(|c| {
            let ports = map_of(c).and_then(|c| get(c, "ports")).map(|n| &n.value);
            let ports = match ports {
                Some(Value::List(p)) => &p[..],
                _ => &[],
            };
            ports.iter().map(|p| {
                let p = map_of(p).unwrap_or_default();
                let name = get(p, "name").and_then(str_of);
                let port = match get(p, "containerPort").map(|n| &n.value) {
                    Some(Value::Int(i)) => Some(*i),
                    _ => None,
                };
                (name, port)
            })
        })
    }

    /// The first container's ports, as the webhook writes the port annotation when it is
    /// missing (names where they have one).
    fn default_port_tokens(&self) -> Vec<String> {
        let first = match get(self.spec, "containers").map(|n| &n.value) {
            Some(Value::List(c)) => c.first(),
            _ => None,
        };
        let ports = first
            .and_then(map_of)
            .and_then(|c| get(c, "ports"))
            .map(|n| &n.value);
        let Some(Value::List(ports)) = ports else {
            return Vec::new();
        };
        ports
            .iter()
            .filter_map(|p| {
                let p = map_of(p)?;
                if let Some(name) = get(p, "name").and_then(str_of).filter(|n| !n.is_empty()) {
                    return Some(name.to_owned());
                }
                match get(p, "containerPort")?.value {
                    Value::Int(i) if i > 0 => Some(i.to_string()),
                    _ => None,
                }
            })
            .collect()
    }

    /// `spec.serviceAccountName` (or the deprecated `serviceAccount`), else `default`.
    fn service_account(&self) -> &'t str {
        ["serviceAccountName", "serviceAccount"]
            .iter()
            .find_map(|k| get(self.spec, k).and_then(str_of))
            .filter(|s| !s.is_empty())
            .unwrap_or("default")
    }
}

/// The registrations consul-k8s makes for a workload, or none (noted) when the injector
/// leaves it alone, or none (reported) when consul-k8s rejects it.
pub(crate) fn decode<'t>(
    cx: &mut Cx<'t, '_>,
    m: &Manifest<'t>,
    w: &WorkloadContext<'_>,
    facts: FactsAt<'_>,
) -> Vec<Content> {
    let Some(t) = Template::of(cx, m) else {
        return Vec::new();
    };
    match injected(cx, m, &t, w.settings) {
        Some(true) => {}
        Some(false) | None => return Vec::new(),
    }
    cx.clean(|cx| registrations(cx, m, &t, w, facts))
        .unwrap_or_default()
}

/// Whether the injector injects the pods (`None` when the annotation cannot be read).
fn injected<'t>(
    cx: &mut Cx<'t, '_>,
    m: &Manifest<'t>,
    t: &Template<'t>,
    s: &Settings,
) -> Option<bool> {
    let skip = |cx: &mut Cx<'t, '_>, why: String| {
        let msg = format!("{} is not injected ({why}): skipped", m.describe());
        cx.note(DiagnosticKind::Skipped, m.pos, msg);
        Some(false)
    };
    if !s.inject_enabled {
        return skip(cx, "connectInject.enabled is false".to_owned());
    }
    if !s.injects_namespace(m.namespace) {
        return skip(
            cx,
            format!("the injector does not act in namespace {:?}", m.namespace),
        );
    }
    if t.annotation(cx, INJECT_STATUS).is_some() {
        return Some(true);
    }
    let Some((raw, pos)) = t.annotation(cx, INJECT) else {
        if s.inject_default {
            return Some(true);
        }
        return skip(
            cx,
            format!("no {INJECT} annotation, and connectInject.default is false"),
        );
    };
    match parse_bool(raw) {
        Some(true) => Some(true),
        Some(false) => skip(cx, format!("{INJECT} is {raw:?}")),
        None => {
            let msg = format!("error checking if should inject: {}", parse_bool_error(raw));
            cx.error_below(DiagnosticKind::Invalid, pos, &t.path(INJECT), msg);
            None
        }
    }
}

/// Go's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn parse_bool_error(s: &str) -> String {
    format!(
        "strconv.ParseBool: parsing {}: invalid syntax",
        crate::model::mode::go_quote(s)
    )
}

/// The service and its `connect-proxy`.
fn registrations<'t>(
    cx: &mut Cx<'t, '_>,
    m: &Manifest<'t>,
    t: &Template<'t>,
    w: &WorkloadContext<'_>,
    mut facts: FactsAt<'_>,
) -> Option<Vec<Content>> {
    transparent_proxy(cx, t);
    let (name, from_annotation) = service_name(cx, m, t, w);
    service_account(cx, t, w.settings, &name, from_annotation);
    let port = service_port(cx, t);
    let upstreams = upstreams(cx, t, w.settings, &mut facts)?;
    let pod = m.name;
    let namespace = w.settings.consul_namespace(m.namespace);
    let service = ServiceDefinition {
        id: Some(format!("{pod}-{name}")),
        name: name.clone(),
        port,
        namespace: namespace.clone(),
        meta: meta(m.namespace),
        pos: m.pos,
        ..ServiceDefinition::default()
    };
    let proxy = ServiceDefinition {
        kind: ServiceKind::ConnectProxy,
        id: Some(format!("{pod}-{name}-sidecar-proxy")),
        name: format!("{name}-sidecar-proxy"),
        port: Some(PROXY_PORT),
        namespace,
        meta: meta(m.namespace),
        proxy: Some(ProxyConfig {
            destination_service_name: Some(name.clone()),
            destination_service_id: service.id.clone(),
            local_service_address: port.map(|_| "127.0.0.1".to_owned()),
            local_service_port: port,
            upstreams,
            pos: t.pos,
            ..ProxyConfig::default()
        }),
        pos: m.pos,
        ..ServiceDefinition::default()
    };
    consul_rules(cx, t, &proxy);
    Some(vec![Content::Service(service), Content::Service(proxy)])
}

/// The meta consul-k8s gives both registrations (those known before the pod runs).
fn meta(namespace: &str) -> indexmap::IndexMap<String, String> {
    [
        ("k8s-namespace", namespace),
        ("managed-by", "consul-k8s-endpoints-controller"),
        ("synthetic-node", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// `transparent-proxy` must read as a boolean (the webhook's text otherwise).
fn transparent_proxy<'t>(cx: &mut Cx<'t, '_>, t: &Template<'t>) {
    if let Some((raw, pos)) = t.annotation(cx, TRANSPARENT_PROXY)
        && parse_bool(raw).is_none()
    {
        let msg = format!(
            "error determining if transparent proxy is enabled: {}",
            parse_bool_error(raw)
        );
        cx.error_below(
            DiagnosticKind::Invalid,
            pos,
            &t.path(TRANSPARENT_PROXY),
            msg,
        );
    }
}

/// The Consul service name, and whether the `connect-service` annotation gave it.
fn service_name<'t>(
    cx: &mut Cx<'t, '_>,
    m: &Manifest<'t>,
    t: &Template<'t>,
    w: &WorkloadContext<'_>,
) -> (String, bool) {
    if let Some((raw, pos)) = t.annotation(cx, SERVICE) {
        let names: Vec<&str> = raw
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        if names.len() > 1 {
            let msg = format!(
                "{SERVICE} names {} services (a multi-port pod): meshroute registers only {:?}",
                names.len(),
                names[0]
            );
            cx.warning(DiagnosticKind::Invalid, pos, msg);
        }
        if let Some(first) = names.first() {
            return ((*first).to_owned(), true);
        }
    }
    if let Some((name, _)) = t.annotation(cx, KUBERNETES_SERVICE) {
        return (name.to_owned(), false);
    }
    let selecting = w.services.selecting(m.namespace, t);
    match selecting.as_slice() {
        [one] => ((*one).to_owned(), false),
        [first, ..] => {
            let msg = format!(
                "{} Kubernetes Services select the pods of {} ({}): consul-k8s registers the pod once for each and its init container then fails (\"There are multiple Consul services registered for this pod when there must only be one\"); meshroute registers it as {first:?}",
                selecting.len(),
                m.describe(),
                selecting.join(", ")
            );
            cx.warning(DiagnosticKind::Invalid, m.pos, msg);
            ((*first).to_owned(), false)
        }
        [] => {
            let msg = format!(
                "no Kubernetes Service in this file selects the pods of {}: registered under the workload's name {:?} (consul-k8s registers a pod under the name of the Service that selects it, or of the {SERVICE} annotation)",
                m.describe(),
                m.name
            );
            cx.note(DiagnosticKind::Skipped, m.pos, msg);
            (m.name.to_owned(), false)
        }
    }
}

fn selects(s: &KubeService<'_>, t: &Template<'_>) -> bool {
    !s.selector.is_empty() && s.selector.iter().all(|(k, v)| t.label(k) == Some(v))
}

/// With ACLs managed, the pod's service account must carry the service's name: consul-k8s's
/// init container logs in with it and fails otherwise.
fn service_account<'t>(
    cx: &mut Cx<'t, '_>,
    t: &Template<'t>,
    s: &Settings,
    name: &str,
    from_annotation: bool,
) {
    let sa = t.service_account();
    if !s.manage_acls || sa == name {
        return;
    }
    let msg = if from_annotation {
        format!("service account name {sa} doesn't match annotation service name {name}")
    } else {
        format!("service account name {sa} doesn't match Consul service name {name}")
    };
    let path = format!("{}spec.serviceAccountName", t.at);
    cx.error_below(
        DiagnosticKind::Invalid,
        t.pos,
        &path,
        format!("{msg} (consul-k8s's init container fails: ACLs are managed, and the login uses the service account)"),
    );
}

/// The service port: the first of `connect-service-port`'s ports (else of the first
/// container's, as the webhook fills the annotation in) that names a container port or is a
/// positive number. consul-k8s skips a port it cannot read; that is a warning here.
fn service_port<'t>(cx: &mut Cx<'t, '_>, t: &Template<'t>) -> Option<u16> {
    let (tokens, pos) = match t.annotation(cx, PORT) {
        Some((raw, pos)) => (
            raw.split(',').map(|s| s.trim().to_owned()).collect(),
            Some(pos),
        ),
        None => (t.default_port_tokens(), None),
    };
    let named = t.named_ports();
    for token in tokens.iter().filter(|t| !t.is_empty()) {
        let value = named
            .iter()
            .find(|(n, _)| n == token)
            .map_or_else(|| annotation::go_parse_int32(token), |(_, p)| Ok(*p));
        match value {
            Ok(p) if p > 0 => return u16::try_from(p).ok(),
            Ok(_) => {}
            Err(e) => {
                if let Some(pos) = pos {
                    port_warning(cx, t, pos, token, e);
                }
            }
        }
    }
    None
}

fn port_warning<'t>(cx: &mut Cx<'t, '_>, t: &Template<'t>, pos: Pos, token: &str, e: GoIntError) {
    let msg = format!(
        "{token:?} is neither the name of a container port nor a number ({}): consul-k8s skips it and registers the service without that port",
        e.message(token)
    );
    cx.warning_below(DiagnosticKind::Invalid, pos, &t.path(PORT), msg);
}

/// The upstreams of `connect-service-upstreams`; `None` when an entry is rejected (each is
/// reported with consul-k8s's text, and consul-k8s registers nothing for the pod).
fn upstreams<'t>(
    cx: &mut Cx<'t, '_>,
    t: &Template<'t>,
    s: &Settings,
    facts: &mut FactsAt<'_>,
) -> Option<Vec<Upstream>> {
    let Some((raw, pos)) = t.annotation(cx, UPSTREAMS) else {
        return Some(Vec::new());
    };
    if raw.is_empty() {
        return Some(Vec::new());
    }
    let mut options = Options::new().with_enterprise(s.namespaces, s.partitions);
    options.named_ports = t.named_ports();
    let path = t.path(UPSTREAMS);
    let mut out = Vec::new();
    let mut rejected = false;
    for entry in annotation::parse(raw, &options) {
        match entry {
            Ok(e) => out.push(upstream(cx, e, pos, &path, facts)),
            Err(e) => {
                rejected = true;
                cx.error_below(DiagnosticKind::Invalid, pos, &path, e.to_string());
            }
        }
    }
    (!rejected).then_some(out)
}

fn upstream(
    cx: &mut Cx<'_, '_>,
    e: AnnotatedUpstream,
    pos: Pos,
    path: &str,
    facts: &mut FactsAt<'_>,
) -> Upstream {
    if let Some(port) = &e.destination_port {
        let msg = format!(
            "upstream {:?}: destination port {port:?} (a multi-port service's port) is not modelled: the upstream is resolved to the service",
            e.raw
        );
        cx.warning_below(DiagnosticKind::Invalid, pos, path, msg);
    }
    if e.form == Form::Unlabeled
        && e.upstream
            .datacenter
            .as_deref()
            .is_some_and(|d| !d.is_empty())
    {
        facts.record_datacenter_upstream(&e.raw, pos);
    }
    Upstream { pos, ..e.upstream }
}

/// Consul's own rules on the proxy registration (duplicate upstreams, a peer with a
/// datacenter, …), reported at the annotation.
fn consul_rules<'t>(cx: &mut Cx<'t, '_>, t: &Template<'t>, proxy: &ServiceDefinition) {
    let pos = proxy
        .proxy
        .as_ref()
        .and_then(|p| p.upstreams.first())
        .map_or(t.pos, |u| u.pos);
    for d in crate::load::validate::registration(proxy) {
        cx.error_below(d.kind(), pos, &t.path(UPSTREAMS), d.message().to_owned());
    }
}
