//! One upstream resolved: without a chain by `decide`, with one by `chain`, every target.

use crate::resolve::decide::{Cx, Decided, SniCache, decide_plain, refused, sni_in};
use crate::resolve::route::Route;
use crate::topology::chains::ChainPlan;
use crate::topology::compile::Facts;

/// Resolves one upstream from its facts; its chain's targets when it has one (with the
/// primary target's next hop and the chain's view when `view`).
#[inline]
pub(crate) fn decide_facts<'t>(
    cx: &Cx<'t, '_>,
    f: &Facts<'t>,
    cache: &mut SniCache,
    view: bool,
) -> Decided<'t> {
    if let Some(cp) = f.chain.and_then(|i| cx.topo.chains.get(i as usize)) {
        return decide_chained(cx, f, cp, cache, view);
    }
    decide_plain(cx, f, cache)
}

/// Resolves one upstream from its facts, route and chain view included.
pub(crate) fn resolve_facts<'t>(cx: &Cx<'t, '_>, f: &Facts<'t>, cache: &mut SniCache) -> Route<'t> {
    decide_facts(cx, f, cache, true).into_route(cx, f)
}

/// An upstream with a chain: each target decided (or, when Consul refuses the chain
/// outright, the one named service, with the error).
#[inline(never)]
fn decide_chained<'t>(
    cx: &Cx<'t, '_>,
    f: &Facts<'t>,
    cp: &'t ChainPlan,
    cache: &mut SniCache,
    view: bool,
) -> Decided<'t> {
    let Some(chain) = &cp.chain else {
        let mut d = decide_plain(cx, f, cache);
        if let Some(e) = &cp.error {
            d.warnings.insert(0, refused(e));
        }
        return d;
    };
    let mut sni = |t: &Facts<'t>, want: bool| sni_in(cx.topo.trust_domain(), t, cache, want);
    crate::resolve::chain::run(cx, f, (cp, chain), &mut sni, (true, view))
}
