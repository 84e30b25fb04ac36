//! How a cluster's manifests are read: the Helm values that change what consul-k8s does with
//! them, found for each file the way placement finds its agent (the nearest directory up
//! the tree that holds a values file), else the chart's defaults.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::load::source::Source;
use crate::syntax::tree::Node;

/// The settings of one cluster, from its Helm values (the chart's defaults where unset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Settings {
    /// `global.datacenter`.
    pub(crate) datacenter: String,
    /// `global.enableConsulNamespaces`.
    pub(crate) namespaces: bool,
    /// `global.adminPartitions.enabled`.
    pub(crate) partitions: bool,
    /// `global.adminPartitions.name`.
    pub(crate) partition: String,
    /// `connectInject.consulNamespaces.mirroringK8S`.
    pub(crate) mirroring: bool,
    /// `connectInject.consulNamespaces.mirroringK8SPrefix`.
    pub(crate) mirroring_prefix: String,
    /// `connectInject.consulNamespaces.consulDestinationNamespace`.
    pub(crate) destination_namespace: String,
    /// `connectInject.enabled`.
    pub(crate) inject_enabled: bool,
    /// `connectInject.default`: inject pods without the `connect-inject` annotation.
    pub(crate) inject_default: bool,
    /// `connectInject.k8sAllowNamespaces`.
    pub(crate) allow_namespaces: Vec<String>,
    /// `connectInject.k8sDenyNamespaces`.
    pub(crate) deny_namespaces: Vec<String>,
    /// `connectInject.transparentProxy.defaultEnabled`.
    pub(crate) tproxy_default: bool,
    /// `global.acls.manageSystemACLs`.
    pub(crate) manage_acls: bool,
}

impl Default for Settings {
    /// The consul chart's defaults.
    fn default() -> Self {
        Self {
            datacenter: "dc1".to_owned(),
            namespaces: false,
            partitions: false,
            partition: "default".to_owned(),
            mirroring: true,
            mirroring_prefix: String::new(),
            destination_namespace: "default".to_owned(),
            inject_enabled: true,
            inject_default: false,
            allow_namespaces: vec!["*".to_owned()],
            deny_namespaces: Vec::new(),
            tproxy_default: true,
            manage_acls: false,
        }
    }
}

impl Settings {
    /// The Consul namespace a Kubernetes namespace's registrations and config entries go to:
    /// none (Consul's `default`) without namespaces, the mirrored name with mirroring, else
    /// the destination namespace.
    pub(crate) fn consul_namespace(&self, k8s_namespace: &str) -> Option<String> {
        if !self.namespaces {
            return None;
        }
        Some(if self.mirroring {
            format!("{}{k8s_namespace}", self.mirroring_prefix)
        } else {
            self.destination_namespace.clone()
        })
    }

    /// Whether the injector looks at pods of `namespace` at all (system namespaces never;
    /// the deny list; the allow list unless it holds `*`).
    pub(crate) fn injects_namespace(&self, namespace: &str) -> bool {
        let system = ["kube-system", "kube-public", "local-path-storage"];
        !system.contains(&namespace)
            && !self.deny_namespaces.iter().any(|n| n == namespace)
            && self
                .allow_namespaces
                .iter()
                .any(|n| n == "*" || n == namespace)
    }
}

/// The settings of every cluster of a load, by the directory of its values file.
#[derive(Debug, Default)]
pub(crate) struct Clusters {
    by_dir: HashMap<PathBuf, Settings>,
    default: Settings,
}

/// The directory of a file (empty for none).
fn dir_of(file: Option<&Path>) -> PathBuf {
    file.and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

impl Clusters {
    /// The settings of every values file among `sources`, read by `read`.
    pub(crate) fn of(sources: &[Source<'_>], read: impl Fn(&Node<'_>) -> Option<Settings>) -> Self {
        let mut out = Self::default();
        for s in sources {
            let Ok((_, docs)) = &s.docs else { continue };
            for settings in docs.iter().filter_map(|d| read(&d.tree)) {
                out.by_dir.insert(dir_of(s.file()), settings);
            }
        }
        out
    }

    /// The cluster of a file (the directory of its values file, when one is found) and its
    /// settings.
    pub(crate) fn settings_for(&self, file: Option<&Path>) -> (Option<PathBuf>, &Settings) {
        let dir = dir_of(file);
        dir.ancestors()
            .find_map(|d| self.by_dir.get(d).map(|s| (Some(d.to_path_buf()), s)))
            .unwrap_or((None, &self.default))
    }
}
