//! A loaded document: one service, one config entry, or one agent configuration.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::model::agent::AgentConfig;
use crate::model::config_entry::ConfigEntry;
use crate::model::nomad::NomadJob;
use crate::model::service::ServiceDefinition;
use crate::syntax::tree::Pos;

/// A source format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// HCL, version 1, as Consul reads it.
    Hcl,
    /// JSON: Consul's HTTP API shapes and agent-config shapes.
    Json,
    /// YAML (feature `yaml`): one document, or a stream of them (`---`).
    Yaml,
    /// HCL2: Nomad job files (feature `nomad`).
    Hcl2,
}

impl Format {
    /// The format a file name's extension names: `.hcl`, `.json`, `.yaml` or `.yml`; a Nomad
    /// job file, `.nomad` or `.nomad.hcl`, is HCL2.
    pub fn from_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        #[allow(clippy::case_sensitive_file_extension_comparisons)] // lower-cased above
        if name.ends_with(".nomad") || name.ends_with(".nomad.hcl") {
            return Some(Self::Hcl2);
        }
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "hcl" => Some(Self::Hcl),
            "json" => Some(Self::Json),
            "yaml" | "yml" => Some(Self::Yaml),
            _ => None,
        }
    }

    /// The format's lowercase name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Hcl => "hcl",
            Self::Json => "json",
            Self::Yaml => "yaml",
            Self::Hcl2 => "hcl2",
        }
    }
}

impl fmt::Display for Format {
    /// The lowercase name, honouring width and alignment (`{:>6}`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = UnknownFormat;

    /// `hcl`, `json`, `yaml` or `yml`, `hcl2` or `nomad`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "hcl" => Ok(Self::Hcl),
            "json" => Ok(Self::Json),
            "yaml" | "yml" => Ok(Self::Yaml),
            "hcl2" | "nomad" => Ok(Self::Hcl2),
            _ => Err(UnknownFormat {
                value: s.to_owned(),
            }),
        }
    }
}

/// The error for a string that names no [`Format`].
///
/// ```
/// use meshroute::Format;
///
/// let err = "TOML".parse::<Format>().unwrap_err();
/// assert_eq!(err.value(), "TOML");
/// assert_eq!(err.to_string(), r#"unknown format "toml" (expected hcl, json or yaml)"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFormat {
    value: String,
}

impl UnknownFormat {
    /// The rejected string, as given.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown format \"{}\" (expected hcl, json or yaml)",
            self.value.to_ascii_lowercase()
        )
    }
}

impl std::error::Error for UnknownFormat {}

/// What a document holds.
#[allow(clippy::large_enum_variant)] // documents are few and long-lived; boxing buys nothing
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Content {
    /// A service definition (one element of `service`/`services`, or an API body).
    Service(ServiceDefinition),
    /// A config entry (a file of its own, or an element of `config_entries.bootstrap`).
    ConfigEntry(ConfigEntry),
    /// An agent configuration (its services and bootstrap entries are documents of their own).
    Agent(AgentConfig),
    /// A saved `GET /v1/connect/ca/roots` response: it names the trust domain.
    CaRoots(CaRoots),
    /// A Nomad job (its services are documents of their own).
    NomadJob(NomadJob),
}

impl serde::Serialize for Content {
    /// Consul's canonical JSON of what was loaded (a Nomad job as `nomad job run -output`
    /// prints it), as [`Document::to_json`] gives it, written
    /// without building a `serde_json::Value` first.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Service(v) => v.serialize(s),
            Self::ConfigEntry(v) => v.serialize(s),
            Self::Agent(v) => v.serialize(s),
            Self::CaRoots(v) => v.serialize(s),
            Self::NomadJob(v) => JobEnvelope { job: v }.serialize(s),
        }
    }
}

/// A Nomad job as `nomad job run -output` prints it: `{"Job": {…}}`.
#[derive(serde::Serialize)]
struct JobEnvelope<'a> {
    #[serde(rename = "Job")]
    job: &'a NomadJob,
}

/// The part of a saved `/v1/connect/ca/roots` response that resolution needs.
///
/// It serializes as such a response without its certificates, `{"TrustDomain": …,
/// "Roots": []}`, which loads back as saved CA roots.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CaRoots {
    /// `TrustDomain` (lower-cased, as Consul builds it).
    pub trust_domain: String,
    /// Where the document starts.
    pub pos: Pos,
}

impl serde::Serialize for CaRoots {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut o = s.serialize_struct("CaRoots", 2)?;
        o.serialize_field("TrustDomain", &self.trust_domain)?;
        o.serialize_field("Roots", &[(); 0])?;
        o.end()
    }
}

/// One loaded document and where it came from.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Document {
    /// The file it was read from (`None` for strings and standard input).
    pub file: Option<PathBuf>,
    /// The format it was read in.
    pub format: Format,
    /// What it holds.
    pub content: Content,
}

impl Document {
    /// The document kind as the CLI reports it: `service`, `agent`, `nomad-job`, or the
    /// config entry kind (`proxy-defaults`, `service-defaults`, …).
    pub fn kind(&self) -> &str {
        match &self.content {
            Content::Service(_) => "service",
            Content::ConfigEntry(e) => e.kind(),
            Content::Agent(_) => "agent",
            Content::CaRoots(_) => "ca-roots",
            Content::NomadJob(_) => "nomad-job",
        }
    }

    /// Where the document starts in its file.
    pub fn pos(&self) -> Pos {
        match &self.content {
            Content::Service(s) => s.pos,
            Content::ConfigEntry(e) => e.pos(),
            Content::Agent(a) => a.pos,
            Content::CaRoots(r) => r.pos,
            Content::NomadJob(j) => j.pos,
        }
    }

    /// The canonical Consul JSON of what was loaded: the HTTP API's CamelCase shapes for
    /// services and config entries, Consul's snake_case for agent configuration, and a Nomad
    /// job as `nomad job run -output` prints it (`{"Job": {…}}`, what of it was kept).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.content).unwrap_or(serde_json::Value::Null)
    }

    /// The service definition, if this document is one.
    pub fn as_service(&self) -> Option<&ServiceDefinition> {
        match &self.content {
            Content::Service(s) => Some(s),
            _ => None,
        }
    }

    /// The config entry, if this document is one.
    pub fn as_config_entry(&self) -> Option<&ConfigEntry> {
        match &self.content {
            Content::ConfigEntry(e) => Some(e),
            _ => None,
        }
    }

    /// The trust domain, if this document is a saved CA roots response.
    pub fn as_ca_roots(&self) -> Option<&CaRoots> {
        match &self.content {
            Content::CaRoots(r) => Some(r),
            _ => None,
        }
    }

    /// The Nomad job, if this document is one.
    pub fn as_nomad_job(&self) -> Option<&NomadJob> {
        match &self.content {
            Content::NomadJob(j) => Some(j),
            _ => None,
        }
    }

    /// The agent configuration, if this document is one.
    pub fn as_agent(&self) -> Option<&AgentConfig> {
        match &self.content {
            Content::Agent(a) => Some(a),
            _ => None,
        }
    }
}
