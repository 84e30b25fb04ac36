//! Consul's `Validate` rules for the discovery chain's entries and `exported-services`
//! (`config_entry_discoverychain.go`, `config_entry_exports.go`), each with Consul's text.

use crate::load::context::Cx;
use crate::load::error::DiagnosticKind;
use crate::model::discovery_chain::{
    ExportedServices, FailoverTarget, ResolverFailover, ResolverRedirect, ServiceResolver,
    ServiceSplitter,
};
use crate::model::mode::go_quote;
use crate::model::service::non_empty_or;
use crate::syntax::tree::Pos;

fn invalid(cx: &mut Cx<'_, '_>, pos: Pos, message: impl Into<String>) {
    cx.error(DiagnosticKind::Invalid, pos, message);
}

/// Consul's rule for subset names: DNS labels, as they go in SNI names.
fn subset_error(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.len() > 63 {
        return Some("must be non-empty and 63 characters or fewer");
    }
    let b = name.as_bytes();
    let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-';
    let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !(edge(b[0]) && edge(b[b.len() - 1]) && b.iter().all(inner)) {
        return Some(
            "must be 63 characters or fewer, begin or end with lower case alphanumeric characters, and contain lower case alphanumeric characters or '-' in between",
        );
    }
    None
}

/// `service-resolver`.
pub(crate) fn resolver(cx: &mut Cx<'_, '_>, r: &ServiceResolver) {
    for name in r.subsets.keys() {
        if name.is_empty() {
            invalid(cx, r.pos, "Subset defined with empty name");
        } else if let Some(e) = subset_error(name) {
            invalid(
                cx,
                r.pos,
                format!("Subset {} is invalid: {e}", go_quote(name)),
            );
        }
    }
    if !r.default_subset.is_empty() && !r.subsets.contains_key(&r.default_subset) {
        let msg = format!(
            "DefaultSubset {} is not a valid subset",
            go_quote(&r.default_subset)
        );
        invalid(cx, r.pos, msg);
    }
    if let Some(redirect) = &r.redirect {
        cx.at("Redirect", |cx| resolver_redirect(cx, r, redirect));
    }
    cx.at("Failover", |cx| {
        for (subset, f) in &r.failover {
            resolver_failover(cx, r, subset, f);
        }
    });
}

fn resolver_redirect(cx: &mut Cx<'_, '_>, r: &ServiceResolver, d: &ResolverRedirect) {
    let partition = non_empty_or(r.partition.as_deref(), "default");
    if partition != "default" && !d.datacenter.is_empty() {
        invalid(
            cx,
            d.pos,
            "Cross-datacenter redirect is only supported in the default partition",
        );
    }
    if non_empty_or(Some(&d.partition), "default") != partition && !d.datacenter.is_empty() {
        invalid(
            cx,
            d.pos,
            "Cross-datacenter and cross-partition redirect is not supported",
        );
    }
    if !r.failover.is_empty() {
        invalid(cx, d.pos, "Redirect and Failover cannot both be set");
    }
    if let Some(msg) = redirect_error(r, d) {
        invalid(cx, d.pos, msg);
    }
}

/// The first of Consul's redirect rules that `d` breaks.
fn redirect_error(r: &ServiceResolver, d: &ResolverRedirect) -> Option<String> {
    let set = |s: &str| !s.is_empty();
    let fields = [
        &d.service,
        &d.service_subset,
        &d.namespace,
        &d.partition,
        &d.datacenter,
        &d.peer,
    ];
    if fields.iter().all(|f| f.is_empty()) {
        return Some("Redirect is empty".to_owned());
    }
    let msg = match () {
        () if set(&d.peer) && set(&d.service_subset) => {
            "Redirect.Peer cannot be set with Redirect.ServiceSubset"
        }
        () if set(&d.peer) && set(&d.partition) => {
            "Redirect.Partition cannot be set with Redirect.Peer"
        }
        () if set(&d.peer) && set(&d.datacenter) => {
            "Redirect.Peer cannot be set with Redirect.Datacenter"
        }
        () if !set(&d.service) => {
            let named = [
                (&d.service_subset, "ServiceSubset"),
                (&d.namespace, "Namespace"),
                (&d.partition, "Partition"),
                (&d.peer, "Peer"),
            ];
            let (_, what) = named.into_iter().find(|(v, _)| set(v))?;
            return Some(format!("Redirect.{what} defined without Redirect.Service"));
        }
        () if set(&d.service_subset)
            && d.service == r.name
            && !r.subsets.contains_key(&d.service_subset) =>
        {
            return Some(format!(
                "Redirect.ServiceSubset {} is not a valid subset of {}",
                go_quote(&d.service_subset),
                go_quote(&r.name)
            ));
        }
        () => return None,
    };
    Some(msg.to_owned())
}

fn resolver_failover(cx: &mut Cx<'_, '_>, r: &ServiceResolver, key: &str, f: &ResolverFailover) {
    let prefix = format!("Bad Failover[{}]: ", go_quote(key));
    let bad = |cx: &mut Cx<'_, '_>, msg: String| invalid(cx, f.pos, msg);
    let partition = non_empty_or(r.partition.as_deref(), "default");
    if partition != "default" && !f.datacenters.is_empty() {
        bad(
            cx,
            "Cross-datacenter failover is only supported in the default partition".to_owned(),
        );
    }
    if key != "*" && !r.subsets.contains_key(key) {
        bad(cx, format!("{prefix}not a valid subset subset"));
    }
    let empty = [
        &f.service,
        &f.service_subset,
        &f.namespace,
        &f.sameness_group,
    ]
    .iter()
    .all(|s| s.is_empty());
    if empty && f.datacenters.is_empty() && f.targets.is_empty() {
        bad(
            cx,
            format!(
                "{prefix}one of Service, ServiceSubset, Namespace, Targets, or Datacenters is required"
            ),
        );
    }
    if let Some(mode) =
        policy_mode(f).filter(|m| !matches!(*m, "" | "default" | "order-by-locality"))
    {
        let _ = mode;
        bad(
            cx,
            format!("{prefix}Policy must be one of '', 'default', or 'order-by-locality'"),
        );
    }
    let own = f.service.is_empty() || f.service == r.name;
    if !f.service_subset.is_empty() && own && !r.subsets.contains_key(&f.service_subset) {
        let (s, svc) = (go_quote(&f.service_subset), go_quote(&f.service));
        bad(
            cx,
            format!("{prefix}ServiceSubset {s} is not a valid subset of {svc}"),
        );
    }
    let with_targets = [
        (!f.datacenters.is_empty(), "Datacenters"),
        (!f.service_subset.is_empty(), "ServiceSubset"),
        (!f.service.is_empty(), "Service"),
    ];
    for (set, what) in with_targets {
        if set && !f.targets.is_empty() {
            bad(cx, format!("{prefix}Targets cannot be set with {what}"));
        }
    }
    for (i, t) in f.targets.iter().enumerate() {
        if let Some(msg) = target_error(r, t) {
            invalid(
                cx,
                t.pos,
                format!("Bad Failover[{}].Targets[{i}]: {msg}", go_quote(key)),
            );
        }
    }
    if f.datacenters.iter().any(String::is_empty) {
        bad(
            cx,
            format!(
                "Bad Failover[{}].Datacenters: found empty datacenter",
                go_quote(key)
            ),
        );
    }
}

/// A failover `Policy`'s `Mode`, when it is a string.
fn policy_mode(f: &ResolverFailover) -> Option<&str> {
    let policy = f.policy.as_ref()?;
    let (_, mode) = policy
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("mode"))?;
    mode.as_str()
}

/// The first of Consul's rules a failover target breaks.
fn target_error(r: &ServiceResolver, t: &FailoverTarget) -> Option<String> {
    let set = |s: &str| !s.is_empty();
    let msg = match () {
        () if set(&t.peer) && set(&t.service_subset) => "Peer cannot be set with ServiceSubset",
        () if set(&t.peer) && set(&t.partition) => "Partition cannot be set with Peer",
        () if set(&t.peer) && set(&t.datacenter) => "Peer cannot be set with Datacenter",
        () if set(&t.partition) && set(&t.datacenter) => "Partition cannot be set with Datacenter",
        () if set(&t.service_subset)
            && (t.service.is_empty() || t.service == r.name)
            && !r.subsets.contains_key(&t.service_subset) =>
        {
            return Some(format!(
                "ServiceSubset {} is not a valid subset of {}",
                go_quote(&t.service_subset),
                go_quote(&r.name)
            ));
        }
        () => return None,
    };
    Some(msg.to_owned())
}

/// `service-splitter`.
pub(crate) fn splitter(cx: &mut Cx<'_, '_>, s: &ServiceSplitter) {
    if s.splits.is_empty() {
        invalid(cx, s.pos, "no splits configured");
        return;
    }
    let mut seen: Vec<[&str; 4]> = Vec::new();
    for split in &s.splits {
        let key = [
            non_empty_or(Some(&split.service), &s.name),
            &split.service_subset,
            &split.namespace,
            &split.partition,
        ];
        if seen.contains(&key) {
            let [svc, sub, ns, part] = key.map(go_quote);
            let msg = format!(
                "split destination occurs more than once: service={svc}, subset={sub}, namespace={ns}, partition={part}"
            );
            cx.at("Splits", |cx| invalid(cx, split.pos, msg));
        }
        seen.push(key);
    }
    // Consul sums weights in 0.01 units.
    #[allow(clippy::cast_possible_truncation)] // weights are percentages
    let sum: i64 = s
        .splits
        .iter()
        .map(|x| f64::from(x.weight * 100.0).round() as i64)
        .sum();
    if sum != 10_000 {
        #[allow(clippy::cast_precision_loss)] // a sum of percentages
        let total = sum as f64 / 100.0;
        let msg = format!("the sum of all split weights must be 100, not {total:.6}");
        cx.at("Splits", |cx| invalid(cx, s.pos, msg));
    }
}

/// `exported-services`.
pub(crate) fn exported(cx: &mut Cx<'_, '_>, e: &ExportedServices) {
    for (i, svc) in e.services.iter().enumerate() {
        let bad =
            |cx: &mut Cx<'_, '_>, msg: String| cx.at("Services", |cx| invalid(cx, svc.pos, msg));
        if svc.name.is_empty() {
            bad(cx, format!("Services[{i}]: service name cannot be empty"));
        }
        if svc.namespace == "*" && svc.name != "*" {
            bad(
                cx,
                format!("Services[{i}]: service name must be wildcard if namespace is wildcard"),
            );
        }
        if svc.consumers.is_empty() {
            bad(
                cx,
                format!("Services[{i}]: must have at least one consumer"),
            );
        }
        for (j, c) in svc.consumers.iter().enumerate() {
            let named = [&c.peer, &c.partition, &c.sameness_group];
            let msg = if named.iter().filter(|s| !s.is_empty()).count() > 1 {
                "must define at most one of Peer, Partition, or SamenessGroup"
            } else if c.partition == "*" {
                "exporting to all partitions (wildcard) is not supported"
            } else if c.peer == "*" {
                "exporting to all peers (wildcard) is not supported"
            } else {
                continue;
            };
            bad(cx, format!("Services[{i}].Consumers[{j}]: {msg}"));
        }
    }
}
