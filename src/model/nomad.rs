//! A Nomad job: what placing its services needs to know of it.

use serde::Serialize;

use crate::syntax::tree::Pos;

/// A Nomad job (`job "<name>" { … }`, or a JSON job's `Job`). Its services are documents of
/// their own, loaded after it; this keeps what places them: Nomad runs the job's allocations
/// on clients of its `datacenters`, and each client registers them with its own Consul agent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NomadJob {
    /// The job's name (`ID` in a JSON job when it has no `Name`).
    #[serde(rename = "Name")]
    pub name: String,
    /// `region` (Nomad's `global` when unset).
    #[serde(rename = "Region")]
    pub region: String,
    /// `datacenters`: Nomad datacenters, which may hold `*` wildcards (Nomad's `["*"]` when
    /// unset); the values that cannot be evaluated offline are left out.
    #[serde(rename = "Datacenters")]
    pub datacenters: Vec<String>,
    /// `namespace` (Nomad's, not Consul's).
    #[serde(rename = "Namespace", skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Where the job starts.
    #[serde(skip)]
    pub pos: Pos,
}

impl NomadJob {
    /// Whether the job may run in the (Consul) datacenter `dc`: one of its datacenters
    /// matches it, `*` standing for any run of characters, as Nomad matches them.
    pub fn runs_in(&self, dc: &str) -> bool {
        self.datacenters.iter().any(|pattern| glob(pattern, dc))
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let Some((head, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(after) = text.strip_prefix(head) else {
        return false;
    };
    (0..=after.len())
        .filter(|&i| after.is_char_boundary(i))
        .any(|i| glob(rest, &after[i..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datacenters_match_as_nomad_globs_them() {
        let job = NomadJob {
            datacenters: vec!["east-*".into(), "west".into()],
            ..NomadJob::default()
        };
        assert!(job.runs_in("east-1"));
        assert!(job.runs_in("west"));
        assert!(!job.runs_in("westward"));
        assert!(glob("*", "anything"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b", "ac"));
    }
}
