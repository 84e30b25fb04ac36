//! A resolver node, as Consul's `getResolverNode` builds it: the target's resolver redirect
//! followed to the end, its default subset, the checks (a subset it defines, nothing but a
//! plain resolver for an external service), then its failover targets.

use crate::model::discovery_chain::{ResolverFailover, ServiceResolver};
use crate::topology::chain::graph::{Failover, Node, Spec, Steps};
use crate::topology::chain::state::{Compiler, Opts};
use crate::topology::chain::{ChainError, target_id};

/// A target after its resolvers had their say.
struct Resolved<'e> {
    target: Spec,
    steps: Steps,
    /// The node already built for it, when there is one.
    cached: Option<usize>,
    resolver: Option<&'e ServiceResolver>,
}

/// The resolver node of `t` (built once per final target), and the steps taken to it.
pub(crate) fn resolver_node(c: &mut Compiler<'_>, t: Spec) -> Result<(usize, Steps), ChainError> {
    let r = resolve(c, t)?;
    if let Some(n) = r.cached {
        return Ok((n, r.steps));
    }
    let id = target_id(&r.target);
    let node = Node::Resolver {
        target: r.target.clone(),
        failover: Vec::new(),
    };
    let n = c.graph.push(format!("resolver:{id}"), node);
    if let Some(resolver) = r.resolver {
        let failover = failover(c, resolver, &r.target)?;
        if let Node::Resolver { failover: f, .. } = &mut c.graph.nodes[n] {
            *f = failover;
        }
    }
    Ok((n, r.steps))
}

/// Follows `t`'s redirects and default subset until a resolver keeps it, stopping early at
/// a target whose node is built; then Consul's checks.
fn resolve<'e>(c: &mut Compiler<'e>, mut t: Spec) -> Result<Resolved<'e>, ChainError> {
    let mut history: Vec<String> = Vec::new();
    let mut steps = Steps::new();
    loop {
        let id = target_id(&t);
        if let Some(n) = c.graph.get(&format!("resolver:{id}")) {
            return Ok(Resolved {
                target: t,
                steps,
                cached: Some(n),
                resolver: None,
            });
        }
        if t.peer.is_none() {
            c.record_protocol(&t.service)?;
        }
        if history.contains(&id) {
            history.push(id);
            return Err(ChainError::CircularRedirect(history));
        }
        history.push(id.clone());
        let resolver = c.entries.resolver(&t.service, &t.namespace, &t.partition);
        match next_hop(c, &t, &id, resolver, &mut steps) {
            Some(next) => t = next,
            None => return checked(c, t, steps, resolver),
        }
    }
}

/// Where a resolver sends `t` next: its redirect (when it moves the target), else its
/// default subset (when `t` names none); `None` when it keeps `t`.
fn next_hop(
    c: &Compiler<'_>,
    t: &Spec,
    id: &str,
    resolver: Option<&ServiceResolver>,
    steps: &mut Steps,
) -> Option<Spec> {
    let resolver = resolver?;
    if let Some(r) = &resolver.redirect {
        let o = Opts {
            service: &r.service,
            subset: &r.service_subset,
            namespace: &r.namespace,
            partition: &r.partition,
            datacenter: &r.datacenter,
            peer: &r.peer,
        };
        let next = c.rewrite(t, &o);
        let next_id = target_id(&next);
        if next_id != id {
            steps.push(format!("redirect {id} -> {next_id}"));
            return Some(next);
        }
    }
    if t.subset.is_empty() && !resolver.default_subset.is_empty() {
        let o = Opts {
            subset: &resolver.default_subset,
            ..Opts::default()
        };
        steps.push(format!("default subset {}", resolver.default_subset));
        return Some(c.rewrite(t, &o));
    }
    None
}

/// Consul's checks on a target its resolver keeps: the subset exists; an external service
/// (service-defaults `ExternalSNI`) has a plain resolver.
fn checked<'e>(
    c: &Compiler<'e>,
    t: Spec,
    steps: Steps,
    resolver: Option<&'e ServiceResolver>,
) -> Result<Resolved<'e>, ChainError> {
    let subsets = resolver.map(|r| &r.subsets);
    if !t.subset.is_empty() && !subsets.is_some_and(|s| s.contains_key(&t.subset)) {
        return Err(ChainError::MissingSubset {
            service: t.service,
            subset: t.subset,
        });
    }
    let external = c
        .entries
        .service_defaults(&t.service)
        .is_some_and(|sd| sd.external_sni.as_deref().is_some_and(|s| !s.is_empty()));
    if let (true, Some(r)) = (external, resolver) {
        let what = if r.redirect.is_some() {
            Some("redirects")
        } else if !r.subsets.is_empty() {
            Some("subsets")
        } else if !r.failover.is_empty() {
            Some("failover")
        } else {
            None
        };
        if let Some(what) = what {
            let service = t.service;
            return Err(ChainError::External { service, what });
        }
    }
    Ok(Resolved {
        target: t,
        steps,
        cached: None,
        resolver,
    })
}

/// The failover targets of `t` under `resolver`: the entry for its subset, else `*`.
fn failover(
    c: &mut Compiler<'_>,
    resolver: &ServiceResolver,
    t: &Spec,
) -> Result<Vec<Failover>, ChainError> {
    let Some(f) = resolver
        .failover
        .get(&t.subset)
        .or_else(|| resolver.failover.get("*"))
    else {
        return Ok(Vec::new());
    };
    let id = target_id(t);
    if !f.sameness_group.is_empty() {
        c.notes.push(format!(
                "{id}: failover to sameness group {:?} is not modelled (its members come from the peerings at run time)",
                f.sameness_group
            ));
    }
    let mut out = Vec::new();
    for candidate in candidates(c, f, t) {
        if target_id(&candidate) == id {
            c.notes.push(format!(
                    "{id}: a failover target is the target itself; Consul drops it (no failover to yourself)"
                ));
            continue;
        }
        out.push(failover_target(c, candidate)?);
    }
    Ok(out)
}

/// The targets a failover entry names, before their own resolvers: one per datacenter,
/// one per listed target, or the entry itc.
fn candidates(c: &Compiler<'_>, f: &ResolverFailover, t: &Spec) -> Vec<Spec> {
    let base = Opts {
        service: &f.service,
        subset: &f.service_subset,
        namespace: &f.namespace,
        ..Opts::default()
    };
    if !f.datacenters.is_empty() {
        return f
            .datacenters
            .iter()
            .map(|dc| {
                let o = Opts {
                    datacenter: dc,
                    ..base
                };
                c.rewrite(t, &o)
            })
            .collect();
    }
    if !f.targets.is_empty() {
        let opts = |x: &crate::model::discovery_chain::FailoverTarget| {
            c.rewrite(
                t,
                &Opts {
                    service: &x.service,
                    subset: &x.service_subset,
                    namespace: &x.namespace,
                    partition: &x.partition,
                    datacenter: &x.datacenter,
                    peer: &x.peer,
                },
            )
        };
        return f.targets.iter().map(opts).collect();
    }
    vec![c.rewrite(t, &base)]
}

/// A failover target after its own resolver's redirect and default subset (not its
/// failover).
fn failover_target(c: &mut Compiler<'_>, t: Spec) -> Result<Failover, ChainError> {
    let r = resolve(c, t)?;
    let target = match r.cached.map(|n| &c.graph.nodes[n]) {
        Some(Node::Resolver { target, .. }) => target.clone(),
        _ => r.target,
    };
    Ok(Failover {
        target,
        steps: r.steps,
    })
}
