//! Placement: which agent, and so which datacenter, a document belongs to. The one place this
//! rule is written; the topology and the preflight checks both read it from here.
//!
//! An *agent* is a directory holding agent configuration files. Consul merges every file of a
//! config directory in name order, later files winning, and only then reads `datacenter`; so
//! do we ([`Agent::get`]). A document belongs to the agent of its own directory or of the
//! nearest parent directory that has one, and to that agent's datacenter (Consul's `dc1`
//! when the merged configuration names none). A document with no agent anywhere up its tree
//! belongs to the datacenter named like its directory (with a warning). Directories are those
//! of the file system (absolute, links resolved) whenever the file exists, so a path's
//! spelling (`web.hcl` or `/srv/consul/primary/web.hcl`) never changes where a document
//! belongs. Documents read from no
//! file (a string, standard input) belong to the agent configuration read from no file when
//! there is one, else to `dc1`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::model::agent::AgentConfig;
use crate::syntax::tree::Pos;
use crate::topology::warning::{Warning, WarningKind};

/// The datacenter Consul uses when an agent configuration names none.
pub const DEFAULT_DATACENTER: &str = "dc1";

/// One agent configuration file of an [`Agent`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AgentFile {
    /// The file (`None` for a document read from no file).
    pub file: Option<PathBuf>,
    /// What it configures.
    pub config: AgentConfig,
}

/// A location: a file and a position in it.
pub type Loc<'a> = (Option<&'a Path>, Pos);

/// An agent: the agent configuration files of one directory, merged as Consul merges a config
/// directory (in name order, later files winning).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Agent {
    dir: PathBuf,
    files: Vec<AgentFile>,
    datacenter: String,
}

impl Agent {
    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its files, in name order.
    pub fn files(&self) -> &[AgentFile] {
        &self.files
    }

    /// The merged `datacenter` (lower-cased; `dc1` when no file names one).
    pub fn datacenter(&self) -> &str {
        &self.datacenter
    }

    /// The merged value of a setting (the last file that sets it wins) and where it was set;
    /// `key` is the setting's snake_case name (`connect`, `ports`, `datacenter`, …).
    pub fn get<'a, T>(
        &'a self,
        key: &str,
        f: impl Fn(&'a AgentConfig) -> Option<T>,
    ) -> Option<(T, Loc<'a>)> {
        self.files
            .iter()
            .rev()
            .find_map(|af| f(&af.config).map(|v| (v, (af.file.as_deref(), af.config.pos_of(key)))))
    }

    /// Where `key` was set, else where the datacenter was named, else the first file's start.
    pub fn loc(&self, key: &str) -> Loc<'_> {
        for k in [key, "datacenter"] {
            if let Some(af) = self
                .files
                .iter()
                .rev()
                .find(|af| af.config.positions.iter().any(|(n, _)| *n == k))
            {
                return (af.file.as_deref(), af.config.pos_of(k));
            }
        }
        let first = &self.files[0];
        (first.file.as_deref(), first.config.pos)
    }

    /// Whether a file of the agent gave the modelled key `key` (snake_case) a value that was
    /// rejected when loading (the key then reads as unset).
    pub fn is_invalid(&self, key: &str) -> bool {
        self.files.iter().any(|af| af.config.is_invalid(key))
    }

    /// Whether the merged `server` is true.
    pub fn is_server(&self) -> bool {
        self.get("server", |a| a.server).is_some_and(|(s, _)| s)
    }

    /// The merged `primary_datacenter`, when set and not empty.
    pub fn primary_datacenter(&self) -> Option<(&str, Loc<'_>)> {
        self.get("primary_datacenter", |a| {
            a.primary_datacenter.as_deref().filter(|p| !p.is_empty())
        })
    }
}

/// Where one document belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Placed {
    /// The datacenter.
    pub(crate) datacenter: String,
    /// The index of its agent in [`Placement::agents`], when it has one.
    pub(crate) agent: Option<usize>,
}

/// Every agent of a set of documents, and the rule placing each document.
#[derive(Clone, Debug, Default)]
pub(crate) struct Placement {
    pub(crate) agents: Vec<Agent>,
    by_dir: HashMap<PathBuf, usize>,
    /// Directories whose datacenter was assumed from their name (warned about once).
    guessed: Vec<PathBuf>,
    dirs: Dirs,
}

/// The directories of files as placement sees them: resolved on the file system, cached by
/// the directory as spelled.
#[derive(Clone, Debug, Default)]
struct Dirs(HashMap<PathBuf, PathBuf>);

impl Dirs {
    /// The directory of `file`, canonical (absolute, links resolved) when the file exists,
    /// so that `web.hcl` and `/srv/consul/primary/web.hcl` are in one place; as spelled for
    /// a name that is no file (`<stdin>`, a made-up path); empty for no file.
    fn of(&mut self, file: Option<&Path>) -> PathBuf {
        let Some(file) = file else {
            return PathBuf::new();
        };
        let spelled = file.parent().unwrap_or(Path::new(""));
        if let Some(dir) = self.0.get(spelled) {
            return dir.clone();
        }
        let here = if spelled.as_os_str().is_empty() {
            Path::new(".")
        } else {
            spelled
        };
        let dir = match std::fs::symlink_metadata(file) {
            Ok(_) => std::fs::canonicalize(here).unwrap_or_else(|_| spelled.to_path_buf()),
            Err(_) => spelled.to_path_buf(),
        };
        self.0.insert(spelled.to_path_buf(), dir.clone());
        dir
    }
}

impl Placement {
    /// The agents of these agent configuration files, each directory's files merged in name
    /// order.
    pub(crate) fn of_agents(files: Vec<AgentFile>, warnings: &mut Vec<Warning>) -> Self {
        let mut dirs_seen = Dirs::default();
        let mut dirs: BTreeMap<PathBuf, Vec<AgentFile>> = BTreeMap::new();
        for af in files {
            let dir = dirs_seen.of(af.file.as_deref());
            dirs.entry(dir).or_default().push(af);
        }
        let mut placement = Self {
            dirs: dirs_seen,
            ..Self::default()
        };
        for (dir, mut files) in dirs {
            files.sort_by(|a, b| a.file.cmp(&b.file));
            let agent = Agent::merged(dir.clone(), files, warnings);
            placement.by_dir.insert(dir, placement.agents.len());
            placement.agents.push(agent);
        }
        placement
    }

    /// The index of the agent of the directory `dir`: the nearest directory up the tree with
    /// agent configurations.
    fn agent_of(&self, dir: &Path) -> Option<usize> {
        dir.ancestors().find_map(|d| self.by_dir.get(d)).copied()
    }

    /// Where a document read from `file` belongs (warning once per directory whose
    /// datacenter is assumed from its name).
    pub(crate) fn place(&mut self, file: Option<&Path>, warnings: &mut Vec<Warning>) -> Placed {
        let dir = self.dirs.of(file);
        if let Some(i) = self.agent_of(&dir) {
            return Placed {
                datacenter: self.agents[i].datacenter.clone(),
                agent: Some(i),
            };
        }
        if file.is_none() {
            return Placed {
                datacenter: DEFAULT_DATACENTER.to_owned(),
                agent: None,
            };
        }
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .map_or_else(|| DEFAULT_DATACENTER.to_owned(), str::to_ascii_lowercase);
        if !self.guessed.contains(&dir) {
            warnings.push(Warning::new(
                WarningKind::DatacenterAssumed,
                format!(
                    "{}: no agent configuration with a datacenter here or above; datacenter {name:?} assumed from the directory name",
                    dir.display()
                ),
            ));
            self.guessed.push(dir);
        }
        Placed {
            datacenter: name,
            agent: None,
        }
    }
}

impl Agent {
    /// An agent of `files` (in name order): its datacenter is the last one a file names.
    fn merged(dir: PathBuf, files: Vec<AgentFile>, warnings: &mut Vec<Warning>) -> Self {
        let named: Vec<(String, Option<&Path>)> = files
            .iter()
            .filter_map(|af| {
                let dc = af.config.datacenter.as_deref().filter(|d| !d.is_empty())?;
                Some((dc.to_ascii_lowercase(), af.file.as_deref()))
            })
            .collect();
        if let (Some((first, _)), Some((last, file))) = (named.first(), named.last())
            && first != last
        {
            warnings.push(
                Warning::new(
                    WarningKind::DatacenterOverridden,
                    format!(
                        "{}: agent configurations in one directory name datacenters {first:?} and {last:?}; {last:?} is used (Consul merges a config directory in name order, later files winning)",
                        dir.display()
                    ),
                )
                .at(*file, Pos::default()),
            );
        }
        let datacenter = named
            .last()
            .map_or_else(|| DEFAULT_DATACENTER.to_owned(), |(d, _)| d.clone());
        Self {
            dir,
            files,
            datacenter,
        }
    }
}
