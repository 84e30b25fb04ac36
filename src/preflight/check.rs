//! [`Check`]: the preflight checks by name, with their default severity.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::load::error::Severity;

/// One preflight check. The names ([`Check::as_str`]) are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Check {
    /// `duplicate-datacenter`: two datacenters claim one name, or a name breaks Consul's
    /// `[a-z0-9_-]` rule.
    DuplicateDatacenter,
    /// `primary-datacenter-mismatch`: `primary_datacenter` differs between agents.
    PrimaryDatacenterMismatch,
    /// `connect-disabled`: a server lacks `connect { enabled = true }`.
    ConnectDisabled,
    /// `grpc-disabled`: an agent that runs sidecars or gateways has no gRPC port.
    GrpcDisabled,
    /// `not-wan-joined`: a datacenter's servers are not WAN joined to the others.
    NotWanJoined,
    /// `central-config-disabled`: `enable_central_service_config = false` on an agent whose
    /// proxies take their gateway mode from proxy-defaults or service-defaults.
    CentralConfigDisabled,
    /// `gateway-missing`: an upstream resolves to `local` or `remote`, but a datacenter it
    /// needs has no mesh gateway.
    GatewayMissing,
    /// `builtin-proxy-gateway`: an upstream routed through gateways from Consul's built-in
    /// proxy, which cannot use them.
    BuiltinProxyGateway,
    /// `gateway-token-missing`: ACLs are enabled and a mesh gateway registration has no token.
    GatewayTokenMissing,
    /// `mode-ignored`: a mode on a same-datacenter or prepared-query upstream.
    ModeIgnored,
    /// `peer-mode-none`: `none` on a peered upstream, which Consul treats as `remote`.
    PeerModeNone,
    /// `invalid-mode-accepted-by-consul`: an unknown mode string in a config entry.
    InvalidModeAcceptedByConsul,
    /// `config-entry-conflict`: two different entries of one kind and name that datacenters
    /// sharing their config entries see.
    ConfigEntryConflict,
    /// `l7-chain-on-tcp`: a router or splitter on a service whose protocol is not HTTP.
    L7ChainOnTcp,
    /// `chain-refused`: Consul refuses an upstream's discovery chain (a graph error).
    ChainRefused,
    /// `failover-without-gateway-mode`: a failover target in another datacenter dialed
    /// directly (mode `none`).
    FailoverWithoutGatewayMode,
}

impl Check {
    /// Every check, in documentation order.
    pub const ALL: &'static [Self] = &[
        Self::DuplicateDatacenter,
        Self::PrimaryDatacenterMismatch,
        Self::ConnectDisabled,
        Self::GrpcDisabled,
        Self::NotWanJoined,
        Self::CentralConfigDisabled,
        Self::GatewayMissing,
        Self::BuiltinProxyGateway,
        Self::GatewayTokenMissing,
        Self::ModeIgnored,
        Self::PeerModeNone,
        Self::InvalidModeAcceptedByConsul,
        Self::ConfigEntryConflict,
        Self::L7ChainOnTcp,
        Self::ChainRefused,
        Self::FailoverWithoutGatewayMode,
    ];

    /// The stable kebab-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DuplicateDatacenter => "duplicate-datacenter",
            Self::PrimaryDatacenterMismatch => "primary-datacenter-mismatch",
            Self::ConnectDisabled => "connect-disabled",
            Self::GrpcDisabled => "grpc-disabled",
            Self::NotWanJoined => "not-wan-joined",
            Self::CentralConfigDisabled => "central-config-disabled",
            Self::GatewayMissing => "gateway-missing",
            Self::BuiltinProxyGateway => "builtin-proxy-gateway",
            Self::GatewayTokenMissing => "gateway-token-missing",
            Self::ModeIgnored => "mode-ignored",
            Self::PeerModeNone => "peer-mode-none",
            Self::InvalidModeAcceptedByConsul => "invalid-mode-accepted-by-consul",
            Self::ConfigEntryConflict => "config-entry-conflict",
            Self::L7ChainOnTcp => "l7-chain-on-tcp",
            Self::ChainRefused => "chain-refused",
            Self::FailoverWithoutGatewayMode => "failover-without-gateway-mode",
        }
    }

    /// The severity a finding of this check has unless the caller changes it: an error when
    /// traffic cannot flow as configured, a warning when the configuration files alone cannot
    /// tell (a command-line flag or a token given at launch may settle it) or when Consul
    /// quietly does something other than what is written.
    pub const fn default_severity(self) -> Severity {
        match self {
            Self::DuplicateDatacenter
            | Self::PrimaryDatacenterMismatch
            | Self::ConnectDisabled
            | Self::GatewayMissing
            | Self::InvalidModeAcceptedByConsul
            | Self::L7ChainOnTcp
            | Self::ChainRefused => Severity::Error,
            Self::GrpcDisabled
            | Self::NotWanJoined
            | Self::CentralConfigDisabled
            | Self::BuiltinProxyGateway
            | Self::GatewayTokenMissing
            | Self::ModeIgnored
            | Self::PeerModeNone
            | Self::ConfigEntryConflict
            | Self::FailoverWithoutGatewayMode => Severity::Warning,
        }
    }
}

/// The preflight checks' documentation, `docs/checks.md`: each check's help is its section.
const CHECKS_MD: &str = include_str!("../../docs/checks.md");

impl Check {
    /// One line: what the check finds.
    pub const fn summary(self) -> &'static str {
        match self {
            Self::DuplicateDatacenter => {
                "two datacenters claim one name, or a name breaks Consul's [a-z0-9_-] rule"
            }
            Self::PrimaryDatacenterMismatch => "primary_datacenter differs between agents",
            Self::ConnectDisabled => "a server lacks connect { enabled = true }",
            Self::GrpcDisabled => "an agent that runs sidecars or gateways has no gRPC port",
            Self::NotWanJoined => "a datacenter's servers are not WAN joined to the others",
            Self::CentralConfigDisabled => {
                "central service config is off where proxies take their mode from config entries"
            }
            Self::GatewayMissing => {
                "an upstream resolves to local or remote, but a datacenter it needs has no mesh gateway"
            }
            Self::BuiltinProxyGateway => {
                "an upstream routed through gateways from Consul's built-in proxy, which cannot use them"
            }
            Self::GatewayTokenMissing => {
                "ACLs are enabled and a mesh gateway registration has no token"
            }
            Self::ModeIgnored => "a mode on a same-datacenter or prepared-query upstream",
            Self::PeerModeNone => "mode none on a peered upstream, which Consul treats as remote",
            Self::InvalidModeAcceptedByConsul => "an unknown mode string in a config entry",
            Self::ConfigEntryConflict => {
                "two different config entries of one kind and name where datacenters share entries"
            }
            Self::L7ChainOnTcp => {
                "a service-router or service-splitter for a service whose protocol is tcp"
            }
            Self::ChainRefused => "Consul refuses to compile an upstream's discovery chain",
            Self::FailoverWithoutGatewayMode => {
                "a failover target in another datacenter dialed directly (mode none)"
            }
        }
    }

    /// The check's documentation in Markdown: its section of `docs/checks.md` (what it
    /// checks, an example, the fix), without the heading.
    pub fn help(self) -> &'static str {
        let heading = format!("## `{}`\n", self.as_str());
        let Some(start) = CHECKS_MD.find(&heading) else {
            return self.summary();
        };
        let body = &CHECKS_MD[start + heading.len()..];
        let end = body.find("\n## ").map_or(body.len(), |i| i + 1);
        body[..end].trim()
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A name that is not a [`Check`]'s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCheck(pub String);

impl fmt::Display for UnknownCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown check {:?} (known: ", self.0)?;
        for (i, c) in Check::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(c.as_str())?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for UnknownCheck {}

impl FromStr for Check {
    type Err = UnknownCheck;

    /// The check named `s` (exact kebab-case name).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCheck(s.to_owned()))
    }
}

impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
