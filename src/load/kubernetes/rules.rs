//! The rules that span a cluster's manifests, checked once every file of a load is decoded:
//! what consul-k8s's admission webhooks reject on `kubectl apply` because another resource
//! exists (a second `ProxyDefaults`, `Mesh` or `ExportedServices`; a second config entry
//! resource of one name in another namespace), and what its injector once rejected because
//! of the cluster's `ProxyDefaults`.
//!
//! A cluster is the directory of its Helm values file (`settings`); manifests without one
//! are one cluster.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::load::error::{Diagnostic, DiagnosticKind, Severity};
use crate::load::kubernetes::Manifest;
use crate::model::mode::go_quote;
use crate::syntax::tree::{Entry, Pos, Value};

/// Where something was written.
#[derive(Clone, Debug)]
struct At {
    cluster: Option<PathBuf>,
    file: Option<PathBuf>,
    document: Option<u32>,
    pos: Pos,
}

/// A config entry resource of the load.
#[derive(Debug)]
struct EntryResource {
    crd_kind: String,
    name: String,
    namespace: String,
    mode: Option<String>,
    mirrored: bool,
    at: At,
}

/// An upstream written with a datacenter in the unlabelled form.
#[derive(Debug)]
struct DatacenterUpstream {
    raw: String,
    at: At,
}

/// What the decoders of a load record for the rules that span a cluster.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    entries: Vec<EntryResource>,
    upstreams: Vec<DatacenterUpstream>,
}

/// A recorder for one document.
pub(crate) struct FactsAt<'f> {
    facts: &'f mut Facts,
    at: At,
}

impl Facts {
    /// A recorder for the document `document` of `file`, in `cluster`.
    pub(crate) fn at(
        &mut self,
        file: Option<&Path>,
        cluster: Option<&Path>,
        document: Option<u32>,
    ) -> FactsAt<'_> {
        FactsAt {
            facts: self,
            at: At {
                cluster: cluster.map(Path::to_path_buf),
                file: file.map(Path::to_path_buf),
                document,
                pos: Pos::default(),
            },
        }
    }

    /// Runs the rules, reporting into `diags`.
    pub(crate) fn check(&self, diags: &mut Vec<Diagnostic>) {
        self.second_singletons(diags);
        self.names_across_namespaces(diags);
        self.proxy_defaults_for_datacenters(diags);
    }

    /// `ProxyDefaults`, `Mesh` and `ExportedServices`: one per cluster.
    fn second_singletons(&self, diags: &mut Vec<Diagnostic>) {
        // The first of each kind in each cluster: its name and namespace.
        let mut first: HashMap<(&str, Option<&Path>), (&str, &str)> = HashMap::new();
        for e in &self.entries {
            let what = match e.crd_kind.as_str() {
                "ProxyDefaults" => "only one global entry is supported",
                "Mesh" => "only one mesh entry is supported",
                "ExportedServices" => {
                    "only one exportedservices entry is supported per Kubernetes cluster"
                }
                _ => continue,
            };
            let this = (e.name.as_str(), e.namespace.as_str());
            let earlier = *first
                .entry((e.crd_kind.as_str(), e.at.cluster.as_deref()))
                .or_insert(this);
            if earlier != this {
                let kind = e.crd_kind.to_ascii_lowercase();
                let msg = format!("{kind} resource already defined - {what}");
                diags.push(located(&e.at, "metadata.name", msg, Severity::Error));
            }
        }
    }

    /// A config entry resource's name, unique across namespaces unless namespaces are
    /// mirrored (each Kubernetes namespace its own Consul namespace).
    fn names_across_namespaces(&self, diags: &mut Vec<Diagnostic>) {
        // The namespace of the first resource of each kind and name in each cluster.
        let mut first: HashMap<(&str, Option<&Path>, &str), &str> = HashMap::new();
        for e in &self.entries {
            if e.mirrored || e.crd_kind == "ProxyDefaults" || e.crd_kind == "ExportedServices" {
                continue;
            }
            let key = (
                e.crd_kind.as_str(),
                e.at.cluster.as_deref(),
                e.name.as_str(),
            );
            let namespace = *first.entry(key).or_insert(e.namespace.as_str());
            if namespace != e.namespace {
                let msg = format!(
                    "{kind} resource with name {name} is already defined – all {kind} resources must have unique names across namespaces",
                    kind = e.crd_kind.to_ascii_lowercase(),
                    name = go_quote(&e.name)
                );
                diags.push(located(&e.at, "metadata.name", msg, Severity::Error));
            }
        }
    }

    /// consul-k8s 0.21 to 1.x: an unlabelled upstream with a datacenter needs the cluster's
    /// `ProxyDefaults` to set the mesh gateway mode to `local` or `remote`.
    fn proxy_defaults_for_datacenters(&self, diags: &mut Vec<Diagnostic>) {
        // Each cluster's first ProxyDefaults' mode.
        let mut modes: HashMap<Option<&Path>, &str> = HashMap::new();
        for e in self
            .entries
            .iter()
            .filter(|e| e.crd_kind == "ProxyDefaults")
        {
            modes
                .entry(e.at.cluster.as_deref())
                .or_insert_with(|| e.mode.as_deref().unwrap_or(""));
        }
        for u in &self.upstreams {
            let reason = match modes.get(&u.at.cluster.as_deref()).copied() {
                None => "there is no ProxyDefaults config to set mesh gateway mode".to_owned(),
                Some("local" | "remote") => continue,
                Some(_) => {
                    "ProxyDefaults mesh gateway mode is neither \"local\" nor \"remote\"".to_owned()
                }
            };
            let msg = format!(
                "upstream {} is invalid: {reason} (consul-k8s 0.21 to 1.x reject the pod with this error; later versions register the upstream, and without a mode of local or remote its traffic does not go through mesh gateways)",
                go_quote(&u.raw)
            );
            diags.push(located(&u.at, ANNOTATION_PATH, msg, Severity::Warning));
        }
    }
}

/// The key path of the upstreams annotation in a pod template.
const ANNOTATION_PATH: &str = "metadata.annotations.consul.hashicorp.com/connect-service-upstreams";

fn located(at: &At, path: &str, message: String, severity: Severity) -> Diagnostic {
    let d = match severity {
        Severity::Error => Diagnostic::error(DiagnosticKind::Invalid, at.pos, path, message),
        _ => Diagnostic::warning(DiagnosticKind::Invalid, at.pos, path, message),
    };
    d.in_file(at.file.as_deref()).in_document(at.document)
}

impl FactsAt<'_> {
    /// Records a config entry resource (its spec's mesh gateway mode for `ProxyDefaults`).
    pub(crate) fn record_entry(mut self, m: &Manifest<'_>, spec: &[Entry<'_>], mirrored: bool) {
        let mode = crate::load::kubernetes::get(spec, "meshGateway")
            .and_then(crate::load::kubernetes::map_of)
            .and_then(|mg| crate::load::kubernetes::get(mg, "mode"))
            .and_then(|n| match &n.value {
                Value::String(s) => Some(s.to_string()),
                _ => None,
            });
        self.at.pos = m.name_pos;
        self.facts.entries.push(EntryResource {
            crd_kind: m.kind.to_owned(),
            name: m.name.to_owned(),
            namespace: m.namespace.to_owned(),
            mode,
            mirrored,
            at: self.at,
        });
    }

    /// Records an unlabelled upstream with a datacenter, written at `pos`.
    pub(crate) fn record_datacenter_upstream(&mut self, raw: &str, pos: Pos) {
        let mut at = self.at.clone();
        at.pos = pos;
        self.facts.upstreams.push(DatacenterUpstream {
            raw: raw.to_owned(),
            at,
        });
    }
}
