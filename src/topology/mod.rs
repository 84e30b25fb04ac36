//! [`Topology`]: what resolution reads, built once from loaded documents and then immutable.
//!
//! Operators keep one config directory per Consul agent or datacenter. A document belongs to
//! the datacenter of the agent configuration in its own directory or in the nearest parent
//! directory (Consul's default `dc1` when that agent configuration names none). A document
//! with no agent configuration anywhere up its tree belongs to the datacenter named like its
//! directory (with a warning); a document read from no file at all belongs to `dc1`.
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
//! let mut b = Topology::builder();
//! b.trust_domain("11111111-2222-3333-4444-555555555555.consul");
//! b.add_service("dc1", gw);
//! let topo = b.build();
//! assert_eq!(topo.datacenter("dc1").unwrap().gateway_addresses("default", false), ["10.0.0.5:8443"]);
//! ```

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};

use crate::model::config_entry::{ConfigEntry, ProxyDefaults, ServiceDefaults};
use crate::model::document::{Content, Document};
use crate::model::mode::MeshGatewayMode;
use crate::model::service::{ServiceDefinition, ServiceKind, Upstream, non_empty_or};

/// Consul's default sidecar port range (`ports.sidecar_min_port`, `ports.sidecar_max_port`).
const SIDECAR_PORTS: std::ops::RangeInclusive<u16> = 21000..=21255;

/// The datacenter Consul uses when an agent configuration names none.
pub const DEFAULT_DATACENTER: &str = "dc1";

/// One connect proxy: a `connect-proxy` registration or an inline sidecar.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Proxy {
    /// The proxy's service ID (an inline sidecar's is always `<parent id>-sidecar-proxy`).
    pub id: String,
    /// The downstream service the proxy fronts (`destination_service_name`, or the parent).
    pub service: String,
    /// The downstream's namespace (`default` when unset).
    pub namespace: String,
    /// The downstream's partition (`default` when unset).
    pub partition: String,
    /// The service instance layer: the registration's `proxy.mesh_gateway.mode`.
    pub mode: MeshGatewayMode,
    /// The upstreams, in definition order.
    pub upstreams: Vec<Upstream>,
    /// The file the registration came from.
    pub file: Option<PathBuf>,
}

/// Addresses of a set of instances, in registration order, as `ip:port` strings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Addresses {
    /// As dialed from the same datacenter: the service address and port.
    pub lan: Vec<String>,
    /// As dialed from another datacenter: the `wan` tagged address, else the service address.
    pub wan: Vec<String>,
    /// Instances left out: no address (Consul would use their node's, which is not in the
    /// inputs) or no port (Consul assigns sidecar ports at registration).
    pub unaddressed: usize,
}

/// A connect-enabled service's instances in one datacenter (its sidecars, connect proxies
/// fronting it, or connect-native instances).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoints {
    /// Where the instances are dialed.
    pub addresses: Addresses,
    /// The (namespace, partition) pairs the service is registered in.
    pub scopes: Vec<(String, String)>,
}

/// FNV-1a: the maps are keyed by short service and partition names from the operator's own
/// files, and resolution looks them up several times per upstream, where SipHash dominated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Fnv;

pub(crate) struct FnvHasher(u64);

impl BuildHasher for Fnv {
    type Hasher = FnvHasher;

    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for FnvHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Map<V> = HashMap<String, V, Fnv>;
/// Maps whose entries the plan refers to by index.
type IndexedMap<V> = indexmap::IndexMap<String, V, Fnv>;

/// One datacenter's view: its config entries, proxies, gateways and connect endpoints.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
#[allow(clippy::struct_field_names)] // `primary_datacenter` is Consul's key
pub struct Datacenter {
    name: String,
    primary_datacenter: Option<String>,
    proxy_defaults: Option<ProxyDefaults>,
    service_defaults: IndexedMap<ServiceDefaults>,
    resolver_subsets: Map<Vec<String>>,
    proxies: Vec<Proxy>,
    gateways: IndexedMap<Addresses>,
    endpoints: IndexedMap<Endpoints>,
    pub(crate) plan: Plan,
}

/// What resolution reads of a datacenter's proxies, built with the topology.
///
/// Derived from the rest of the [`Datacenter`], so it takes no part in comparing two: the
/// indices in it follow map insertion order, which equal datacenters need not share.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    /// The resolution plan of every upstream of every proxy, in proxy then upstream order.
    pub(crate) steps: Vec<Step>,
    /// The distinct destinations the steps point at.
    pub(crate) targets: Vec<Target>,
    /// One per proxy, in proxy order.
    pub(crate) proxies: Vec<ProxyPlan>,
    /// The proxies' IDs, services and partitions, one after the other.
    pub(crate) names: String,
}

/// Everything resolution reads of a proxy, in 40 bytes instead of the [`Proxy`]'s 150 and
/// its heap strings: names as ranges of [`Plan::names`], lookups as indices ([`NONE`] for
/// none).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProxyPlan {
    pub(crate) id: [u32; 2],
    pub(crate) service: [u32; 2],
    pub(crate) partition: [u32; 2],
    /// How many upstreams (steps) it has.
    pub(crate) upstreams: u32,
    pub(crate) service_defaults: u32,
    pub(crate) gateways: u32,
    pub(crate) mode: MeshGatewayMode,
}

/// No index.
pub(crate) const NONE: u32 = u32::MAX;

impl Plan {
    /// A name of a proxy, by its range in [`Plan::names`].
    pub(crate) fn name(&self, [start, end]: [u32; 2]) -> &str {
        self.names
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }
}

impl PartialEq for Plan {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// One upstream, as resolution reads it: a dozen bytes, so that resolving a million upstreams
/// streams through 12 MB instead of chasing every upstream's own strings (see
/// docs/performance.md). Built once by [`TopologyBuilder::build`] from the same code that
/// reads the models ([`crate::resolve`]'s `Facts::of`), so both give the same routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    /// Index into [`Datacenter::targets`].
    pub(crate) target: u32,
    pub(crate) local_bind_port: Option<u16>,
    /// Whether the destination is the proxy's own datacenter and partition.
    pub(crate) local: bool,
    /// The upstream's own `mesh_gateway.mode`.
    pub(crate) upstream_mode: MeshGatewayMode,
    /// The downstream's service-defaults override for this upstream.
    pub(crate) override_mode: MeshGatewayMode,
}

/// A destination as seen from one datacenter: who is dialed, and what the lookups that do not
/// depend on the proxy found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) name: String,
    pub(crate) kind: crate::model::service::DestinationType,
    pub(crate) namespace: String,
    pub(crate) partition: String,
    pub(crate) peer: Option<String>,
    /// The destination datacenter (the proxy's when the upstream names none).
    pub(crate) datacenter: String,
    /// Whether the upstream names a datacenter.
    pub(crate) datacenter_set: bool,
    /// The destination's own service-defaults mode (read only for service upstreams without
    /// a peer).
    pub(crate) dest_mode: MeshGatewayMode,
    /// The destination's service-defaults `ExternalSNI`, when set.
    pub(crate) external_sni: Option<String>,
    /// Index of the destination datacenter in [`Topology::datacenters`].
    pub(crate) dc_index: Option<u32>,
    /// Index of the destination's mesh gateways (of its partition) in that datacenter.
    pub(crate) gateways: Option<u32>,
    /// Index of the destination's connect endpoints in that datacenter.
    pub(crate) endpoints: Option<u32>,
    /// The slot of its SNI name in a resolution's cache (shared across datacenters).
    pub(crate) sni_slot: u32,
}

impl Datacenter {
    /// The datacenter's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `primary_datacenter` its agent configuration names.
    pub fn primary_datacenter(&self) -> Option<&str> {
        self.primary_datacenter.as_deref()
    }

    /// Its `proxy-defaults` entry.
    pub fn proxy_defaults(&self) -> Option<&ProxyDefaults> {
        self.proxy_defaults.as_ref()
    }

    /// The `service-defaults` entry of `service`.
    pub fn service_defaults(&self, service: &str) -> Option<&ServiceDefaults> {
        self.service_defaults.get(service)
    }

    /// Its connect proxies, in load order.
    pub fn proxies(&self) -> &[Proxy] {
        &self.proxies
    }

    /// The addresses of the mesh gateways of `partition` (`default` for the default one), in
    /// registration order: WAN addresses when `wan`, else service addresses.
    pub fn gateway_addresses(&self, partition: &str, wan: bool) -> &[String] {
        match self.gateways.get(non_empty_or(Some(partition), "default")) {
            Some(a) if wan => &a.wan,
            Some(a) => &a.lan,
            None => &[],
        }
    }

    /// The mesh gateway addresses of `partition` compared case-insensitively; `None` when no
    /// gateway of that partition is registered.
    pub fn gateway_addresses_ignore_case(&self, partition: &str, wan: bool) -> Option<&[String]> {
        let partition = non_empty_or(Some(partition), "default");
        let a = self.gateways.get(partition).or_else(|| {
            self.gateways
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(partition))
                .min_by(|a, b| a.0.cmp(b.0))
                .map(|(_, v)| v)
        })?;
        Some(if wan { &a.wan } else { &a.lan })
    }

    /// The mesh gateways of `partition`, when any is registered.
    pub fn gateways_of(&self, partition: &str) -> Option<&Addresses> {
        self.gateways.get(non_empty_or(Some(partition), "default"))
    }

    /// Whether any mesh gateway of `partition` is registered.
    pub fn has_gateways(&self, partition: &str) -> bool {
        self.gateways
            .contains_key(non_empty_or(Some(partition), "default"))
    }

    /// The connect endpoints of `service` (exact name).
    pub fn endpoints(&self, service: &str) -> Option<&Endpoints> {
        self.endpoints.get(service)
    }

    /// The position of `service`'s service-defaults, for
    /// [`Datacenter::service_defaults_at`].
    pub(crate) fn service_defaults_index(&self, service: &str) -> Option<usize> {
        self.service_defaults.get_index_of(service)
    }

    pub(crate) fn service_defaults_at(&self, index: usize) -> Option<&ServiceDefaults> {
        self.service_defaults.get_index(index).map(|(_, sd)| sd)
    }

    /// The position of `partition`'s mesh gateways, for [`Datacenter::gateways_at`].
    pub(crate) fn gateways_index(&self, partition: &str) -> Option<usize> {
        self.gateways
            .get_index_of(non_empty_or(Some(partition), "default"))
    }

    pub(crate) fn gateways_at(&self, index: usize) -> Option<&Addresses> {
        self.gateways.get_index(index).map(|(_, a)| a)
    }

    /// The position of `service`'s connect endpoints, for [`Datacenter::endpoints_at`].
    pub(crate) fn endpoints_index(&self, service: &str) -> Option<usize> {
        self.endpoints.get_index_of(service)
    }

    pub(crate) fn endpoints_at(&self, index: usize) -> Option<&Endpoints> {
        self.endpoints.get_index(index).map(|(_, e)| e)
    }

    /// The connect endpoints of `service`, its name compared case-insensitively, as DNS.
    pub fn endpoints_ignore_case(&self, service: &str) -> Option<(&str, &Endpoints)> {
        if let Some((k, v)) = self.endpoints.get_key_value(service) {
            return Some((k, v));
        }
        self.endpoints
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(service))
            .min_by(|a, b| a.0.cmp(b.0))
            .map(|(k, v)| (k.as_str(), v))
    }

    /// The subsets a `service-resolver` for `service` defines (names as written).
    pub fn resolver_subsets(&self, service: &str) -> &[String] {
        self.resolver_subsets
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(service))
            .min_by(|a, b| a.0.cmp(b.0))
            .map_or(&[], |(_, v)| v.as_slice())
    }
}

/// Every datacenter found, the trust domain, and what was noticed while building.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Topology {
    trust_domain: Option<String>,
    pub(crate) datacenters: Vec<Datacenter>,
    warnings: Vec<String>,
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
        b.add_documents(documents);
        b.build()
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
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// Builds a [`Topology`] from documents or programmatically.
#[derive(Clone, Debug, Default)]
pub struct TopologyBuilder {
    trust_domain: Option<String>,
    roots_trust_domain: Option<String>,
    dcs: BTreeMap<String, DcBuilder>,
    warnings: Vec<String>,
}

#[derive(Clone, Debug, Default)]
struct DcBuilder {
    primary_datacenter: Option<String>,
    proxy_defaults: Option<ProxyDefaults>,
    service_defaults: Map<ServiceDefaults>,
    resolver_subsets: Map<Vec<String>>,
    /// (service, file, node addresses, the agent's directory when known).
    services: Vec<(
        ServiceDefinition,
        Option<PathBuf>,
        NodeAddr,
        Option<PathBuf>,
    )>,
}

/// The node addresses of an agent, used when a service has no address of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct NodeAddr {
    lan: Option<String>,
    wan: Option<String>,
}

impl NodeAddr {
    fn of(agent: &crate::model::agent::AgentConfig) -> Self {
        let get = |k: &str| {
            agent
                .other
                .get(k)
                .and_then(serde_json::Value::as_str)
                .filter(|s| !s.is_empty() && *s != "0.0.0.0" && *s != "::" && !s.contains('{'))
                .map(str::to_owned)
        };
        let lan = get("advertise_addr").or_else(|| get("bind_addr"));
        let wan = get("advertise_addr_wan").or_else(|| lan.clone());
        Self { lan, wan }
    }
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
        self.add_service_from(datacenter, service, None, NodeAddr::default(), None);
        self
    }

    fn add_service_from(
        &mut self,
        datacenter: &str,
        service: ServiceDefinition,
        file: Option<PathBuf>,
        node: NodeAddr,
        agent: Option<PathBuf>,
    ) {
        self.dcs
            .entry(datacenter.to_owned())
            .or_default()
            .services
            .push((service, file, node, agent));
    }

    /// Adds a config entry to `datacenter`. A second entry of the same kind and name is
    /// ignored, with a warning.
    pub fn add_config_entry(&mut self, datacenter: &str, entry: ConfigEntry) -> &mut Self {
        let dc = self.dcs.entry(datacenter.to_owned()).or_default();
        let dup = match entry {
            ConfigEntry::ProxyDefaults(pd) => {
                if dc.proxy_defaults.is_some() {
                    true
                } else {
                    dc.proxy_defaults = Some(pd);
                    false
                }
            }
            ConfigEntry::ServiceDefaults(sd) => {
                if dc.service_defaults.contains_key(&sd.name) {
                    let name = sd.name.clone();
                    self.warnings.push(format!(
                        "datacenter {datacenter}: more than one service-defaults for {name:?}; the first one loaded is used"
                    ));
                } else {
                    dc.service_defaults.insert(sd.name.clone(), sd);
                }
                false
            }
            ConfigEntry::Other {
                kind, name, body, ..
            } => {
                if kind.eq_ignore_ascii_case("service-resolver") {
                    let subsets = body
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("subsets"))
                        .and_then(|(_, v)| match v {
                            // HCL1 decodes `Subsets = { … }` as a list of one map.
                            serde_json::Value::Array(items) if items.len() == 1 => {
                                items[0].as_object()
                            }
                            v => v.as_object(),
                        })
                        .map(|m| m.keys().cloned().collect())
                        .unwrap_or_default();
                    dc.resolver_subsets.insert(name, subsets);
                }
                false
            }
        };
        if dup {
            self.warnings.push(format!(
                "datacenter {datacenter}: more than one proxy-defaults; the first one loaded is used"
            ));
        }
        self
    }

    /// Adds loaded documents, each to the datacenter of the agent configuration in its
    /// directory or the nearest parent directory (see the [module](self) documentation).
    pub fn add_documents(&mut self, documents: &[Document]) -> &mut Self {
        // Agent configurations first: directory → (datacenter, node addresses).
        let mut agents: HashMap<PathBuf, (String, NodeAddr)> = HashMap::new();
        for doc in documents {
            let Content::Agent(agent) = &doc.content else {
                continue;
            };
            let dc = agent
                .datacenter
                .as_deref()
                .filter(|d| !d.is_empty())
                .unwrap_or(DEFAULT_DATACENTER)
                .to_ascii_lowercase();
            let dir = dir_of(doc.file.as_deref());
            let node = NodeAddr::of(agent);
            match agents.get(&dir) {
                Some((other, _)) if *other != dc => self.warnings.push(format!(
                    "{}: agent configurations in one directory name datacenters {other:?} and {dc:?}; {other:?} is used",
                    dir.display()
                )),
                Some(_) => {}
                None => {
                    agents.insert(dir, (dc.clone(), node));
                }
            }
            let b = self.dcs.entry(dc.clone()).or_default();
            if let Some(p) = agent
                .primary_datacenter
                .as_deref()
                .filter(|p| !p.is_empty())
            {
                match &b.primary_datacenter {
                    Some(q) if q != p => self.warnings.push(format!(
                        "datacenter {dc}: agent configurations disagree on primary_datacenter ({q:?} and {p:?}); Consul requires one value everywhere"
                    )),
                    Some(_) => {}
                    None => b.primary_datacenter = Some(p.to_owned()),
                }
            }
        }
        let mut guessed: Vec<PathBuf> = Vec::new();
        for doc in documents {
            let (dc, node, agent_dir) = match doc.file.as_deref() {
                None => (DEFAULT_DATACENTER.to_owned(), NodeAddr::default(), None),
                Some(file) => {
                    let dir = dir_of(Some(file));
                    if let Some((d, (dc, node))) =
                        dir.ancestors().find_map(|d| agents.get(d).map(|a| (d, a)))
                    {
                        (dc.clone(), node.clone(), Some(d.to_path_buf()))
                    } else {
                        let name = dir
                            .file_name()
                            .and_then(|n| n.to_str())
                            .map_or_else(|| DEFAULT_DATACENTER.to_owned(), str::to_ascii_lowercase);
                        if !guessed.contains(&dir) {
                            self.warnings.push(format!(
                                "{}: no agent configuration with a datacenter here or above; datacenter {name:?} assumed from the directory name",
                                dir.display()
                            ));
                            guessed.push(dir);
                        }
                        (name, NodeAddr::default(), None)
                    }
                }
            };
            match &doc.content {
                Content::Agent(_) => {}
                Content::CaRoots(r) => {
                    let td = r.trust_domain.to_ascii_lowercase();
                    match &self.roots_trust_domain {
                        Some(other) if *other != td => self.warnings.push(format!(
                            "CA roots name trust domains {other:?} and {td:?}; {other:?} is used"
                        )),
                        None if !td.is_empty() => self.roots_trust_domain = Some(td),
                        _ => {}
                    }
                }
                Content::Service(s) => {
                    self.add_service_from(&dc, s.clone(), doc.file.clone(), node, agent_dir);
                }
                Content::ConfigEntry(e) => {
                    self.add_config_entry(&dc, e.clone());
                }
            }
        }
        self
    }

    /// The immutable topology.
    pub fn build(self) -> Topology {
        let mut warnings = self.warnings;
        let datacenters = self
            .dcs
            .into_iter()
            .map(|(name, b)| build_dc(name, b, &mut warnings))
            .collect();
        let mut topo = Topology {
            trust_domain: self.trust_domain.or(self.roots_trust_domain),
            datacenters,
            warnings,
            sni_slots: 0,
        };
        crate::resolve::plan(&mut topo);
        topo
    }
}

fn dir_of(file: Option<&Path>) -> PathBuf {
    file.and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn build_dc(name: String, b: DcBuilder, warnings: &mut Vec<String>) -> Datacenter {
    let mut dc = Datacenter {
        name,
        primary_datacenter: b.primary_datacenter,
        proxy_defaults: b.proxy_defaults,
        service_defaults: b.service_defaults.into_iter().collect(),
        resolver_subsets: b.resolver_subsets,
        ..Datacenter::default()
    };
    // Consul's agent gives a sidecar without a port the lowest free port of its sidecar range.
    let mut used: HashMap<PathBuf, Vec<u16>> = HashMap::new();
    for (svc, _, _, agent) in &b.services {
        if let Some(agent) = agent {
            let ports = used.entry(agent.clone()).or_default();
            for p in std::iter::once(svc.port).chain(svc.sidecar().map(|sc| sc.port)) {
                if let Some(p) = p.filter(|p| SIDECAR_PORTS.contains(p)) {
                    ports.push(p);
                }
            }
        }
    }
    for (svc, file, node, agent) in b.services {
        let ns = non_empty_or(svc.namespace.as_deref(), "default").to_owned();
        let part = non_empty_or(svc.partition.as_deref(), "default").to_owned();
        match &svc.kind {
            ServiceKind::MeshGateway => {
                let entry = dc.gateways.entry(part.clone()).or_default();
                push_addresses(entry, &svc, &node);
            }
            ServiceKind::ConnectProxy => {
                let proxy = svc.proxy.as_ref();
                let dest = proxy
                    .and_then(|p| p.destination_service_name.as_deref())
                    .filter(|d| !d.is_empty());
                let Some(dest) = dest else {
                    warnings.push(format!(
                        "datacenter {}: connect-proxy {:?} has no destination_service_name; skipped",
                        dc.name,
                        svc.service_id()
                    ));
                    continue;
                };
                let ep = dc.endpoints.entry(dest.to_owned()).or_default();
                push_scope(ep, &ns, &part);
                push_addresses(&mut ep.addresses, &svc, &node);
                dc.proxies.push(Proxy {
                    id: svc.service_id().to_owned(),
                    service: dest.to_owned(),
                    namespace: ns,
                    partition: part,
                    mode: proxy.map(|p| p.mesh_gateway.mode).unwrap_or_default(),
                    upstreams: proxy.map(|p| p.upstreams.clone()).unwrap_or_default(),
                    file,
                });
            }
            _ => {
                if let Some(sc) = svc.sidecar() {
                    // As Consul's agent completes an inline sidecar: its ID is always the
                    // parent's plus `-sidecar-proxy`, an empty address is the parent's, and a
                    // missing port is the lowest free one of the agent's sidecar range.
                    let id = format!("{}-sidecar-proxy", svc.service_id());
                    let mut inst = sc.clone();
                    if inst.address.as_deref().is_none_or(str::is_empty) {
                        inst.address.clone_from(&svc.address);
                    }
                    if inst.port.is_none_or(|p| p == 0)
                        && let Some(ports) = agent.as_ref().and_then(|a| used.get_mut(a))
                        && let Some(p) = SIDECAR_PORTS.clone().find(|p| !ports.contains(p))
                    {
                        ports.push(p);
                        inst.port = Some(p);
                        warnings.push(format!(
                            "datacenter {}: {id:?} has no port; {p} assumed, the lowest free port of Consul's sidecar range {}-{} on its agent",
                            dc.name,
                            SIDECAR_PORTS.start(),
                            SIDECAR_PORTS.end()
                        ));
                    }
                    let ep = dc.endpoints.entry(svc.name.clone()).or_default();
                    push_scope(ep, &ns, &part);
                    push_addresses(&mut ep.addresses, &inst, &node);
                    let proxy = sc.proxy.as_ref();
                    dc.proxies.push(Proxy {
                        id,
                        service: svc.name.clone(),
                        namespace: ns,
                        partition: part,
                        mode: proxy.map(|p| p.mesh_gateway.mode).unwrap_or_default(),
                        upstreams: proxy.map(|p| p.upstreams.clone()).unwrap_or_default(),
                        file,
                    });
                } else if svc.connect.as_ref().is_some_and(|c| c.native) {
                    let ep = dc.endpoints.entry(svc.name.clone()).or_default();
                    push_scope(ep, &ns, &part);
                    push_addresses(&mut ep.addresses, &svc, &node);
                }
            }
        }
    }
    dc
}

fn push_scope(ep: &mut Endpoints, ns: &str, part: &str) {
    if !ep.scopes.iter().any(|(n, p)| n == ns && p == part) {
        ep.scopes.push((ns.to_owned(), part.to_owned()));
    }
}

fn host_port(addr: &str, port: u16) -> String {
    if addr.contains(':') && !addr.starts_with('[') {
        format!("[{addr}]:{port}")
    } else {
        format!("{addr}:{port}")
    }
}

/// Adds an instance's LAN and WAN addresses (Consul's `BestAddress`: service address, else
/// the node's; `wan` tagged address first from afar).
fn push_addresses(out: &mut Addresses, svc: &ServiceDefinition, node: &NodeAddr) {
    let Some(port) = svc.port.filter(|p| *p != 0) else {
        out.unaddressed += 1;
        return;
    };
    let lan = svc
        .address
        .as_deref()
        .filter(|a| !a.is_empty())
        .or(node.lan.as_deref());
    let wan = svc
        .wan_address()
        .filter(|(a, _)| !a.is_empty())
        .map(|(a, p)| host_port(a, if p == 0 { port } else { p }))
        .or_else(|| node.wan.as_deref().map(|a| host_port(a, port)));
    match lan {
        Some(a) => {
            out.lan.push(host_port(a, port));
            out.wan.push(wan.unwrap_or_else(|| host_port(a, port)));
        }
        None => out.unaddressed += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agent::AgentConfig;
    use crate::model::document::Format;

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
        assert!(t.warnings().iter().any(|w| w.contains("\"loose\"")));
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
