//! One compilation's state, shared by the assembly (`compile`) and the resolver nodes
//! (`resolver`): the entries, the request, the graph so far.

use crate::topology::chain::ChainRequest;
use crate::topology::chain::graph::Graph;
use crate::topology::entries::ConfigEntries;

/// What a redirect or a failover sets on a target (empty: keep).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Opts<'a> {
    pub(crate) service: &'a str,
    pub(crate) subset: &'a str,
    pub(crate) namespace: &'a str,
    pub(crate) partition: &'a str,
    pub(crate) datacenter: &'a str,
    pub(crate) peer: &'a str,
}

/// One compilation.
pub(crate) struct Compiler<'e> {
    pub(crate) entries: &'e ConfigEntries,
    pub(crate) req: &'e ChainRequest,
    /// Whether routers and splitters are read.
    pub(crate) routing: bool,
    /// Whether a router or splitter is in the chain.
    pub(crate) uses_routing: bool,
    /// The protocol recorded first.
    pub(crate) protocol: Option<String>,
    pub(crate) graph: Graph,
    pub(crate) notes: Vec<String>,
}
