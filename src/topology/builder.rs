//! [`TopologyBuilder`]: documents or models in, an immutable [`Topology`] out.

use std::collections::BTreeMap;

use crate::model::config_entry::{ConfigEntry, ProxyDefaults, ServiceDefaults};
use crate::model::document::{Content, Document};
use crate::model::service::ServiceDefinition;
use crate::topology::Topology;
use crate::topology::compile;
use crate::topology::datacenter::{Datacenter, Map};
use crate::topology::instances::{Added, NodeAddr, add_service};
use crate::topology::placement::{Agent, Placement};
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
}

/// What one datacenter has been given so far.
#[derive(Clone, Debug, Default)]
pub(crate) struct DcBuilder {
    pub(crate) primary_datacenter: Option<String>,
    pub(crate) proxy_defaults: Option<ProxyDefaults>,
    pub(crate) service_defaults: Map<ServiceDefaults>,
    pub(crate) resolver_subsets: Map<Vec<String>>,
    pub(crate) services: Vec<Added>,
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
    pub fn add_service(&mut self, datacenter: &str, service: ServiceDefinition) -> &mut Self {
        self.dc(datacenter).services.push(Added {
            service,
            file: None,
            node: NodeAddr::default(),
            agent: None,
        });
        self
    }

    fn dc(&mut self, datacenter: &str) -> &mut DcBuilder {
        self.dcs.entry(datacenter.to_owned()).or_default()
    }

    /// Adds a config entry to `datacenter`. A second entry of the same kind and name is
    /// ignored, with a warning.
    pub fn add_config_entry(&mut self, datacenter: &str, entry: ConfigEntry) -> &mut Self {
        let dc = self.dcs.entry(datacenter.to_owned()).or_default();
        let duplicate = match entry {
            ConfigEntry::ProxyDefaults(pd) => {
                let dup = dc.proxy_defaults.is_some();
                dc.proxy_defaults.get_or_insert(pd);
                dup.then(|| "proxy-defaults".to_owned())
            }
            ConfigEntry::ServiceDefaults(sd) => {
                let dup = dc.service_defaults.contains_key(&sd.name);
                let what = format!("service-defaults for {:?}", sd.name);
                dc.service_defaults.entry(sd.name.clone()).or_insert(sd);
                dup.then_some(what)
            }
            ConfigEntry::Other {
                kind, name, body, ..
            } => {
                if kind.eq_ignore_ascii_case("service-resolver") {
                    dc.resolver_subsets.insert(name, resolver_subsets(&body));
                }
                None
            }
        };
        if let Some(what) = duplicate {
            self.warnings.push(Warning::new(
                WarningKind::DuplicateConfigEntry,
                format!(
                    "datacenter {datacenter}: more than one {what}; the first one loaded is used"
                ),
            ));
        }
        self
    }

    /// Adds loaded documents, each to the datacenter of its agent (see
    /// [`placement`](crate::topology::placement): Consul's config-directory merge, the
    /// nearest agent up the tree).
    pub fn add_documents(&mut self, documents: &[Document]) -> &mut Self {
        let mut placement = Placement::of(documents, &mut self.warnings);
        let offset = self.agents.len();
        let nodes: Vec<NodeAddr> = placement.agents.iter().map(NodeAddr::of).collect();
        for agent in &placement.agents {
            self.add_agent(agent);
        }
        for doc in documents {
            let placed = placement.place(doc.file.as_deref(), &mut self.warnings);
            let agent = placed.agent.map(|i| i + offset);
            let node = placed.agent.map(|i| nodes[i].clone()).unwrap_or_default();
            self.add_document(doc, &placed.datacenter, node, agent);
        }
        self.agents.extend(placement.agents);
        self
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

    fn add_document(&mut self, doc: &Document, dc: &str, node: NodeAddr, agent: Option<usize>) {
        match &doc.content {
            Content::CaRoots(r) => self.add_trust_domain(&r.trust_domain),
            Content::Service(s) => self.dc(dc).services.push(Added {
                service: s.clone(),
                file: doc.file.clone(),
                node,
                agent,
            }),
            Content::ConfigEntry(e) => {
                self.add_config_entry(dc, e.clone());
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
        let b = std::mem::take(self);
        let mut warnings = b.warnings;
        let datacenters = b
            .dcs
            .into_iter()
            .map(|(name, dc)| build_dc(name, dc, &mut warnings))
            .collect();
        let mut topo = Topology {
            trust_domain: b.trust_domain.or(b.roots_trust_domain),
            datacenters,
            agents: b.agents,
            warnings,
            sni_slots: 0,
        };
        compile::plan(&mut topo);
        topo
    }
}

/// The subset names of a `service-resolver` body (HCL1 decodes `Subsets = { … }` as a list
/// of one map).
fn resolver_subsets(body: &crate::model::service::Opaque) -> Vec<String> {
    body.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("subsets"))
        .and_then(|(_, v)| match v {
            serde_json::Value::Array(items) if items.len() == 1 => items[0].as_object(),
            v => v.as_object(),
        })
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn build_dc(name: String, b: DcBuilder, warnings: &mut Vec<Warning>) -> Datacenter {
    let mut dc = Datacenter {
        name,
        primary_datacenter: b.primary_datacenter,
        proxy_defaults: b.proxy_defaults,
        service_defaults: b.service_defaults.into_iter().collect(),
        resolver_subsets: b.resolver_subsets,
        ..Datacenter::default()
    };
    let mut ports = crate::topology::instances::SidecarPorts::of(&b.services);
    for added in b.services {
        add_service(&mut dc, &added, &mut ports, warnings);
    }
    dc
}
