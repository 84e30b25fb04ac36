//! Resolving an upstream with a discovery chain: every target decided as Consul decides it
//! (the dialing side's mode when it states one, else the target's own service's defaults), the
//! primary target giving the route its own mode, SNI and next hop.

use std::sync::Arc;

use crate::model::mode::MeshGatewayMode;
use crate::resolve::decide::{
    Cx, decide_target, next_hop, no_trust_domain, refused, route_of, target_warnings,
};
use crate::resolve::layers::Layer;
use crate::resolve::route::{HopKind, NextHop, Route, RouteChain, TargetRoute};
use crate::topology::Warning;
use crate::topology::chain::CompiledChain;
use crate::topology::chains::ChainPlan;
use crate::topology::plan::Facts;

/// Every target of a chain, decided for one upstream: what the route itself takes from its
/// primary target, the chain's view when asked for, the warnings when asked for.
pub(crate) struct Run<'t> {
    decided: (MeshGatewayMode, Layer),
    hop: NextHop<'t>,
    sni: Option<Arc<str>>,
    /// Whether the primary target should have had an SNI and has none (no trust domain).
    no_sni: bool,
    chain: Option<RouteChain<'t>>,
    pub(crate) warnings: Vec<Warning>,
}

/// Decides every target of `chain` for the upstream `f`: with its warnings when `warn`, with
/// the chain's view when `view`. `sni` gives each target's name (only when asked to: the
/// names of the others are only made sure of).
pub(crate) fn run<'t>(
    cx: &Cx<'t, '_>,
    f: &Facts<'t>,
    (cp, chain): (&'t ChainPlan, &'t CompiledChain),
    sni: &mut dyn FnMut(&Facts<'t>, bool) -> Option<Arc<str>>,
    (warn, view): (bool, bool),
) -> Run<'t> {
    let mut run = Run {
        decided: (MeshGatewayMode::None, Layer::Default),
        hop: next_hop(cx.dc, f, HopKind::Direct, cx.down.gateways),
        sni: None,
        no_sni: false,
        chain: view.then(|| RouteChain {
            chain,
            error: cp.error.as_ref(),
            targets: Vec::with_capacity(chain.targets.len()),
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
            run.warn(cx, &tf, (decided.0, kind), &t.id);
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
            run.decided = decided;
            run.hop = next_hop(cx.dc, &tf, kind, cx.down.gateways);
            run.no_sni = tf.peer.is_none() && name.is_none();
            run.sni = name;
        }
    }
    run
}

impl<'t> Run<'t> {
    /// One target's warnings, each saying which target it is about.
    fn warn(
        &mut self,
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
        self.warnings.extend(found.into_iter().map(prefix));
    }

    /// The route of the upstream `f`: its primary target's decision, every target's warnings.
    pub(crate) fn into_route(mut self, cx: &Cx<'t, '_>, f: &Facts<'t>) -> Route<'t> {
        if cx.topo.trust_domain().is_none() && self.no_sni {
            self.warnings.push(no_trust_domain());
        }
        let mut route = route_of(cx, f, self.decided, self.sni, self.hop, self.warnings);
        route.chain = self.chain;
        route
    }
}
