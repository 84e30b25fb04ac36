//! `meshroute resolve`: every upstream of every proxy, resolved.

use std::path::PathBuf;
use std::process::ExitCode;

use meshroute::Topology;
use meshroute::resolve::{Resolution, Route};

/// Arguments of `meshroute resolve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Only the proxies of this datacenter.
    #[arg(long)]
    datacenter: Option<String>,
    /// The trust domain for SNI names (else the TrustDomain of a saved /v1/connect/ca/roots
    /// response among the inputs).
    #[arg(long)]
    trust_domain: Option<String>,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    format: String,
    /// Files and directories (one directory per agent or datacenter, searched recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// What the command says when no trust domain is known.
pub(crate) const NO_TRUST_DOMAIN: &str = "no trust domain: SNI names need one; pass it explicitly (--trust-domain) or include a saved /v1/connect/ca/roots response (its TrustDomain) among the inputs";

/// Loads `paths` and builds the topology; load diagnostics go to stderr as
/// `FILE:LINE:COL: PATH: message`. `Err` holds the exit code: 2 for usage, 1 for load errors.
pub(crate) fn load_topology(
    cmd: &str,
    paths: &[PathBuf],
    trust_domain: Option<&str>,
) -> Result<Topology, ExitCode> {
    let loaded = match crate::check::load(paths, None) {
        Ok(l) => l,
        Err(msg) => {
            eprintln!("meshroute {cmd}: {msg}");
            return Err(ExitCode::from(2));
        }
    };
    for d in &loaded.diagnostics {
        if d.is_error() {
            eprintln!("{d}");
        } else if crate::check::is_note(d) {
            eprintln!("note: {d}");
        } else {
            eprintln!("warning: {d}");
        }
    }
    if loaded.has_errors() {
        eprintln!("meshroute {cmd}: the inputs have errors; nothing resolved");
        return Err(ExitCode::from(1));
    }
    let topo = Topology::from_documents(&loaded.documents, trust_domain);
    for w in topo.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(topo)
}

/// Prints `value` as pretty JSON on stdout; exit 1 (with the reason, for `command`) when it
/// cannot be serialized.
pub(crate) fn print_json(command: &str, value: &impl serde::Serialize) -> Result<(), ExitCode> {
    match serde_json::to_string_pretty(value) {
        Ok(s) => {
            println!("{s}");
            Ok(())
        }
        Err(e) => {
            eprintln!("meshroute {command}: {e}");
            Err(ExitCode::from(1))
        }
    }
}

/// Checks that `--datacenter` names a datacenter of the topology.
pub(crate) fn check_datacenter(
    cmd: &str,
    topo: &Topology,
    dc: Option<&str>,
) -> Result<(), ExitCode> {
    match dc {
        Some(dc) if topo.datacenter(dc).is_none() => {
            let known: Vec<_> = topo
                .datacenters()
                .iter()
                .map(meshroute::topology::Datacenter::name)
                .collect();
            eprintln!(
                "meshroute {cmd}: datacenter {dc:?} is not among the inputs (found: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            );
            Err(ExitCode::from(1))
        }
        _ => Ok(()),
    }
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let topo = match load_topology("resolve", &args.paths, args.trust_domain.as_deref()) {
        Ok(t) => t,
        Err(code) => return code,
    };
    if let Err(code) = check_datacenter("resolve", &topo, args.datacenter.as_deref()) {
        return code;
    }
    let res = match &args.datacenter {
        Some(dc) => topo.resolve_datacenter(dc),
        None => topo.resolve(),
    };
    if args.format == "json" {
        if let Err(code) = print_json("resolve", &res) {
            return code;
        }
    } else {
        print!("{}", table(&res));
        for r in res.routes() {
            for w in &r.warnings {
                eprintln!(
                    "warning: {} ({}) -> {}: {w}",
                    r.service, r.datacenter, r.upstream.name
                );
            }
        }
    }
    if res.is_empty() {
        eprintln!("meshroute resolve: no connect proxy with upstreams found");
    }
    if topo.trust_domain().is_none() {
        eprintln!("meshroute resolve: {NO_TRUST_DOMAIN}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn row(r: &Route<'_>) -> [String; 9] {
    let addresses = if r.next_hop.addresses.is_empty() {
        if r.upstream.peer.is_some() && r.next_hop.kind == meshroute::HopKind::RemoteGateway {
            "(from the peering)".to_owned()
        } else if r.next_hop.kind == meshroute::HopKind::Direct {
            "-".to_owned()
        } else if r
            .warnings
            .iter()
            .any(|w| w.kind() == meshroute::WarningKind::Unaddressed)
        {
            // Gateways there, their addresses known only at run time (pods, allocations).
            "(unknown)".to_owned()
        } else {
            "(unreachable)".to_owned()
        }
    } else {
        r.next_hop.addresses.join(",")
    };
    let dest = match r.upstream.peer {
        Some(p) => format!("peer:{p}"),
        None => r.upstream.datacenter.to_owned(),
    };
    let name = if r.upstream.kind == meshroute::DestinationType::PreparedQuery {
        format!("{} (query)", r.upstream.name)
    } else {
        r.upstream.name.to_owned()
    };
    [
        r.datacenter.to_owned(),
        r.service.to_owned(),
        name,
        dest,
        r.mode.as_str().to_owned(),
        r.decided_by.as_str().to_owned(),
        r.next_hop.kind.as_str().to_owned(),
        addresses,
        r.sni.as_deref().unwrap_or("-").to_owned(),
    ]
}

/// One row per upstream, aligned.
fn table(res: &Resolution<'_>) -> String {
    const HEAD: [&str; 9] = [
        "DATACENTER",
        "SERVICE",
        "UPSTREAM",
        "DEST",
        "MODE",
        "DECIDED BY",
        "NEXT HOP",
        "ADDRESSES",
        "SNI",
    ];
    let rows: Vec<[String; 9]> = res.routes().map(|r| row(&r)).collect();
    let mut widths = HEAD.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut l = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                l.push_str(c);
                l.push_str(&" ".repeat(w - c.chars().count() + 2));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&HEAD);
    for r in &rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        line(&cells);
    }
    out
}
