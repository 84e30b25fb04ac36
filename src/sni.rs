//! SNI names exactly as Consul builds them, and a parser that takes them apart.
//!
//! Consul's sidecars put the *destination* in the TLS server name; mesh gateways route on it
//! without decrypting anything. The forms (Consul's `agent/connect/sni.go`):
//!
//! | Form | Name |
//! |---|---|
//! | service, default partition | `[<subset>.]<service>.<namespace>.<dc>.internal.<trust domain>` |
//! | service, other partition | `[<subset>.]<service>.<namespace>.<partition>.<dc>.internal-v1.<trust domain>` |
//! | gateway, default partition | `<dc>.internal.<trust domain>` |
//! | gateway, other partition | `<partition>.<dc>.internal-v1.<trust domain>` |
//! | prepared query | `<query>.default.<dc>.query.<trust domain>` |
//! | peered service | `<service>.<namespace>.<partition>.<peer>.external.<trust domain>` |
//!
//! An empty namespace or partition means `default`.
//!
//! ```
//! use meshroute::sni::{self, Sni};
//!
//! let td = "5fcd4b81-a2ca-405a-ac62-0fac602c1949.consul";
//! let name = sni::service_sni("api", "v2", "", "", "dc2", td);
//! assert_eq!(name, format!("v2.api.default.dc2.internal.{td}"));
//!
//! let parsed = Sni::parse_in(&name, td)?;
//! assert_eq!(parsed.datacenter(), "dc2");
//! assert_eq!(parsed.service(), Some("api"));
//! # Ok::<(), meshroute::sni::SniError>(())
//! ```

use std::fmt;

use crate::model::service::{DestinationType, Upstream};

/// The label that ends the default-partition service and gateway forms.
pub const INTERNAL: &str = "internal";
/// The label that ends the partition-qualified service and gateway forms.
pub const INTERNAL_V1: &str = "internal-v1";
/// The label that ends the peered service form.
pub const EXTERNAL: &str = "external";
/// The label that ends the prepared query form.
pub const QUERY: &str = "query";
/// The namespace and partition Consul uses when none is given.
pub const DEFAULT: &str = "default";

fn or_default(s: &str) -> &str {
    if s.is_empty() { DEFAULT } else { s }
}

fn is_default_partition(p: &str) -> bool {
    p.is_empty() || p == DEFAULT
}

fn join(parts: &[&str]) -> String {
    let len = parts.iter().map(|p| p.len() + 1).sum::<usize>();
    let mut out = String::with_capacity(len);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(p);
    }
    out
}

/// Consul's `ServiceSNI`: the name a sidecar sends to reach `service` (and `subset`, when not
/// empty) in `namespace`, `partition` and `datacenter`.
///
/// The default partition gives the `internal` form, any other the `internal-v1` form.
pub fn service_sni(
    service: &str,
    subset: &str,
    namespace: &str,
    partition: &str,
    datacenter: &str,
    trust_domain: &str,
) -> String {
    let ns = or_default(namespace);
    match (subset.is_empty(), is_default_partition(partition)) {
        (true, true) => join(&[service, ns, datacenter, INTERNAL, trust_domain]),
        (false, true) => join(&[subset, service, ns, datacenter, INTERNAL, trust_domain]),
        (true, false) => join(&[
            service,
            ns,
            partition,
            datacenter,
            INTERNAL_V1,
            trust_domain,
        ]),
        (false, false) => join(&[
            subset,
            service,
            ns,
            partition,
            datacenter,
            INTERNAL_V1,
            trust_domain,
        ]),
    }
}

/// Consul's `GatewaySNI`: the suffix every service name of (`datacenter`, `partition`) ends
/// with; gateways of other datacenters forward `*.<this>` to that datacenter's gateways.
pub fn gateway_sni(datacenter: &str, partition: &str, trust_domain: &str) -> String {
    if is_default_partition(partition) {
        join(&[datacenter, INTERNAL, trust_domain])
    } else {
        join(&[partition, datacenter, INTERNAL_V1, trust_domain])
    }
}

/// Consul's older `DatacenterSNI` (1.10 and before): `<dc>.internal.<trust domain>`.
pub fn datacenter_sni(datacenter: &str, trust_domain: &str) -> String {
    join(&[datacenter, INTERNAL, trust_domain])
}

/// Consul's `QuerySNI`: `<name>.default.<dc>.query.<trust domain>` (the namespace is always
/// the literal `default`, and there is no subset).
pub fn query_sni(name: &str, datacenter: &str, trust_domain: &str) -> String {
    join(&[name, DEFAULT, datacenter, QUERY, trust_domain])
}

/// Consul's `PeeredServiceSNI`: `<service>.<namespace>.<partition>.<peer>.external.<trust
/// domain>`, the partition always present. `None` when `peer` is empty (Consul panics there).
///
/// The peer is the name the *exporting* cluster gives the importing one, and the trust domain
/// is the exporter's: neither is known from the importing side's configuration.
pub fn peered_service_sni(
    service: &str,
    namespace: &str,
    partition: &str,
    peer: &str,
    trust_domain: &str,
) -> Option<String> {
    if peer.is_empty() {
        return None;
    }
    Some(join(&[
        service,
        or_default(namespace),
        or_default(partition),
        peer,
        EXTERNAL,
        trust_domain,
    ]))
}

/// Consul's `UpstreamSNI`: the upstream's datacenter when set, else `local_datacenter`;
/// prepared queries get [`query_sni`], services [`service_sni`].
pub fn upstream_sni(
    upstream: &Upstream,
    subset: &str,
    local_datacenter: &str,
    trust_domain: &str,
) -> String {
    let dc = upstream
        .datacenter
        .as_deref()
        .filter(|d| !d.is_empty())
        .unwrap_or(local_datacenter);
    match upstream.destination_type {
        DestinationType::PreparedQuery => query_sni(&upstream.destination_name, dc, trust_domain),
        DestinationType::Service => service_sni(
            &upstream.destination_name,
            subset,
            upstream.destination_namespace.as_deref().unwrap_or(""),
            upstream.destination_partition.as_deref().unwrap_or(""),
            dc,
            trust_domain,
        ),
    }
}

/// Which of Consul's forms a name has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SniForm {
    /// A service (`…internal…` or `…internal-v1…` with a service).
    Service,
    /// A gateway name (`<dc>.internal.…` / `<partition>.<dc>.internal-v1.…`).
    Gateway,
    /// A prepared query (`….query.…`).
    Query,
    /// A peered service (`….external.…`).
    Peered,
}

impl SniForm {
    /// A lowercase name for the form.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::Gateway => "gateway",
            Self::Query => "query",
            Self::Peered => "peered",
        }
    }
}

impl fmt::Display for SniForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A Consul SNI name taken apart. The parts are kept as written (compare them
/// case-insensitively, as DNS does); the defaults Consul fills in (`default` namespace and
/// partition) are explicit.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Sni {
    /// A service name: `[<subset>.]<service>.<namespace>[.<partition>].<dc>.internal[-v1].<td>`.
    Service {
        /// The service.
        service: String,
        /// The subset, when named.
        subset: Option<String>,
        /// The namespace.
        namespace: String,
        /// The partition (`default` for the `internal` form).
        partition: String,
        /// The datacenter.
        datacenter: String,
        /// The trust domain.
        trust_domain: String,
    },
    /// A gateway name: `[<partition>.]<dc>.internal[-v1].<td>`.
    Gateway {
        /// The partition (`default` for the `internal` form).
        partition: String,
        /// The datacenter.
        datacenter: String,
        /// The trust domain.
        trust_domain: String,
    },
    /// A prepared query: `<name>.default.<dc>.query.<td>`.
    Query {
        /// The query name.
        name: String,
        /// The datacenter.
        datacenter: String,
        /// The trust domain.
        trust_domain: String,
    },
    /// A peered service: `<service>.<namespace>.<partition>.<peer>.external.<td>`.
    Peered {
        /// The service.
        service: String,
        /// The namespace.
        namespace: String,
        /// The partition.
        partition: String,
        /// The peer (the exporter's name for the importing cluster).
        peer: String,
        /// The exporter's trust domain.
        trust_domain: String,
    },
}

/// Why a name is not one of Consul's SNI forms.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SniError {
    /// The name is empty.
    #[error("empty server name")]
    Empty,
    /// The name has an empty label (`a..b`, a leading or trailing dot).
    #[error("server name {0:?} has an empty label")]
    EmptyLabel(String),
    /// The name does not end with the expected trust domain.
    #[error("server name {name:?} is not in trust domain {trust_domain:?}")]
    OtherTrustDomain {
        /// The name.
        name: String,
        /// The trust domain expected.
        trust_domain: String,
    },
    /// No `internal`, `internal-v1`, `query` or `external` label with the right number of
    /// labels before it.
    #[error("server name {0:?} is not a Consul mesh name")]
    NotConsul(String),
}

impl Sni {
    /// Takes apart a name whose trust domain is known (compared case-insensitively). This is
    /// exact: the label just before the trust domain says the form, and the number of labels
    /// before it says whether there is a subset.
    ///
    /// # Errors
    ///
    /// [`SniError`] when the name is empty, has an empty label, is in another trust domain, or
    /// is not one of Consul's forms.
    pub fn parse_in(name: &str, trust_domain: &str) -> Result<Self, SniError> {
        check_labels(name)?;
        let td_len = trust_domain.len();
        let prefix_len = name.len().checked_sub(td_len + 1);
        let Some(prefix_len) = prefix_len.filter(|&n| {
            name.is_char_boundary(n)
                && name.as_bytes()[n] == b'.'
                && name[n + 1..].eq_ignore_ascii_case(trust_domain)
        }) else {
            return Err(SniError::OtherTrustDomain {
                name: name.to_owned(),
                trust_domain: trust_domain.to_owned(),
            });
        };
        let labels: Vec<&str> = name[..prefix_len].split('.').collect();
        let Some((marker, before)) = labels.split_last() else {
            return Err(SniError::NotConsul(name.to_owned()));
        };
        from_parts(marker, before, &name[prefix_len + 1..])
            .ok_or_else(|| SniError::NotConsul(name.to_owned()))
    }

    /// Takes apart a name without knowing its trust domain: the first `internal`,
    /// `internal-v1`, `query` or `external` label (from the left) with a valid number of labels
    /// before it marks the form, and the rest is the trust domain.
    ///
    /// Without the trust domain a name can be ambiguous (a namespace named `internal`, say);
    /// prefer [`Sni::parse_in`] when the trust domain is known.
    ///
    /// # Errors
    ///
    /// [`SniError`] when the name is empty, has an empty label, or has no valid marker.
    pub fn parse(name: &str) -> Result<Self, SniError> {
        check_labels(name)?;
        let labels: Vec<&str> = name.split('.').collect();
        for i in 0..labels.len().saturating_sub(1) {
            let td_start = labels[..=i].iter().map(|l| l.len() + 1).sum::<usize>();
            if let Some(s) = from_parts(labels[i], &labels[..i], &name[td_start..]) {
                return Ok(s);
            }
        }
        Err(SniError::NotConsul(name.to_owned()))
    }

    /// The form of the name.
    pub fn form(&self) -> SniForm {
        match self {
            Self::Service { .. } => SniForm::Service,
            Self::Gateway { .. } => SniForm::Gateway,
            Self::Query { .. } => SniForm::Query,
            Self::Peered { .. } => SniForm::Peered,
        }
    }

    /// The datacenter the name points to (empty for a peered name, which names a peer).
    pub fn datacenter(&self) -> &str {
        match self {
            Self::Service { datacenter, .. }
            | Self::Gateway { datacenter, .. }
            | Self::Query { datacenter, .. } => datacenter,
            Self::Peered { .. } => "",
        }
    }

    /// The partition (`default` for the forms without one).
    pub fn partition(&self) -> &str {
        match self {
            Self::Service { partition, .. }
            | Self::Gateway { partition, .. }
            | Self::Peered { partition, .. } => partition,
            Self::Query { .. } => DEFAULT,
        }
    }

    /// The service (or query) name, when the name has one.
    pub fn service(&self) -> Option<&str> {
        match self {
            Self::Service { service, .. } | Self::Peered { service, .. } => Some(service),
            Self::Query { name, .. } => Some(name),
            Self::Gateway { .. } => None,
        }
    }

    /// The trust domain.
    pub fn trust_domain(&self) -> &str {
        match self {
            Self::Service { trust_domain, .. }
            | Self::Gateway { trust_domain, .. }
            | Self::Query { trust_domain, .. }
            | Self::Peered { trust_domain, .. } => trust_domain,
        }
    }
}

impl fmt::Display for Sni {
    /// Rebuilds the name with Consul's builders.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Self::Service {
                service,
                subset,
                namespace,
                partition,
                datacenter,
                trust_domain,
            } => service_sni(
                service,
                subset.as_deref().unwrap_or(""),
                namespace,
                partition,
                datacenter,
                trust_domain,
            ),
            Self::Gateway {
                partition,
                datacenter,
                trust_domain,
            } => gateway_sni(datacenter, partition, trust_domain),
            Self::Query {
                name,
                datacenter,
                trust_domain,
            } => query_sni(name, datacenter, trust_domain),
            Self::Peered {
                service,
                namespace,
                partition,
                peer,
                trust_domain,
            } => peered_service_sni(service, namespace, partition, peer, trust_domain)
                .unwrap_or_default(),
        };
        f.write_str(&s)
    }
}

impl std::str::FromStr for Sni {
    type Err = SniError;

    /// [`Sni::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn check_labels(name: &str) -> Result<(), SniError> {
    if name.is_empty() {
        return Err(SniError::Empty);
    }
    if name.split('.').any(str::is_empty) {
        return Err(SniError::EmptyLabel(name.to_owned()));
    }
    Ok(())
}

/// Interprets `before.<marker>.<td>`; `None` when the label count does not fit the marker.
fn from_parts(marker: &str, before: &[&str], td: &str) -> Option<Sni> {
    let s = |x: &str| x.to_owned();
    let td = s(td);
    if marker.eq_ignore_ascii_case(INTERNAL) {
        match *before {
            [dc] => Some(Sni::Gateway {
                partition: s(DEFAULT),
                datacenter: s(dc),
                trust_domain: td,
            }),
            [svc, ns, dc] => Some(Sni::Service {
                service: s(svc),
                subset: None,
                namespace: s(ns),
                partition: s(DEFAULT),
                datacenter: s(dc),
                trust_domain: td,
            }),
            [subset, svc, ns, dc] => Some(Sni::Service {
                service: s(svc),
                subset: Some(s(subset)),
                namespace: s(ns),
                partition: s(DEFAULT),
                datacenter: s(dc),
                trust_domain: td,
            }),
            _ => None,
        }
    } else if marker.eq_ignore_ascii_case(INTERNAL_V1) {
        match *before {
            [part, dc] => Some(Sni::Gateway {
                partition: s(part),
                datacenter: s(dc),
                trust_domain: td,
            }),
            [svc, ns, part, dc] => Some(Sni::Service {
                service: s(svc),
                subset: None,
                namespace: s(ns),
                partition: s(part),
                datacenter: s(dc),
                trust_domain: td,
            }),
            [subset, svc, ns, part, dc] => Some(Sni::Service {
                service: s(svc),
                subset: Some(s(subset)),
                namespace: s(ns),
                partition: s(part),
                datacenter: s(dc),
                trust_domain: td,
            }),
            _ => None,
        }
    } else if marker.eq_ignore_ascii_case(QUERY) {
        match *before {
            [name, ns, dc] if ns.eq_ignore_ascii_case(DEFAULT) => Some(Sni::Query {
                name: s(name),
                datacenter: s(dc),
                trust_domain: td,
            }),
            _ => None,
        }
    } else if marker.eq_ignore_ascii_case(EXTERNAL) {
        match *before {
            [svc, ns, part, peer] => Some(Sni::Peered {
                service: s(svc),
                namespace: s(ns),
                partition: s(part),
                peer: s(peer),
                trust_domain: td,
            }),
            _ => None,
        }
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TD: &str = "11111111-2222-3333-4444-555555555555.consul";

    #[test]
    fn default_partition_spelled_out_is_the_internal_form() {
        assert_eq!(
            service_sni("api", "", "", "default", "dc1", TD),
            service_sni("api", "", "", "", "dc1", TD)
        );
        assert_eq!(gateway_sni("dc1", "default", TD), datacenter_sni("dc1", TD));
    }

    #[test]
    fn peered_without_peer_is_none() {
        assert_eq!(peered_service_sni("api", "", "", "", TD), None);
    }

    #[test]
    fn parse_in_rejects_other_trust_domains_and_garbage() {
        let n = service_sni("api", "", "", "", "dc1", TD);
        assert!(matches!(
            Sni::parse_in(&n, "other.consul"),
            Err(SniError::OtherTrustDomain { .. })
        ));
        assert!(matches!(
            Sni::parse_in(&format!("a.b.{TD}"), TD),
            Err(SniError::NotConsul(_))
        ));
        assert_eq!(Sni::parse_in("", TD), Err(SniError::Empty));
        assert!(matches!(
            Sni::parse_in(&format!(".api.default.dc1.internal.{TD}"), TD),
            Err(SniError::EmptyLabel(_))
        ));
        assert!(matches!(
            Sni::parse_in(TD, TD),
            Err(SniError::OtherTrustDomain { .. })
        ));
        // Multibyte characters right where the trust domain would start must not panic.
        assert!(Sni::parse_in("é.internal.é", "xé").is_err());
    }

    #[test]
    fn parse_is_case_insensitive_on_markers_and_trust_domain() {
        let n = format!("API.Default.DC1.INTERNAL.{}", TD.to_uppercase());
        let s = Sni::parse_in(&n, TD).unwrap();
        assert_eq!(s.form(), SniForm::Service);
        assert_eq!(s.service(), Some("API"));
        assert_eq!(s.datacenter(), "DC1");
    }
}
