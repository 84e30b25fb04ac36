//! `meshroute resolve`: every upstream of every proxy, resolved.

use std::process::ExitCode;

use meshroute::resolve::{Resolution, Route};
use meshroute::text::{Escaped, escape};
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
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        // A closed standard output (`| head`) ends the table, as `print!` would not.
        drop(write_table(&res, &mut out));
        print_warnings(&res);
    }
    if res.is_empty() {
        let message = "no connect proxy with upstreams found";
        problems.push(shared::caller_warning("no-routes", message));
    }
    let code = shared::trust_domain_exit(&topo, &mut problems);
    let exit = cmd.finish_resolution(code, &res, problems);
    // The process ends with this command: the resolution and the topology (millions of
    // small allocations at 100k proxies, a tenth of the run's time to free one by one) are
    // left to the operating system, which takes the whole heap back at once.
    std::mem::forget(res);
    std::mem::forget(topo);
    exit
}

/// The routes' warnings on stderr, each after its route.
fn print_warnings(res: &Resolution<'_>) {
    for r in res.routes() {
        for w in &r.warnings {
            let (service, dc) = (Escaped(r.service), Escaped(r.datacenter));
            eprintln!(
                "warning: {service} ({dc}) -> {}: {w}",
                Escaped(r.upstream.name)
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

/// One row per upstream, then one per other target of its chain, aligned; control
/// characters in cells escaped (a cell cannot recolour the terminal or forge a row).
///
/// The rows are made twice, once to measure the columns and once to write them, so that
/// no more than one row is held (a table of every route would be several times the input).
fn write_table(res: &Resolution<'_>, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut widths = HEAD.map(str::len);
    for cells in rows(res) {
        for (w, c) in widths.iter_mut().zip(&cells) {
            *w = (*w).max(c.chars().count());
        }
    }
    out.write_all(aligned_line(&HEAD, &widths).as_bytes())?;
    for cells in rows(res) {
        let line = aligned_line(&cells.each_ref().map(String::as_str), &widths);
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

/// The table's rows, cells escaped, made as they are read.
fn rows<'r>(res: &'r Resolution<'_>) -> impl Iterator<Item = [String; 9]> + 'r {
    res.routes()
        .flat_map(|r| std::iter::once(row(&r)).chain(target_rows(&r)))
        .map(|cells| cells.map(|cell| escape(&cell)))
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

/// The addresses cell of a hop: the addresses, or why there are none (`unknown`: there are
/// gateways, whose addresses exist only at run time: pods, allocations).
fn addresses(hop: &meshroute::NextHop<'_>, peer: bool, unknown: bool) -> String {
    if !hop.addresses.is_empty() {
        return hop.addresses.join(",");
    }
    if peer && hop.kind == meshroute::HopKind::RemoteGateway {
        "(from the peering)".to_owned()
    } else if hop.kind == meshroute::HopKind::Direct {
        "-".to_owned()
    } else if unknown {
        "(unknown)".to_owned()
    } else {
        "(unreachable)".to_owned()
    }
}

/// The last router or splitter branch of a path (`split[1] 10%`, `route[0]`, `default
/// route`), else its first step.
fn last_branch(via: &str) -> &str {
    let branch =
        |s: &str| s.starts_with("route[") || s.starts_with("split[") || s == "default route";
    let steps = || via.split(" > ");
    steps()
        .filter(|s| branch(s))
        .last()
        .or_else(|| steps().next())
        .unwrap_or("")
}

/// Where a route goes: for a chained one, its primary target's datacenter (or peer).
fn destination(r: &Route<'_>) -> String {
    if let Some(t) = r.chain.as_ref().and_then(|c| c.primary()) {
        return t
            .target
            .peer
            .as_ref()
            .map_or_else(|| t.target.datacenter.clone(), |p| format!("peer:{p}"));
    }
    match r.upstream.peer {
        Some(p) => format!("peer:{p}"),
        None => r.upstream.datacenter.to_owned(),
    }
}

/// Whether a route's hop (its primary target's, for a chained route) has gateways whose
/// addresses are known only at run time.
fn unaddressed(r: &Route<'_>) -> bool {
    let primary = r.chain.as_ref().and_then(|c| c.primary());
    target_unaddressed(r, primary.map(|t| t.target.id.as_str()))
}

/// Whether the route has an `unaddressed` warning for `target` (a chain target's ID, whose
/// warnings name it), or any when the route has no chain.
fn target_unaddressed(r: &Route<'_>, target: Option<&str>) -> bool {
    let prefix = target.map(|id| format!("target {id}: "));
    r.warnings.iter().any(|w| {
        w.kind() == meshroute::WarningKind::Unaddressed
            && prefix.as_deref().is_none_or(|p| w.message().starts_with(p))
    })
}

fn row(r: &Route<'_>) -> [String; 9] {
    let dest = destination(r);
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
        addresses(&r.next_hop, r.upstream.peer.is_some(), unaddressed(r)),
        r.sni.as_deref().unwrap_or("-").to_owned(),
    ]
}

/// One row per target of a route's chain other than its primary one (which is the route's
/// own row): `api (failover 1)`, `api (route[0])`, `api (split[1] 10%)`.
fn target_rows(r: &Route<'_>) -> Vec<[String; 9]> {
    let Some(c) = &r.chain else {
        return Vec::new();
    };
    let others = c.targets.iter().enumerate();
    let others = others.filter(|(i, _)| *i != c.chain.primary);
    others
        .map(|(_, t)| {
            let tt = t.target;
            let how = match tt.failover {
                Some(f) => format!("failover {}", f.position),
                None => last_branch(&tt.via[0]).to_owned(),
            };
            let dest = tt
                .peer
                .as_ref()
                .map_or_else(|| tt.datacenter.clone(), |p| format!("peer:{p}"));
            [
                r.datacenter.to_owned(),
                r.service.to_owned(),
                format!("{} ({how})", r.upstream.name),
                dest,
                t.mode.as_str().to_owned(),
                t.decided_by.as_str().to_owned(),
                t.next_hop.kind.as_str().to_owned(),
                addresses(
                    &t.next_hop,
                    tt.peer.is_some(),
                    target_unaddressed(r, Some(&tt.id)),
                ),
                t.sni.as_deref().unwrap_or("-").to_owned(),
            ]
        })
        .collect()
}
