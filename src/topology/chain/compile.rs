//! Assembling the graph from the entries, as Consul's `assembleChain` does: the router at the
//! top (the only one read), the splitters it or the start leads to, each split's resolver;
//! then the checks and the targets.

use crate::model::discovery_chain::{ServiceRouter, ServiceSplitter};
use crate::model::service::non_empty_or;
use crate::topology::chain::graph::{Edge, Graph, Node, Spec, Steps, normalize_weight};
use crate::topology::chain::resolver::resolver_node;
use crate::topology::chain::state::{Compiler, Opts};
use crate::topology::chain::{ChainError, ChainRequest, CompiledChain};
use crate::topology::entries::ConfigEntries;

/// The protocols that permit routers and splitters.
pub(crate) fn http_like(protocol: &str) -> bool {
    matches!(protocol, "http" | "http2" | "grpc")
}

impl<'e> Compiler<'e> {
    pub(crate) fn new(entries: &'e ConfigEntries, req: &'e ChainRequest, routing: bool) -> Self {
        Self {
            entries,
            req,
            routing,
            uses_routing: false,
            protocol: None,
            graph: Graph::default(),
            notes: Vec::new(),
        }
    }

    /// Assembles, checks and reads the chain.
    pub(crate) fn run(mut self) -> Result<CompiledChain, ChainError> {
        let (start, start_steps) = self.assemble()?;
        self.graph.check_cycles(start)?;
        self.graph.flatten();
        let protocol = self.protocol.clone().unwrap_or_default();
        if self.uses_routing && !http_like(&protocol) {
            return Err(ChainError::NoAdvancedRouting {
                chain: self.req.service.clone(),
                protocol,
            });
        }
        let (targets, primary) = self.graph.targets(start, &start_steps);
        Ok(CompiledChain {
            service: self.req.service.clone(),
            namespace: self.req.namespace.clone(),
            partition: self.req.partition.clone(),
            datacenter: self.req.datacenter.clone(),
            protocol,
            targets,
            primary,
            notes: self.notes,
        })
    }

    /// The start node: the router of the chain's service, else its splitter, else its
    /// resolver.
    fn assemble(&mut self) -> Result<(usize, Steps), ChainError> {
        let req = self.req;
        let router = self
            .entries
            .router(&req.service, &req.namespace, &req.partition)
            .filter(|_| self.routing);
        if let Some(r) = router {
            return Ok((self.router_node(r)?, Steps::new()));
        }
        let t = self.target(&req.service, "", "", "");
        self.splitter_or_resolver(t)
    }

    fn router_node(&mut self, r: &'e ServiceRouter) -> Result<usize, ChainError> {
        self.uses_routing = true;
        let ns = non_empty_or(r.namespace.as_deref(), "default");
        let part = non_empty_or(r.partition.as_deref(), "default");
        self.record_protocol(&r.name)?;
        let key = format!("router:{}.{ns}.{part}", r.name);
        let node = self.graph.push(key, Node::Router(Vec::new()));
        for (i, route) in r.routes.iter().enumerate() {
            let d = route.destination.clone().unwrap_or_default();
            let service = non_empty_or(Some(&d.service), &self.req.service).to_owned();
            let ns = non_empty_or(Some(&d.namespace), ns);
            let part = non_empty_or(Some(&d.partition), part);
            let t = self.target(&service, &d.service_subset, ns, part);
            let (next, steps) = if d.service_subset.is_empty() {
                self.splitter_or_resolver(t)?
            } else {
                resolver_node(self, t)?
            };
            self.edge(node, format!("route[{i}]"), 0.0, next, steps);
        }
        let t = self.target(&r.name, "", ns, part);
        let (next, steps) = self.splitter_or_resolver(t)?;
        self.edge(node, "default route".to_owned(), 0.0, next, steps);
        Ok(node)
    }

    fn edge(&mut self, node: usize, label: String, weight: f32, next: usize, steps: Steps) {
        if let Some(edges) = self.graph.edges_mut(node) {
            edges.push(Edge {
                label,
                weight,
                next,
                steps,
            });
        }
    }

    /// The splitter of the target's service, else its resolver.
    fn splitter_or_resolver(&mut self, t: Spec) -> Result<(usize, Steps), ChainError> {
        match self.splitter_node(&t.service, &t.namespace, &t.partition)? {
            Some(n) => Ok((n, Steps::new())),
            None => resolver_node(self, t),
        }
    }

    fn splitter_node(
        &mut self,
        svc: &str,
        ns: &str,
        part: &str,
    ) -> Result<Option<usize>, ChainError> {
        let key = format!("splitter:{svc}.{ns}.{part}");
        if let Some(n) = self.graph.get(&key) {
            return Ok(Some(n));
        }
        let Some(s) = self
            .entries
            .splitter(svc, ns, part)
            .filter(|_| self.routing)
        else {
            return Ok(None);
        };
        let node = self.graph.push(key, Node::Splitter(Vec::new()));
        for split in &s.splits {
            let (next, steps) = self.split_next(s, split)?;
            let w = normalize_weight(split.weight);
            self.edge(node, String::new(), w, next, steps);
        }
        self.uses_routing = true;
        Ok(Some(node))
    }

    /// Where one split goes: another service's splitter (when it names no subset), else a
    /// resolver.
    fn split_next(
        &mut self,
        s: &ServiceSplitter,
        split: &crate::model::discovery_chain::Split,
    ) -> Result<(usize, Steps), ChainError> {
        let ns = non_empty_or(s.namespace.as_deref(), "default");
        let part = non_empty_or(s.partition.as_deref(), "default");
        let svc = non_empty_or(Some(&split.service), &s.name);
        let sns = non_empty_or(Some(&split.namespace), ns);
        let spart = non_empty_or(Some(&split.partition), part);
        let other = (svc, sns, spart) != (s.name.as_str(), ns, part);
        if other
            && split.service_subset.is_empty()
            && let Some(n) = self.splitter_node(svc, sns, spart)?
        {
            return Ok((n, Steps::new()));
        }
        let t = self.target(svc, &split.service_subset, sns, spart);
        resolver_node(self, t)
    }

    /// A new target of `service` (empty parts are the evaluation's).
    pub(crate) fn target(&self, service: &str, subset: &str, ns: &str, part: &str) -> Spec {
        target(self.req, service, subset, ns, part)
    }

    /// A target rewritten by a redirect or failover.
    pub(crate) fn rewrite(&self, t: &Spec, o: &Opts<'_>) -> Spec {
        rewrite(self.req, t, o)
    }

    /// Records the protocol of `service` (its service-defaults `Protocol` when it has an
    /// entry, else proxy-defaults `Config.protocol`, else `tcp`), which must be the chain's.
    pub(crate) fn record_protocol(&mut self, service: &str) -> Result<(), ChainError> {
        let protocol = self.protocol_of(service);
        match &self.protocol {
            None => self.protocol = Some(protocol),
            Some(p) if *p != protocol => {
                return Err(ChainError::InconsistentProtocols {
                    chain: self.req.service.clone(),
                    service: service.to_owned(),
                    protocol,
                    expected: p.clone(),
                });
            }
            Some(_) => {}
        }
        Ok(())
    }

    fn protocol_of(&self, service: &str) -> String {
        let written = match self.entries.service_defaults(service) {
            Some(sd) => sd.protocol.clone(),
            None => self
                .entries
                .proxy_defaults()
                .and_then(|pd| pd.config.as_ref())
                .and_then(|c| c.get_ignore_ascii_case("protocol"))
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        };
        if written.is_empty() {
            "tcp".to_owned()
        } else {
            written.to_ascii_lowercase()
        }
    }
}

/// A new target: empty parts are the evaluation's (Consul's `newTarget`).
fn target(req: &ChainRequest, service: &str, subset: &str, ns: &str, part: &str) -> Spec {
    new_target(
        req,
        Spec {
            service: service.to_owned(),
            subset: subset.to_owned(),
            namespace: ns.to_owned(),
            partition: part.to_owned(),
            ..Spec::default()
        },
    )
}

/// Fills the empty parts of a target: the evaluation's datacenter, namespace and partition;
/// for a peer, no datacenter, partition `default`, namespace `default`.
fn new_target(req: &ChainRequest, mut t: Spec) -> Spec {
    let fill = |v: &mut String, d: &str| {
        if v.is_empty() {
            d.clone_into(v);
        }
    };
    if t.peer.is_some() {
        t.datacenter.clear();
        "default".clone_into(&mut t.partition);
        fill(&mut t.namespace, "default");
    } else {
        fill(&mut t.datacenter, &req.datacenter);
        fill(&mut t.namespace, &req.namespace);
        fill(&mut t.partition, &req.partition);
    }
    t
}

/// A target rewritten by a redirect or failover (Consul's `rewriteTarget`): another service
/// clears the subset; the namespace is taken when given or with a peer; the peer is always the
/// one given.
fn rewrite(req: &ChainRequest, t: &Spec, o: &Opts<'_>) -> Spec {
    let mut m = t.clone();
    if !o.service.is_empty() && o.service != m.service {
        o.service.clone_into(&mut m.service);
        m.subset.clear();
    }
    let set = |v: &mut String, o: &str| {
        if !o.is_empty() {
            o.clone_into(v);
        }
    };
    set(&mut m.subset, o.subset);
    set(&mut m.partition, o.partition);
    if !o.namespace.is_empty() || !o.peer.is_empty() {
        o.namespace.clone_into(&mut m.namespace);
    }
    set(&mut m.datacenter, o.datacenter);
    m.peer = Some(o.peer.to_owned()).filter(|p| !p.is_empty());
    new_target(req, m)
}
