//! [`TopologyBuilder`]: documents or models in, an immutable [`Topology`] out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::config_entry::ConfigEntry;
use crate::model::document::{Content, Document};
use crate::model::service::ServiceDefinition;
use crate::topology::Topology;
use crate::topology::compile;
use crate::topology::datacenter::Datacenter;
use crate::topology::entries::{AddedEntry, ConfigEntries, EntryConflict};
use crate::topology::instances::{Added, KeptUpstreams, NodeAddr, add_service, registers};
use crate::topology::placement::{Agent, AgentFile, Placed, Placement};
use crate::topology::upstreams::UpstreamTable;
use crate::topology::warning::{Warning, WarningKind};

/// Builds a [`Topology`] from documents or programmatically. The setters chain, and
/// [`TopologyBuilder::build`] takes what was added:
///
/// ```
/// use meshroute::Topology;
///
/// let topology = Topology::builder()
///     .trust_domain("11111111-2222-3333-4444-555555555555.consul")
///     .add_datacenter("dc1")
///     .build();
/// assert_eq!(topology.datacenters().len(), 1);
/// ```
#[derive(Clone, Debug, Default)]
pub struct TopologyBuilder {
    trust_domain: Option<String>,
    roots_trust_domain: Option<String>,
    dcs: BTreeMap<String, DcBuilder>,
    agents: Vec<Agent>,
    warnings: Vec<Warning>,
    /// Config entries added so far (their order).
    entries: usize,
    /// Documents added one at a time, not placed yet.
    pending: Pending,
    /// The destinations of the upstreams added so far: each service's upstreams are made
    /// compact records as it is added, and the model upstreams dropped.
    upstreams: UpstreamTable,
}

/// Documents given one at a time ([`TopologyBuilder::add_document`]), kept until they can be
/// placed: a directory's agent configuration may come after its other files. The agent
/// configurations are kept apart (small, and all that placement reads), and a service's
/// upstreams already compact.
#[derive(Clone, Debug, Default)]
struct Pending {
    agents: Vec<AgentFile>,
    documents: Chunks<(Document, KeptUpstreams)>,
}

/// A list of large items (documents waiting, services added) in chunks of [`Chunks::SIZE`]:
/// past its first chunk, the list grows without copying itself, or keeping room for up to
/// twice as many 600-byte items, and each chunk is freed as it is consumed (a loader hands the documents of a file
/// as it decodes it, while it still holds them).
#[derive(Clone, Debug)]
pub(crate) struct Chunks<T>(Vec<Vec<T>>);

impl<T> Default for Chunks<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> Chunks<T> {
    const SIZE: usize = 1024;

    fn push(&mut self, item: T) {
        match self.0.last_mut() {
            Some(chunk) if chunk.len() < Self::SIZE => chunk.push(item),
            _ => {
                // The first chunk grows as it fills: a small input keeps no room for 1,024.
                let room = if self.0.is_empty() { 0 } else { Self::SIZE };
                let mut chunk = Vec::with_capacity(room);
                chunk.push(item);
                self.0.push(chunk);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every item, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.0.iter().flatten()
    }

    /// Every item, in order, each chunk freed once consumed.
    pub(crate) fn into_items(self) -> impl Iterator<Item = T> {
        self.0.into_iter().flatten()
    }
}

/// What one datacenter has been given so far.
#[derive(Clone, Debug, Default)]
pub(crate) struct DcBuilder {
    pub(crate) primary_datacenter: Option<String>,
    pub(crate) entries: Vec<AddedEntry>,
    pub(crate) services: Chunks<Added>,
}

impl TopologyBuilder {
    /// Sets the trust domain (lower-cased, as Consul does). It wins over the `TrustDomain` of
    /// any saved CA roots response among the documents.
    pub fn trust_domain(&mut self, trust_domain: &str) -> &mut Self {
        self.trust_domain = Some(trust_domain.to_ascii_lowercase());
        self
    }

    /// Makes sure `datacenter` exists, even without documents.
    pub fn add_datacenter(&mut self, datacenter: &str) -> &mut Self {
        self.dcs.entry(datacenter.to_owned()).or_default();
        self
    }

    /// Registers a service (typical, connect proxy, mesh gateway…) in `datacenter`.
    pub fn add_service(&mut self, datacenter: &str, mut service: ServiceDefinition) -> &mut Self {
        let upstreams = KeptUpstreams::take(&mut service, &mut self.upstreams);
        self.dc(datacenter).services.push(Added {
            service,
            upstreams,
            file: None,
            node: None,
            agent: None,
        });
        self
    }

    fn dc(&mut self, datacenter: &str) -> &mut DcBuilder {
        // Looked up first: a document of a known datacenter allocates no key.
        if !self.dcs.contains_key(datacenter) {
            self.dcs.insert(datacenter.to_owned(), DcBuilder::default());
        }
        self.dcs.get_mut(datacenter).expect("inserted above")
    }

    /// Adds a config entry written in `datacenter`. It applies in every datacenter of its
    /// federation (the datacenters with the same primary, see
    /// [`TopologyBuilder::primary_datacenter`]). Of two different entries of one kind and name
    /// in a federation the first one added is used, with a warning.
    pub fn add_config_entry(&mut self, datacenter: &str, entry: ConfigEntry) -> &mut Self {
        self.add_entry(datacenter, entry, None)
    }

    fn add_entry(
        &mut self,
        datacenter: &str,
        entry: ConfigEntry,
        file: Option<PathBuf>,
    ) -> &mut Self {
        let seq = self.entries;
        self.entries += 1;
        self.dc(datacenter)
            .entries
            .push(AddedEntry { entry, file, seq });
        self
    }

    /// Says that `datacenter`'s primary datacenter is `primary` (as its agents'
    /// `primary_datacenter` does): datacenters with one primary form a WAN federation and see
    /// one set of config entries. A datacenter without one is its own primary.
    pub fn primary_datacenter(&mut self, datacenter: &str, primary: &str) -> &mut Self {
        self.dc(datacenter).primary_datacenter = Some(primary.to_owned());
        self
    }

    /// Adds loaded documents, each to the datacenter of its agent (see
    /// [`placement`](crate::topology::placement): Consul's config-directory merge, the
    /// nearest agent up the tree). The documents are placed among themselves (and those given
    /// one at a time before), and copied; [`TopologyBuilder::add_document`] takes them instead.
    pub fn add_documents(&mut self, documents: &[Document]) -> &mut Self {
        for doc in documents {
            self.add_document(doc.clone());
        }
        self.place_pending();
        self
    }

    /// Adds one loaded document, taken: what the topology needs of it moves into it when it is
    /// built, and the rest is dropped then. Documents given one at a time are placed together
    /// (see [`placement`](crate::topology::placement)) when the topology is built, or at the
    /// next [`TopologyBuilder::add_documents`], so their order does not matter: a directory's
    /// agent configuration may come after its services. With
    /// [`Loader::load_paths_each`](crate::load::Loader::load_paths_each), a directory is
    /// loaded straight into the builder, file by file:
    ///
    /// ```
    /// use meshroute::{Loader, Topology};
    ///
    /// // The VM datacenters of examples/.
    /// const EXAMPLES: [&str; 3] = ["examples/primary", "examples/secondary", "examples/failover"];
    /// let mut builder = Topology::builder();
    /// let diagnostics = Loader::new().load_paths_each(&EXAMPLES, |d| {
    ///     builder.add_document(d);
    /// });
    /// assert!(diagnostics.iter().all(|d| !d.is_error()));
    /// assert_eq!(builder.build().datacenters().len(), 4);
    /// ```
    pub fn add_document(&mut self, mut document: Document) -> &mut Self {
        match document.content {
            Content::Agent(config) => self.pending.agents.push(AgentFile {
                file: document.file,
                config,
            }),
            Content::Service(ref mut s) => {
                let upstreams = KeptUpstreams::take(s, &mut self.upstreams);
                self.pending.documents.push((document, upstreams));
            }
            _ => self
                .pending
                .documents
                .push((document, KeptUpstreams::default())),
        }
        self
    }

    /// Places the pending documents (their agents first) and adds each to its datacenter.
    fn place_pending(&mut self) {
        let Pending { agents, documents } = std::mem::take(&mut self.pending);
        if agents.is_empty() && documents.is_empty() {
            return;
        }
        let mut placement = Placement::of_agents(agents, &mut self.warnings);
        let offset = self.agents.len();
        // Shared by the services of each agent: a copy each was two strings a service.
        let nodes: Vec<Arc<NodeAddr>> = placement
            .agents
            .iter()
            .map(|a| Arc::new(NodeAddr::of(a)))
            .collect();
        for agent in &placement.agents {
            self.add_agent(agent);
        }
        // The documents of one directory are placed once: they come file by file.
        let mut last: Option<(DirKey, Placed)> = None;
        for (doc, upstreams) in documents.into_items() {
            let dir = doc.file.as_deref().map(Path::parent);
            if last
                .as_ref()
                .is_none_or(|(k, _)| k.as_ref().map(Option::as_deref) != dir)
            {
                let placed = placement.place(doc.file.as_deref(), &mut self.warnings);
                last = Some((dir.map(|d| d.map(Path::to_path_buf)), placed));
            }
            let Some((_, placed)) = &last else { continue };
            if let (Some(i), Content::ConfigEntry(e)) = (placed.agent, &doc.content)
                && let Some(w) = bootstrap_ignored(&placement.agents[i], doc.file.as_deref(), e)
            {
                self.warnings.push(w);
                continue;
            }
            let agent = placed.agent.map(|i| i + offset);
            let node = placed.agent.map(|i| Arc::clone(&nodes[i]));
            self.add_placed((doc, upstreams), &placed.datacenter, node, agent);
        }
        self.agents.extend(placement.agents);
    }

    /// An agent's datacenter exists, and agrees with the others on `primary_datacenter`.
    fn add_agent(&mut self, agent: &Agent) {
        let dc = agent.datacenter().to_owned();
        let primary = agent.primary_datacenter().map(|(p, _)| p.to_owned());
        let b = self.dc(&dc);
        let Some(p) = primary else { return };
        match &b.primary_datacenter {
            Some(q) if *q != p => {
                let message = format!(
                    "datacenter {dc}: agent configurations disagree on primary_datacenter ({q:?} and {p:?}); Consul requires one value everywhere"
                );
                self.warnings.push(Warning::new(
                    WarningKind::PrimaryDatacenterConflict,
                    message,
                ));
            }
            Some(_) => {}
            None => b.primary_datacenter = Some(p),
        }
    }

    fn add_placed(
        &mut self,
        (doc, upstreams): (Document, KeptUpstreams),
        dc: &str,
        node: Option<Arc<NodeAddr>>,
        agent: Option<usize>,
    ) {
        match doc.content {
            Content::CaRoots(r) => self.add_trust_domain(&r.trust_domain),
            Content::Service(service) => self.dc(dc).services.push(Added {
                service,
                upstreams,
                file: doc.file,
                node,
                agent,
            }),
            Content::ConfigEntry(e) => {
                self.add_entry(dc, e, doc.file);
            }
            Content::NomadJob(job) if !job.runs_in(dc) => {
                let message = format!(
                    "Nomad job {:?} runs in datacenters {:?}, but its file is in datacenter {dc:?} (the agent configuration of its directory): its services are placed there; Nomad registers them with the Consul agent of the client that runs them",
                    job.name, job.datacenters
                );
                self.warnings.push(
                    Warning::new(WarningKind::NomadDatacenter, message)
                        .at(doc.file.as_deref(), job.pos),
                );
            }
            _ => {}
        }
    }

    fn add_trust_domain(&mut self, trust_domain: &str) {
        let td = trust_domain.to_ascii_lowercase();
        match &self.roots_trust_domain {
            Some(other) if *other != td => self.warnings.push(Warning::new(
                WarningKind::TrustDomainConflict,
                format!("CA roots name trust domains {other:?} and {td:?}; {other:?} is used"),
            )),
            None if !td.is_empty() => self.roots_trust_domain = Some(td),
            _ => {}
        }
    }

    /// The immutable topology. Takes what was added: the builder is empty afterwards.
    pub fn build(&mut self) -> Topology {
        self.place_pending();
        let b = std::mem::take(self);
        let mut warnings = b.warnings;
        let (sets, conflicts) = federations(&b.dcs);
        let table = Arc::new(b.upstreams);
        for c in &conflicts {
            warnings.push(conflict_warning(c));
        }
        let datacenters = b
            .dcs
            .into_iter()
            .map(|(name, dc)| {
                let (set, entries) = sets
                    .iter()
                    .enumerate()
                    .find(|(_, s)| s.datacenters().contains(&name))
                    .map(|(i, s)| (i, Arc::clone(s)))
                    .unwrap_or_default();
                build_dc(name, dc, (entries, set), &table, &mut warnings)
            })
            .collect();
        let mut topo = Topology {
            trust_domain: b.trust_domain.or(b.roots_trust_domain),
            datacenters,
            agents: b.agents,
            warnings,
            conflicts,
            ..Topology::default()
        };
        compile::plan(&mut topo);
        topo
    }
}

/// What placement reads of a document's file: none, or its directory as spelled.
type DirKey = Option<Option<PathBuf>>;

/// The datacenter whose entries a datacenter sees: its primary, else itself.
fn federation_of(name: &str, dc: &DcBuilder) -> String {
    dc.primary_datacenter
        .as_deref()
        .filter(|p| !p.is_empty())
        .map_or_else(|| name.to_owned(), str::to_ascii_lowercase)
}

/// One config-entry set per federation (datacenters sharing a primary), and the conflicts
/// found in them.
fn federations(dcs: &BTreeMap<String, DcBuilder>) -> (Vec<Arc<ConfigEntries>>, Vec<EntryConflict>) {
    let mut groups: BTreeMap<String, (Vec<String>, Vec<AddedEntry>)> = BTreeMap::new();
    for (name, dc) in dcs {
        let (names, entries) = groups.entry(federation_of(name, dc)).or_default();
        names.push(name.clone());
        entries.extend(dc.entries.iter().cloned());
    }
    let mut conflicts = Vec::new();
    let sets = groups
        .into_values()
        .map(|(names, entries)| {
            let (set, c) = ConfigEntries::of(entries, names);
            conflicts.extend(c);
            Arc::new(set)
        })
        .collect();
    (sets, conflicts)
}

fn conflict_warning(c: &EntryConflict) -> Warning {
    Warning::new(
        WarningKind::DuplicateConfigEntry,
        format!(
            "{} {:?} is written twice with different contents ({} and {}), in datacenters sharing their config entries ({}): Consul keeps the one written last, which the files cannot tell; the first one loaded is used",
            c.kind,
            c.name,
            EntryConflict::show(&c.kept),
            EntryConflict::show(&c.other),
            c.datacenters.join(", ")
        ),
    )
    .at(c.other.0.as_deref(), c.other.1)
}

/// A warning when `entry`, read from `file`, is in the `config_entries.bootstrap` of `agent`
/// and Consul would not write it: only the servers of the primary datacenter bootstrap
/// config entries.
fn bootstrap_ignored(agent: &Agent, file: Option<&Path>, entry: &ConfigEntry) -> Option<Warning> {
    let file = file?;
    if !agent
        .files()
        .iter()
        .any(|af| af.file.as_deref() == Some(file))
    {
        return None;
    }
    let primary = agent
        .primary_datacenter()
        .map(|(p, _)| p.to_ascii_lowercase());
    let why = if !agent.is_server() {
        "only servers read config_entries.bootstrap".to_owned()
    } else if primary.as_deref().is_some_and(|p| p != agent.datacenter()) {
        format!(
            "only the primary datacenter's servers write them (primary_datacenter is {:?})",
            primary.unwrap_or_default()
        )
    } else {
        return None;
    };
    Some(
        Warning::new(
            WarningKind::BootstrapIgnored,
            format!(
                "config_entries.bootstrap: {} {:?} is ignored: {why}; Consul never writes it",
                entry.kind(),
                entry.name()
            ),
        )
        .at(Some(file), entry.pos()),
    )
}

fn build_dc(
    name: String,
    b: DcBuilder,
    (entries, entry_set): (Arc<ConfigEntries>, usize),
    table: &Arc<UpstreamTable>,
    warnings: &mut Vec<Warning>,
) -> Datacenter {
    let mut dc = Datacenter {
        name,
        primary_datacenter: b.primary_datacenter,
        entries,
        entry_set: u32::try_from(entry_set).unwrap_or(u32::MAX),
        ..Datacenter::default()
    };
    let mut ports = crate::topology::instances::SidecarPorts::of(b.services.iter());
    let registrations = b.services.iter().filter(|a| registers(&a.service)).count();
    // Room for each registration once, and a proxy for each at most (most are).
    dc.registrations.reserve_exact(registrations);
    dc.proxies.reserve_exact(registrations);
    for added in b.services.into_items() {
        add_service(&mut dc, added, &mut ports, (table, warnings));
    }
    dc.proxies.shrink_to_fit();
    dc
}
