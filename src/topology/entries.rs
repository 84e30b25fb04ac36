//! [`ConfigEntries`]: the config entries a datacenter sees. Consul forwards every config-entry
//! write to the primary datacenter and replicates the primary's entries everywhere, so every
//! datacenter of a WAN federation sees one set; clusters with other primaries (peers) keep
//! their own.
//!
//! The set is made from the entries found in any directory of the federation: the same entry
//! written twice is one entry; two different entries of one kind and name are a conflict
//! ([`EntryConflict`]), the first one loaded is kept.

use std::path::PathBuf;

use crate::model::config_entry::{ConfigEntry, ProxyDefaults, ServiceDefaults};
use crate::model::discovery_chain::{
    ExportedServices, ServiceResolver, ServiceRouter, ServiceSplitter,
};
use crate::model::service::{Opaque, non_empty_or};
use crate::syntax::tree::Pos;
use crate::topology::maps::{IndexedMap, Map};

/// The config entries of one federation (or of one datacenter, when nothing says which
/// federation it is in).
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ConfigEntries {
    pub(crate) proxy_defaults: Option<ProxyDefaults>,
    pub(crate) service_defaults: IndexedMap<ServiceDefaults>,
    pub(crate) resolvers: Map<Vec<ServiceResolver>>,
    pub(crate) routers: Map<Vec<ServiceRouter>>,
    pub(crate) splitters: Map<Vec<ServiceSplitter>>,
    pub(crate) exported: Map<ExportedServices>,
    /// The subset names of every `service-resolver` (also of those kept opaque), by service.
    pub(crate) subsets: Map<Vec<String>>,
    /// The datacenters that see this set, by name.
    pub(crate) datacenters: Vec<String>,
    /// Where each entry was written, by (kind, name as [`EntryConflict::name`] gives it).
    pub(crate) origins: std::collections::HashMap<(String, String), (Option<PathBuf>, Pos)>,
}

/// Two different entries of one kind and name in one set: which one Consul keeps depends on
/// the order they were written.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EntryConflict {
    /// The kind (`service-resolver`, …).
    pub kind: String,
    /// The name (for scoped kinds, `name` in `namespace/partition` when not the default).
    pub name: String,
    /// The entry kept (the first loaded) and where it is.
    pub kept: (Option<PathBuf>, Pos),
    /// The other entry and where it is.
    pub other: (Option<PathBuf>, Pos),
    /// The datacenters that share the set, by name.
    pub datacenters: Vec<String>,
}

/// An entry as added, with where it came from and in which order.
#[derive(Clone, Debug)]
pub(crate) struct AddedEntry {
    pub(crate) entry: ConfigEntry,
    pub(crate) file: Option<PathBuf>,
    pub(crate) seq: usize,
}

/// Scoped lookup: the entry of `name` in `namespace` and `partition`.
fn scoped<'a, T>(
    map: &'a Map<Vec<T>>,
    name: &str,
    namespace: &str,
    partition: &str,
    scope: impl Fn(&T) -> (Option<&str>, Option<&str>),
) -> Option<&'a T> {
    map.get(name)?.iter().find(|e| {
        let (ns, part) = scope(e);
        non_empty_or(ns, "default") == namespace && non_empty_or(part, "default") == partition
    })
}

impl ConfigEntries {
    /// The `proxy-defaults` entry.
    pub fn proxy_defaults(&self) -> Option<&ProxyDefaults> {
        self.proxy_defaults.as_ref()
    }

    /// The `service-defaults` entry of `service`.
    pub fn service_defaults(&self, service: &str) -> Option<&ServiceDefaults> {
        self.service_defaults.get(service)
    }

    /// The `service-resolver` of `service` in `namespace` and `partition`.
    pub fn resolver(
        &self,
        service: &str,
        namespace: &str,
        partition: &str,
    ) -> Option<&ServiceResolver> {
        scoped(&self.resolvers, service, namespace, partition, |e| {
            (e.namespace.as_deref(), e.partition.as_deref())
        })
    }

    /// The `service-router` of `service` in `namespace` and `partition`.
    pub fn router(
        &self,
        service: &str,
        namespace: &str,
        partition: &str,
    ) -> Option<&ServiceRouter> {
        scoped(&self.routers, service, namespace, partition, |e| {
            (e.namespace.as_deref(), e.partition.as_deref())
        })
    }

    /// The `service-splitter` of `service` in `namespace` and `partition`.
    pub fn splitter(
        &self,
        service: &str,
        namespace: &str,
        partition: &str,
    ) -> Option<&ServiceSplitter> {
        scoped(&self.splitters, service, namespace, partition, |e| {
            (e.namespace.as_deref(), e.partition.as_deref())
        })
    }

    /// The `exported-services` entry of `partition`.
    pub fn exported_services(&self, partition: &str) -> Option<&ExportedServices> {
        self.exported.get(partition)
    }

    /// Whether a router, splitter or resolver names `service` (in any namespace or
    /// partition): only then can its discovery chain be anything but the service itself.
    pub fn has_chain_entries(&self, service: &str) -> bool {
        self.resolvers.contains_key(service)
            || self.routers.contains_key(service)
            || self.splitters.contains_key(service)
    }

    /// The subsets a `service-resolver` for `service` defines (names as written; the
    /// service's name compared case-insensitively).
    pub fn resolver_subsets(&self, service: &str) -> &[String] {
        if let Some(v) = self.subsets.get(service) {
            return v;
        }
        self.subsets
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(service))
            .min_by(|a, b| a.0.cmp(b.0))
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// Where the entry of `kind` and `name` (in `namespace` and `partition`) was written:
    /// its file (none for an entry added programmatically) and position.
    pub fn origin(
        &self,
        kind: &str,
        name: &str,
        namespace: &str,
        partition: &str,
    ) -> Option<(Option<&std::path::Path>, Pos)> {
        let key = scoped_name(name, namespace, partition);
        let (file, pos) = self.origins.get(&(kind.to_owned(), key))?;
        Some((file.as_deref(), *pos))
    }

    /// The datacenters that see this set.
    pub fn datacenters(&self) -> &[String] {
        &self.datacenters
    }
}

/// The key that makes two entries the same entry: kind, name, namespace, partition.
fn key_of(e: &ConfigEntry) -> (String, String) {
    let (ns, part) = e.scope();
    (e.kind().to_owned(), scoped_name(e.name(), ns, part))
}

/// A name as keys and messages give it: `name`, or `name in namespace/partition`.
fn scoped_name(name: &str, namespace: &str, partition: &str) -> String {
    if namespace == "default" && partition == "default" {
        name.to_owned()
    } else {
        format!("{name} in {namespace}/{partition}")
    }
}

/// Two entries with the same contents (where they were written aside).
fn same_contents(a: &ConfigEntry, b: &ConfigEntry) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

impl ConfigEntries {
    /// The set of `entries`, in order (the first of two different entries of one kind and
    /// name is kept), seen by no datacenter in particular: for compiling chains by hand.
    pub fn from_entries(entries: impl IntoIterator<Item = ConfigEntry>) -> Self {
        let added = entries
            .into_iter()
            .enumerate()
            .map(|(seq, entry)| AddedEntry {
                entry,
                file: None,
                seq,
            })
            .collect();
        Self::of(added, Vec::new()).0
    }

    /// The set of `entries` (in the order they were added), the datacenters `datacenters`
    /// see, with the conflicts found.
    pub(crate) fn of(
        mut entries: Vec<AddedEntry>,
        datacenters: Vec<String>,
    ) -> (Self, Vec<EntryConflict>) {
        entries.sort_by(|a, b| (&a.file, a.seq).cmp(&(&b.file, b.seq)));
        let mut set = Self {
            datacenters,
            ..Self::default()
        };
        let mut kept: Vec<((String, String), &AddedEntry)> = Vec::new();
        let mut conflicts = Vec::new();
        for added in &entries {
            let key = key_of(&added.entry);
            if let Some((_, first)) = kept.iter().find(|(k, _)| *k == key) {
                if !same_contents(&first.entry, &added.entry) {
                    conflicts.push(conflict(key, first, added, &set.datacenters));
                }
                continue;
            }
            let origin = (added.file.clone(), added.entry.pos());
            set.origins.insert(key.clone(), origin);
            set.insert(added.entry.clone());
            kept.push((key, added));
        }
        (set, conflicts)
    }

    fn insert(&mut self, entry: ConfigEntry) {
        match entry {
            ConfigEntry::ProxyDefaults(pd) => self.proxy_defaults = Some(pd),
            ConfigEntry::ServiceDefaults(sd) => {
                self.service_defaults.insert(sd.name.clone(), sd);
            }
            ConfigEntry::ServiceResolver(r) => {
                let names = self.subsets.entry(r.name.clone()).or_default();
                names.extend(r.subsets.keys().cloned());
                push(&mut self.resolvers, r.name.clone(), r);
            }
            ConfigEntry::ServiceRouter(r) => push(&mut self.routers, r.name.clone(), r),
            ConfigEntry::ServiceSplitter(s) => push(&mut self.splitters, s.name.clone(), s),
            ConfigEntry::ExportedServices(e) => {
                self.exported.insert(e.name.clone(), e);
            }
            ConfigEntry::Other {
                kind, name, body, ..
            } => {
                if kind.eq_ignore_ascii_case("service-resolver") {
                    self.subsets.insert(name, opaque_subsets(&body));
                }
            }
        }
    }
}

fn push<T>(map: &mut Map<Vec<T>>, name: String, entry: T) {
    map.entry(name).or_default().push(entry);
}

fn conflict(
    (kind, name): (String, String),
    first: &AddedEntry,
    other: &AddedEntry,
    datacenters: &[String],
) -> EntryConflict {
    EntryConflict {
        kind,
        name,
        kept: (first.file.clone(), first.entry.pos()),
        other: (other.file.clone(), other.entry.pos()),
        datacenters: datacenters.to_vec(),
    }
}

/// The subset names of a `service-resolver` body kept opaque (HCL1 decodes `Subsets = { … }`
/// as a list of one map).
fn opaque_subsets(body: &Opaque) -> Vec<String> {
    body.get_ignore_ascii_case("subsets")
        .as_ref()
        .and_then(|v| match v {
            serde_json::Value::Array(items) if items.len() == 1 => items[0].as_object(),
            v => v.as_object(),
        })
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

impl EntryConflict {
    /// `file:line` of a side, as messages name it.
    pub(crate) fn show(side: &(Option<PathBuf>, Pos)) -> String {
        let file = side
            .0
            .as_deref()
            .map_or_else(|| "<input>".to_owned(), |f| f.display().to_string());
        format!("{file}:{}", side.1.line)
    }
}
