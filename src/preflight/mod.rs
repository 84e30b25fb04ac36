//! Preflight: the product document's prerequisites for mesh gateways, checked across
//! datacenters from the config files, before anything is deployed.
//!
//! Consul checks almost none of these up front; operators find out when connections fail.
//! Each problem is a [`Finding`]: a stable [`Check`] name, a [`Severity`], the file and line
//! it concerns, and a message that says what to change. `docs/checks.md` documents every
//! check with an example and the fix.
//!
//! How documents are grouped: an *agent* is a directory holding agent configurations (Consul
//! merges every file of a config directory, later names winning); its services are the
//! service definitions in that directory or below it (the nearest agent up the tree). An
//! agent is a *server* when its merged `server` is true. A datacenter is every agent that
//! claims its name (`datacenter`, Consul's `dc1` when unset).
//!
//! ```
//! use meshroute::preflight::{self, Check};
//! use meshroute::{Format, Loader, Severity, Topology};
//!
//! let loaded = Loader::new().load_str(
//!     r#"
//! datacenter = "dc1"
//! server     = true
//! ports { grpc = 8502 }
//! "#,
//!     Format::Hcl,
//!     Some(std::path::Path::new("dc1/agent.hcl")),
//! );
//! let topology = Topology::from_documents(&loaded.documents, None);
//! let findings = preflight::run(&loaded.documents, &topology);
//! assert_eq!(findings.len(), 1);
//! let f = &findings[0];
//! assert_eq!(f.check, Check::ConnectDisabled);
//! assert_eq!(f.severity, Severity::Error);
//! assert_eq!(f.pos.line, 2);
//! assert_eq!(
//!     f.to_string(),
//!     format!("dc1/agent.hcl:2:1: [connect-disabled] {}", f.message)
//! );
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::load::error::{Diagnostic, DiagnosticKind, Severity};
use crate::model::agent::AgentConfig;
use crate::model::document::{Content, Document};
use crate::model::mode::MeshGatewayMode;
use crate::model::service::{DestinationType, ServiceDefinition, ServiceKind, Upstream};
use crate::resolve::{HopKind, Layer};
use crate::syntax::tree::Pos;
use crate::topology::{DEFAULT_DATACENTER, Datacenter, Proxy, Topology};

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
            | Self::InvalidModeAcceptedByConsul => Severity::Error,
            Self::GrpcDisabled
            | Self::NotWanJoined
            | Self::CentralConfigDisabled
            | Self::BuiltinProxyGateway
            | Self::GatewayTokenMissing
            | Self::ModeIgnored
            | Self::PeerModeNone => Severity::Warning,
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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

/// One problem found by a check.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// Which check.
    pub check: Check,
    /// How serious ([`Check::default_severity`] unless changed).
    pub severity: Severity,
    /// The file it concerns (`None` for documents read from no file).
    pub file: Option<PathBuf>,
    /// Where in the file (line and column; `0` when unknown).
    pub pos: Pos,
    /// The key path it concerns, as load diagnostics give it
    /// (`MeshGateway.Mode`); empty when the finding concerns a whole setting or document.
    pub path: String,
    /// What is wrong and what to change.
    pub message: String,
}

impl Finding {
    /// A finding of `check` with its default severity.
    pub fn new(check: Check, file: Option<&Path>, pos: Pos, message: impl Into<String>) -> Self {
        Self {
            check,
            severity: check.default_severity(),
            file: file.map(Path::to_path_buf),
            pos,
            path: String::new(),
            message: message.into(),
        }
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Finding {
    /// `FILE:LINE:COL: [check-name] message`, with `warning: ` before the name of warnings
    /// and the key path, when there is one, before the message (`PATH: message`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}", file.display())?,
            None => f.write_str("<input>")?,
        }
        write!(f, ":{}:{}: ", self.pos.line, self.pos.column)?;
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        write!(f, "[{}] ", self.check)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// The marker text the loader puts in an invalid mode's message when it comes from a config
/// entry (where Consul would accept the string silently).
const CONFIG_ENTRY_MODE_NOTE: &str = "Consul accepts an unknown mode in a config entry silently";

/// The check a load diagnostic belongs to, as a finding: an invalid mode string in a config
/// entry is [`Check::InvalidModeAcceptedByConsul`]; a datacenter name that breaks Consul's
/// `[a-z0-9_-]` rule is [`Check::DuplicateDatacenter`]. Other diagnostics belong to no check.
///
/// The finding keeps the diagnostic's key path and message.
pub fn from_diagnostic(d: &Diagnostic) -> Option<Finding> {
    let check = match d.kind() {
        DiagnosticKind::InvalidMode if d.message().contains(CONFIG_ENTRY_MODE_NOTE) => {
            Check::InvalidModeAcceptedByConsul
        }
        DiagnosticKind::Invalid
            if (d.path() == "datacenter" || d.path().ends_with(".datacenter"))
                && d.message().starts_with("datacenter cannot be") =>
        {
            Check::DuplicateDatacenter
        }
        _ => return None,
    };
    Some(Finding {
        severity: if d.is_error() {
            check.default_severity()
        } else {
            Severity::Warning
        },
        path: d.path().to_owned(),
        ..Finding::new(check, d.file(), d.pos(), d.message())
    })
}

/// Runs every check on loaded `documents` and their `topology` (built from the same
/// documents, e.g. with [`Topology::from_documents`]). Findings come sorted by file, line,
/// column and check. Load diagnostics that belong to a check are turned into findings by
/// [`from_diagnostic`], not here.
///
/// ```
/// use meshroute::preflight::{self, Check};
/// use meshroute::{Loader, Topology};
///
/// let loaded = Loader::new().load_paths(&["examples"]);
/// assert!(!loaded.has_errors());
/// let topology = Topology::from_documents(&loaded.documents, None);
/// let findings = preflight::run(&loaded.documents, &topology);
/// assert!(findings.is_empty(), "{findings:?}");
/// assert_eq!("gateway-missing".parse::<Check>(), Ok(Check::GatewayMissing));
/// ```
pub fn run(documents: &[Document], topology: &Topology) -> Vec<Finding> {
    let cx = Cx::new(documents, topology);
    let mut out = Vec::new();
    cx.duplicate_datacenter(&mut out);
    cx.primary_datacenter_mismatch(&mut out);
    cx.connect_disabled(&mut out);
    cx.grpc_disabled(&mut out);
    cx.not_wan_joined(&mut out);
    cx.central_config_disabled(&mut out);
    cx.routes(&mut out);
    cx.gateway_token_missing(&mut out);
    out.sort_by(|a, b| {
        (&a.file, a.pos, a.check, &a.message).cmp(&(&b.file, b.pos, b.check, &b.message))
    });
    out.dedup();
    out
}

// ---------------------------------------------------------------------------------------
// Agents: one per directory holding agent configurations.

#[derive(Debug)]
struct AgentFile<'a> {
    file: Option<&'a Path>,
    cfg: &'a AgentConfig,
}

#[derive(Debug)]
struct Agent<'a> {
    dir: PathBuf,
    /// Sorted by file name: Consul merges a directory in lexical order, later files winning.
    files: Vec<AgentFile<'a>>,
    dc: String,
}

/// A location: file and position.
type Loc<'a> = (Option<&'a Path>, Pos);

impl<'a> Agent<'a> {
    /// The merged value of a setting (the last file that sets it wins) and where it was set.
    fn get<T>(&self, key: &str, f: impl Fn(&'a AgentConfig) -> Option<T>) -> Option<(T, Loc<'a>)> {
        self.files
            .iter()
            .rev()
            .find_map(|af| f(af.cfg).map(|v| (v, (af.file, af.cfg.pos_of(key)))))
    }

    /// Where `key` was set, else where the datacenter was named, else the first file's start.
    fn loc(&self, key: &str) -> Loc<'a> {
        for k in [key, "datacenter"] {
            if let Some(af) = self
                .files
                .iter()
                .rev()
                .find(|af| af.cfg.positions.iter().any(|(n, _)| *n == k))
            {
                return (af.file, af.cfg.pos_of(k));
            }
        }
        let af = &self.files[0];
        (af.file, af.cfg.pos)
    }

    fn is_server(&self) -> bool {
        self.get("server", |a| a.server).is_some_and(|(s, _)| s)
    }

    fn strings(&self, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        for af in &self.files {
            let modelled = match key {
                "retry_join_wan" => &af.cfg.retry_join_wan,
                "primary_gateways" => &af.cfg.primary_gateways,
                _ => &Vec::new(),
            };
            out.extend(modelled.iter().filter(|s| !s.is_empty()).cloned());
            if let Some(v) = af.cfg.other.get(key) {
                match v {
                    serde_json::Value::String(s) if !s.is_empty() => out.push(s.clone()),
                    serde_json::Value::Array(items) => out.extend(
                        items
                            .iter()
                            .filter_map(serde_json::Value::as_str)
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned),
                    ),
                    _ => {}
                }
            }
        }
        out
    }

    fn other_str(&self, key: &str) -> Option<String> {
        self.files.iter().rev().find_map(|af| {
            af.cfg
                .other
                .get(key)
                .and_then(serde_json::Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        })
    }
}

struct Cx<'a> {
    documents: &'a [Document],
    topology: &'a Topology,
    agents: Vec<Agent<'a>>,
    by_dir: HashMap<PathBuf, usize>,
    /// Proxies recognised as Consul's built-in proxy: (file, proxy ID).
    builtin: HashSet<(Option<&'a Path>, String)>,
}

fn dir_of(file: Option<&Path>) -> PathBuf {
    file.and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn show(file: Option<&Path>) -> String {
    file.map_or_else(|| "<input>".to_owned(), |f| f.display().to_string())
}

fn show_loc(loc: Loc<'_>) -> String {
    format!("{}:{}", show(loc.0), loc.1.line)
}

/// Consul's rule for datacenter names (after lower-casing).
fn valid_dc_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// The host of a join address: `[::1]:8302` → `::1`, `10.0.0.1:8302` → `10.0.0.1`.
fn host_of(addr: &str) -> &str {
    let addr = addr.trim();
    if let Some(rest) = addr.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match addr.split_once(':') {
        Some((h, p)) if !p.contains(':') => h,
        _ => addr,
    }
}

/// The built-in proxy reads these `proxy.config` keys; Envoy does not.
const BUILTIN_ONLY_KEYS: &[&str] = &[
    "handshake_timeout_ms",
    "tcp_check_address",
    "disable_tcp_check",
];

/// The `meta` key that declares which proxy runs a sidecar (`builtin` or `envoy`).
pub const PROXY_META_KEY: &str = "meshroute-proxy";

fn is_builtin(sidecar: &ServiceDefinition, parent: Option<&ServiceDefinition>) -> bool {
    let declared = [Some(sidecar), parent]
        .into_iter()
        .flatten()
        .find_map(|s| s.meta.get(PROXY_META_KEY));
    if let Some(v) = declared {
        return v.eq_ignore_ascii_case("builtin") || v.eq_ignore_ascii_case("built-in");
    }
    let Some(cfg) = sidecar.proxy.as_ref().and_then(|p| p.config.as_ref()) else {
        return false;
    };
    let key = |k: &String| k.to_ascii_lowercase();
    !cfg.keys().any(|k| key(k).starts_with("envoy_"))
        && cfg
            .keys()
            .any(|k| BUILTIN_ONLY_KEYS.contains(&key(k).as_str()))
}

impl<'a> Cx<'a> {
    fn new(documents: &'a [Document], topology: &'a Topology) -> Self {
        let mut dirs: BTreeMap<PathBuf, Vec<AgentFile<'a>>> = BTreeMap::new();
        let mut builtin = HashSet::new();
        for doc in documents {
            let file = doc.file.as_deref();
            match &doc.content {
                Content::Agent(cfg) => dirs
                    .entry(dir_of(file))
                    .or_default()
                    .push(AgentFile { file, cfg }),
                Content::Service(s) => {
                    if s.kind == ServiceKind::ConnectProxy {
                        if is_builtin(s, None) {
                            builtin.insert((file, s.service_id().to_owned()));
                        }
                    } else if let Some(sc) = s.sidecar()
                        && is_builtin(sc, Some(s))
                    {
                        let id = sc
                            .id
                            .clone()
                            .filter(|i| !i.is_empty())
                            .unwrap_or_else(|| format!("{}-sidecar-proxy", s.service_id()));
                        builtin.insert((file, id));
                    }
                }
                _ => {}
            }
        }
        let mut agents = Vec::new();
        let mut by_dir = HashMap::new();
        for (dir, mut files) in dirs {
            files.sort_by(|a, b| a.file.cmp(&b.file));
            let mut agent = Agent {
                dir: dir.clone(),
                files,
                dc: String::new(),
            };
            // The first file that names a datacenter, as the topology groups documents (it
            // warns when the files of one directory disagree; Consul's merge would take the
            // last).
            agent.dc = agent
                .files
                .iter()
                .find_map(|af| af.cfg.datacenter.as_deref().filter(|d| !d.is_empty()))
                .map_or(DEFAULT_DATACENTER.to_owned(), str::to_ascii_lowercase);
            by_dir.insert(dir, agents.len());
            agents.push(agent);
        }
        Self {
            documents,
            topology,
            agents,
            by_dir,
            builtin,
        }
    }

    /// The agent a file belongs to: the nearest directory up the tree with agent configs.
    fn agent_of(&self, file: Option<&Path>) -> Option<&Agent<'a>> {
        self.agent_index(file).map(|i| &self.agents[i])
    }

    /// The index in `agents` of the agent a file belongs to.
    fn agent_index(&self, file: Option<&Path>) -> Option<usize> {
        let dir = dir_of(file);
        dir.ancestors().find_map(|d| self.by_dir.get(d)).copied()
    }

    /// The datacenter of a file, as the topology assigns it.
    fn dc_of(&self, file: Option<&Path>) -> String {
        if file.is_none() {
            return DEFAULT_DATACENTER.to_owned();
        }
        if let Some(a) = self.agent_of(file) {
            return a.dc.clone();
        }
        dir_of(file)
            .file_name()
            .and_then(|n| n.to_str())
            .map_or_else(|| DEFAULT_DATACENTER.to_owned(), str::to_ascii_lowercase)
    }

    /// Datacenter names (of agents), each with its server agents.
    fn datacenters(&self) -> BTreeMap<&str, Vec<&Agent<'a>>> {
        let mut out: BTreeMap<&str, Vec<&Agent<'a>>> = BTreeMap::new();
        for a in &self.agents {
            let servers = out.entry(a.dc.as_str()).or_default();
            if a.is_server() {
                servers.push(a);
            }
        }
        out
    }

    // -----------------------------------------------------------------------------------

    fn duplicate_datacenter(&self, out: &mut Vec<Finding>) {
        // A datacenter's root: the outermost directory up the tree whose agent claims the
        // same name. Agents under one root are the same datacenter's servers and clients.
        let mut roots: BTreeMap<(&str, PathBuf), Vec<&Agent<'a>>> = BTreeMap::new();
        for a in &self.agents {
            let root = a
                .dir
                .ancestors()
                .filter(|d| {
                    self.by_dir
                        .get(*d)
                        .is_some_and(|&i| self.agents[i].dc == a.dc)
                })
                .last()
                .map_or_else(|| a.dir.clone(), Path::to_path_buf);
            roots.entry((a.dc.as_str(), root)).or_default().push(a);
        }
        let mut first_of: HashMap<&str, Loc<'a>> = HashMap::new();
        for ((dc, _), agents) in &roots {
            if !valid_dc_name(dc) {
                continue; // the loader reports the name itself
            }
            let Some(server) = agents.iter().find(|a| a.is_server()) else {
                continue;
            };
            let here = server.loc("datacenter");
            match first_of.get(dc) {
                None => {
                    first_of.insert(dc, here);
                }
                Some(first) => out.push(Finding::new(
                    Check::DuplicateDatacenter,
                    here.0,
                    here.1,
                    format!(
                        "datacenter {dc:?} is also claimed by the servers configured in {} (another directory tree): each datacenter needs a unique name; rename one of them, or, if both are servers of one datacenter, put their agent configurations in one directory (or under a directory whose agent configuration names {dc:?})",
                        show_loc(*first)
                    ),
                )),
            }
        }
    }

    fn primary_datacenter_mismatch(&self, out: &mut Vec<Finding>) {
        // (value, explicit, agent)
        let mut values: Vec<(String, bool, &Agent<'a>)> = Vec::new();
        for a in &self.agents {
            let explicit = a
                .get("primary_datacenter", |c| {
                    c.primary_datacenter.as_deref().filter(|p| !p.is_empty())
                })
                .map(|(p, _)| p.to_ascii_lowercase());
            match explicit {
                Some(p) => values.push((p, true, a)),
                None if a.is_server() => values.push((a.dc.clone(), false, a)),
                None => {}
            }
        }
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (v, _, _) in &values {
            *counts.entry(v.as_str()).or_default() += 1;
        }
        if counts.len() < 2 {
            return;
        }
        let known = |v: &str| self.agents.iter().any(|a| a.dc == v);
        // The reference: most agents name it; then a datacenter of the inputs; then by name.
        let Some(reference) = counts
            .iter()
            .max_by(|a, b| {
                (a.1, known(a.0), std::cmp::Reverse(a.0)).cmp(&(
                    b.1,
                    known(b.0),
                    std::cmp::Reverse(b.0),
                ))
            })
            .map(|(v, _)| (*v).to_owned())
        else {
            return;
        };
        let Some(ref_loc) = values
            .iter()
            .find(|(v, _, _)| *v == reference)
            .map(|(_, _, a)| a.loc("primary_datacenter"))
        else {
            return;
        };
        for (v, explicit, a) in &values {
            if *v == reference {
                continue;
            }
            let loc = a.loc("primary_datacenter");
            let what = if *explicit {
                format!("primary_datacenter is {v:?} here")
            } else {
                format!(
                    "primary_datacenter is not set, so this server of {:?} takes its own datacenter as the primary",
                    a.dc
                )
            };
            out.push(Finding::new(
                Check::PrimaryDatacenterMismatch,
                loc.0,
                loc.1,
                format!(
                    "{what}, but {reference:?} in {}: the primary datacenter is the authority for Connect certificates and must be the same everywhere; set primary_datacenter = {reference:?}",
                    show_loc(ref_loc)
                ),
            ));
        }
    }

    fn connect_disabled(&self, out: &mut Vec<Finding>) {
        for a in self.agents.iter().filter(|a| a.is_server()) {
            let enabled = a.get("connect", |c| c.connect.as_ref().and_then(|c| c.enabled));
            if enabled.as_ref().is_some_and(|(e, _)| *e) {
                continue;
            }
            let loc = enabled.map_or_else(|| a.loc("connect"), |(_, l)| l);
            let what = if enabled.is_some() {
                "connect.enabled is false"
            } else {
                "connect { enabled = true } is not set (Consul's default is off)"
            };
            out.push(Finding::new(
                Check::ConnectDisabled,
                loc.0,
                loc.1,
                format!(
                    "server of datacenter {:?}: {what}; Connect must be enabled on the servers of every datacenter that mesh gateways join: set connect {{ enabled = true }}",
                    a.dc
                ),
            ));
        }
    }

    /// The proxies and gateways registered with each agent (by index), described.
    fn proxies_by_agent(&self) -> HashMap<usize, Vec<String>> {
        let mut out: HashMap<usize, Vec<String>> = HashMap::new();
        for doc in self.documents {
            let Content::Service(s) = &doc.content else {
                continue;
            };
            let what = if s.kind == ServiceKind::ConnectProxy || s.kind.is_gateway() {
                format!("{} {:?}", s.kind, s.service_id())
            } else if s.sidecar().is_some() {
                format!("the sidecar of {:?}", s.service_id())
            } else {
                continue;
            };
            if let Some(i) = self.agent_index(doc.file.as_deref()) {
                out.entry(i).or_default().push(what);
            }
        }
        out
    }

    fn grpc_disabled(&self, out: &mut Vec<Finding>) {
        let proxies = self.proxies_by_agent();
        for (i, a) in self.agents.iter().enumerate() {
            let grpc = a.get("ports", |c| c.ports.as_ref().and_then(|p| p.grpc));
            let tls = a.get("ports", |c| c.ports.as_ref().and_then(|p| p.grpc_tls));
            if grpc.as_ref().is_some_and(|(p, _)| *p > 0)
                || tls.as_ref().is_some_and(|(p, _)| *p > 0)
            {
                continue;
            }
            let Some(proxies) = proxies.get(&i) else {
                continue;
            };
            let Some(first) = proxies.first() else {
                continue;
            };
            let more = match proxies.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            let what = if grpc.is_some() || tls.is_some() {
                "gRPC is disabled (ports.grpc and ports.grpc_tls are not positive)"
            } else {
                "neither ports.grpc nor ports.grpc_tls is set (Consul before 1.14 leaves gRPC off by default; later versions enable only grpc_tls, on servers)"
            };
            let loc = grpc.or(tls).map_or_else(|| a.loc("ports"), |(_, l)| l);
            out.push(Finding::new(
                Check::GrpcDisabled,
                loc.0,
                loc.1,
                format!(
                    "this agent runs {first}{more}, which get their Envoy configuration over gRPC, but {what}: set ports {{ grpc = 8502 }} (or grpc_tls = 8503 with TLS)"
                ),
            ));
        }
    }

    fn not_wan_joined(&self, out: &mut Vec<Finding>) {
        let dcs = self.datacenters();
        if dcs.len() < 2 {
            return;
        }
        // Join addresses each datacenter's servers name, by datacenter.
        let joins: BTreeMap<&str, Vec<String>> = dcs
            .iter()
            .map(|(dc, servers)| {
                let v = servers
                    .iter()
                    .flat_map(|a| {
                        let mut v = a.strings("retry_join_wan");
                        v.extend(a.strings("start_join_wan"));
                        v
                    })
                    .collect();
                (*dc, v)
            })
            .collect();
        for (dc, servers) in &dcs {
            let Some(first) = servers.first() else {
                continue; // no server among the inputs: nothing to check
            };
            let own = !joins[dc].is_empty()
                || servers
                    .iter()
                    .any(|a| !a.strings("primary_gateways").is_empty());
            let federated_primary = servers.iter().any(|a| {
                a.get("connect", |c| {
                    c.connect
                        .as_ref()
                        .and_then(|c| c.enable_mesh_gateway_wan_federation)
                })
                .is_some_and(|(e, _)| e)
                    && a.get("primary_datacenter", |c| c.primary_datacenter.as_deref())
                        .map_or(a.dc.as_str(), |(p, _)| p)
                        .eq_ignore_ascii_case(dc)
            });
            let addresses: Vec<String> = servers
                .iter()
                .flat_map(|a| {
                    ["advertise_addr_wan", "advertise_addr", "bind_addr"]
                        .into_iter()
                        .filter_map(|k| a.other_str(k))
                })
                .collect();
            let joined_by_others = joins.iter().any(|(other, list)| {
                other != dc
                    && list
                        .iter()
                        .any(|j| addresses.iter().any(|a| host_of(j) == host_of(a)))
            });
            if own || federated_primary || joined_by_others {
                continue;
            }
            let loc = first.loc("retry_join_wan");
            out.push(Finding::new(
                Check::NotWanJoined,
                loc.0,
                loc.1,
                format!(
                    "the servers of datacenter {dc:?} have no WAN join settings (retry_join_wan, start_join_wan), no mesh gateway WAN federation (primary_gateways, or connect {{ enable_mesh_gateway_wan_federation = true }} on the primary), and no other datacenter's servers join their addresses: add retry_join_wan = [\"<a server of another datacenter>\"], or federate through mesh gateways"
                ),
            ));
        }
    }

    fn for_each_route(&self, mut f: impl FnMut(&Datacenter, &Proxy, &Upstream)) {
        for dc in self.topology.datacenters() {
            for proxy in dc.proxies() {
                for up in &proxy.upstreams {
                    f(dc, proxy, up);
                }
            }
        }
    }

    fn central_config_disabled(&self, out: &mut Vec<Finding>) {
        // Agents that turn central config off: index → where.
        let off: HashMap<usize, Loc<'a>> = self
            .agents
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                match a.get("enable_central_service_config", |c| {
                    c.enable_central_service_config
                }) {
                    Some((false, loc)) => Some((i, loc)),
                    _ => None,
                }
            })
            .collect();
        if off.is_empty() {
            return;
        }
        let mut relying: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        self.for_each_route(|dc, proxy, up| {
            let Some(i) = self
                .agent_index(proxy.file.as_deref())
                .filter(|i| off.contains_key(i))
            else {
                return;
            };
            let route = self.topology.resolve_upstream(dc, proxy, up);
            if matches!(
                route.decided_by,
                Layer::ProxyDefaults
                    | Layer::ServiceDefaults
                    | Layer::UpstreamDefaults
                    | Layer::UpstreamOverride
            ) {
                relying.entry(i).or_default().push(format!(
                    "{} -> {} ({}, from {})",
                    proxy.service, up.destination_name, route.mode, route.decided_by
                ));
            }
        });
        for (i, list) in relying {
            let (Some(first), Some(loc)) = (list.first(), off.get(&i)) else {
                continue;
            };
            let more = match list.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            out.push(Finding::new(
                Check::CentralConfigDisabled,
                loc.0,
                loc.1,
                format!(
                    "enable_central_service_config = false, but upstreams of proxies registered with this agent take their gateway mode from central config entries: {first}{more}; the agent does not apply proxy-defaults or service-defaults to its registrations without it: remove the setting (the default is true since Consul 1.9) or set the modes on the registrations"
                ),
            ));
        }
    }

    /// `gateway-missing`, `builtin-proxy-gateway`, `mode-ignored` and `peer-mode-none`: the
    /// checks that read resolved upstreams.
    fn routes(&self, out: &mut Vec<Finding>) {
        self.for_each_route(|dc, proxy, up| {
            let file = proxy.file.as_deref();
            let route = self.topology.resolve_upstream(dc, proxy, up);
            let name = &up.destination_name;
            let peer = up.destination_peer.as_deref().filter(|p| !p.is_empty());
            let how = format!("{} (from {})", route.mode, route.decided_by);
            let target_dc = up
                .datacenter
                .as_deref()
                .filter(|d| !d.is_empty())
                .unwrap_or(dc.name());
            let same = peer.is_none()
                && target_dc == dc.name()
                && up.partition() == proxy.partition;
            let prepared = up.destination_type == DestinationType::PreparedQuery;

            // mode-ignored: only a mode written on the upstream itself.
            let own = up.mesh_gateway.mode;
            if !own.is_default() && (prepared || same) {
                let why = if prepared {
                    "a prepared query upstream never goes through mesh gateways (its results are dialed directly)".to_owned()
                } else {
                    format!(
                        "the upstream is in this proxy's own datacenter {:?}, where Consul dials the instances directly",
                        dc.name()
                    )
                };
                out.push(Finding::new(
                    Check::ModeIgnored,
                    file,
                    up.pos,
                    format!(
                        "upstream {name:?} of {:?}: mesh_gateway mode {:?} is ignored: {why}; remove it",
                        proxy.service,
                        own.as_str()
                    ),
                ));
            }

            if let Some(peer) = peer
                && route.mode == MeshGatewayMode::None
            {
                out.push(Finding::new(
                    Check::PeerModeNone,
                    file,
                    up.pos,
                    format!(
                        "upstream {name:?} of {:?} (peer {peer:?}) resolves to none (from {}), which Consul treats as remote for peered upstreams: set mode \"remote\" (or \"local\") to say what happens",
                        proxy.service, route.decided_by
                    ),
                ));
            }

            if prepared || same {
                return;
            }
            // gateway-missing
            let needs: Vec<(&str, &str, &str)> = match (route.mode, peer) {
                (MeshGatewayMode::Local, _) => {
                    let mut v = vec![(dc.name(), proxy.partition.as_str(), "local")];
                    if peer.is_none() {
                        v.push((target_dc, up.partition(), "destination"));
                    }
                    v
                }
                (MeshGatewayMode::Remote, None) => {
                    vec![(target_dc, up.partition(), "destination")]
                }
                _ => Vec::new(),
            };
            for (need_dc, part, role) in needs {
                // Only datacenters an agent configuration names: otherwise the inputs are a
                // fragment (one file, a services directory) and cannot tell.
                let Some(d) = self
                    .topology
                    .datacenter(need_dc)
                    .filter(|_| self.agents.iter().any(|a| a.dc == need_dc))
                else {
                    continue;
                };
                if d.has_gateways(part) {
                    continue;
                }
                let of_part = if part == "default" {
                    String::new()
                } else {
                    format!(" of partition {part:?}")
                };
                out.push(Finding::new(
                    Check::GatewayMissing,
                    file,
                    up.pos,
                    format!(
                        "upstream {name:?} of {:?} resolves to {how}, but the {role} datacenter {need_dc:?} has no mesh gateway{of_part} registered: register a service with kind = \"mesh-gateway\" there, or change the mode",
                        proxy.service
                    ),
                ));
            }

            // builtin-proxy-gateway
            if route.next_hop.kind != HopKind::Direct
                && self.builtin.contains(&(file, proxy.id.clone()))
            {
                out.push(Finding::new(
                    Check::BuiltinProxyGateway,
                    file,
                    up.pos,
                    format!(
                        "upstream {name:?} of {:?} resolves to {how} through mesh gateways, but its sidecar {:?} looks like Consul's built-in proxy, and only Envoy can use mesh gateways: run Envoy for this sidecar, or set mode \"none\" on the upstream",
                        proxy.service, proxy.id
                    ),
                ));
            }
        });
    }

    fn gateway_token_missing(&self, out: &mut Vec<Finding>) {
        for doc in self.documents {
            let Content::Service(s) = &doc.content else {
                continue;
            };
            if s.kind != ServiceKind::MeshGateway
                || s.token.as_deref().is_some_and(|t| !t.is_empty())
            {
                continue;
            }
            let file = doc.file.as_deref();
            let dc = self.dc_of(file);
            let acl = self.agents.iter().filter(|a| a.dc == dc).find_map(|a| {
                a.get("acl", |c| c.acl.as_ref().and_then(|a| a.enabled))
                    .filter(|(e, _)| *e)
            });
            let Some((_, acl_loc)) = acl else {
                continue;
            };
            out.push(Finding::new(
                Check::GatewayTokenMissing,
                file,
                s.pos,
                format!(
                    "mesh gateway {:?}: ACLs are enabled in datacenter {dc:?} ({}) but the registration has no token: add token = \"…\" with a token granting service:write on {:?} and service:read on all services",
                    s.service_id(),
                    show_loc(acl_loc),
                    s.name
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Loader;
    use crate::model::document::Format;

    /// Loads `(path, hcl)` pairs and runs the checks (load diagnostics included).
    fn check(files: &[(&str, &str)]) -> Vec<(Check, String, u32)> {
        let loader = Loader::new();
        let mut docs = Vec::new();
        let mut findings = Vec::new();
        for (path, src) in files {
            let l = loader.load_str(src, Format::Hcl, Some(Path::new(path)));
            findings.extend(l.diagnostics.iter().filter_map(from_diagnostic));
            docs.extend(l.documents);
        }
        let topo = Topology::from_documents(&docs, None);
        findings.extend(run(&docs, &topo));
        findings
            .into_iter()
            .map(|f| (f.check, show(f.file.as_deref()), f.pos.line))
            .collect()
    }

    const SERVER: &str =
        "server = true\nconnect {\n  enabled = true\n}\nports {\n  grpc = 8502\n}\n";

    /// A server agent configuration (leaked: tests only, for `&'static str` tables).
    fn server(dc: &str, extra: &str) -> &'static str {
        format!("datacenter = \"{dc}\"\n{SERVER}{extra}").leak()
    }

    #[test]
    fn host_of_strips_ports_and_brackets() {
        assert_eq!(host_of("10.0.0.1:8302"), "10.0.0.1");
        assert_eq!(host_of("10.0.0.1"), "10.0.0.1");
        assert_eq!(host_of("[::1]:8302"), "::1");
        assert_eq!(host_of("::1"), "::1");
        assert_eq!(host_of("[::1"), "::1");
        assert_eq!(host_of(""), "");
    }

    #[test]
    fn datacenter_names_follow_consuls_rule() {
        assert!(valid_dc_name("dc-1_a"));
        assert!(!valid_dc_name(""));
        assert!(!valid_dc_name("dc.1"));
        assert!(!valid_dc_name("DC1"));
    }

    #[test]
    fn nothing_to_check_gives_nothing() {
        assert_eq!(check(&[]), []);
        let topo = Topology::from_documents(&[], None);
        assert_eq!(run(&[], &topo), []);
    }

    #[test]
    fn a_directory_is_one_agent_its_files_merged_in_name_order() {
        // connect and ports in separate files of one directory: one agent, all set.
        let files = [
            ("dc1/a.hcl", "datacenter = \"dc1\"\nserver = true\n"),
            ("dc1/b.hcl", "connect {\n  enabled = true\n}\n"),
            ("dc1/c.hcl", "ports {\n  grpc = 8502\n}\n"),
        ];
        assert_eq!(check(&files), []);
        // A later file turning Connect off wins, and the finding points at it.
        let files = [
            ("dc1/a.hcl", server("dc1", "")),
            ("dc1/z.hcl", "connect {\n  enabled = false\n}\n"),
        ];
        assert_eq!(
            check(&files),
            [(Check::ConnectDisabled, "dc1/z.hcl".to_owned(), 1)]
        );
    }

    #[test]
    fn servers_of_one_datacenter_under_one_root_are_not_duplicates() {
        let files = [
            ("dc1/agent.hcl", "datacenter = \"dc1\"\n"),
            ("dc1/s1/agent.hcl", server("dc1", "")),
            ("dc1/s2/agent.hcl", server("dc1", "")),
            // A client of dc1 elsewhere claims the name without being a second datacenter.
            ("clients/agent.hcl", "datacenter = \"dc1\"\n"),
        ];
        assert_eq!(check(&files), []);
        let files = [
            ("x/s1/agent.hcl", server("dc1", "")),
            ("x/s2/agent.hcl", server("dc1", "")),
        ];
        assert_eq!(
            check(&files),
            [(Check::DuplicateDatacenter, "x/s2/agent.hcl".to_owned(), 1)]
        );
    }

    #[test]
    fn servers_without_primary_datacenter_take_their_own() {
        let join = "retry_join_wan = [\"x\"]\n";
        let files = [
            ("a/agent.hcl", server("a", join)),
            ("b/agent.hcl", server("b", join)),
            (
                "c/agent.hcl",
                server("c", &format!("primary_datacenter = \"a\"\n{join}")),
            ),
        ];
        // "a" is named twice (a's own, c's explicit): b is the odd one out.
        assert_eq!(
            check(&files),
            [(
                Check::PrimaryDatacenterMismatch,
                "b/agent.hcl".to_owned(),
                1
            )]
        );
    }

    #[test]
    fn wan_join_by_address_federation_and_primary_gateways() {
        // a joins b's advertised WAN address: both are joined.
        let files = [
            (
                "a/agent.hcl",
                server(
                    "a",
                    "primary_datacenter = \"a\"\nretry_join_wan = [\"198.18.0.2:8302\"]\n",
                ),
            ),
            (
                "b/agent.hcl",
                server(
                    "b",
                    "primary_datacenter = \"a\"\nadvertise_addr_wan = \"198.18.0.2\"\n",
                ),
            ),
        ];
        assert_eq!(check(&files), []);
        // Secondaries name primary_gateways, but the primary does not enable federation.
        let files = [
            ("a/agent.hcl", server("a", "primary_datacenter = \"a\"\n")),
            (
                "b/agent.hcl",
                server(
                    "b",
                    "primary_datacenter = \"a\"\nprimary_gateways = [\"198.18.0.10:443\"]\n",
                ),
            ),
        ];
        assert_eq!(
            check(&files),
            [(Check::NotWanJoined, "a/agent.hcl".to_owned(), 1)]
        );
    }

    #[test]
    fn the_built_in_proxy_is_recognised_by_meta_or_its_own_config_keys() {
        let mut sc = ServiceDefinition::default();
        assert!(!is_builtin(&sc, None));
        sc.meta.insert(PROXY_META_KEY.into(), "builtin".into());
        assert!(is_builtin(&sc, None));
        sc.meta.insert(PROXY_META_KEY.into(), "envoy".into());
        let mut cfg = crate::model::service::Opaque::new();
        cfg.insert("handshake_timeout_ms".into(), 1000.into());
        sc.proxy = Some(crate::model::service::ProxyConfig {
            config: Some(cfg.clone()),
            ..Default::default()
        });
        assert!(!is_builtin(&sc, None), "declared envoy wins");
        sc.meta.clear();
        assert!(is_builtin(&sc, None));
        cfg.insert("envoy_prometheus_bind_addr".into(), "0.0.0.0:9102".into());
        sc.proxy.as_mut().unwrap().config = Some(cfg);
        assert!(!is_builtin(&sc, None), "an envoy_ key means Envoy");
        let mut parent = ServiceDefinition::default();
        parent.meta.insert(PROXY_META_KEY.into(), "built-in".into());
        assert!(is_builtin(&sc, Some(&parent)));
    }

    #[test]
    fn documents_without_a_file_do_not_panic() {
        let l = Loader::new().load_str(
            "datacenter = \"dc1\"\nserver = true\nacl {\n  enabled = true\n}\nservice {\n  name = \"gw\"\n  kind = \"mesh-gateway\"\n  port = 443\n}\n",
            Format::Hcl,
            None,
        );
        let topo = Topology::from_documents(&l.documents, None);
        let checks: Vec<Check> = run(&l.documents, &topo).iter().map(|f| f.check).collect();
        assert_eq!(
            checks,
            [
                Check::ConnectDisabled,
                Check::GrpcDisabled,
                Check::GatewayTokenMissing
            ]
        );
    }
}
