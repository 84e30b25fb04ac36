//! The chain's graph: router, splitter and resolver nodes, Consul's circular-reference check,
//! splitters flattened into each other, and the targets read from it in graph order.

use std::collections::HashMap;

use crate::topology::chain::{ChainError, ChainTarget, FailoverOf, target_id};

/// A target before it has an ID: a service (and subset) in a namespace, partition and
/// datacenter, or at a peer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Spec {
    pub(crate) service: String,
    pub(crate) subset: String,
    pub(crate) namespace: String,
    pub(crate) partition: String,
    pub(crate) datacenter: String,
    pub(crate) peer: Option<String>,
}

/// What was done to a target on the way to its resolver (`redirect a -> b`, `default subset
/// v1`), in order.
pub(crate) type Steps = Vec<String>;

/// An edge from a router or splitter to the next node.
#[derive(Clone, Debug)]
pub(crate) struct Edge {
    /// `route[i]` or `default route`; empty for a split (labelled when read).
    pub(crate) label: String,
    /// A split's weight (32-bit, as Consul computes it).
    pub(crate) weight: f32,
    pub(crate) next: usize,
    pub(crate) steps: Steps,
}

/// A resolver's failover target, resolved, with its own steps.
#[derive(Clone, Debug)]
pub(crate) struct Failover {
    pub(crate) target: Spec,
    pub(crate) steps: Steps,
}

/// A node of the graph.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Router(Vec<Edge>),
    Splitter(Vec<Edge>),
    Resolver {
        target: Spec,
        failover: Vec<Failover>,
    },
}

/// The graph: nodes by their key (`router:…`, `splitter:…`, `resolver:<target id>`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Graph {
    pub(crate) keys: Vec<String>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) index: HashMap<String, usize>,
}

impl Graph {
    /// Adds a node under `key`; its index.
    pub(crate) fn push(&mut self, key: String, node: Node) -> usize {
        let i = self.nodes.len();
        self.index.insert(key.clone(), i);
        self.keys.push(key);
        self.nodes.push(node);
        i
    }

    pub(crate) fn get(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    pub(crate) fn edges_mut(&mut self, i: usize) -> Option<&mut Vec<Edge>> {
        match &mut self.nodes[i] {
            Node::Router(e) | Node::Splitter(e) => Some(e),
            Node::Resolver { .. } => None,
        }
    }

    fn edges(&self, i: usize) -> &[Edge] {
        match &self.nodes[i] {
            Node::Router(e) | Node::Splitter(e) => e,
            Node::Resolver { .. } => &[],
        }
    }

    /// Consul's check for routers and splitters that lead back to themselves: a depth-first
    /// walk (children last first, as Consul's stack pops them) along each path.
    pub(crate) fn check_cycles(&self, start: usize) -> Result<(), ChainError> {
        let mut path = Vec::new();
        self.visit(start, &mut path)
    }

    fn visit(&self, node: usize, path: &mut Vec<usize>) -> Result<(), ChainError> {
        if path.contains(&node) {
            let names = path.iter().chain([&node]).map(|&i| self.keys[i].clone());
            return Err(ChainError::CircularReference(names.collect()));
        }
        path.push(node);
        for e in self.edges(node).iter().rev() {
            self.visit(e.next, path)?;
        }
        path.pop();
        Ok(())
    }

    /// Splits into another splitter replaced by that splitter's splits, weights multiplied,
    /// until no split leads to a splitter.
    pub(crate) fn flatten(&mut self) {
        loop {
            let mut changed = false;
            for i in 0..self.nodes.len() {
                if let Some(flat) = self.flattened(i) {
                    self.nodes[i] = Node::Splitter(flat);
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// The splits of splitter `i` with nested splitters inlined, if any was.
    fn flattened(&self, i: usize) -> Option<Vec<Edge>> {
        let Node::Splitter(edges) = &self.nodes[i] else {
            return None;
        };
        let nested = |e: &Edge| matches!(self.nodes[e.next], Node::Splitter(_));
        if !edges.iter().any(nested) {
            return None;
        }
        let mut out = Vec::new();
        for e in edges {
            let Node::Splitter(inner) = &self.nodes[e.next] else {
                out.push(e.clone());
                continue;
            };
            out.extend(inner.iter().map(|x| Edge {
                weight: normalize_weight(e.weight * x.weight / 100.0),
                ..x.clone()
            }));
        }
        Some(out)
    }

    /// The resolver node reached first from `node`: the default route, the heaviest split
    /// (the first on ties).
    fn primary_resolver(&self, node: usize) -> usize {
        match &self.nodes[node] {
            Node::Router(e) => e.last().map_or(node, |d| self.primary_resolver(d.next)),
            Node::Splitter(e) => {
                let heaviest = e.iter().fold(None::<&Edge>, |best, x| match best {
                    Some(b) if b.weight >= x.weight => Some(b),
                    _ => Some(x),
                });
                heaviest.map_or(node, |h| self.primary_resolver(h.next))
            }
            Node::Resolver { .. } => node,
        }
    }

    /// The targets, in graph order, and the index of the primary one.
    pub(crate) fn targets(&self, start: usize, start_steps: &Steps) -> (Vec<ChainTarget>, usize) {
        let mut w = Walk::default();
        w.node(self, start, start_steps);
        let primary = match &self.nodes[self.primary_resolver(start)] {
            Node::Resolver { target, .. } => w.index.get(&target_id(target)).copied(),
            _ => None,
        };
        (w.targets, primary.unwrap_or(0))
    }
}

/// Consul's weight normalization: 0.01 steps, computed in 32 bits as Consul does.
pub(crate) fn normalize_weight(w: f32) -> f32 {
    #[allow(clippy::cast_possible_truncation)] // a percentage times 100: far inside f32
    let scaled = f64::from(w * 100.0).round() as f32;
    scaled / 100.0
}

/// A weight as a label writes it: `90`, `33.33`.
fn show_weight(w: f32) -> String {
    if w.fract() == 0.0 {
        format!("{w:.0}")
    } else {
        format!("{w}")
    }
}

/// Reading the targets off the graph.
#[derive(Default)]
struct Walk {
    targets: Vec<ChainTarget>,
    index: HashMap<String, usize>,
}

impl Walk {
    fn node(&mut self, g: &Graph, node: usize, path: &Steps) {
        match &g.nodes[node] {
            Node::Router(edges) => {
                for e in edges {
                    self.node(g, e.next, &extend(path, &e.label, &e.steps));
                }
            }
            Node::Splitter(edges) => {
                for (i, e) in edges.iter().enumerate() {
                    let label = format!("split[{i}] {}%", show_weight(e.weight));
                    self.node(g, e.next, &extend(path, &label, &e.steps));
                }
            }
            Node::Resolver { target, failover } => {
                let of = self.add(target, path, None);
                for (k, f) in failover.iter().enumerate() {
                    let label = format!("failover[{}] of {}", k + 1, self.targets[of].id);
                    let at = FailoverOf {
                        of,
                        position: k + 1,
                    };
                    self.add(&f.target, &extend(path, &label, &f.steps), Some(at));
                }
            }
        }
    }

    /// Adds a target reached by `path` (or one more path to a target already there).
    fn add(&mut self, t: &Spec, path: &Steps, failover: Option<FailoverOf>) -> usize {
        let id = target_id(t);
        let via = if path.is_empty() {
            "start".to_owned()
        } else {
            path.join(" > ")
        };
        if let Some(&i) = self.index.get(&id) {
            let target = &mut self.targets[i];
            if !target.via.contains(&via) {
                target.via.push(via);
            }
            target.failover = target.failover.or(failover);
            return i;
        }
        self.index.insert(id.clone(), self.targets.len());
        self.targets.push(ChainTarget {
            id,
            service: t.service.clone(),
            subset: t.subset.clone(),
            namespace: t.namespace.clone(),
            partition: t.partition.clone(),
            datacenter: t.datacenter.clone(),
            peer: t.peer.clone(),
            via: vec![via],
            failover,
        });
        self.targets.len() - 1
    }
}

/// `path` with one more labelled step (and the steps after it).
fn extend(path: &Steps, label: &str, steps: &Steps) -> Steps {
    let mut out = path.clone();
    if !label.is_empty() {
        out.push(label.to_owned());
    }
    out.extend(steps.iter().cloned());
    out
}
