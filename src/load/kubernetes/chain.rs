//! The admission webhook's rules on the discovery chain's resources (`ServiceResolver`,
//! `ServiceRouter`, `ServiceSplitter`), with consul-k8s's texts.
//!
//! The webhook sees the cluster as `ConsulMeta`: namespaces and partitions enabled or not,
//! and the cluster's partition, which is empty unless admin partitions are enabled (the
//! chart sets it only then). That is why a `ServiceResolver` failing over to another
//! datacenter is refused on a cluster without admin partitions ("cross-datacenter failover
//! is only supported in the default partition", compared against `"default"`), although
//! Consul itself accepts the same entry: consul-k8s behaves so (hashicorp/consul#21683,
//! hashicorp/consul-k8s#4526), and meshroute reports what `kubectl apply` would meet.
//!
//! Where a message quotes a value as JSON, it is the JSON Go writes for it (`go_json`);
//! the one message that quotes the whole resource, with the fields the API server adds to
//! it, shows `(the resource as JSON)` instead.

use crate::load::kubernetes::field::{FieldError, not_in, one_of, str_value, value};
use crate::load::kubernetes::go_json;
use crate::load::kubernetes::map_of;
use crate::load::kubernetes::schema::{self, Shape};
use crate::load::kubernetes::settings::Settings;
use crate::model::mode::go_quote;
use crate::syntax::tree::{Entry, Node, Pos, Value};

/// The cluster's partition as the webhook knows it: empty without admin partitions.
fn partition(s: &Settings) -> &str {
    if s.partitions { &s.partition } else { "" }
}

/// A string field of `entries`, empty when absent.
fn text<'t>(entries: &'t [Entry<'t>], key: &str) -> &'t str {
    str_value(entries, &[key]).map_or("", |(v, _)| v)
}

/// The items of a list field (none when absent).
fn items<'t>(entries: &'t [Entry<'t>], key: &str) -> &'t [Node<'t>] {
    match value(entries, &[key]).map(|n| &n.value) {
        Some(Value::List(items)) => items,
        _ => &[],
    }
}

/// Whether an object field is present (a pointer Go would not leave nil).
fn present(entries: &[Entry<'_>], key: &str) -> bool {
    value(entries, &[key]).is_some_and(|n| n.value != Value::Null)
}

/// A `[]string` as Go's `%#v` prints it: `[]string{"a", "b"}`.
fn go_strings(nodes: &[Node<'_>]) -> String {
    let quoted: Vec<String> = nodes
        .iter()
        .map(|n| match &n.value {
            Value::String(s) => go_quote(s),
            _ => go_quote(&n.to_json().to_string()),
        })
        .collect();
    format!("[]string{{{}}}", quoted.join(", "))
}

/// `Invalid value: "<json>": <detail>` at `path`.
fn invalid_json(path: &str, pos: Pos, json: &str, detail: &str) -> FieldError {
    FieldError::invalid(path, pos, &go_quote(json), detail)
}

// ---------------------------------------------------------------------------------------
// ServiceResolver

/// `ServiceResolver`'s `Validate`.
pub(super) fn resolver_rules(
    spec: &[Entry<'_>],
    at: Pos,
    s: &Settings,
    errs: &mut Vec<FieldError>,
) {
    let failovers = value(spec, &["failover"])
        .and_then(map_of)
        .unwrap_or_default();
    for f in failovers {
        failover_rules(f, s, errs);
    }
    if !failovers.is_empty() && present(spec, "redirect") {
        errs.push(FieldError::invalid(
            "spec",
            at,
            "(the resource as JSON)",
            "service resolver redirect and failover cannot both be set",
        ));
    }
    if let Some(r) = value(spec, &["redirect"]).filter(|n| n.value != Value::Null) {
        redirect_rules(r, s, errs);
    }
    one_of(
        spec,
        &["prioritizeByLocality", "mode"],
        &["", "none", "failover"],
        errs,
    );
    subset_rules(spec, errs);
    load_balancer_rules(spec, errs);
    resolver_enterprise_rules(spec, failovers, s, errs);
}

fn failover_rules(f: &Entry<'_>, s: &Settings, errs: &mut Vec<FieldError>) {
    let path = format!("spec.failover[{}]", f.key);
    let e = map_of(&f.value).unwrap_or_default();
    let (dcs, targets) = (items(e, "datacenters"), items(e, "targets"));
    let (service, subset, group) = (
        text(e, "service"),
        text(e, "serviceSubset"),
        text(e, "samenessGroup"),
    );
    let empty = service.is_empty()
        && subset.is_empty()
        && text(e, "namespace").is_empty()
        && dcs.is_empty()
        && targets.is_empty()
        && !present(e, "policy")
        && group.is_empty();
    if empty {
        errs.push(invalid_json(&path, f.value.pos, "{}", "service, serviceSubset, namespace, datacenters, policy, and targets cannot all be empty at once"));
    }
    if partition(s) != "default" && !dcs.is_empty() {
        let pos = value(e, &["datacenters"]).map_or(f.value.pos, |n| n.pos);
        let detail = "cross-datacenter failover is only supported in the default partition";
        errs.push(FieldError::invalid(
            format!("{path}.datacenters"),
            pos,
            &go_strings(dcs),
            detail,
        ));
    }
    let modes = ["", "sequential", "order-by-locality"];
    if let Some((mode, pos)) = str_value(e, &["policy", "mode"]).filter(|(m, _)| !modes.contains(m))
    {
        errs.push(FieldError::invalid(
            format!("{path}.policy.mode"),
            pos,
            &go_quote(mode),
            &not_in(&modes),
        ));
    }
    failover_conflicts(f, &path, errs);
}

/// A failover's fields that exclude one another, its targets, its datacenters.
fn failover_conflicts(f: &Entry<'_>, path: &str, errs: &mut Vec<FieldError>) {
    let e = map_of(&f.value).unwrap_or_default();
    let (dcs, targets) = (items(e, "datacenters"), items(e, "targets"));
    let (service, subset, group) = (
        text(e, "service"),
        text(e, "serviceSubset"),
        text(e, "samenessGroup"),
    );
    let json = || go_json::object(Some(&f.value), schema::RESOLVER_FAILOVER);
    let conflict = if group.is_empty() {
        None
    } else if !dcs.is_empty() {
        Some("samenessGroup cannot be set with datacenters")
    } else if !subset.is_empty() {
        Some("samenessGroup cannot be set with serviceSubset")
    } else if !targets.is_empty() {
        Some("samenessGroup cannot be set with targets")
    } else {
        None
    };
    let with_targets = [
        (!dcs.is_empty(), "targets cannot be set with datacenters"),
        (
            !subset.is_empty(),
            "targets cannot be set with serviceSubset",
        ),
        (!service.is_empty(), "targets cannot be set with service"),
    ];
    let details = conflict.into_iter().chain(
        with_targets
            .into_iter()
            .filter(|(set, _)| *set && !targets.is_empty())
            .map(|(_, d)| d),
    );
    for detail in details {
        errs.push(invalid_json(path, f.value.pos, &json(), detail));
    }
    for (i, t) in targets.iter().enumerate() {
        target_rules(t, &format!("{path}.targets[{i}]"), errs);
    }
    for (i, dc) in dcs.iter().enumerate() {
        if matches!(&dc.value, Value::String(s) if s.is_empty()) {
            errs.push(FieldError::invalid(
                format!("{path}.datacenters[{i}]"),
                dc.pos,
                "\"\"",
                "found empty datacenter",
            ));
        }
    }
}

fn target_rules(t: &Node<'_>, path: &str, errs: &mut Vec<FieldError>) {
    let e = map_of(t).unwrap_or_default();
    let set = |k: &str| !text(e, k).is_empty();
    let detail = if set("peer") && set("serviceSubset") {
        "target.peer cannot be set with target.serviceSubset"
    } else if set("peer") && set("partition") {
        "target.partition cannot be set with target.peer"
    } else if set("peer") && set("datacenter") {
        "target.peer cannot be set with target.datacenter"
    } else if set("partition") && set("datacenter") {
        "target.partition cannot be set with target.datacenter"
    } else {
        return;
    };
    let json = go_json::object(Some(t), schema::FAILOVER_TARGET);
    errs.push(invalid_json(path, t.pos, &json, detail));
}

fn redirect_rules(r: &Node<'_>, s: &Settings, errs: &mut Vec<FieldError>) {
    let e = map_of(r).unwrap_or_default();
    let get = |k: &str| text(e, k);
    let pos_of = |k: &str| value(e, &[k]).map_or(r.pos, |n| n.pos);
    let fields = [
        "service",
        "serviceSubset",
        "namespace",
        "partition",
        "datacenter",
        "peer",
        "samenessGroup",
    ];
    if fields.iter().all(|k| get(k).is_empty()) {
        errs.push(invalid_json(
            "spec.redirect",
            r.pos,
            "{}",
            "service resolver redirect cannot be empty",
        ));
    }
    let (dc, part) = (get("datacenter"), get("partition"));
    if !matches!(partition(s), "default" | "") && !dc.is_empty() {
        let detail = "cross-datacenter redirect is only supported in the default partition";
        errs.push(FieldError::invalid(
            "spec.redirect.datacenter",
            pos_of("datacenter"),
            &go_quote(dc),
            detail,
        ));
    }
    if partition(s) != part && !dc.is_empty() {
        let detail = "cross-datacenter and cross-partition redirect is not supported";
        errs.push(FieldError::invalid(
            "spec.redirect.partition",
            pos_of("partition"),
            &go_quote(part),
            detail,
        ));
    }
    redirect_conflicts(r, errs);
}

/// A redirect's fields that exclude one another, or need `service`.
fn redirect_conflicts(r: &Node<'_>, errs: &mut Vec<FieldError>) {
    let e = map_of(r).unwrap_or_default();
    let get = |k: &str| text(e, k);
    let set = |k: &str| !get(k).is_empty();
    let pairs = [
        (
            "samenessGroup",
            "serviceSubset",
            "samenessGroup cannot be set with serviceSubset",
        ),
        (
            "samenessGroup",
            "partition",
            "partition cannot be set with samenessGroup",
        ),
        (
            "samenessGroup",
            "datacenter",
            "samenessGroup cannot be set with datacenter",
        ),
        (
            "peer",
            "serviceSubset",
            "peer cannot be set with serviceSubset",
        ),
        ("peer", "partition", "partition cannot be set with peer"),
        ("peer", "datacenter", "peer cannot be set with datacenter"),
    ];
    let details: Vec<&str> = match pairs.iter().find(|(a, b, _)| set(a) && set(b)) {
        Some((_, _, d)) => vec![d],
        None if get("service").is_empty() => [
            ("serviceSubset", "serviceSubset defined without service"),
            ("namespace", "namespace defined without service"),
            ("partition", "partition defined without service"),
            ("peer", "peer defined without service"),
        ]
        .into_iter()
        .filter(|(k, _)| set(k))
        .map(|(_, d)| d)
        .collect(),
        None => Vec::new(),
    };
    for d in details {
        let json = go_json::object(Some(r), schema::RESOLVER_REDIRECT);
        errs.push(invalid_json("spec.redirect", r.pos, &json, d));
    }
}

/// Subset names as DNS labels.
fn subset_rules(spec: &[Entry<'_>], errs: &mut Vec<FieldError>) {
    let subsets = value(spec, &["subsets"])
        .and_then(map_of)
        .unwrap_or_default();
    for sub in subsets {
        let path = format!("spec.subsets[{}]", sub.key);
        if sub.key.is_empty() {
            errs.push(FieldError::invalid(
                &path,
                sub.key_pos,
                "\"\"",
                "subset defined with empty name",
            ));
        }
        if !is_label(&sub.key) {
            let detail = "subset name must begin or end with lower case alphanumeric characters, and contain lower case alphanumeric characters or '-' in between";
            errs.push(FieldError::invalid(
                &path,
                sub.key_pos,
                &go_quote(&sub.key),
                detail,
            ));
        }
    }
}

/// `^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`.
fn is_label(s: &str) -> bool {
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => alnum(f) && alnum(l) && b.iter().all(|&c| alnum(c) || c == b'-'),
        _ => false,
    }
}

fn load_balancer_rules(spec: &[Entry<'_>], errs: &mut Vec<FieldError>) {
    let Some(lb) = value(spec, &["loadBalancer"]).and_then(map_of) else {
        return;
    };
    for (i, p) in items(lb, "hashPolicies").iter().enumerate() {
        let path = format!("spec.loadBalancer.hashPolicies[{i}]");
        let e = map_of(p).unwrap_or_default();
        let field = text(e, "field");
        if !field.is_empty() {
            let valid = ["header", "cookie", "query_parameter"];
            if !valid.contains(&field) {
                let pos = value(e, &["field"]).map_or(p.pos, |n| n.pos);
                errs.push(FieldError::invalid(
                    format!("{path}.field"),
                    pos,
                    &go_quote(field),
                    &not_in(&valid),
                ));
            }
            if value(e, &["sourceIP"]).is_some_and(|n| n.value == Value::Bool(true)) {
                let json = go_json::object(Some(p), schema::HASH_POLICY);
                errs.push(invalid_json(
                    &path,
                    p.pos,
                    &json,
                    "cannot set both field and sourceIP",
                ));
            } else if text(e, "fieldValue").is_empty() {
                let detail = "fieldValue cannot be empty if field is set";
                errs.push(FieldError::invalid(
                    format!("{path}.fieldValue"),
                    p.pos,
                    "\"\"",
                    detail,
                ));
            }
        }
        if let Some(c) = value(e, &["cookieConfig"]).filter(|n| n.value != Value::Null) {
            let ce = map_of(c).unwrap_or_default();
            let session = value(ce, &["session"]).is_some_and(|n| n.value == Value::Bool(true));
            if session && go_json::positive_duration(value(ce, &["ttl"])) {
                let json = go_json::object(Some(c), schema::COOKIE_CONFIG);
                errs.push(invalid_json(
                    &format!("{path}.cookieConfig"),
                    c.pos,
                    &json,
                    "cannot set both session and ttl",
                ));
            }
        }
    }
}

fn resolver_enterprise_rules(
    spec: &[Entry<'_>],
    failovers: &[Entry<'_>],
    s: &Settings,
    errs: &mut Vec<FieldError>,
) {
    let redirect = value(spec, &["redirect"])
        .and_then(map_of)
        .unwrap_or_default();
    enterprise_field(redirect, "namespace", "spec.redirect", "redirect", s, errs);
    for f in failovers {
        let e = map_of(&f.value).unwrap_or_default();
        let at = format!("spec.failover[{}]", f.key);
        enterprise_field(e, "namespace", &at, "failover", s, errs);
    }
    enterprise_field(redirect, "partition", "spec.redirect", "redirect", s, errs);
}

/// The webhook's check that an Enterprise field (`namespace`, `partition`) of the object
/// `entries` at `at` is unset when the feature is off: `Consul Enterprise namespaces must be
/// enabled to set <what>.namespace`.
fn enterprise_field(
    entries: &[Entry<'_>],
    key: &str,
    at: &str,
    what: &str,
    s: &Settings,
    errs: &mut Vec<FieldError>,
) {
    let (enabled, feature) = if key == "namespace" {
        (s.namespaces, "namespaces")
    } else {
        (s.partitions, "partitions")
    };
    if let Some((v, pos)) = str_value(entries, &[key]).filter(|(v, _)| !v.is_empty() && !enabled) {
        let detail = format!("Consul Enterprise {feature} must be enabled to set {what}.{key}");
        errs.push(FieldError::invalid(
            format!("{at}.{key}"),
            pos,
            &go_quote(v),
            &detail,
        ));
    }
}

// ---------------------------------------------------------------------------------------
// ServiceRouter

/// `ServiceRouter`'s `Validate`.
pub(super) fn router_rules(spec: &[Entry<'_>], s: &Settings, errs: &mut Vec<FieldError>) {
    let routes = items(spec, "routes");
    for (i, r) in routes.iter().enumerate() {
        route_rules(r, &format!("spec.routes[{i}]"), errs);
    }
    for (i, r) in routes.iter().enumerate() {
        let dest = map_of(r)
            .and_then(|e| value(e, &["destination"]))
            .and_then(map_of)
            .unwrap_or_default();
        let at = format!("spec.routes[{i}].destination");
        for key in ["namespace", "partition"] {
            enterprise_field(dest, key, &at, "destination", s, errs);
        }
    }
}

fn route_rules(r: &Node<'_>, path: &str, errs: &mut Vec<FieldError>) {
    let e = map_of(r).unwrap_or_default();
    let http = value(e, &["match", "http"]).filter(|n| n.value != Value::Null);
    let h = http.and_then(map_of).unwrap_or_default();
    if !text(
        value(e, &["destination"])
            .and_then(map_of)
            .unwrap_or_default(),
        "prefixRewrite",
    )
    .is_empty()
        && (http.is_none() || (text(h, "pathPrefix").is_empty() && text(h, "pathExact").is_empty()))
    {
        let json = go_json::object(Some(r), schema::ROUTE);
        let detail = "destination.prefixRewrite requires that either match.http.pathPrefix or match.http.pathExact be configured on this route";
        errs.push(invalid_json(path, r.pos, &json, detail));
    }
    let Some(http) = http else { return };
    let hp = format!("{path}.match.http");
    if ["pathExact", "pathPrefix", "pathRegex"]
        .iter()
        .filter(|k| !text(h, k).is_empty())
        .count()
        > 1
    {
        let json = go_json::object(Some(http), schema::HTTP_MATCH);
        let detail = "at most only one of pathExact, pathPrefix, or pathRegex may be configured";
        errs.push(invalid_json(&hp, http.pos, &json, detail));
    }
    for k in ["pathExact", "pathPrefix"] {
        if let Some((p, pos)) =
            str_value(h, &[k]).filter(|(p, _)| !p.is_empty() && !p.starts_with('/'))
        {
            errs.push(FieldError::invalid(
                format!("{hp}.{k}"),
                pos,
                &go_quote(p),
                "must begin with a '/'",
            ));
        }
    }
    let checks: [(&str, &[&str], &[schema::F], &str); 2] = [
        (
            "header",
            &["exact", "prefix", "suffix", "regex", "present"],
            schema::MATCH_HEADER,
            "at most only one of exact, prefix, suffix, regex, or present may be configured",
        ),
        (
            "queryParam",
            &["exact", "regex", "present"],
            schema::MATCH_QUERY_PARAM,
            "at most only one of exact, regex, or present may be configured",
        ),
    ];
    for (key, exclusive, fields, detail) in checks {
        for (j, m) in items(h, key).iter().enumerate() {
            let me = map_of(m).unwrap_or_default();
            let set = exclusive
                .iter()
                .filter(|k| value(me, &[k]).is_some_and(|n| !zero(n)))
                .count();
            if set > 1 {
                let json = go_json::object(Some(m), fields);
                errs.push(invalid_json(
                    &format!("{hp}.{key}[{j}]"),
                    m.pos,
                    &json,
                    detail,
                ));
            }
        }
    }
}

/// Go's zero value for a scalar: `""`, `false`, `0`.
fn zero(n: &Node<'_>) -> bool {
    matches!(&n.value, Value::Null | Value::Bool(false) | Value::Int(0))
        || matches!(&n.value, Value::String(s) if s.is_empty())
        || matches!(n.value, Value::Float(f) if f == 0.0)
}

// ---------------------------------------------------------------------------------------
// ServiceSplitter

/// `ServiceSplitter`'s `Validate`.
pub(super) fn splitter_rules(
    spec: &[Entry<'_>],
    at: Pos,
    s: &Settings,
    errs: &mut Vec<FieldError>,
) {
    let splits_node = value(spec, &["splits"]);
    let splits = items(spec, "splits");
    let mut sum = 0f32;
    for (i, split) in splits.iter().enumerate() {
        let e = map_of(split).unwrap_or_default();
        let w = weight(value(e, &["weight"]));
        if w != 0.0 && !(0.01..=100.0).contains(&w) {
            let pos = value(e, &["weight"]).map_or(split.pos, |n| n.pos);
            let detail = "weight must be a percentage between 0.01 and 100";
            errs.push(FieldError::invalid(
                format!("spec.splits[{i}].weight"),
                pos,
                &go_float32(w),
                detail,
            ));
        }
        sum += w;
    }
    #[allow(clippy::float_cmp)] // consul-k8s compares the float32 sum exactly
    if sum != 100.0 {
        let json = go_json::list(splits_node, Shape::Object(schema::SPLIT));
        let detail = format!(
            "the sum of weights across all splits must add up to 100 percent, but adds up to {sum:.6}"
        );
        errs.push(invalid_json(
            "spec.splits",
            splits_node.map_or(at, |n| n.pos),
            &json,
            &detail,
        ));
    }
    for (i, split) in splits.iter().enumerate() {
        let e = map_of(split).unwrap_or_default();
        let at = format!("spec.splits[{i}]");
        for key in ["namespace", "partition"] {
            enterprise_field(e, key, &at, "split", s, errs);
        }
    }
}

/// A weight as the resource's `float32` holds it (0 when absent or not a number).
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
fn weight(n: Option<&Node<'_>>) -> f32 {
    match n.map(|n| &n.value) {
        Some(Value::Int(i)) => *i as f32,
        Some(Value::Float(f)) => *f as f32,
        Some(Value::BigInt(t)) => t.parse::<f32>().unwrap_or(f32::INFINITY),
        _ => 0.0,
    }
}

/// A `float32` as Go's `%v` prints it: shortest digits, an exponent below 1e-4 or from 1e21.
fn go_float32(v: f32) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e21).contains(&a) {
        let e = format!("{v:e}");
        let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let (sign, digits) = exp.strip_prefix('-').map_or(("+", exp), |d| ("-", d));
        return format!("{mantissa}e{sign}{digits:0>2}");
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float32_as_go_prints_it() {
        assert_eq!(go_float32(150.0), "150");
        assert_eq!(go_float32(0.001), "0.001");
        assert_eq!(go_float32(0.00001), "1e-05");
        assert_eq!(go_float32(-5.5), "-5.5");
        assert_eq!(go_float32(33.3), "33.3");
    }

    #[test]
    fn subset_names_are_labels() {
        assert!(is_label("v1"));
        assert!(is_label("a-b"));
        assert!(!is_label("-a"));
        assert!(!is_label("A"));
        assert!(!is_label(""));
        assert!(!is_label("a_b"));
    }
}
