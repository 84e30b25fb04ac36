//! [`Warning`]: what building a topology or resolving a route noticed, typed.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::load::error::{Problem, ProblemRef, Severity, Source};
use crate::syntax::tree::Pos;
use crate::text::Escaped;

/// What a [`Warning`] is about. The names ([`WarningKind::as_str`]) are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum WarningKind {
    /// The agent configurations of one directory name different datacenters; the later file
    /// (in name order) wins, as Consul merges a config directory.
    DatacenterOverridden,
    /// Agent configurations of one datacenter disagree on `primary_datacenter`.
    PrimaryDatacenterConflict,
    /// No agent configuration here or above: the datacenter was taken from the directory's
    /// name.
    DatacenterAssumed,
    /// Saved CA roots name different trust domains.
    TrustDomainConflict,
    /// Two different config entries of one kind and name that one datacenter sees; the first
    /// one loaded is used.
    DuplicateConfigEntry,
    /// A `config_entries.bootstrap` entry Consul never writes (a client's, or a server's of
    /// another datacenter than the primary).
    BootstrapIgnored,
    /// Consul refuses the upstream's discovery chain (a graph error, Consul's text).
    ChainRefused,
    /// A `connect-proxy` registration without `destination_service_name`: skipped.
    ProxyWithoutDestination,
    /// A sidecar without a port: the port Consul's agent would assign was assumed.
    SidecarPortAssumed,
    /// No trust domain is known, so no SNI name can be built.
    NoTrustDomain,
    /// The next hop has no mesh gateway to dial.
    NoGateway,
    /// The local mesh gateways have no gateway of the destination to forward to.
    NowhereToForward,
    /// Instances or gateways left out for want of an address or a port.
    Unaddressed,
    /// The destination datacenter is not among the inputs.
    UnknownDatacenter,
    /// No connect-enabled instance of the destination is registered.
    NoInstance,
    /// An upstream that names both a peer and a datacenter (Consul rejects it).
    PeerWithDatacenter,
    /// Mode `none` on a peered upstream, which Consul treats as `remote`.
    PeerModeNone,
    /// A peer's gateways and SNI come from the peering at run time.
    PeerAtRunTime,
    /// A Nomad job placed in a datacenter that is not among its `datacenters`.
    NomadDatacenter,
}

impl WarningKind {
    /// The stable kebab-case name (`no-gateway`, `datacenter-assumed`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DatacenterOverridden => "datacenter-overridden",
            Self::PrimaryDatacenterConflict => "primary-datacenter-conflict",
            Self::DatacenterAssumed => "datacenter-assumed",
            Self::TrustDomainConflict => "trust-domain-conflict",
            Self::DuplicateConfigEntry => "duplicate-config-entry",
            Self::BootstrapIgnored => "bootstrap-ignored",
            Self::ChainRefused => "chain-refused",
            Self::ProxyWithoutDestination => "proxy-without-destination",
            Self::SidecarPortAssumed => "sidecar-port-assumed",
            Self::NoTrustDomain => "no-trust-domain",
            Self::NoGateway => "no-gateway",
            Self::NowhereToForward => "nowhere-to-forward",
            Self::Unaddressed => "unaddressed",
            Self::UnknownDatacenter => "unknown-datacenter",
            Self::NoInstance => "no-instance",
            Self::PeerWithDatacenter => "peer-with-datacenter",
            Self::PeerModeNone => "peer-mode-none",
            Self::PeerAtRunTime => "peer-at-run-time",
            Self::NomadDatacenter => "nomad-datacenter",
        }
    }
}

impl fmt::Display for WarningKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for WarningKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Something worth knowing that is not an error: a guess made, an entry ignored, a route that
/// cannot work as configured.
///
/// ```
/// use meshroute::{Topology, WarningKind};
///
/// let topology = Topology::builder().add_datacenter("dc1").build();
/// let resolution = topology.resolve();
/// let w = &resolution.warnings[0];
/// assert_eq!(w.kind(), WarningKind::NoTrustDomain);
/// assert!(w.to_string().starts_with("no trust domain"));
/// ```
///
/// It serializes as its [`Problem`]: the kind's name is the `code`, `source` is `topology`,
/// `severity` is `warning`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Warning {
    kind: WarningKind,
    message: String,
    file: Option<PathBuf>,
    line: Option<u32>,
}

impl Warning {
    /// A warning of `kind`.
    pub fn new(kind: WarningKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            file: None,
            line: None,
        }
    }

    /// The same warning, located in `file` at `pos` (a line of 0 is no line).
    #[must_use]
    pub fn at(mut self, file: Option<&Path>, pos: Pos) -> Self {
        self.file = file.map(Path::to_path_buf);
        self.line = Some(pos.line).filter(|l| *l > 0);
        self
    }

    /// What it is about.
    pub fn kind(&self) -> WarningKind {
        self.kind
    }

    /// The message, without location.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The file it concerns, when known.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The line it concerns, when known.
    pub fn line(&self) -> Option<u32> {
        self.line
    }
}

impl Warning {
    /// Its [`Problem`]'s fields, borrowed: the one place a warning becomes a problem.
    pub(crate) fn problem(&self) -> ProblemRef<'_> {
        let pos = Pos::new(self.line.unwrap_or(0), 0);
        ProblemRef::new(
            self.kind.as_str(),
            Source::Topology,
            Severity::Warning,
            &self.message,
        )
        .at(self.file.as_deref(), pos)
    }
}

impl From<&Warning> for Problem {
    fn from(w: &Warning) -> Self {
        w.problem().to_problem()
    }
}

impl Serialize for Warning {
    /// As its [`Problem`].
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Problem::from(self).serialize(s)
    }
}

impl fmt::Display for Warning {
    /// The message alone (the location, when there is one, is part of what it says), control
    /// characters escaped ([`Escaped`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Escaped(&self.message))
    }
}
