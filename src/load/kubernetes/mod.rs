//! Consul on Kubernetes: manifests as `kubectl apply -f` reads them, and the consul Helm
//! chart's values, decoded into the same documents as Consul's own files.
//!
//! - custom resources of `consul.hashicorp.com/v1alpha1` (`crd`, with their schemas in
//!   `schema` and the admission webhook's rules) become config entries;
//! - Deployments, StatefulSets, DaemonSets, ReplicaSets and Pods annotated for the connect
//!   injector (`workload`) become the service and `connect-proxy` registrations consul-k8s
//!   makes, their upstreams parsed from `consul.hashicorp.com/connect-service-upstreams`
//!   ([`annotation`]);
//! - a Helm values file (`helm`) becomes the datacenter's agent configuration (what the chart
//!   configures its servers with) and its mesh gateways, and sets how the cluster's manifests
//!   are read (`Settings`: namespaces, partitions, the injector's defaults);
//! - the rules that span a cluster's manifests run once every file is decoded (`rules`).
//!
//! Every other manifest (a ConfigMap, a ServiceIntentions resource) is left out with a note.
//! Kubernetes Services and ServiceAccounts are read for what the injector reads of them and
//! produce no document.

pub mod annotation;
mod chain;
mod crd;
mod field;
mod go_json;
mod helm;
mod opaque;
mod rules;
mod schema;
mod settings;
mod workload;

use std::path::{Path, PathBuf};

use crate::load::context::{Cx, object, string};
use crate::load::error::DiagnosticKind;
use crate::load::source::{Source, SourceDoc};
use crate::model::document::Content;
use crate::syntax::tree::{Entry, Node, Pos, Value};

pub(crate) use rules::Facts;
pub(crate) use settings::Clusters;

use settings::Settings;
use workload::KubeServices;

/// The API group of consul-k8s's custom resources.
const CONSUL_GROUP: &str = "consul.hashicorp.com";

/// Whether a top-level map is a Kubernetes object: it has string `apiVersion` and `kind`
/// (spelled exactly so, as the API server reads them).
pub(crate) fn is_manifest(tree: &Node<'_>) -> bool {
    type_meta(tree).is_some()
}

/// Whether a top-level map is a values file of the consul Helm chart.
pub(crate) fn is_helm_values(tree: &Node<'_>) -> bool {
    helm::is_values(tree)
}

/// The settings of every cluster among `sources`: those of each Helm values file, for the
/// files of its directory and below.
pub(crate) fn clusters(sources: &[Source<'_>]) -> Clusters {
    Clusters::of(sources, |tree| {
        helm::is_values(tree).then(|| helm::settings(tree))
    })
}

/// The documents of a Helm values file: the agent configuration the chart gives the
/// datacenter's servers, and its mesh gateways.
pub(crate) fn helm_documents<'t>(cx: &mut Cx<'t, '_>, tree: &'t Node<'t>) -> Vec<Content> {
    helm::documents(cx, tree)
}

/// The `apiVersion` and `kind` of a Kubernetes object.
fn type_meta<'t>(tree: &'t Node<'t>) -> Option<(&'t str, &'t str)> {
    let Value::Map(entries) = &tree.value else {
        return None;
    };
    let api = str_of(get(entries, "apiVersion")?)?;
    let kind = str_of(get(entries, "kind")?)?;
    Some((api, kind))
}

/// The value of the key spelled exactly `key` (Kubernetes keys are case-sensitive).
fn get<'t>(entries: &'t [Entry<'t>], key: &str) -> Option<&'t Node<'t>> {
    entries.iter().find(|e| e.key == key).map(|e| &e.value)
}

/// The entry spelled exactly `key`.
fn get_entry<'t>(entries: &'t [Entry<'t>], key: &str) -> Option<&'t Entry<'t>> {
    entries.iter().find(|e| e.key == key)
}

fn str_of<'t>(node: &'t Node<'t>) -> Option<&'t str> {
    match &node.value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// The entries of a map node.
fn map_of<'t>(node: &'t Node<'t>) -> Option<&'t [Entry<'t>]> {
    match &node.value {
        Value::Map(entries) => Some(entries),
        _ => None,
    }
}

/// One Kubernetes object, its type and metadata read.
pub(crate) struct Manifest<'t> {
    /// `apiVersion`.
    pub(crate) api_version: &'t str,
    /// `kind`.
    pub(crate) kind: &'t str,
    /// `metadata.name` (empty when missing).
    pub(crate) name: &'t str,
    /// Where the name is written (the object's start when missing).
    pub(crate) name_pos: Pos,
    /// `metadata.namespace`, else `default` (what `kubectl apply` uses without `-n`).
    pub(crate) namespace: &'t str,
    /// The object's keys.
    pub(crate) entries: &'t [Entry<'t>],
    /// Where the object starts.
    pub(crate) pos: Pos,
}

impl<'t> Manifest<'t> {
    /// The object of `tree`, with its metadata; `None` (reported) when the metadata is not a
    /// map.
    fn of(cx: &mut Cx<'t, '_>, tree: &'t Node<'t>) -> Option<Self> {
        let entries = map_of(tree)?;
        let (api_version, kind) = type_meta(tree)?;
        let mut m = Self {
            api_version,
            kind,
            name: "",
            name_pos: tree.pos,
            namespace: "default",
            entries,
            pos: tree.pos,
        };
        if let Some(meta) = get(entries, "metadata") {
            let meta = cx.at("metadata", |cx| object(cx, meta))?;
            for (key, slot) in [("name", &mut m.name), ("namespace", &mut m.namespace)] {
                if let Some(e) = get_entry(meta.entries(), key) {
                    let path = if key == "name" { "name" } else { "namespace" };
                    let v = cx.at("metadata", |cx| cx.at(path, |cx| string(cx, &e.value)));
                    *slot = v.filter(|v| !v.is_empty()).unwrap_or(*slot);
                    if key == "name" {
                        m.name_pos = e.value.pos;
                    }
                }
            }
        }
        Some(m)
    }

    /// `Kind "name"`, as messages name an object.
    fn describe(&self) -> String {
        format!("{} {:?}", self.kind, self.name)
    }
}

/// What the manifests of one file are decoded with: their cluster's settings and the
/// Kubernetes Services and ServiceAccounts of the file.
pub(crate) struct FileContext<'s> {
    file: Option<&'s Path>,
    cluster: Option<PathBuf>,
    settings: &'s Settings,
    services: KubeServices<'s>,
}

impl<'s> FileContext<'s> {
    /// The context of a source's documents.
    pub(crate) fn of(
        source: &'s Source<'s>,
        clusters: &'s Clusters,
        docs: &'s [SourceDoc<'s>],
    ) -> Self {
        let (cluster, settings) = clusters.settings_for(source.file());
        Self {
            file: source.file(),
            cluster,
            settings,
            services: KubeServices::of(docs),
        }
    }

    /// The documents of one Kubernetes object (a `List`'s items in turn).
    pub(crate) fn decode(
        &mut self,
        cx: &mut Cx<'s, '_>,
        doc: &'s SourceDoc<'s>,
        facts: &mut Facts,
    ) -> Vec<Content> {
        let mut out = Vec::new();
        self.object(cx, &doc.tree, doc.index, facts, &mut out);
        out
    }

    fn object<'t>(
        &self,
        cx: &mut Cx<'t, '_>,
        tree: &'t Node<'t>,
        document: Option<u32>,
        facts: &mut Facts,
        out: &mut Vec<Content>,
    ) where
        's: 't,
    {
        let Some(m) = Manifest::of(cx, tree) else {
            return;
        };
        if m.kind == "List" && m.api_version == "v1" {
            return self.list(cx, &m, document, facts, out);
        }
        let group = m.api_version.split_once('/').map_or("", |(g, _)| g);
        if group == CONSUL_GROUP {
            let at = facts.at(self.file, self.cluster.as_deref(), document);
            out.extend(crd::decode(cx, &m, self.settings, at).map(Content::ConfigEntry));
        } else if workload::is_workload(&m) {
            let wcx = workload::WorkloadContext {
                settings: self.settings,
                services: &self.services,
            };
            let at = facts.at(self.file, self.cluster.as_deref(), document);
            out.extend(workload::decode(cx, &m, &wcx, at));
        } else if !matches!(
            (m.api_version, m.kind),
            ("v1", "Service" | "ServiceAccount")
        ) {
            let message = format!(
                "{} ({}) is not a Consul resource: skipped",
                m.describe(),
                m.api_version
            );
            cx.note(DiagnosticKind::Skipped, m.pos, message);
        }
    }

    /// The items of a `v1` `List`, each an object of its own.
    fn list<'t>(
        &self,
        cx: &mut Cx<'t, '_>,
        m: &Manifest<'t>,
        document: Option<u32>,
        facts: &mut Facts,
        out: &mut Vec<Content>,
    ) where
        's: 't,
    {
        let Some(items) = get(m.entries, "items") else {
            return;
        };
        let Value::List(items) = &items.value else {
            return cx.at("items", |cx| {
                crate::load::context::wrong_type(cx, items, "a list of objects");
            });
        };
        for (i, item) in items.iter().enumerate() {
            cx.at("items", |cx| {
                cx.at_index(i, |cx| {
                    if is_manifest(item) {
                        self.object(cx, item, document, facts, out);
                    } else {
                        crate::load::context::wrong_type(cx, item, "a Kubernetes object");
                    }
                });
            });
        }
    }
}
