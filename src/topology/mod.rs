//! [`Topology`]: what resolution reads, built once from loaded documents and then immutable.
//!
//! Operators keep one config directory per Consul agent or datacenter. Which agent, and so
//! which datacenter, a document belongs to is decided in one place, [`placement`]: Consul
//! merges the files of a config directory in name order and reads `datacenter` from the
//! result; a document belongs to the nearest agent up its directory tree.
//!
//! - [`placement`]: the agents and the placement rule;
//! - [`datacenter`]: one datacenter's entries, proxies, gateways and endpoints;
//! - [`TopologyBuilder`] (in `builder`) and the registrations it makes (`instances`);
//! - the compact upstreams the proxies keep (`upstreams`, read as [`UpstreamView`]);
//! - the resolution plan compiled with the topology (`plan`);
//! - [`Warning`]: what building noticed.
//!
//! Later stages add their entry points to [`Topology`] in their own modules:
//! [`crate::resolve`] (`resolve`, `explain`, …) and [`crate::route`] (`route_sni`, …).
//!
//! ```
//! use meshroute::topology::Topology;
//! use meshroute::{ServiceDefinition, ServiceKind};
//!
//! let mut gw = ServiceDefinition::default();
//! gw.kind = ServiceKind::MeshGateway;
//! gw.name = "mesh-gateway".into();
//! gw.address = Some("10.0.0.5".into());
//! gw.port = Some(8443);
//!
//! let topo = Topology::builder()
//!     .trust_domain("11111111-2222-3333-4444-555555555555.consul")
//!     .add_service("dc1", gw)
//!     .build();
//! assert_eq!(topo.datacenter("dc1").unwrap().gateway_addresses("default", false), ["10.0.0.5:8443"]);
//! ```

mod builder;
pub mod chain;
pub(crate) mod chains;
pub(crate) mod compile;
pub mod datacenter;
pub mod entries;
mod instances;
pub(crate) mod maps;
pub mod placement;
pub(crate) mod plan;
pub(crate) mod upstreams;
mod warning;

pub use builder::TopologyBuilder;
pub use datacenter::{Addresses, Datacenter, Endpoints, PROXY_META_KEY, Proxy, Registration};
pub use placement::{Agent, AgentFile, DEFAULT_DATACENTER};
pub use upstreams::UpstreamView;
pub use warning::{Warning, WarningKind};

use std::path::Path;

use crate::load::Loader;
use crate::load::error::Diagnostic;
use crate::model::document::Document;
use crate::topology::entries::EntryConflict;

/// Every datacenter found, the trust domain, and what was noticed while building.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Topology {
    pub(crate) trust_domain: Option<String>,
    pub(crate) datacenters: Vec<Datacenter>,
    pub(crate) agents: Vec<Agent>,
    pub(crate) warnings: Vec<Warning>,
    /// Different config entries of one kind and name in one federation.
    pub(crate) conflicts: Vec<EntryConflict>,
    /// Every distinct discovery chain the upstreams reach, compiled once.
    pub(crate) chains: Vec<chains::ChainPlan>,
    /// Where each chain is.
    pub(crate) chain_index: chains::ChainIndex,
    /// How many distinct SNI names the plans can produce.
    pub(crate) sni_slots: u32,
}

impl Topology {
    /// A builder.
    pub fn builder() -> TopologyBuilder {
        TopologyBuilder::default()
    }

    /// The topology of loaded `documents` (datacenters from their directories), with
    /// `trust_domain` if known.
    pub fn from_documents(documents: &[Document], trust_domain: Option<&str>) -> Self {
        let mut b = Self::builder();
        if let Some(td) = trust_domain {
            b.trust_domain(td);
        }
        b.add_documents(documents).build()
    }

    /// The topology of loaded `documents`, taken: as [`Topology::from_documents`], without
    /// copying what the topology keeps of them.
    pub fn from_owned_documents(documents: Vec<Document>, trust_domain: Option<&str>) -> Self {
        let mut b = Self::builder();
        if let Some(td) = trust_domain {
            b.trust_domain(td);
        }
        for d in documents {
            b.add_document(d);
        }
        b.build()
    }

    /// Loads files and directories ([`Loader::load_paths_with`]) into a topology: each document
    /// moves into the builder as it is decoded (its upstreams made compact records then), so
    /// that the documents are never all in memory as loaded, nor with the topology. Returns
    /// the topology and the load's diagnostics (check them for errors: a document that failed
    /// to load is not in the topology).
    ///
    /// (The same as `Loader::load_paths_each` with `TopologyBuilder::add_document`: files
    /// are read, parsed and decoded one at a time, so one file's trees are alive at once, but
    /// for Kubernetes manifests, which wait for their Helm values.)
    ///
    /// ```
    /// use meshroute::{Loader, Topology};
    ///
    /// // The VM datacenters of examples/.
    /// const EXAMPLES: [&str; 3] = ["examples/primary", "examples/secondary", "examples/failover"];
    /// let (topology, diagnostics) = Topology::load_paths(&Loader::new(), &EXAMPLES, None);
    /// assert!(diagnostics.iter().all(|d| !d.is_error()));
    /// assert_eq!(topology.resolve().len(), 8);
    /// ```
    pub fn load_paths<P: AsRef<Path>>(
        loader: &Loader,
        paths: &[P],
        trust_domain: Option<&str>,
    ) -> (Self, Vec<Diagnostic>) {
        let mut b = Self::builder();
        if let Some(td) = trust_domain {
            b.trust_domain(td);
        }
        let diagnostics = loader.load_paths_with(paths, |d| {
            b.add_document(d);
        });
        (b.build(), diagnostics)
    }

    /// The trust domain (lower-cased, as Consul builds it), when known.
    pub fn trust_domain(&self) -> Option<&str> {
        self.trust_domain.as_deref()
    }

    /// The datacenters, sorted by name.
    pub fn datacenters(&self) -> &[Datacenter] {
        &self.datacenters
    }

    /// The datacenter named `name` (exact).
    pub fn datacenter(&self, name: &str) -> Option<&Datacenter> {
        self.datacenters
            .binary_search_by(|d| d.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.datacenters[i])
    }

    /// The datacenter named `name`, compared case-insensitively (as DNS).
    pub fn datacenter_ignore_case(&self, name: &str) -> Option<&Datacenter> {
        self.datacenter(name).or_else(|| {
            self.datacenters
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case(name))
        })
    }

    /// What was noticed while building: conflicting entries, guessed datacenters, instances
    /// without an address.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Different config entries of one kind and name that datacenters sharing their entries
    /// (a federation) see: which one Consul keeps depends on the order they were written.
    pub fn entry_conflicts(&self) -> &[EntryConflict] {
        &self.conflicts
    }

    /// The agents found: each directory of agent configuration files, merged as Consul merges
    /// a config directory ([`placement`]).
    pub fn agents(&self) -> &[Agent] {
        &self.agents
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::model::agent::AgentConfig;
    use crate::model::document::{Content, Format};
    use crate::model::service::{ServiceDefinition, ServiceKind};

    fn doc(file: &str, content: Content) -> Document {
        Document {
            file: Some(PathBuf::from(file)),
            format: Format::Hcl,
            content,
        }
    }

    fn agent(dc: Option<&str>) -> Content {
        Content::Agent(AgentConfig {
            datacenter: dc.map(str::to_owned),
            ..AgentConfig::default()
        })
    }

    fn svc(name: &str) -> Content {
        Content::Service(ServiceDefinition {
            name: name.into(),
            kind: ServiceKind::MeshGateway,
            address: Some("10.0.0.1".into()),
            port: Some(443),
            ..ServiceDefinition::default()
        })
    }

    #[test]
    fn documents_take_the_datacenter_of_the_nearest_agent_config_up_the_tree() {
        let docs = [
            doc("ex/primary/services/gw.hcl", svc("gw-p")),
            doc("ex/primary/agent.hcl", agent(Some("Primary"))),
            doc("ex/secondary/agent.hcl", agent(Some("secondary"))),
            doc("ex/secondary/gw.hcl", svc("gw-s")),
            doc("ex/nodc/agent.hcl", agent(None)),
            doc("ex/nodc/gw.hcl", svc("gw-n")),
            doc("ex/loose/gw.hcl", svc("gw-l")),
        ];
        let t = Topology::from_documents(&docs, None);
        let names: Vec<_> = t.datacenters().iter().map(Datacenter::name).collect();
        // Agent datacenters are lower-cased; no datacenter is Consul's dc1; a directory
        // without any agent config above it names its datacenter, with a warning.
        assert_eq!(names, ["dc1", "loose", "primary", "secondary"]);
        for (dc, n) in [("dc1", 1), ("loose", 1), ("primary", 1), ("secondary", 1)] {
            assert_eq!(
                t.datacenter(dc).unwrap().gateway_addresses("", false).len(),
                n
            );
        }
        assert!(
            t.warnings()
                .iter()
                .any(|w| w.message().contains("\"loose\""))
        );
    }

    #[test]
    fn documents_added_one_at_a_time_are_placed_together_when_built() {
        // A directory's agent configuration after its services, as a walk in name order
        // gives them: placement waits for it.
        let docs = vec![
            doc("a/gw.hcl", svc("gw-a")),
            doc("a/z-agent.hcl", agent(Some("East"))),
            doc("b/agent.hcl", agent(Some("west"))),
            doc("b/gw.hcl", svc("gw-b")),
        ];
        let mut b = Topology::builder();
        for d in docs.clone() {
            b.add_document(d);
        }
        let streamed = b.build();
        let names: Vec<_> = streamed
            .datacenters()
            .iter()
            .map(Datacenter::name)
            .collect();
        assert_eq!(names, ["east", "west"]);
        assert!(streamed.warnings().is_empty(), "{:?}", streamed.warnings());
        assert_eq!(streamed, Topology::from_documents(&docs, None));
        assert_eq!(streamed, Topology::from_owned_documents(docs, None));
    }

    #[test]
    fn a_directory_is_merged_before_its_datacenter_is_read() {
        // As Consul merges a config directory: a1 names none, a2 (later) names dc2.
        let docs = [
            doc("a/a1.hcl", agent(None)),
            doc("a/a2.hcl", agent(Some("dc2"))),
            doc("a/a3.hcl", svc("gw")),
        ];
        let t = Topology::from_documents(&docs, None);
        let names: Vec<_> = t.datacenters().iter().map(Datacenter::name).collect();
        assert_eq!(names, ["dc2"]);
        assert_eq!(t.agents().len(), 1);
        assert_eq!(t.agents()[0].datacenter(), "dc2");
        assert!(t.warnings().is_empty(), "{:?}", t.warnings());
    }

    #[test]
    fn the_later_file_of_a_directory_wins_with_a_warning() {
        let docs = [
            doc("a/a1.hcl", agent(Some("east"))),
            doc("a/a2.hcl", agent(Some("West"))),
            doc("a/gw.hcl", svc("gw")),
        ];
        let t = Topology::from_documents(&docs, None);
        let names: Vec<_> = t.datacenters().iter().map(Datacenter::name).collect();
        assert_eq!(names, ["west"]);
        let w = &t.warnings()[0];
        assert_eq!(w.kind(), WarningKind::DatacenterOverridden);
        assert_eq!(w.file(), Some(Path::new("a/a2.hcl")));
        assert!(w.message().contains("\"west\" is used"), "{w}");
    }

    #[test]
    fn documents_without_a_file_are_in_dc1() {
        let d = Document {
            file: None,
            format: Format::Json,
            content: svc("gw"),
        };
        let t = Topology::from_documents(&[d], Some("ABC.consul"));
        assert_eq!(t.datacenters()[0].name(), "dc1");
        assert_eq!(t.trust_domain(), Some("abc.consul"));
    }

    #[test]
    fn result_does_not_depend_on_document_order() {
        let docs = vec![
            doc("a/agent.hcl", agent(Some("a"))),
            doc("a/x.hcl", svc("x")),
            doc("b/agent.hcl", agent(Some("b"))),
            doc("b/y.hcl", svc("y")),
        ];
        let mut rev = docs.clone();
        rev.reverse();
        assert_eq!(
            Topology::from_documents(&docs, None),
            Topology::from_documents(&rev, None)
        );
    }

    #[test]
    fn the_trust_domain_comes_from_ca_roots_unless_given() {
        let roots = doc(
            "x/ca-roots.json",
            Content::CaRoots(crate::model::document::CaRoots {
                trust_domain: "AAA.consul".into(),
                ..Default::default()
            }),
        );
        let t = Topology::from_documents(std::slice::from_ref(&roots), None);
        assert_eq!(t.trust_domain(), Some("aaa.consul"));
        let t = Topology::from_documents(&[roots], Some("bbb.consul"));
        assert_eq!(t.trust_domain(), Some("bbb.consul"));
    }
}
