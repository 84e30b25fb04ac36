//! Resolving an upstream with a discovery chain: every target decided as Consul decides it
//! (the dialing side's mode when it states one, else the target's own service's defaults), the
//! primary target giving the route its own mode, SNI and next hop.

use std::sync::Arc;

use crate::model::mode::MeshGatewayMode;
use crate::resolve::decide::{
    Cx, decide_target, next_hop, no_trust_domain, refused, route_of, target_warnings,
};
use crate::resolve::layers::Layer;
use crate::resolve::route::{HopKind, Route, RouteChain, TargetRoute};
use crate::topology::Warning;
use crate::topology::chain::CompiledChain;
use crate::topology::chains::ChainPlan;
use crate::topology::plan::Facts;

/// What was decided for the primary target.
type Primary<'t> = (
    Facts<'t>,
    (MeshGatewayMode, Layer),
    HopKind,
    Option<Arc<str>>,
);

/// Every target of a chain, decided for one upstream.
pub(crate) struct Run<'t> {
    primary: Option<Primary<'t>>,
    chain: Option<RouteChain<'t>>,
    pub(crate) warnings: Vec<Warning>,
}

/// Decides every target of `chain` for the upstream `f`: with its warnings when `warn`, with
/// the chain's view when `view`. `sni` gives each target's name.
pub(crate) fn run<'t>(
    cx: &Cx<'t, '_>,
    f: &Facts<'t>,
    (cp, chain): (&'t ChainPlan, &'t CompiledChain),
    sni: &mut dyn FnMut(&Facts<'t>) -> Option<Arc<str>>,
    (warn, view): (bool, bool),
) -> Run<'t> {
    let mut run = Run {
        primary: None,
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
    let at = (cx.dc.name(), cx.proxy.partition);
    for (i, (t, tp)) in chain.targets.iter().zip(&cp.targets).enumerate() {
        let tf = f.for_target(cx.topo, at, t, tp);
        let (decided, kind) = decide_target(&tf, cx.down.layers);
        let name = sni(&tf);
        if warn {
            let prefix = |w: Warning| Warning::new(w.kind(), format!("target {}: {w}", t.id));
            let tw = target_warnings(cx, &tf, (decided.0, kind));
            run.warnings.extend(tw.into_iter().map(prefix));
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
        if i == chain.primary {
            run.primary = Some((tf, decided, kind, name));
        }
    }
    run
}

impl<'t> Run<'t> {
    /// The route of the upstream `f`: its primary target's decision, every target's warnings.
    pub(crate) fn into_route(mut self, cx: &Cx<'t, '_>, f: &Facts<'t>) -> Route<'t> {
        let Some((tf, decided, kind, sni)) = self.primary else {
            // Not reached: a compiled chain has a primary target.
            let hop = next_hop(cx.dc, f, HopKind::Direct, cx.down.gateways);
            return route_of(
                cx,
                f,
                (MeshGatewayMode::None, Layer::Default),
                None,
                hop,
                self.warnings,
            );
        };
        if cx.topo.trust_domain().is_none() && tf.peer.is_none() && sni.is_none() {
            self.warnings.push(no_trust_domain());
        }
        let hop = next_hop(cx.dc, &tf, kind, cx.down.gateways);
        let mut route = route_of(cx, f, decided, sni, hop, self.warnings);
        route.chain = self.chain;
        route
    }
}
