//! Resolving an upstream with a discovery chain: every target decided as Consul decides it
//! (the dialing side's mode when it states one, else the target's own service's defaults), the
//! primary target giving the route its own mode, SNI and next hop.

use std::sync::Arc;

use crate::model::mode::MeshGatewayMode;
use crate::resolve::decide::{
    Cx, Decided, decide_target, next_hop, no_trust_domain, refused, target_warnings,
};
use crate::resolve::layers::Layer;
use crate::resolve::route::{HopKind, RouteChain, TargetRoute};
use crate::topology::Warning;
use crate::topology::chain::CompiledChain;
use crate::topology::chains::ChainPlan;
use crate::topology::compile::Facts;

/// Decides every target of `chain` for the upstream `f`: with its warnings when `warn`, with
/// the primary target's next hop and the chain's view when `view`. `sni` gives each target's
/// name (only when asked to: the names of the others are only made sure of).
pub(crate) fn run<'t>(
    cx: &Cx<'t, '_>,
    f: &Facts<'t>,
    (cp, chain): (&'t ChainPlan, &'t CompiledChain),
    sni: &mut dyn FnMut(&Facts<'t>, bool) -> Option<Arc<str>>,
    (warn, view): (bool, bool),
) -> Decided<'t> {
    let mut run = Decided {
        outcome: (MeshGatewayMode::None, Layer::Default),
        kind: HopKind::Direct,
        hop: None,
        sni: None,
        chain: view.then(|| {
            Box::new(RouteChain {
                chain,
                error: cp.error.as_ref(),
                targets: Vec::with_capacity(chain.targets.len()),
            })
        }),
        warnings: Vec::new(),
    };
    if let (true, Some(e)) = (warn, &cp.error) {
        run.warnings.push(refused(e));
    }
    for (i, (t, tp)) in chain.targets.iter().zip(&cp.targets).enumerate() {
        let tf = f.for_target(cx.topo, (cx.dc, cx.proxy.partition), t, tp);
        let (decided, kind) = decide_target(&tf, cx.down.layers);
        let primary = i == chain.primary;
        let name = sni(&tf, view || primary);
        if warn {
            warn_target(&mut run.warnings, cx, &tf, (decided.0, kind), &t.id);
        }
        if let Some(c) = &mut run.chain {
            c.targets.push(TargetRoute {
                target: t,
                mode: decided.0,
                decided_by: decided.1,
                sni: name.clone(),
                next_hop: next_hop(cx.dc, &tf, kind, cx.down.gateways),
            });
        }
        if primary {
            run.outcome = decided;
            run.kind = kind;
            run.hop = view.then(|| next_hop(cx.dc, &tf, kind, cx.down.gateways));
            if warn && cx.topo.trust_domain().is_none() && tf.peer.is_none() && name.is_none() {
                run.warnings.push(no_trust_domain());
            }
            run.sni = name;
        }
    }
    run
}

/// One target's warnings, each saying which target it is about.
fn warn_target<'t>(
    out: &mut Vec<Warning>,
    cx: &Cx<'t, '_>,
    tf: &Facts<'t>,
    decided: (MeshGatewayMode, HopKind),
    id: &str,
) {
    let found = target_warnings(cx, tf, decided);
    if found.is_empty() {
        return;
    }
    let prefix = |w: Warning| Warning::new(w.kind(), format!("target {id}: {w}"));
    out.extend(found.into_iter().map(prefix));
}
