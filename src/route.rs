//! The mesh gateway's side: what a gateway does with an inbound TLS server name.
//!
//! A Consul mesh gateway does not terminate mesh TLS; it reads the SNI and:
//!
//! * forwards `*.<dc>.internal.<td>` (and `*.<partition>.<dc>.internal-v1.<td>`) for another
//!   datacenter (or partition) to that datacenter's mesh gateways, at their WAN addresses;
//! * serves a name of its own datacenter and partition from the local cluster of that name:
//!   the service's instances in that namespace and partition (with the subset a
//!   `service-resolver` defines);
//! * serves a peer's name (`<svc>.<ns>.<partition>.<peer>.external.<td>`) when the
//!   partition's `exported-services` entry exports the service to that peer;
//! * forwards another datacenter's bare gateway name (`<dc>.internal.<td>`), as Consul's
//!   catch-all chain does;
//! * otherwise finds no cluster, and the connection is closed: other trust domains, prepared
//!   query names, unknown local services, datacenters without gateways, names that are not
//!   Consul's.
//!
//! Names compare case-insensitively, as DNS. [`Topology::route_sni`] takes a `&str` so that a
//! sniffed ClientHello server name can be passed straight in.
//!
//! ```
//! use meshroute::route::GatewayAction;
//! use meshroute::topology::Topology;
//! use meshroute::{ServiceDefinition, ServiceKind};
//!
//! let td = "11111111-2222-3333-4444-555555555555.consul";
//! let mut gw = ServiceDefinition::default();
//! gw.kind = ServiceKind::MeshGateway;
//! gw.name = "mesh-gateway".into();
//! gw.address = Some("10.2.0.5".into());
//! gw.port = Some(8443);
//!
//! let mut b = Topology::builder();
//! b.trust_domain(td);
//! b.add_datacenter("dc1");
//! b.add_service("dc2", gw);
//! let topo = b.build();
//!
//! let d = topo.route_sni("dc1", &format!("api.default.dc2.internal.{td}"));
//! assert!(matches!(d.action, GatewayAction::Forward { datacenter: "dc2", .. }));
//! let d = topo.route_sni("dc1", "example.com");
//! assert_eq!(d.action_str(), "reject");
//! ```

use std::fmt;

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::load::error::{Problem, Severity, Source};
use crate::sni::{Sni, SniError};
use crate::text::Escaped;
use crate::topology::{Datacenter, Topology};

/// Why a gateway closes a connection.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RejectReason {
    /// The trust domain is unknown, so no name can be matched.
    #[error(
        "the trust domain is unknown (pass it explicitly or include a saved /v1/connect/ca/roots response)"
    )]
    NoTrustDomain,
    /// The gateway's own datacenter is not among the inputs.
    #[error("datacenter {0:?} (the gateway's) is not among the inputs")]
    UnknownGatewayDatacenter(String),
    /// A Consul name of another trust domain.
    #[error("name is in trust domain {found:?}, not {expected:?}")]
    OtherTrustDomain {
        /// The name's trust domain.
        found: String,
        /// The gateway's.
        expected: String,
    },
    /// A prepared query name: queries never go through mesh gateways.
    #[error("prepared query names are never routed by mesh gateways")]
    QueryName,
    /// A peered service name (`<svc>.<ns>.<partition>.<peer>.external.<td>`) for a service
    /// the gateway's partition does not export to that peer.
    #[error("service {service:?} (namespace {namespace:?}, partition {partition:?}) is not exported to peer {peer:?}: {}", exported_to_text(.exported_to))]
    NotExported {
        /// The service.
        service: String,
        /// The namespace.
        namespace: String,
        /// The partition.
        partition: String,
        /// The peer the name is for.
        peer: String,
        /// Whom the service is exported to (`peer "x"`, `partition "y"`, `sameness group
        /// "z"`), in the entry's order.
        exported_to: Vec<String>,
    },
    /// The gateway's own datacenter's bare gateway name (`<dc>.internal.<td>`): the gateway
    /// has no cluster of its own name.
    #[error("the gateway's own gateway name: no cluster matches it")]
    GatewayName,
    /// A name of the gateway's own datacenter for a service it has no cluster for.
    #[error(
        "no connect-enabled service {service:?} in namespace {namespace:?}, partition {partition:?} here"
    )]
    UnknownLocalService {
        /// The service.
        service: String,
        /// The namespace.
        namespace: String,
        /// The partition.
        partition: String,
    },
    /// A subset no `service-resolver` of the service defines.
    #[error("service {service:?} has no subset {subset:?} (no service-resolver defines it)")]
    UnknownSubset {
        /// The service.
        service: String,
        /// The subset.
        subset: String,
    },
    /// A datacenter (or partition) with no mesh gateway known to this gateway.
    #[error("no mesh gateway is known for datacenter {datacenter:?}, partition {partition:?}")]
    UnknownDatacenter {
        /// The datacenter the name points to.
        datacenter: String,
        /// The partition.
        partition: String,
    },
    /// Not one of Consul's names.
    #[error("not a Consul mesh name: {0}")]
    NotConsul(SniError),
    /// A complete ClientHello without a server name: the gateway's catch-all chain finds no
    /// cluster for an empty name.
    #[error("the ClientHello carries no server name, so no cluster matches it")]
    NoServerName,
}

impl RejectReason {
    /// The stable kebab-case name of the reason (`not-consul-name`, `unknown-subset`, …): the
    /// `code` of its [`Problem`] and of `reason` in a decision's JSON.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::NoTrustDomain => "no-trust-domain",
            Self::UnknownGatewayDatacenter(_) => "unknown-gateway-datacenter",
            Self::OtherTrustDomain { .. } => "other-trust-domain",
            Self::QueryName => "query-name",
            Self::NotExported { .. } => "not-exported",
            Self::GatewayName => "gateway-name",
            Self::UnknownLocalService { .. } => "unknown-local-service",
            Self::UnknownSubset { .. } => "unknown-subset",
            Self::UnknownDatacenter { .. } => "unknown-datacenter",
            Self::NotConsul(_) => "not-consul-name",
            Self::NoServerName => "no-server-name",
        }
    }
}

impl Serialize for RejectReason {
    /// `{"code": …, "message": …}`: [`RejectReason::code`] and the `Display` text.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("code", self.code())?;
        m.serialize_entry("message", &self.to_string())?;
        m.end()
    }
}

impl From<&RejectReason> for Problem {
    /// An error of source `gateway`, coded [`RejectReason::code`].
    fn from(r: &RejectReason) -> Self {
        Problem::new(r.code(), Source::Gateway, Severity::Error, r.to_string())
    }
}

/// What the gateway does.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GatewayAction<'t> {
    /// Forward the connection, still encrypted, to another datacenter's mesh gateways.
    Forward {
        /// The datacenter the name points to.
        datacenter: &'t str,
        /// The partition the name points to.
        partition: String,
        /// Its mesh gateways' WAN addresses, in registration order.
        addresses: &'t [String],
    },
    /// Serve a local service: pass the connection to its instances.
    Local {
        /// The service, as registered.
        service: &'t str,
        /// The subset, when the name has one.
        subset: Option<String>,
        /// The namespace.
        namespace: String,
        /// The partition.
        partition: String,
        /// The instances' addresses, in registration order.
        addresses: &'t [String],
    },
    /// Close the connection.
    Reject(RejectReason),
}

/// The gateway's decision for one server name.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GatewayDecision<'t> {
    /// The server name, as received.
    pub sni: String,
    /// The datacenter of the gateway that decides (the datacenter a name points to is the
    /// action's).
    pub gateway_datacenter: String,
    /// What the gateway does.
    pub action: GatewayAction<'t>,
}

impl GatewayDecision<'_> {
    /// `forward`, `local` or `reject`.
    pub fn action_str(&self) -> &'static str {
        match self.action {
            GatewayAction::Forward { .. } => "forward",
            GatewayAction::Local { .. } => "local",
            GatewayAction::Reject(_) => "reject",
        }
    }
}

/// A decision as one flat record, what its JSON and its text both read: absent values are
/// `None`.
struct Flat<'a> {
    datacenter: Option<&'a str>,
    addresses: &'a [String],
    service: Option<&'a str>,
    namespace: Option<&'a str>,
    partition: Option<&'a str>,
    subset: Option<&'a str>,
    reason: Option<&'a RejectReason>,
}

impl GatewayDecision<'_> {
    fn flat(&self) -> Flat<'_> {
        let none = Flat {
            datacenter: None,
            addresses: &[],
            service: None,
            namespace: None,
            partition: None,
            subset: None,
            reason: None,
        };
        match &self.action {
            GatewayAction::Forward {
                datacenter,
                partition,
                addresses,
            } => Flat {
                datacenter: Some(datacenter),
                partition: Some(partition),
                addresses,
                ..none
            },
            GatewayAction::Local {
                service,
                subset,
                namespace,
                partition,
                addresses,
            } => Flat {
                datacenter: Some(&self.gateway_datacenter),
                service: Some(service),
                namespace: Some(namespace),
                partition: Some(partition),
                subset: subset.as_deref(),
                addresses,
                ..none
            },
            GatewayAction::Reject(r) => Flat {
                reason: Some(r),
                ..none
            },
        }
    }
}

impl Serialize for GatewayDecision<'_> {
    /// `{"sni", "gateway_datacenter", "action", "datacenter", "addresses", "service",
    /// "namespace", "partition", "subset", "reason"}`, absent values as `null`: `datacenter`
    /// is where the connection goes (the action's), `reason` a reject's
    /// `{"code", "message"}`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.flat();
        let mut m = s.serialize_map(Some(10))?;
        m.serialize_entry("sni", &self.sni)?;
        m.serialize_entry("gateway_datacenter", &self.gateway_datacenter)?;
        m.serialize_entry("action", self.action_str())?;
        m.serialize_entry("datacenter", &v.datacenter)?;
        m.serialize_entry("addresses", v.addresses)?;
        m.serialize_entry("service", &v.service)?;
        m.serialize_entry("namespace", &v.namespace)?;
        m.serialize_entry("partition", &v.partition)?;
        m.serialize_entry("subset", &v.subset)?;
        m.serialize_entry("reason", &v.reason)?;
        m.end()
    }
}

impl fmt::Display for GatewayDecision<'_> {
    /// What the gateway does, in a line; names with control characters escaped
    /// ([`Escaped`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.flat();
        let dc = Escaped(v.datacenter.unwrap_or(""));
        let part = v.partition.unwrap_or("");
        match (&self.action, v.service) {
            (GatewayAction::Reject(r), _) => write!(f, "reject: {}", Escaped(&r.to_string())),
            (_, None) => {
                write!(f, "forward to the mesh gateways of datacenter {dc}")?;
                if part != "default" {
                    write!(f, " (partition {})", Escaped(part))?;
                }
                write!(f, ": {}", Escaped(&v.addresses.join(", ")))
            }
            (_, Some(service)) => {
                write!(f, "serve locally: service {}", Escaped(service))?;
                if let Some(s) = v.subset {
                    write!(f, ", subset {}", Escaped(s))?;
                }
                let ns = Escaped(v.namespace.unwrap_or(""));
                let addresses = if v.addresses.is_empty() {
                    "(no addresses known)".to_owned()
                } else {
                    v.addresses.join(", ")
                };
                let (part, addresses) = (Escaped(part), Escaped(&addresses));
                write!(f, ", namespace {ns}, partition {part}: {addresses}")
            }
        }
    }
}

impl Topology {
    /// What a mesh gateway of `datacenter` (default partition) does with the server name
    /// `sni`.
    pub fn route_sni(&self, datacenter: &str, sni: &str) -> GatewayDecision<'_> {
        self.route_sni_in_partition(datacenter, "default", sni)
    }

    /// What a mesh gateway of `datacenter` and `partition` does with the server name `sni`.
    pub fn route_sni_in_partition(
        &self,
        datacenter: &str,
        partition: &str,
        sni: &str,
    ) -> GatewayDecision<'_> {
        let action = self.action(datacenter, partition, sni);
        GatewayDecision {
            sni: sni.to_owned(),
            gateway_datacenter: datacenter.to_owned(),
            action,
        }
    }

    fn action(&self, datacenter: &str, partition: &str, sni: &str) -> GatewayAction<'_> {
        match self.try_action(datacenter, partition, sni) {
            Ok(action) | Err(action) => action,
        }
    }

    /// The action, with every early reject as `Err`.
    fn try_action(
        &self,
        datacenter: &str,
        partition: &str,
        sni: &str,
    ) -> Result<GatewayAction<'_>, GatewayAction<'_>> {
        use GatewayAction::Reject;
        let td = self
            .trust_domain()
            .ok_or(Reject(RejectReason::NoTrustDomain))?;
        let here = self.datacenter_ignore_case(datacenter).ok_or_else(|| {
            Reject(RejectReason::UnknownGatewayDatacenter(
                datacenter.to_owned(),
            ))
        })?;
        let partition = if partition.is_empty() {
            "default"
        } else {
            partition
        };
        let ours = |dc: &str, part: &str| {
            dc.eq_ignore_ascii_case(here.name()) && part.eq_ignore_ascii_case(partition)
        };
        Ok(match parse_name(sni, td).map_err(Reject)? {
            Name::Service(name) if ours(&name.datacenter, &name.partition) => {
                serve_locally(here, name)
            }
            Name::Service(name) => self.forward(name.datacenter, name.partition),
            Name::Gateway(dc, part) if ours(&dc, &part) => Reject(RejectReason::GatewayName),
            // Consul's catch-all chain: the remote gateways' cluster has exactly this name.
            Name::Gateway(dc, part) => self.forward(dc, part),
            Name::Peered(p) => serve_exported(here, partition, p),
        })
    }

    /// Forward to the mesh gateways of `datacenter` and `partition`.
    fn forward(&self, datacenter: String, partition: String) -> GatewayAction<'_> {
        let found = self.datacenter_ignore_case(&datacenter).and_then(|there| {
            Some((
                there,
                there.gateway_addresses_ignore_case(&partition, true)?,
            ))
        });
        match found {
            Some((there, addresses)) => GatewayAction::Forward {
                datacenter: there.name(),
                addresses,
                partition,
            },
            None => GatewayAction::Reject(RejectReason::UnknownDatacenter {
                datacenter,
                partition,
            }),
        }
    }
}

/// A service name, parsed.
struct ServiceName {
    service: String,
    subset: Option<String>,
    namespace: String,
    partition: String,
    datacenter: String,
}

/// A name a gateway routes.
enum Name {
    /// `[<subset>.]<svc>.<ns>[.<partition>].<dc>.internal[-v1].<td>`.
    Service(ServiceName),
    /// `[<partition>.]<dc>.internal[-v1].<td>`: (datacenter, partition).
    Gateway(String, String),
    /// `<svc>.<ns>.<partition>.<peer>.external.<td>`: (service, namespace, partition, peer).
    Peered(ServiceName),
}

/// `exported_to` as a reject message says it.
fn exported_to_text(to: &[String]) -> String {
    if to.is_empty() {
        "no exported-services entry of its partition exports it".to_owned()
    } else {
        format!(
            "it is exported to {} (sameness groups are not modelled)",
            to.join(", ")
        )
    }
}

/// Parses `sni` as a Consul name of trust domain `td` that a gateway routes, or says why it
/// is not one.
fn parse_name(sni: &str, td: &str) -> Result<Name, RejectReason> {
    let parsed = match Sni::parse_in(sni, td) {
        Ok(p) => p,
        Err(SniError::OtherTrustDomain { .. }) => {
            return Err(match Sni::parse(sni) {
                Ok(other) => RejectReason::OtherTrustDomain {
                    found: other.trust_domain().to_owned(),
                    expected: td.to_owned(),
                },
                Err(e) => RejectReason::NotConsul(e),
            });
        }
        Err(e) => return Err(RejectReason::NotConsul(e)),
    };
    match parsed {
        Sni::Service {
            service,
            subset,
            namespace,
            partition,
            datacenter,
            ..
        } => Ok(Name::Service(ServiceName {
            service,
            subset,
            namespace,
            partition,
            datacenter,
        })),
        Sni::Gateway {
            datacenter,
            partition,
            ..
        } => Ok(Name::Gateway(datacenter, partition)),
        Sni::Peered {
            service,
            namespace,
            partition,
            peer,
            ..
        } => Ok(Name::Peered(ServiceName {
            service,
            subset: None,
            namespace,
            partition,
            datacenter: peer,
        })),
        Sni::Query { .. } => Err(RejectReason::QueryName),
    }
}

/// Serve a peer's name for a service the gateway's partition exports to that peer (from its
/// local instances, as Consul's gateway serves an exported chain's local targets); else say
/// to whom it is exported. (The peer is in `p.datacenter`.)
fn serve_exported<'t>(here: &'t Datacenter, partition: &str, p: ServiceName) -> GatewayAction<'t> {
    let peer = p.datacenter.clone();
    let entry = here
        .entries()
        .exported_services(&p.partition)
        .filter(|_| p.partition.eq_ignore_ascii_case(partition));
    let consumers: Vec<_> = entry
        .into_iter()
        .flat_map(|e| e.consumers_of(&p.service, &p.namespace))
        .collect();
    if consumers.iter().any(|c| c.peer.eq_ignore_ascii_case(&peer)) {
        return serve_locally(here, p);
    }
    let exported_to = consumers
        .iter()
        .map(|c| match (&c.peer, &c.partition, &c.sameness_group) {
            (p, _, _) if !p.is_empty() => format!("peer {p:?}"),
            (_, p, _) if !p.is_empty() => format!("partition {p:?}"),
            (_, _, g) => format!("sameness group {g:?}"),
        })
        .collect();
    GatewayAction::Reject(RejectReason::NotExported {
        service: p.service,
        namespace: p.namespace,
        partition: p.partition,
        peer,
        exported_to,
    })
}

/// Serve a name of the gateway's own datacenter and partition from the local cluster: the
/// service's instances in the name's namespace and partition.
fn serve_locally(here: &Datacenter, name: ServiceName) -> GatewayAction<'_> {
    use GatewayAction::Reject;
    let found = here
        .endpoints_ignore_case(&name.service)
        .and_then(|(service, ep)| {
            let scoped = ep.in_scope_ignore_case(&name.namespace, &name.partition)?;
            Some((service, scoped))
        });
    let Some((service, addresses)) = found else {
        return Reject(RejectReason::UnknownLocalService {
            service: name.service,
            namespace: name.namespace,
            partition: name.partition,
        });
    };
    if let Some(sub) = &name.subset
        && !here
            .resolver_subsets(service)
            .iter()
            .any(|s| s.eq_ignore_ascii_case(sub))
    {
        return Reject(RejectReason::UnknownSubset {
            service: name.service,
            subset: sub.clone(),
        });
    }
    GatewayAction::Local {
        service,
        subset: name.subset,
        namespace: name.namespace,
        partition: name.partition,
        addresses: &addresses.lan,
    }
}

/// What a gateway does with the first bytes of a connection, from
/// [`Topology::route_client_hello`].
#[cfg(feature = "sniff")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HelloRoute<'t> {
    /// The ClientHello is complete: the gateway's decision for its server name (a hello with
    /// no server name is rejected with [`RejectReason::NoServerName`]).
    Decided(GatewayDecision<'t>),
    /// The bytes so far are a valid prefix of a ClientHello: at least this many more are
    /// needed before the gateway can decide.
    NeedMore(usize),
}

#[cfg(feature = "sniff")]
impl Topology {
    /// Raw bytes in, routing decision out: reads the server name from the bytes received so
    /// far on a connection to a mesh gateway of `datacenter` (zero-copy, see
    /// [`crate::sniff`]) and routes it as [`Topology::route_sni`] does.
    ///
    /// The name routed is the validated view of the one the client sent (a trailing dot
    /// removed); names compare case-insensitively, as DNS.
    ///
    /// ```
    /// use meshroute::route::HelloRoute;
    /// use meshroute::{sniff, ServiceDefinition, ServiceKind, Topology};
    ///
    /// let td = "11111111-2222-3333-4444-555555555555.consul";
    /// let mut gw = ServiceDefinition::default();
    /// gw.kind = ServiceKind::MeshGateway;
    /// gw.name = "mesh-gateway".into();
    /// gw.address = Some("10.2.0.5".into());
    /// gw.port = Some(8443);
    /// let mut b = Topology::builder();
    /// b.trust_domain(td);
    /// b.add_datacenter("dc1");
    /// b.add_service("dc2", gw);
    /// let topology = b.build();
    ///
    /// // A minimal TLS 1.3 ClientHello for api.default.dc2.internal.<td>.
    /// let name = format!("api.default.dc2.internal.{td}");
    /// let n = u8::try_from(name.len()).unwrap();
    /// let mut body = vec![3, 3];
    /// body.extend_from_slice(&[0; 32]);
    /// body.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
    /// body.extend_from_slice(&[0, n + 9, 0, 0, 0, n + 5, 0, n + 3, 0, 0, n]);
    /// body.extend_from_slice(name.as_bytes());
    /// let mut hello = vec![22, 3, 1, 0, u8::try_from(body.len() + 4).unwrap(), 1, 0, 0];
    /// hello.push(u8::try_from(body.len()).unwrap());
    /// hello.extend_from_slice(&body);
    ///
    /// let config = sniff::Config::default();
    /// let HelloRoute::Decided(d) = topology.route_client_hello("dc1", &hello, &config)? else {
    ///     panic!("the hello is complete")
    /// };
    /// assert_eq!(d.action_str(), "forward");
    /// assert_eq!(d.to_string(), "forward to the mesh gateways of datacenter dc2: 10.2.0.5:8443");
    /// assert!(matches!(
    ///     topology.route_client_hello("dc1", &hello[..20], &config)?,
    ///     HelloRoute::NeedMore(_)
    /// ));
    /// # Ok::<(), sniff::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The [`sniff::Error`](crate::sniff::Error) when the bytes are not a ClientHello the
    /// sniffer's policy accepts (not TLS, malformed, over the size cap, an invalid name…).
    pub fn route_client_hello(
        &self,
        datacenter: &str,
        bytes: &[u8],
        config: &crate::sniff::Config,
    ) -> Result<HelloRoute<'_>, crate::sniff::Error> {
        use crate::sniff::{self, Status};
        let hello = match sniff::parse(bytes, config)? {
            Status::Complete(hello) => hello,
            Status::Partial(n) => return Ok(HelloRoute::NeedMore(n)),
        };
        let decision = if let Some(name) = hello.host_name() {
            self.route_sni(datacenter, name.as_str())
        } else if let Some(raw) = hello.server_name_vec() {
            // A name the policy tolerates but does not validate (one too long to lend
            // included): route it as sent when it is text (it will not be a Consul name),
            // else reject it as not one.
            let text = String::from_utf8_lossy(&raw);
            self.route_sni(datacenter, &text)
        } else {
            GatewayDecision {
                sni: String::new(),
                gateway_datacenter: datacenter.to_owned(),
                action: GatewayAction::Reject(RejectReason::NoServerName),
            }
        };
        Ok(HelloRoute::Decided(decision))
    }
}
