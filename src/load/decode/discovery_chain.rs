//! The discovery chain's config entries: `service-resolver`, `service-router`,
//! `service-splitter`, and `exported-services`. What the chain compiler does not evaluate
//! (router match criteria, timeouts, load balancing, header changes, failover policy) is
//! kept as written.

use indexmap::IndexMap;

use crate::load::context::{
    Cx, Field, Obj, each_object, json_map, object, owned_string, string_map, strings, wrong_type,
};
use crate::model::discovery_chain::{
    ExportedService, ExportedServices, FailoverTarget, ResolverFailover, ResolverRedirect,
    ResolverSubset, RouteDestination, RouterRoute, ServiceConsumer, ServiceResolver, ServiceRouter,
    ServiceSplitter, Split,
};
use crate::syntax::tree::{Node, Value};

const NAME: Field = Field::new("Name", "name");
const NAMESPACE: Field = Field::new("Namespace", "namespace");
const PARTITION: Field = Field::new("Partition", "partition");
const META: Field = Field::new("Meta", "meta");
const SERVICE: Field = Field::new("Service", "service");
const SUBSET: Field = Field::new("ServiceSubset", "service_subset");
const DATACENTER: Field = Field::new("Datacenter", "datacenter");
const PEER: Field = Field::new("Peer", "peer");
/// Keys Consul tolerates on every config entry.
const TOLERATED: [Field; 4] = [
    Field::new("Kind", "kind"),
    Field::new("CreateIndex", "create_index"),
    Field::new("ModifyIndex", "modify_index"),
    Field::new("Hash", "hash"),
];

const RESOLVER_FIELDS: [Field; 12] = [
    NAME,
    NAMESPACE,
    PARTITION,
    Field::new("DefaultSubset", "default_subset"),
    Field::new("Subsets", "subsets"),
    Field::new("Redirect", "redirect"),
    Field::new("Failover", "failover"),
    Field::new("ConnectTimeout", "connect_timeout"),
    Field::new("RequestTimeout", "request_timeout"),
    Field::new("LoadBalancer", "load_balancer"),
    META,
    Field::new("PrioritizeByLocality", "prioritize_by_locality"),
];
const SUBSET_FIELDS: [Field; 2] = [
    Field::new("Filter", "filter"),
    Field::new("OnlyPassing", "only_passing"),
];
const REDIRECT_FIELDS: [Field; 6] = [SERVICE, SUBSET, NAMESPACE, PARTITION, DATACENTER, PEER];
const FAILOVER_FIELDS: [Field; 7] = [
    SERVICE,
    SUBSET,
    NAMESPACE,
    Field::new("Datacenters", "datacenters"),
    Field::new("Targets", "targets"),
    Field::new("SamenessGroup", "sameness_group"),
    Field::new("Policy", "policy"),
];
const TARGET_FIELDS: [Field; 6] = [SERVICE, SUBSET, PARTITION, NAMESPACE, DATACENTER, PEER];
const ROUTER_FIELDS: [Field; 5] = [
    NAME,
    NAMESPACE,
    PARTITION,
    Field::new("Routes", "routes"),
    META,
];
const ROUTE_FIELDS: [Field; 2] = [
    Field::new("Match", "match"),
    Field::new("Destination", "destination"),
];
/// A route destination's keys beyond where it goes: kept as written.
const DESTINATION_KEPT: [Field; 9] = [
    Field::new("PrefixRewrite", "prefix_rewrite"),
    Field::new("RequestTimeout", "request_timeout"),
    Field::new("IdleTimeout", "idle_timeout"),
    Field::new("NumRetries", "num_retries"),
    Field::new("RetryOnConnectFailure", "retry_on_connect_failure"),
    Field::new("RetryOn", "retry_on"),
    Field::new("RetryOnStatusCodes", "retry_on_status_codes"),
    Field::new("RequestHeaders", "request_headers"),
    Field::new("ResponseHeaders", "response_headers"),
];
const SPLITTER_FIELDS: [Field; 5] = [
    NAME,
    NAMESPACE,
    PARTITION,
    Field::new("Splits", "splits"),
    META,
];
const SPLIT_FIELDS: [Field; 5] = [
    Field::new("Weight", "weight"),
    SERVICE,
    SUBSET,
    NAMESPACE,
    PARTITION,
];
const SPLIT_KEPT: [Field; 2] = [
    Field::new("RequestHeaders", "request_headers"),
    Field::new("ResponseHeaders", "response_headers"),
];
const EXPORTED_FIELDS: [Field; 4] = [NAME, PARTITION, Field::new("Services", "services"), META];
const EXPORTED_SERVICE_FIELDS: [Field; 3] = [NAME, NAMESPACE, Field::new("Consumers", "consumers")];
const CONSUMER_FIELDS: [Field; 3] = [
    PARTITION,
    PEER,
    Field::new("SamenessGroup", "sameness_group"),
];
/// Consul's older spelling of a consumer's `Peer`.
const PEER_NAME: Field = Field::new("PeerName", "peer_name");

/// Every field of `fields` plus the tolerated ones, for `finish`'s suggestions.
fn known(fields: &[Field]) -> Vec<Field> {
    fields.iter().chain(&TOLERATED).copied().collect()
}

/// `field` of `obj` as a string, empty when absent.
fn text<'t>(cx: &mut Cx<'t, '_>, obj: &mut Obj<'t>, field: Field) -> String {
    cx.opt_string(obj, field).unwrap_or_default()
}

/// A map of names to objects (`Subsets`, `Failover`), in the order written.
fn named<'t, R>(
    cx: &mut Cx<'t, '_>,
    node: &'t Node<'t>,
    read: impl Fn(&mut Cx<'t, '_>, Obj<'t>) -> R,
) -> IndexMap<String, R> {
    let mut out = IndexMap::new();
    let Some(obj) = object(cx, node) else {
        return out;
    };
    for e in obj.entries() {
        let value = cx.at(&e.key, |cx| object(cx, &e.value).map(|o| read(cx, o)));
        if let Some(v) = value {
            out.insert(e.key.to_string(), v);
        }
    }
    out
}

/// `field` of `obj` kept as written (any value).
fn kept<'t>(cx: &mut Cx<'t, '_>, obj: &mut Obj<'t>, field: Field) -> Option<serde_json::Value> {
    cx.field(obj, field, |_, node| node.to_json())
}

/// The keys of `fields` present in `obj`, kept as written under their CamelCase names.
fn kept_all<'t>(
    cx: &mut Cx<'t, '_>,
    obj: &mut Obj<'t>,
    fields: &[Field],
) -> crate::model::opaque::JsonMap {
    let mut out = crate::model::opaque::JsonMap::new();
    for f in fields {
        if let Some(v) = kept(cx, obj, *f) {
            out.insert(f.camel().to_owned(), v);
        }
    }
    out
}

/// `Kind = "service-resolver"`.
pub(super) fn resolver<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> ServiceResolver {
    let [
        name,
        ns,
        part,
        ds,
        subsets,
        redirect,
        failover,
        ct,
        rt,
        lb,
        meta,
        _,
    ] = RESOLVER_FIELDS;
    let mut r = ServiceResolver {
        pos: obj.pos(),
        ..ServiceResolver::default()
    };
    r.name = text(cx, &mut obj, name);
    r.namespace = cx.opt_string(&mut obj, ns);
    r.partition = cx.opt_string(&mut obj, part);
    r.default_subset = text(cx, &mut obj, ds);
    r.subsets = cx
        .field(&mut obj, subsets, |cx, n| named(cx, n, subset))
        .unwrap_or_default();
    r.redirect = cx.field_object(&mut obj, redirect, resolver_redirect);
    r.failover = cx
        .field(&mut obj, failover, |cx, n| named(cx, n, resolver_failover))
        .unwrap_or_default();
    r.connect_timeout = kept(cx, &mut obj, ct);
    r.request_timeout = kept(cx, &mut obj, rt);
    r.load_balancer = cx.field(&mut obj, lb, json_map).flatten();
    r.meta = cx.field(&mut obj, meta, string_map).unwrap_or_default();
    obj.tolerate(&TOLERATED);
    obj.tolerate(&RESOLVER_FIELDS[11..]);
    obj.finish(cx, &known(&RESOLVER_FIELDS));
    r
}

fn subset<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> ResolverSubset {
    let [filter, only_passing] = SUBSET_FIELDS;
    let s = ResolverSubset {
        filter: text(cx, &mut obj, filter),
        only_passing: cx.opt_bool(&mut obj, only_passing).unwrap_or(false),
        pos: obj.pos(),
    };
    obj.finish(cx, &SUBSET_FIELDS);
    s
}

fn resolver_redirect<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> ResolverRedirect {
    let r = ResolverRedirect {
        service: text(cx, &mut obj, SERVICE),
        service_subset: text(cx, &mut obj, SUBSET),
        namespace: text(cx, &mut obj, NAMESPACE),
        partition: text(cx, &mut obj, PARTITION),
        datacenter: text(cx, &mut obj, DATACENTER),
        peer: text(cx, &mut obj, PEER),
        pos: obj.pos(),
    };
    obj.finish(cx, &REDIRECT_FIELDS);
    r
}

fn resolver_failover<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> ResolverFailover {
    let [_, _, _, dcs, targets, group, policy] = FAILOVER_FIELDS;
    let f = ResolverFailover {
        service: text(cx, &mut obj, SERVICE),
        service_subset: text(cx, &mut obj, SUBSET),
        namespace: text(cx, &mut obj, NAMESPACE),
        datacenters: cx.field(&mut obj, dcs, strings).unwrap_or_default(),
        targets: cx
            .field(&mut obj, targets, |cx, n| {
                each_object(cx, n, |cx, o| Some(failover_target(cx, o)))
            })
            .unwrap_or_default(),
        sameness_group: text(cx, &mut obj, group),
        policy: cx.field(&mut obj, policy, json_map).flatten(),
        pos: obj.pos(),
    };
    obj.finish(cx, &FAILOVER_FIELDS);
    f
}

fn failover_target<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> FailoverTarget {
    let t = FailoverTarget {
        service: text(cx, &mut obj, SERVICE),
        service_subset: text(cx, &mut obj, SUBSET),
        partition: text(cx, &mut obj, PARTITION),
        namespace: text(cx, &mut obj, NAMESPACE),
        datacenter: text(cx, &mut obj, DATACENTER),
        peer: text(cx, &mut obj, PEER),
        pos: obj.pos(),
    };
    obj.finish(cx, &TARGET_FIELDS);
    t
}

/// `Kind = "service-router"`.
pub(super) fn router<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> ServiceRouter {
    let [name, ns, part, routes, meta] = ROUTER_FIELDS;
    let r = ServiceRouter {
        name: text(cx, &mut obj, name),
        namespace: cx.opt_string(&mut obj, ns),
        partition: cx.opt_string(&mut obj, part),
        routes: cx
            .field(&mut obj, routes, |cx, n| {
                each_object(cx, n, |cx, o| Some(route(cx, o)))
            })
            .unwrap_or_default(),
        meta: cx.field(&mut obj, meta, string_map).unwrap_or_default(),
        pos: obj.pos(),
        ..ServiceRouter::default()
    };
    obj.tolerate(&TOLERATED);
    obj.finish(cx, &known(&ROUTER_FIELDS));
    r
}

fn route<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> RouterRoute {
    let [r#match, destination] = ROUTE_FIELDS;
    let r = RouterRoute {
        r#match: cx.field(&mut obj, r#match, json_map).flatten(),
        destination: cx.field_object(&mut obj, destination, route_destination),
        pos: obj.pos(),
    };
    obj.finish(cx, &ROUTE_FIELDS);
    r
}

fn route_destination<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> RouteDestination {
    let d = RouteDestination {
        service: text(cx, &mut obj, SERVICE),
        service_subset: text(cx, &mut obj, SUBSET),
        namespace: text(cx, &mut obj, NAMESPACE),
        partition: text(cx, &mut obj, PARTITION),
        other: kept_all(cx, &mut obj, &DESTINATION_KEPT),
        pos: obj.pos(),
    };
    let fields: Vec<Field> = [SERVICE, SUBSET, NAMESPACE, PARTITION]
        .iter()
        .chain(&DESTINATION_KEPT)
        .copied()
        .collect();
    obj.finish(cx, &fields);
    d
}

/// `Kind = "service-splitter"`.
pub(super) fn splitter<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> ServiceSplitter {
    let [name, ns, part, splits, meta] = SPLITTER_FIELDS;
    let s = ServiceSplitter {
        name: text(cx, &mut obj, name),
        namespace: cx.opt_string(&mut obj, ns),
        partition: cx.opt_string(&mut obj, part),
        splits: cx
            .field(&mut obj, splits, |cx, n| {
                each_object(cx, n, |cx, o| Some(split(cx, o)))
            })
            .unwrap_or_default(),
        meta: cx.field(&mut obj, meta, string_map).unwrap_or_default(),
        pos: obj.pos(),
        ..ServiceSplitter::default()
    };
    obj.tolerate(&TOLERATED);
    obj.finish(cx, &known(&SPLITTER_FIELDS));
    s
}

fn split<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> Split {
    let [weight, ..] = SPLIT_FIELDS;
    let s = Split {
        weight: cx.field(&mut obj, weight, number).flatten().unwrap_or(0.0),
        service: text(cx, &mut obj, SERVICE),
        service_subset: text(cx, &mut obj, SUBSET),
        namespace: text(cx, &mut obj, NAMESPACE),
        partition: text(cx, &mut obj, PARTITION),
        other: kept_all(cx, &mut obj, &SPLIT_KEPT),
        pos: obj.pos(),
    };
    let fields: Vec<Field> = SPLIT_FIELDS.iter().chain(&SPLIT_KEPT).copied().collect();
    obj.finish(cx, &fields);
    s
}

/// A split weight: an integer or a float (Consul's `float32`), never a string.
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)] // weights are 0 to 100
fn number(cx: &mut Cx<'_, '_>, node: &Node) -> Option<f32> {
    match node.value {
        Value::Int(i) => Some(i as f32),
        Value::Float(x) => Some(x as f32),
        // Beyond i64 (it read as the float it rounds to before `Value::BigInt`).
        Value::BigInt(ref text) => text.parse::<f64>().ok().map(|x| x as f32),
        _ => {
            wrong_type(cx, node, "a number");
            None
        }
    }
}

/// `Kind = "exported-services"`.
pub(super) fn exported<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> ExportedServices {
    let [name, part, services, meta] = EXPORTED_FIELDS;
    let mut e = ExportedServices {
        name: text(cx, &mut obj, name),
        services: cx
            .field(&mut obj, services, |cx, n| {
                each_object(cx, n, |cx, o| Some(exported_service(cx, o)))
            })
            .unwrap_or_default(),
        meta: cx.field(&mut obj, meta, string_map).unwrap_or_default(),
        pos: obj.pos(),
        ..ExportedServices::default()
    };
    // Older versions named the partition `Partition`.
    if let Some(p) = cx.opt_string(&mut obj, part).filter(|_| e.name.is_empty()) {
        e.name = p;
    }
    obj.tolerate(&TOLERATED);
    obj.finish(cx, &known(&EXPORTED_FIELDS));
    e
}

fn exported_service<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> ExportedService {
    let [name, ns, consumers] = EXPORTED_SERVICE_FIELDS;
    let s = ExportedService {
        name: text(cx, &mut obj, name),
        namespace: text(cx, &mut obj, ns),
        consumers: cx
            .field(&mut obj, consumers, |cx, n| {
                each_object(cx, n, |cx, o| Some(consumer(cx, o)))
            })
            .unwrap_or_default(),
        pos: obj.pos(),
    };
    obj.finish(cx, &EXPORTED_SERVICE_FIELDS);
    s
}

fn consumer<'t>(cx: &mut Cx<'t, '_>, mut obj: Obj<'t>) -> ServiceConsumer {
    let [part, peer, group] = CONSUMER_FIELDS;
    let mut c = ServiceConsumer {
        partition: text(cx, &mut obj, part),
        peer: text(cx, &mut obj, peer),
        sameness_group: text(cx, &mut obj, group),
        pos: obj.pos(),
    };
    // `PeerName` is Consul's alias of `Peer`: the canonical spelling wins.
    let alias = cx.field(&mut obj, PEER_NAME, owned_string).flatten();
    if let Some(p) = alias.filter(|_| c.peer.is_empty()) {
        c.peer = p;
    }
    let fields: Vec<Field> = CONSUMER_FIELDS
        .iter()
        .chain([&PEER_NAME])
        .copied()
        .collect();
    obj.finish(cx, &fields);
    c
}
