//! The pieces of a Consul agent configuration that a multi-datacenter mesh needs.

use serde::Serialize;

use crate::model::opaque::JsonMap;
use crate::syntax::tree::Pos;

/// An agent configuration file. Keys this crate does not model are kept in
/// [`AgentConfig::other`], not rejected: agent files hold far more than we read.
///
/// The file's `service`/`services` and `config_entries { bootstrap = [ … ] }` are not here:
/// each is a [`Document`](crate::model::document::Document) of its own, loaded after this
/// one, with its own position and diagnostics.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AgentConfig {
    /// `datacenter` (lower-cased, as Consul does before validating it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter: Option<String>,
    /// `primary_datacenter`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_datacenter: Option<String>,
    /// `server`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<bool>,
    /// `connect { … }`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<AgentConnect>,
    /// `ports { … }`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<AgentPorts>,
    /// `enable_central_service_config` (Consul's default is true since 1.9).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_central_service_config: Option<bool>,
    /// `acl { … }`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acl: Option<AgentAcl>,
    /// `retry_join_wan`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub retry_join_wan: Vec<String>,
    /// `primary_gateways`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub primary_gateways: Vec<String>,
    /// Every other key, as written.
    #[serde(flatten)]
    pub other: JsonMap,
    /// Where the file starts.
    #[serde(skip)]
    pub pos: Pos,
    /// Where each modelled key was written (snake_case names).
    #[serde(skip)]
    pub(crate) positions: Vec<(&'static str, Pos)>,
    /// The modelled keys (snake_case names) whose values were rejected when loading: they
    /// read as unset, and checks on them would only repeat the load error.
    #[serde(skip)]
    pub(crate) invalid: Vec<&'static str>,
}

impl AgentConfig {
    /// Whether the value of the modelled key `key` (snake_case) was rejected when loading.
    pub fn is_invalid(&self, key: &str) -> bool {
        self.invalid.contains(&key)
    }

    /// Where the modelled key `key` (snake_case: `connect`, `ports`, `datacenter`, …) was
    /// written, or where the file starts when it was not.
    pub fn pos_of(&self, key: &str) -> Pos {
        self.positions
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(self.pos, |(_, p)| *p)
    }
}

/// The agent's `connect { … }` block.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AgentConnect {
    /// `enabled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `enable_mesh_gateway_wan_federation`: WAN federation through mesh gateways (set on
    /// the primary's servers; secondaries name the primary's gateways in `primary_gateways`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_mesh_gateway_wan_federation: Option<bool>,
}

/// The agent's `ports { … }` block (the parts that matter here).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AgentPorts {
    /// `grpc` (a negative port disables it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc: Option<i64>,
    /// `grpc_tls` (a negative port disables it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc_tls: Option<i64>,
}

/// The agent's `acl { … }` block (the parts that matter here).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AgentAcl {
    /// `enabled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}
