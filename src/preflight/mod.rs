//! Preflight: the product document's prerequisites for mesh gateways, checked across
//! datacenters from the config files, before anything is deployed.
//!
//! Consul checks almost none of these up front; operators find out when connections fail.
//! Each problem is a [`Finding`]: a stable [`Check`] name, a [`Severity`], the file and line
//! it concerns, and a message that says what to change. `docs/checks.md` documents every
//! check with an example and the fix.
//!
//! How documents are grouped is the topology's rule ([`crate::topology::placement`]): an
//! *agent* is a directory holding agent configurations (Consul merges every file of a config
//! directory, later names winning); its services are the service definitions in that
//! directory or below it (the nearest agent up the tree). An agent is a *server* when its
//! merged `server` is true. A datacenter is every agent that claims its name.
//!
//! The checks live in the file for what they read: `datacenters`, `agents`, `routes`,
//! `chains` (config entries as a federation shares them, discovery chains) and `acls`; two
//! come from load diagnostics ([`from_diagnostic`]).
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
//! let findings = preflight::run(&topology);
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

mod acls;
mod agents;
mod chains;
mod check;
mod datacenters;
mod finding;
mod routes;

/// The service `meta` key that declares which proxy runs a sidecar (`builtin` or `envoy`).
pub use crate::topology::PROXY_META_KEY;
pub use check::{Check, UnknownCheck};
pub use finding::Finding;

use crate::load::error::{Diagnostic, DiagnosticKind, Severity};
use crate::resolve::Route;
use crate::topology::upstreams::{UpstreamRecord, UpstreamView};
use crate::topology::{Datacenter, Proxy, Topology};

/// The marker text the loader puts in an invalid mode's message when it comes from a config
/// entry (where Consul would accept the string silently).
const CONFIG_ENTRY_MODE_NOTE: &str = "Consul accepts an unknown mode in a config entry silently";

/// The check a load diagnostic belongs to, as a finding: an invalid mode string in a config
/// entry is [`Check::InvalidModeAcceptedByConsul`]; a datacenter name that breaks Consul's
/// `[a-z0-9_-]` rule is [`Check::DuplicateDatacenter`]. Other diagnostics belong to no check.
///
/// The finding keeps the diagnostic's key path and message.
pub fn from_diagnostic(d: &Diagnostic) -> Option<Finding> {
    let check = invalid_mode_accepted_by_consul(d).or_else(|| datacenter_name(d))?;
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

/// `invalid-mode-accepted-by-consul`: an unknown mode string in a config entry.
fn invalid_mode_accepted_by_consul(d: &Diagnostic) -> Option<Check> {
    (d.kind() == DiagnosticKind::InvalidMode && d.message().contains(CONFIG_ENTRY_MODE_NOTE))
        .then_some(Check::InvalidModeAcceptedByConsul)
}

/// `duplicate-datacenter`, for a datacenter name that breaks Consul's `[a-z0-9_-]` rule.
fn datacenter_name(d: &Diagnostic) -> Option<Check> {
    let at_datacenter = d.path() == "datacenter" || d.path().ends_with(".datacenter");
    (d.kind() == DiagnosticKind::Invalid
        && at_datacenter
        && d.message().starts_with("datacenter cannot be"))
    .then_some(Check::DuplicateDatacenter)
}

/// Runs every check on a `topology` (e.g. [`Topology::from_documents`] of loaded documents:
/// it keeps the agents, their merged settings and where each registration was written).
/// Findings come sorted by file, line, column and check. Load diagnostics that belong to a
/// check are turned into findings by [`from_diagnostic`], not here.
///
/// ```
/// use meshroute::preflight::{self, Check};
/// use meshroute::{Loader, Topology};
///
/// let loaded = Loader::new().load_paths(&["examples/primary", "examples/secondary"]);
/// assert!(!loaded.has_errors());
/// let topology = Topology::from_documents(&loaded.documents, None);
/// let findings = preflight::run(&topology);
/// assert!(findings.is_empty(), "{findings:?}");
/// assert_eq!("gateway-missing".parse::<Check>(), Ok(Check::GatewayMissing));
/// ```
pub fn run(topology: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    datacenters::duplicate_datacenter(topology, &mut out);
    datacenters::primary_datacenter_mismatch(topology, &mut out);
    datacenters::not_wan_joined(topology, &mut out);
    agents::connect_disabled(topology, &mut out);
    agents::grpc_disabled(topology, &mut out);
    acls::gateway_token_missing(topology, &mut out);
    chains::config_entry_conflict(topology, &mut out);
    // Each upstream is resolved and checked, then dropped: the routes of a large topology
    // (their facts and warnings) are never all in memory (docs/performance.md).
    let mut central_config = agents::CentralConfigDisabled::of(topology);
    for r in resolved(topology) {
        central_config.route(&r);
        check_route(topology, &r, &mut out);
    }
    central_config.finish(&mut out);
    // Sorted, the order they were found in does not show (equal keys are equal findings).
    out.sort_by(|a, b| {
        (&a.file, a.pos, a.check, &a.message).cmp(&(&b.file, b.pos, b.check, &b.message))
    });
    out.dedup();
    out
}

/// One upstream of one proxy, with its route: what the route checks read.
pub(crate) struct Resolved<'t> {
    dc: &'t Datacenter,
    proxy: &'t Proxy,
    /// The upstream, as kept by the proxy ([`Resolved::upstream`] reads it).
    record: &'t UpstreamRecord,
    route: Route<'t>,
}

impl<'t> Resolved<'t> {
    /// The upstream.
    fn upstream(&self) -> UpstreamView<'t> {
        self.proxy.upstreams.view(self.record)
    }
}

/// The checks of one upstream's route.
fn check_route(topology: &Topology, r: &Resolved<'_>, out: &mut Vec<Finding>) {
    routes::gateway_missing(topology, r, out);
    routes::builtin_proxy_gateway(r, out);
    routes::mode_ignored(r, out);
    routes::peer_mode_none(r, out);
    chains::l7_chain_on_tcp(topology, r, out);
    chains::chain_refused(topology, r, out);
    chains::failover_without_gateway_mode(topology, r, out);
}

/// Every upstream of every proxy, resolved as it is asked for, once for all the checks.
fn resolved(topology: &Topology) -> impl Iterator<Item = Resolved<'_>> {
    let upstreams = topology.datacenters().iter().flat_map(|dc| {
        dc.proxies()
            .iter()
            .flat_map(move |proxy| proxy.upstreams.records.iter().map(move |r| (dc, proxy, r)))
    });
    upstreams
        .zip(topology.routes())
        .map(|((dc, proxy, record), route)| Resolved {
            dc,
            proxy,
            record,
            route,
        })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::load::Loader;
    use crate::model::document::Format;
    use crate::preflight::datacenters::{host_of, valid_dc_name};
    use crate::preflight::finding::show;

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
        findings.extend(run(&topo));
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
        assert_eq!(run(&topo), []);
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
    fn a_setting_rejected_when_loading_is_reported_once() {
        // Two `connect` blocks: the load error, not a connect-disabled on top.
        let dup = format!("{}connect {{\n  enabled = true\n}}\n", server("dc1", ""));
        let got = check(&[("dc1/agent.hcl", dup.leak())]);
        assert!(
            got.iter().all(|(c, _, _)| *c != Check::ConnectDisabled),
            "{got:?}"
        );
        // `datacenter = ""`: the name rule's finding, and no duplicate-datacenter with dc1.
        let files = [
            ("a/agent.hcl", server("", "")),
            ("b/agent.hcl", server("dc1", "")),
        ];
        let got = check(&files);
        assert_eq!(
            got,
            [(Check::DuplicateDatacenter, "a/agent.hcl".to_owned(), 1)],
            "{got:?}"
        );
    }

    #[test]
    fn documents_without_a_file_do_not_panic() {
        let l = Loader::new().load_str(
            "datacenter = \"dc1\"\nserver = true\nacl {\n  enabled = true\n}\nservice {\n  name = \"gw\"\n  kind = \"mesh-gateway\"\n  port = 443\n}\n",
            Format::Hcl,
            None,
        );
        let topo = Topology::from_documents(&l.documents, None);
        let checks: Vec<Check> = run(&topo).iter().map(|f| f.check).collect();
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
