//! The discovery chain, compiled as Consul's servers compile it
//! (`agent/consul/discoverychain/compile.go`): from the `service-router`, `service-splitter`
//! and `service-resolver` entries a datacenter sees, for one service, namespace and
//! partition, evaluated in one datacenter, the targets an upstream reaches and how.
//!
//! Pure: [`compile`] reads a [`ConfigEntries`] set and a [`ChainRequest`] and nothing else.
//! The topology compiles each distinct chain once, when it is built, and every upstream that
//! reaches it shares it; [`crate::resolve`] then decides each target's mode, SNI and next hop
//! for each upstream.
//!
//! The files: `compile` (assembling the graph from the entries: router, splitters, targets),
//! `resolver` (a resolver's redirect, default subset and failover), `graph` (the graph, its
//! checks and the targets read from it).
//!
//! ```
//! use meshroute::ServiceResolver;
//! use meshroute::topology::chain::{ChainRequest, compile};
//! use meshroute::topology::entries::ConfigEntries;
//! use meshroute::discovery_chain::ResolverRedirect;
//!
//! let mut redirect = ResolverRedirect::default();
//! redirect.service = "api".into();
//! redirect.datacenter = "dc2".into();
//! let mut resolver = ServiceResolver::default();
//! resolver.name = "api-dc2".into();
//! resolver.redirect = Some(redirect);
//! let entries = ConfigEntries::from_entries([resolver.into()]);
//!
//! let chain = compile(&entries, &ChainRequest::new("api-dc2", "dc1")).unwrap();
//! assert_eq!(chain.targets[0].id, "api.default.default.dc2");
//! assert_eq!(chain.targets[0].via, ["redirect api-dc2.default.default.dc1 -> api.default.default.dc2"]);
//! ```

mod compile;
mod graph;
mod resolver;
mod state;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::model::mode::go_quote;
use crate::topology::entries::ConfigEntries;

/// What to compile: a service, namespace and partition, evaluated in a datacenter (the
/// upstream's, else the proxy's).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ChainRequest {
    /// The service named by the upstream.
    pub service: String,
    /// Its namespace (`default` when unset).
    pub namespace: String,
    /// Its partition (`default` when unset).
    pub partition: String,
    /// The datacenter the chain is evaluated in.
    pub datacenter: String,
}

impl ChainRequest {
    /// The chain of `service` in the default namespace and partition, evaluated in
    /// `datacenter`.
    pub fn new(service: &str, datacenter: &str) -> Self {
        Self::scoped(service, "default", "default", datacenter)
    }

    /// The chain of `service` in `namespace` and `partition`, evaluated in `datacenter`.
    pub fn scoped(service: &str, namespace: &str, partition: &str, datacenter: &str) -> Self {
        Self {
            service: service.to_owned(),
            namespace: namespace.to_owned(),
            partition: partition.to_owned(),
            datacenter: datacenter.to_owned(),
        }
    }
}

/// A compiled discovery chain: its targets, in graph order, and how each is reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CompiledChain {
    /// The service the chain is for.
    pub service: String,
    /// Its namespace.
    pub namespace: String,
    /// Its partition.
    pub partition: String,
    /// The datacenter it was evaluated in.
    pub datacenter: String,
    /// The protocol every service of the chain shares (`tcp` when none says).
    pub protocol: String,
    /// Every target, in graph order: routes, splits, a resolver's target then its failover
    /// targets; each once.
    pub targets: Vec<ChainTarget>,
    /// The index of the primary target in [`CompiledChain::targets`]: the default route's,
    /// the heaviest split's, the resolver's own (not a failover target).
    pub primary: usize,
    /// What Consul does silently that is worth saying (a failover to the target itself
    /// dropped).
    pub notes: Vec<String>,
}

/// One target of a chain: a service (and subset) in a namespace, partition and datacenter, or
/// at a peer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ChainTarget {
    /// Consul's target ID: `[<subset>.]<service>.<namespace>.<partition>.<datacenter>`, or
    /// `<service>.<namespace>.default.external.<peer>`.
    pub id: String,
    /// The service.
    pub service: String,
    /// The subset (empty: the unnamed one).
    pub subset: String,
    /// The namespace.
    pub namespace: String,
    /// The partition.
    pub partition: String,
    /// The datacenter (empty for a peer).
    pub datacenter: String,
    /// The peer, for a target on a cluster peer.
    pub peer: Option<String>,
    /// How it is reached, one path each (`route[0] > redirect a -> b > default subset v1`).
    pub via: Vec<String>,
    /// For a failover target: whose, and its position (1 first).
    pub failover: Option<FailoverOf>,
}

/// A failover target's place: the target it stands in for, and its position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FailoverOf {
    /// The index, in [`CompiledChain::targets`], of the target it stands in for.
    pub of: usize,
    /// Its position in the failover order (1 first).
    pub position: usize,
}

/// Why Consul refuses a chain (its `ConfigEntryGraphError`), with Consul's text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// Services of one chain with different protocols.
    #[error(
        "discovery chain {} uses inconsistent protocols; service {} has {} which is not {}",
        go_quote(chain),
        go_quote(service),
        go_quote(protocol),
        go_quote(expected)
    )]
    InconsistentProtocols {
        /// The chain's service.
        chain: String,
        /// The service with the other protocol.
        service: String,
        /// Its protocol.
        protocol: String,
        /// The chain's protocol so far.
        expected: String,
    },
    /// A router or splitter on a service whose protocol is not HTTP-like.
    #[error(
        "discovery chain {} uses a protocol {} that does not permit advanced routing or splitting behavior",
        go_quote(chain),
        go_quote(protocol)
    )]
    NoAdvancedRouting {
        /// The chain's service.
        chain: String,
        /// Its protocol.
        protocol: String,
    },
    /// Resolvers that redirect in a circle (the target IDs, in order).
    #[error("detected circular resolver redirect: [{}]", .0.join(" -> "))]
    CircularRedirect(Vec<String>),
    /// Splitters that split into each other (the nodes, in order).
    #[error("detected circular reference: [{}]", .0.join(" -> "))]
    CircularReference(Vec<String>),
    /// A subset the service's resolver does not define.
    #[error(
        "service {} does not have a subset named {}",
        go_quote(service),
        go_quote(subset)
    )]
    MissingSubset {
        /// The service.
        service: String,
        /// The subset.
        subset: String,
    },
    /// A redirect, subsets or failover on a service with an `ExternalSNI`.
    #[error(
        "service {} has an external SNI set; cannot define {what} for external services",
        go_quote(service)
    )]
    External {
        /// The service.
        service: String,
        /// `redirects`, `subsets` or `failover`.
        what: &'static str,
    },
}

impl ChainError {
    /// Whether this is a protocol error: the routers and splitters are refused, the resolvers
    /// still apply.
    pub fn is_protocol(&self) -> bool {
        matches!(
            self,
            Self::InconsistentProtocols { .. } | Self::NoAdvancedRouting { .. }
        )
    }
}

/// Compiles the chain of `request` from `entries`.
///
/// # Errors
///
/// Consul's graph errors ([`ChainError`]).
pub fn compile(
    entries: &ConfigEntries,
    request: &ChainRequest,
) -> Result<CompiledChain, ChainError> {
    state::Compiler::new(entries, request, true).run()
}

/// Compiles the chain of `request` with its routers and splitters left out (as Consul does for
/// an upstream whose protocol is not HTTP-like).
///
/// # Errors
///
/// Consul's graph errors ([`ChainError`]).
pub fn compile_without_routing(
    entries: &ConfigEntries,
    request: &ChainRequest,
) -> Result<CompiledChain, ChainError> {
    state::Compiler::new(entries, request, false).run()
}

impl CompiledChain {
    /// The primary target.
    pub fn primary(&self) -> &ChainTarget {
        &self.targets[self.primary]
    }

    /// Whether the chain is nothing but the service itself: one target, the requested
    /// service, unnamed subset, in the evaluation's namespace, partition and datacenter, and
    /// nothing to note. Such a chain resolves exactly as an upstream without one.
    pub fn is_trivial(&self) -> bool {
        let [t] = self.targets.as_slice() else {
            return false;
        };
        self.notes.is_empty()
            && t.peer.is_none()
            && t.subset.is_empty()
            && t.service == self.service
            && t.namespace == self.namespace
            && t.partition == self.partition
            && t.datacenter == self.datacenter
    }
}

/// Consul's target ID of a target.
pub(crate) fn target_id(t: &graph::Spec) -> String {
    if let Some(peer) = &t.peer {
        return format!("{}.{}.default.external.{peer}", t.service, t.namespace);
    }
    let base = format!(
        "{}.{}.{}.{}",
        t.service, t.namespace, t.partition, t.datacenter
    );
    if t.subset.is_empty() {
        base
    } else {
        format!("{}.{base}", t.subset)
    }
}
