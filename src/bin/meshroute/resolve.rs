//! `meshroute resolve`: every upstream of every proxy, resolved.

use std::process::ExitCode;

use meshroute::resolve::{Resolution, Route};
use meshroute::{Problem, WarningKind};

use crate::shared::{self, Cmd, DatacenterArg, FormatArg, TopologyArgs};

/// Arguments of `meshroute resolve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    datacenter: DatacenterArg,
    #[command(flatten)]
    topology: TopologyArgs,
    #[command(flatten)]
    format: FormatArg,
}

/// Exit 0 when resolved, 1 on load errors or no trust domain, 2 on input problems or an
/// unknown datacenter.
pub(crate) fn run(args: &Args) -> ExitCode {
    let cmd = Cmd {
        name: "resolve",
        json: args.format.is_json(),
    };
    let (topo, mut problems) = match args.topology.load_in(&args.datacenter) {
        Ok(loaded) => loaded,
        Err(stop) => return cmd.stop(stop),
    };
    let res = match &args.datacenter.datacenter {
        Some(dc) => topo.resolve_datacenter(dc),
        None => topo.resolve(),
    };
    // No trust domain is the command's error (how to give one), not a warning besides.
    problems.extend(
        res.warnings
            .iter()
            .filter(|w| w.kind() != WarningKind::NoTrustDomain)
            .map(Problem::from),
    );
    if !cmd.json {
        print!("{}", table(&res));
        print_warnings(&res);
    }
    if res.is_empty() {
        let message = "no connect proxy with upstreams found";
        problems.push(shared::caller_warning("no-routes", message));
    }
    let code = shared::trust_domain_exit(&topo, &mut problems);
    cmd.finish(code, Some(&res), problems)
}

/// The routes' warnings on stderr, each after its route.
fn print_warnings(res: &Resolution<'_>) {
    for r in res.routes() {
        for w in &r.warnings {
            eprintln!(
                "warning: {} ({}) -> {}: {w}",
                r.service, r.datacenter, r.upstream.name
            );
        }
    }
}

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

/// One row per upstream, aligned.
fn table(res: &Resolution<'_>) -> String {
    let rows: Vec<[String; 9]> = res.routes().map(|r| row(&r)).collect();
    let mut widths = HEAD.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = aligned_line(&HEAD, &widths);
    for r in &rows {
        out.push_str(&aligned_line(&r.each_ref().map(String::as_str), &widths));
    }
    out
}

/// The cells padded to `widths` (two spaces apart), the line's end trimmed.
fn aligned_line(cells: &[&str; 9], widths: &[usize; 9]) -> String {
    let mut l = String::new();
    for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
        l.push_str(c);
        if i + 1 < cells.len() {
            l.push_str(&" ".repeat(w - c.chars().count() + 2));
        }
    }
    let mut l = l.trim_end().to_owned();
    l.push('\n');
    l
}

fn row(r: &Route<'_>) -> [String; 9] {
    let dest = match r.upstream.peer {
        Some(p) => format!("peer:{p}"),
        None => r.upstream.datacenter.to_owned(),
    };
    let name = if r.upstream.destination_type == meshroute::DestinationType::PreparedQuery {
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
        addresses(r),
        r.sni.as_deref().unwrap_or("-").to_owned(),
    ]
}

/// The next hop's addresses, or why there are none.
fn addresses(r: &Route<'_>) -> String {
    if !r.next_hop.addresses.is_empty() {
        r.next_hop.addresses.join(",")
    } else if r.upstream.peer.is_some() && r.next_hop.kind == meshroute::HopKind::RemoteGateway {
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
}
