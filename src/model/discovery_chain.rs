//! The discovery chain's config entries: `service-resolver`, `service-router`,
//! `service-splitter`, and the `exported-services` entry that lets peers dial a service.
//!
//! Data only, shaped like Consul's structs (`agent/structs/config_entry_discoverychain.go`,
//! `config_entry_exports.go`) and serialized to Consul's JSON. What the chain compiler does not
//! evaluate (router match criteria, subset filters, timeouts, load balancing, header changes)
//! is kept as written. [`crate::topology::chain`] compiles them.

use indexmap::IndexMap;
use serde::Serialize;

use crate::model::opaque::JsonMap;
use crate::syntax::tree::Pos;

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
fn is_false(b: &bool) -> bool {
    !*b
}

/// `Kind = "service-resolver"`: which instances serve a service, its subsets, where it is
/// redirected, and where it fails over to.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ServiceResolver {
    /// Always `service-resolver`.
    pub kind: &'static str,
    /// `Name`: the service resolved.
    pub name: String,
    /// `Namespace` (Enterprise; `default` when unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `Partition` (Enterprise; `default` when unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// `DefaultSubset`: the subset used when none is asked for (empty: the unnamed one).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub default_subset: String,
    /// `Subsets`, by name, in the order written.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub subsets: IndexMap<String, ResolverSubset>,
    /// `Redirect`: resolve another service, subset, namespace, partition, datacenter or peer
    /// instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect: Option<ResolverRedirect>,
    /// `Failover`, by the subset it applies to (`*` for any other), in the order written.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub failover: IndexMap<String, ResolverFailover>,
    /// `ConnectTimeout`, as written (a duration string such as `"15s"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_timeout: Option<serde_json::Value>,
    /// `RequestTimeout`, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_timeout: Option<serde_json::Value>,
    /// `LoadBalancer`, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<JsonMap>,
    /// `Meta`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub meta: IndexMap<String, String>,
    /// Where the entry starts.
    #[serde(skip)]
    pub pos: Pos,
}

impl Default for ServiceResolver {
    fn default() -> Self {
        Self {
            kind: "service-resolver",
            name: String::new(),
            namespace: None,
            partition: None,
            default_subset: String::new(),
            subsets: IndexMap::new(),
            redirect: None,
            failover: IndexMap::new(),
            connect_timeout: None,
            request_timeout: None,
            load_balancer: None,
            meta: IndexMap::new(),
            pos: Pos::default(),
        }
    }
}

/// One of `Subsets`: a filter over the service's instances.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ResolverSubset {
    /// `Filter`, a bexpr expression, kept as written (not evaluated).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub filter: String,
    /// `OnlyPassing`.
    #[serde(skip_serializing_if = "is_false")]
    pub only_passing: bool,
    /// Where it starts.
    #[serde(skip)]
    pub pos: Pos,
}

/// A resolver's `Redirect`. Empty strings are unset, as in Consul.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ResolverRedirect {
    /// `Service`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service: String,
    /// `ServiceSubset`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service_subset: String,
    /// `Namespace`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// `Partition`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// `Datacenter`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub datacenter: String,
    /// `Peer`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub peer: String,
    /// Where it starts.
    #[serde(skip)]
    pub pos: Pos,
}

/// One entry of a resolver's `Failover`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ResolverFailover {
    /// `Service`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service: String,
    /// `ServiceSubset`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service_subset: String,
    /// `Namespace`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// `Datacenters`: one failover target per datacenter, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub datacenters: Vec<String>,
    /// `Targets`: the failover targets, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<FailoverTarget>,
    /// `SamenessGroup` (not modelled: its members come from the peerings at run time).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sameness_group: String,
    /// `Policy`, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<JsonMap>,
    /// Where it starts.
    #[serde(skip)]
    pub pos: Pos,
}

/// One of a failover's `Targets`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct FailoverTarget {
    /// `Service`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service: String,
    /// `ServiceSubset`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service_subset: String,
    /// `Partition`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// `Namespace`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// `Datacenter`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub datacenter: String,
    /// `Peer`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub peer: String,
    /// Where it starts.
    #[serde(skip)]
    pub pos: Pos,
}

/// `Kind = "service-router"`: L7 routes of a service, tried in order; unmatched traffic goes
/// to the service itself.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ServiceRouter {
    /// Always `service-router`.
    pub kind: &'static str,
    /// `Name`: the service routed.
    pub name: String,
    /// `Namespace` (Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `Partition` (Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// `Routes`, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<RouterRoute>,
    /// `Meta`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub meta: IndexMap<String, String>,
    /// Where the entry starts.
    #[serde(skip)]
    pub pos: Pos,
}

impl Default for ServiceRouter {
    fn default() -> Self {
        Self {
            kind: "service-router",
            name: String::new(),
            namespace: None,
            partition: None,
            routes: Vec::new(),
            meta: IndexMap::new(),
            pos: Pos::default(),
        }
    }
}

/// One of a router's `Routes`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RouterRoute {
    /// `Match`, kept as written (the criteria are not evaluated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#match: Option<JsonMap>,
    /// `Destination`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<RouteDestination>,
    /// Where it starts.
    #[serde(skip)]
    pub pos: Pos,
}

/// A route's `Destination`: where matching requests go, and how (kept as written).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RouteDestination {
    /// `Service` (the router's own when empty).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service: String,
    /// `ServiceSubset`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service_subset: String,
    /// `Namespace`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// `Partition`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// Every other key (`PrefixRewrite`, timeouts, retries, header changes), as written.
    #[serde(flatten)]
    pub other: JsonMap,
    /// Where it starts.
    #[serde(skip)]
    pub pos: Pos,
}

/// `Kind = "service-splitter"`: traffic split by weight between services or subsets.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ServiceSplitter {
    /// Always `service-splitter`.
    pub kind: &'static str,
    /// `Name`: the service split.
    pub name: String,
    /// `Namespace` (Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `Partition` (Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// `Splits`, in order.
    pub splits: Vec<Split>,
    /// `Meta`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub meta: IndexMap<String, String>,
    /// Where the entry starts.
    #[serde(skip)]
    pub pos: Pos,
}

impl Default for ServiceSplitter {
    fn default() -> Self {
        Self {
            kind: "service-splitter",
            name: String::new(),
            namespace: None,
            partition: None,
            splits: Vec::new(),
            meta: IndexMap::new(),
            pos: Pos::default(),
        }
    }
}

/// One of a splitter's `Splits`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Split {
    /// `Weight`, a percentage (0.01 steps; a 32-bit float, as in Consul).
    #[serde(serialize_with = "ser_weight")]
    pub weight: f32,
    /// `Service` (the splitter's own when empty).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service: String,
    /// `ServiceSubset`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service_subset: String,
    /// `Namespace`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// `Partition`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// `RequestHeaders` and `ResponseHeaders`, as written.
    #[serde(flatten)]
    pub other: JsonMap,
    /// Where it starts.
    #[serde(skip)]
    pub pos: Pos,
}

/// A weight as Consul's JSON writes it: an integer when it is one.
#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` passes a reference
fn ser_weight<S: serde::Serializer>(w: &f32, s: S) -> Result<S::Ok, S::Error> {
    if w.fract() == 0.0 && w.abs() < 1e9 {
        #[allow(clippy::cast_possible_truncation)] // integral and small, checked above
        return s.serialize_i64(*w as i64);
    }
    s.serialize_f32(*w)
}

/// `Kind = "exported-services"`: which services of a partition are exported, and to whom.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ExportedServices {
    /// Always `exported-services`.
    pub kind: &'static str,
    /// `Name`: the partition whose services are exported (`default` outside Enterprise).
    pub name: String,
    /// `Services`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ExportedService>,
    /// `Meta`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub meta: IndexMap<String, String>,
    /// Where the entry starts.
    #[serde(skip)]
    pub pos: Pos,
}

impl Default for ExportedServices {
    fn default() -> Self {
        Self {
            kind: "exported-services",
            name: String::new(),
            services: Vec::new(),
            meta: IndexMap::new(),
            pos: Pos::default(),
        }
    }
}

/// One of `Services`: a service (or `*`) of a namespace (or `*`) and its consumers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ExportedService {
    /// `Name` (`*` for every service).
    pub name: String,
    /// `Namespace` (`default` when empty; `*` for every namespace).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// `Consumers`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<ServiceConsumer>,
    /// Where it starts.
    #[serde(skip)]
    pub pos: Pos,
}

/// One of `Consumers`: a peer, a partition or a sameness group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ServiceConsumer {
    /// `Partition`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub partition: String,
    /// `Peer` (alias `PeerName`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub peer: String,
    /// `SamenessGroup`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sameness_group: String,
    /// Where it starts.
    #[serde(skip)]
    pub pos: Pos,
}

impl ExportedServices {
    /// The consumers of `service` in `namespace` (entries naming it or `*`, in order).
    pub fn consumers_of<'a>(
        &'a self,
        service: &'a str,
        namespace: &'a str,
    ) -> impl Iterator<Item = &'a ServiceConsumer> + 'a {
        self.services
            .iter()
            .filter(move |s| {
                let ns = crate::model::service::non_empty_or(Some(&s.namespace), "default");
                (s.name == "*" || s.name == service) && (ns == "*" || ns == namespace)
            })
            .flat_map(|s| &s.consumers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_serialize_as_consul_writes_them() {
        let mut s = Split {
            weight: 90.0,
            ..Split::default()
        };
        assert_eq!(serde_json::to_string(&s).unwrap(), r#"{"Weight":90}"#);
        s.weight = 33.33;
        s.service_subset = "v2".into();
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"Weight":33.33,"ServiceSubset":"v2"}"#
        );
    }

    #[test]
    fn exports_match_names_namespaces_and_wildcards() {
        let mut e = ExportedServices::default();
        let peer = |p: &str| ServiceConsumer {
            peer: p.into(),
            ..ServiceConsumer::default()
        };
        e.services.push(ExportedService {
            name: "api".into(),
            consumers: vec![peer("east")],
            ..ExportedService::default()
        });
        e.services.push(ExportedService {
            name: "*".into(),
            namespace: "billing".into(),
            consumers: vec![peer("west")],
            ..ExportedService::default()
        });
        let of = |s, ns| -> Vec<String> { e.consumers_of(s, ns).map(|c| c.peer.clone()).collect() };
        assert_eq!(of("api", "default"), ["east"]);
        assert_eq!(of("api", "billing"), ["west"]);
        assert!(of("web", "default").is_empty());
    }
}
