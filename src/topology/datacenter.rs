//! [`Datacenter`]: one datacenter's config entries, proxies, gateways and endpoints.

use std::path::PathBuf;
use std::sync::Arc;

use crate::model::config_entry::{ProxyDefaults, ServiceDefaults};
use crate::model::mode::MeshGatewayMode;
use crate::model::service::{ServiceKind, non_empty_or};
use crate::syntax::tree::Pos;
use crate::topology::entries::ConfigEntries;
use crate::topology::maps::IndexedMap;
use crate::topology::plan::Plan;
use crate::topology::upstreams::{UpstreamList, UpstreamView};

/// The service `meta` key that declares which proxy runs a sidecar (`builtin` or `envoy`).
pub const PROXY_META_KEY: &str = "meshroute-proxy";

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
    /// The proxy-level mode after central config: [`Proxy::mode`], else the downstream's
    /// service-defaults `MeshGateway`, else proxy-defaults (Consul's `MergeServiceConfig`;
    /// what `GET /v1/agent/service/<id>` shows as `Proxy.MeshGateway`).
    pub merged_mode: MeshGatewayMode,
    /// The upstreams, in definition order, kept compact: read them with
    /// [`Proxy::upstreams`].
    pub(crate) upstreams: UpstreamList,
    /// The file the registration came from.
    pub file: Option<PathBuf>,
    /// The agent it is registered with (an index into [`Topology::agents`]), when known.
    ///
    /// [`Topology::agents`]: crate::topology::Topology::agents
    pub agent: Option<usize>,
    /// Whether the proxy looks like Consul's built-in proxy rather than Envoy: declared with
    /// the service meta key [`PROXY_META_KEY`] (`builtin`), or configured only with keys the
    /// built-in proxy reads.
    pub builtin: bool,
}

impl Proxy {
    /// The upstreams, in definition order.
    ///
    /// ```
    /// use meshroute::{Loader, Topology};
    ///
    /// let (topology, _) = Topology::load_paths(&Loader::new(), &["examples/primary"], None);
    /// let dc = topology.datacenter("primary").unwrap();
    /// let web = dc.proxies().iter().find(|p| p.service == "web").unwrap();
    /// let names: Vec<&str> = web.upstreams().map(|u| u.destination_name()).collect();
    /// assert_eq!(names, ["api", "db", "logging", "cache"]);
    /// assert_eq!(web.upstream(0).unwrap().local_bind_port(), Some(10000));
    /// ```
    pub fn upstreams(
        &self,
    ) -> impl ExactSizeIterator<Item = UpstreamView<'_>> + DoubleEndedIterator + Clone + '_ {
        self.upstreams.iter()
    }

    /// The upstream at `index` (definition order).
    pub fn upstream(&self, index: usize) -> Option<UpstreamView<'_>> {
        self.upstreams.get(index)
    }
}

/// A registration the preflight checks point at: a connect proxy, an inline sidecar or a
/// gateway, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Registration {
    /// The service ID (for an inline sidecar, its parent's).
    pub id: String,
    /// The service name.
    pub name: String,
    /// The kind (for an inline sidecar, its parent's).
    pub kind: ServiceKind,
    /// Whether this is the inline sidecar of service `id`.
    pub sidecar: bool,
    /// Whether the registration carries an ACL token.
    pub token: bool,
    /// The file it came from.
    pub file: Option<PathBuf>,
    /// Where the registration starts in its file.
    pub pos: Pos,
    /// The agent it is registered with (an index into `Topology::agents`), when known.
    pub agent: Option<usize>,
}

/// Addresses of a set of instances, in registration order, as `ip:port` strings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Addresses {
    /// As dialed from the same datacenter: the service address and port.
    pub lan: Vec<String>,
    /// As dialed from another datacenter: the `wan` tagged address, else the service address.
    pub wan: Vec<String>,
    /// Instances left out of `lan`: no address (Consul would use their node's, which is not
    /// in the inputs, or a Kubernetes pod's or Nomad allocation's, known only at run time)
    /// or no port (Consul assigns sidecar ports at registration).
    pub unaddressed: usize,
    /// Instances left out of `wan`: as `unaddressed`, except those whose `wan` tagged address
    /// is known although their own address is not.
    pub wan_unaddressed: usize,
}

/// A connect-enabled service's instances in one datacenter (its sidecars, connect proxies
/// fronting it, or connect-native instances).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoints {
    /// Where the instances are dialed, whatever their namespace and partition.
    pub addresses: Addresses,
    /// The (namespace, partition) pairs the service is registered in.
    pub scopes: Vec<(String, String)>,
    /// The instances of each scope, in the order of [`Endpoints::scopes`].
    pub scoped: Vec<Addresses>,
}

impl Endpoints {
    /// The instances registered in `namespace` and `partition` (exact names).
    pub fn in_scope(&self, namespace: &str, partition: &str) -> Option<&Addresses> {
        self.scope_index(namespace, partition)
            .and_then(|i| self.scoped.get(i))
    }

    /// The position of a scope in [`Endpoints::scopes`].
    pub(crate) fn scope_index(&self, namespace: &str, partition: &str) -> Option<usize> {
        self.scopes
            .iter()
            .position(|(n, p)| n == namespace && p == partition)
    }

    /// The instances of a scope whose names compare case-insensitively, as DNS.
    pub fn in_scope_ignore_case(&self, namespace: &str, partition: &str) -> Option<&Addresses> {
        self.in_scope(namespace, partition).or_else(|| {
            let i = self.scopes.iter().position(|(n, p)| {
                n.eq_ignore_ascii_case(namespace) && p.eq_ignore_ascii_case(partition)
            })?;
            self.scoped.get(i)
        })
    }
}

/// One datacenter's view: its config entries, proxies, gateways and connect endpoints.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
#[allow(clippy::struct_field_names)] // `primary_datacenter` is Consul's key
pub struct Datacenter {
    pub(crate) name: String,
    pub(crate) primary_datacenter: Option<String>,
    /// The config entries it sees, shared with its federation.
    pub(crate) entries: Arc<ConfigEntries>,
    /// Which set that is, among the topology's.
    pub(crate) entry_set: u32,
    pub(crate) proxies: Vec<Proxy>,
    pub(crate) registrations: Vec<Registration>,
    pub(crate) gateways: IndexedMap<Addresses>,
    pub(crate) endpoints: IndexedMap<Endpoints>,
    pub(crate) plan: Plan,
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

    /// The config entries it sees: its federation's (see [`crate::topology::entries`]).
    pub fn entries(&self) -> &ConfigEntries {
        &self.entries
    }

    /// Its `proxy-defaults` entry.
    pub fn proxy_defaults(&self) -> Option<&ProxyDefaults> {
        self.entries.proxy_defaults()
    }

    /// The `service-defaults` entry of `service`.
    pub fn service_defaults(&self, service: &str) -> Option<&ServiceDefaults> {
        self.entries.service_defaults(service)
    }

    /// Its connect proxies, in load order.
    pub fn proxies(&self) -> &[Proxy] {
        &self.proxies
    }

    /// Its connect proxies, inline sidecars and gateways as registered, in load order.
    pub fn registrations(&self) -> &[Registration] {
        &self.registrations
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
        self.entries.service_defaults.get_index_of(service)
    }

    pub(crate) fn service_defaults_at(&self, index: usize) -> Option<&ServiceDefaults> {
        self.entries
            .service_defaults
            .get_index(index)
            .map(|(_, sd)| sd)
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
        self.entries.resolver_subsets(service)
    }
}
