//! [`Resolution`]: every route of a topology, kept compactly and read back one at a time.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::model::mode::MeshGatewayMode;
use crate::resolve::decide::{Cx, Downstream, ProxyView, SniCache, next_hop, route_of};
use crate::resolve::layers::Layer;
use crate::resolve::route::{HopKind, Route};
use crate::resolve::upstream::decide_facts;
use crate::topology::compile::Facts;
use crate::topology::{Datacenter, Topology, Warning, WarningKind};

/// Every route of a topology: [`Topology::resolve`]'s result.
///
/// Kept compactly: 24 bytes a route (which upstream of which proxy, and what was decided:
/// mode, layer, hop kind, SNI, warnings), so that resolving a million upstreams writes 24 MB
/// instead of 220 MB of [`Route`]s (see docs/performance.md); a warning repeated from one
/// route to the next (the same missing gateway for every proxy of a datacenter) is kept
/// once, 4 bytes a route. The routes are read back, each
/// as a [`Route`], with [`Resolution::routes`] or [`Resolution::get`]; the parts of a route
/// that are not decisions (names, the addresses of the hop) are the topology's own.
///
/// ```
/// use meshroute::Topology;
///
/// let topo = Topology::builder().add_datacenter("dc1").build();
/// let res = topo.resolve();
/// assert!(res.is_empty());
/// assert_eq!(res.routes().count(), 0);
/// assert_eq!(res.warnings[0].message(), meshroute::resolve::NO_TRUST_DOMAIN);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Resolution<'t> {
    /// The trust domain used for SNI names.
    pub trust_domain: Option<&'t str>,
    /// Problems not tied to one route (no trust domain, topology warnings).
    pub warnings: Vec<Warning>,
    topo: &'t Topology,
    entries: Vec<Entry>,
    snis: Vec<Option<Arc<str>>>,
    /// Each route's warnings (after the previous route's), as places in `warnings_kept`.
    route_warnings: Vec<u32>,
    /// The routes' warnings, each kept once for a run of equal ones.
    warnings_kept: Vec<Warning>,
}

/// One route of a [`Resolution`]: where it is in the topology, and what was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    dc: u32,
    proxy: u32,
    step: u32,
    /// The SNI name's slot in [`Resolution::snis`], [`NO_SNI`] for none.
    sni: u32,
    /// The end of the route's warnings in `Resolution::route_warnings` (they start where
    /// the previous route's end).
    warnings_end: u32,
    mode: MeshGatewayMode,
    decided_by: Layer,
    hop: HopKind,
}

const NO_SNI: u32 = u32::MAX;

impl Entry {
    /// The entry of a route at `at` with SNI slot `slot` (used when it has an SNI name),
    /// whose warnings end at `warnings_end`.
    fn of(
        (at, slot): (At, Option<u32>),
        has_sni: bool,
        warnings_end: usize,
        (mode, decided_by, hop): (MeshGatewayMode, Layer, HopKind),
    ) -> Self {
        Self {
            dc: index(at.0),
            proxy: index(at.1),
            step: index(at.2),
            sni: slot.filter(|_| has_sni).unwrap_or(NO_SNI),
            warnings_end: index(warnings_end),
            mode,
            decided_by,
            hop,
        }
    }
}

impl<'t> Resolution<'t> {
    /// Resolves the routes of the datacenters `keep` accepts.
    pub(crate) fn collect(topo: &'t Topology, keep: impl Fn(&Datacenter) -> bool + Copy) -> Self {
        let mut warnings = Vec::with_capacity(topo.warnings().len() + 1);
        warnings.extend_from_slice(topo.warnings());
        if topo.trust_domain().is_none() {
            warnings.push(Warning::new(WarningKind::NoTrustDomain, NO_TRUST_DOMAIN));
        }
        let n = topo
            .datacenters()
            .iter()
            .filter(|d| keep(d))
            .map(|d| d.plan.steps.len())
            .sum();
        let mut entries = Vec::with_capacity(n);
        let (mut route_warnings, mut warnings_kept) = (Vec::new(), Vec::new());
        let mut it = RoutesIter::new(topo, keep);
        while let Some((facts, dc)) = it.advance() {
            let cx = Cx {
                topo,
                dc,
                down: &it.down,
                proxy: &it.proxy_view,
            };
            let d = decide_facts(&cx, &facts, &mut it.cache, false);
            for w in d.warnings {
                keep_warning(&mut warnings_kept, w);
                route_warnings.push(index(warnings_kept.len() - 1));
            }
            entries.push(Entry::of(
                it.last,
                d.sni.is_some(),
                route_warnings.len(),
                (d.outcome.0, d.outcome.1, d.kind),
            ));
        }
        Resolution {
            trust_domain: topo.trust_domain(),
            warnings,
            topo,
            entries,
            snis: it.cache.names,
            route_warnings,
            warnings_kept,
        }
    }

    /// The number of routes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no route.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The route at `index` (datacenter name order, then proxy load order, then upstream
    /// order).
    pub fn get(&self, index: usize) -> Option<Route<'t>> {
        let e = self.entries.get(index)?;
        let start = index
            .checked_sub(1)
            .and_then(|i| self.entries.get(i))
            .map_or(0, |p| p.warnings_end as usize);
        let dc = self.topo.datacenters().get(e.dc as usize)?;
        let pp = dc.plan.proxies.get(e.proxy as usize)?;
        let proxy = ProxyView::of_plan(dc, pp);
        let step = dc.plan.steps.get(e.step as usize)?;
        let f = Facts::of_step(self.topo, step, dc.plan.targets.get(step.target as usize)?);
        let sni = self.snis.get(e.sni as usize).and_then(Clone::clone);
        let warnings = self
            .route_warnings
            .get(start..e.warnings_end as usize)
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| self.warnings_kept.get(i as usize).cloned())
            .collect();
        let down = Downstream::of_plan(dc, pp);
        let cx = Cx {
            topo: self.topo,
            dc,
            down: &down,
            proxy: &proxy,
        };
        let chain = f
            .chain
            .and_then(|i| self.topo.chains.get(i as usize))
            .and_then(|cp| Some((cp, cp.chain.as_ref()?)));
        let Some(chain) = chain else {
            let hop = next_hop(dc, &f, e.hop, down.gateways);
            return Some(route_of(
                &cx,
                &f,
                (e.mode, e.decided_by),
                sni,
                hop,
                warnings,
            ));
        };
        let snis = &self.snis;
        let mut stored =
            |t: &Facts<'t>, _: bool| t.sni_slot.and_then(|i| snis.get(i as usize)?.clone());
        let run = crate::resolve::chain::run(&cx, &f, chain, &mut stored, (false, true));
        let mut route = run.into_route(&cx, &f);
        route.warnings = warnings;
        Some(route)
    }

    /// The routes, one at a time, in order.
    pub fn routes(&self) -> Routes<'_, 't> {
        Routes {
            resolution: self,
            range: 0..self.entries.len(),
        }
    }

    /// The routes, collected.
    pub fn to_vec(&self) -> Vec<Route<'t>> {
        self.routes().collect()
    }
}

/// The routes of a [`Resolution`], read one at a time ([`Resolution::routes`]).
#[derive(Clone, Debug)]
pub struct Routes<'r, 't> {
    resolution: &'r Resolution<'t>,
    range: std::ops::Range<usize>,
}

impl<'t> Iterator for Routes<'_, 't> {
    type Item = Route<'t>;

    fn next(&mut self) -> Option<Route<'t>> {
        let res = self.resolution;
        self.range.find_map(|i| res.get(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
}

impl DoubleEndedIterator for Routes<'_, '_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let res = self.resolution;
        self.range.by_ref().rev().find_map(|i| res.get(i))
    }
}

impl ExactSizeIterator for Routes<'_, '_> {}

impl fmt::Debug for Resolution<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolution")
            .field("trust_domain", &self.trust_domain)
            .field("routes", &self.to_vec())
            .field("warnings", &self.warnings)
            .finish()
    }
}

impl PartialEq for Resolution<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.trust_domain == other.trust_domain
            && self.warnings == other.warnings
            && self.routes().eq(other.routes())
    }
}

impl Eq for Resolution<'_> {}

/// As the CLI prints it: `{"trust_domain": …, "routes": [ … ]}` (the warnings not tied to a
/// route are left out).
impl Serialize for Resolution<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;

        struct All<'a, 'r, 't>(&'a Resolution<'r>, std::marker::PhantomData<&'t ()>);
        impl Serialize for All<'_, '_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.routes())
            }
        }
        let mut st = s.serialize_struct("Resolution", 2)?;
        st.serialize_field("trust_domain", &self.trust_domain)?;
        st.serialize_field("routes", &All(self, std::marker::PhantomData))?;
        st.end()
    }
}

/// `w` at the end of `kept`, unless the last one kept is equal to it.
#[inline]
fn keep_warning(kept: &mut Vec<Warning>, w: Warning) {
    if kept.last() != Some(&w) {
        kept.push(w);
    }
}

/// `i` as a 32-bit index (a topology has fewer routes and warnings).
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// The message for resolution without a trust domain.
pub const NO_TRUST_DOMAIN: &str = "no trust domain: SNI names need one; set it (TopologyBuilder::trust_domain) or include a saved /v1/connect/ca/roots response (its TrustDomain) among the documents";

/// Where a route is: datacenter, proxy and step indices.
type At = (usize, usize, usize);

/// [`Topology::routes`]: datacenters, proxies, upstreams, one route at a time, read from the
/// plan.
pub(crate) struct RoutesIter<'t, F> {
    topo: &'t Topology,
    keep: F,
    dc: usize,
    /// Whether `keep` accepted the current datacenter.
    entered: bool,
    proxy: usize,
    up: usize,
    step: usize,
    down: Downstream<'t>,
    proxy_view: ProxyView<'t>,
    cache: SniCache,
    /// Where the last route is, and the slot of its SNI name.
    last: (At, Option<u32>),
}

impl<'t, F: Fn(&Datacenter) -> bool> RoutesIter<'t, F> {
    /// The routes of the datacenters `keep` accepts.
    pub(crate) fn new(topo: &'t Topology, keep: F) -> Self {
        RoutesIter {
            topo,
            keep,
            dc: 0,
            entered: false,
            proxy: 0,
            up: 0,
            step: 0,
            down: Downstream::default(),
            proxy_view: ProxyView::default(),
            last: ((0, 0, 0), None),
            cache: SniCache::with_slots(topo.sni_slots),
        }
    }

    /// The facts of the next upstream and its proxy's datacenter (the proxy's downstream
    /// layers and view updated); [`RoutesIter::last`] then says where it is.
    #[inline]
    fn advance(&mut self) -> Option<(Facts<'t>, &'t Datacenter)> {
        loop {
            let dc = self.topo.datacenters().get(self.dc)?;
            if !self.entered {
                if !(self.keep)(dc) {
                    self.dc += 1;
                    continue;
                }
                self.entered = true;
                self.proxy = 0;
                self.up = 0;
                self.step = 0;
            }
            let Some(pp) = dc.plan.proxies.get(self.proxy) else {
                self.dc += 1;
                self.entered = false;
                continue;
            };
            if self.up == 0 {
                self.down = Downstream::of_plan(dc, pp);
                self.proxy_view = ProxyView::of_plan(dc, pp);
            }
            if self.up >= pp.upstreams as usize {
                self.proxy += 1;
                self.up = 0;
                continue;
            }
            let at = (self.dc, self.proxy, self.step);
            self.up += 1;
            self.step += 1;
            let plan = dc.plan.steps.get(at.2).and_then(|s| {
                let t = dc.plan.targets.get(s.target as usize)?;
                Some(Facts::of_step(self.topo, s, t))
            });
            let Some(facts) = plan else {
                // Not reached: the plan has a step and a target per upstream.
                self.dc += 1;
                self.entered = false;
                continue;
            };
            self.last = (at, facts.sni_slot);
            return Some((facts, dc));
        }
    }

    /// The next route.
    fn next_route(&mut self) -> Option<Route<'t>> {
        let (facts, dc) = self.advance()?;
        let cx = Cx {
            topo: self.topo,
            dc,
            down: &self.down,
            proxy: &self.proxy_view,
        };
        Some(decide_facts(&cx, &facts, &mut self.cache, true).into_route(&cx, &facts))
    }
}

impl<'t, F: Fn(&Datacenter) -> bool> Iterator for RoutesIter<'t, F> {
    type Item = Route<'t>;

    fn next(&mut self) -> Option<Route<'t>> {
        self.next_route()
    }
}
