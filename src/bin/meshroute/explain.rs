//! `meshroute explain`: the layer-by-layer account for one upstream.

use std::process::ExitCode;

use meshroute::{Explanation, Problem, Topology};

use crate::shared::{self, Cmd, DatacenterArg, FormatArg, TopologyArgs};

/// Arguments of `meshroute explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The downstream service (or the proxy's ID).
    #[arg(long)]
    service: String,
    /// The upstream's destination name.
    #[arg(long)]
    upstream: String,
    #[command(flatten)]
    datacenter: DatacenterArg,
    #[command(flatten)]
    topology: TopologyArgs,
    #[command(flatten)]
    format: FormatArg,
}

/// Exit 0 when explained, 1 on load errors, no such upstream or no trust domain, 2 on input
/// problems or an unknown datacenter.
pub(crate) fn run(args: &Args) -> ExitCode {
    let cmd = Cmd {
        name: "explain",
        json: args.format.is_json(),
    };
    let (topo, mut problems) = match args.topology.load_in(&args.datacenter) {
        Ok(loaded) => loaded,
        Err(stop) => return cmd.stop(stop),
    };
    problems.extend(topo.warnings().iter().map(Problem::from));
    let found = explanations(args, &topo);
    if found.is_empty() {
        let (service, upstream) = (&args.service, &args.upstream);
        let message = format!("no proxy of service {service:?} has an upstream {upstream:?}");
        problems.push(shared::caller_error("no-such-upstream", message));
        return cmd.finish(1, None::<()>, problems);
    }
    if !cmd.json {
        for (i, e) in found.iter().enumerate() {
            if i > 0 {
                println!();
            }
            print!("{e}");
        }
    }
    let code = shared::trust_domain_exit(&topo, &mut problems);
    cmd.finish(code, Some(&found), problems)
}

/// Every upstream named `--upstream` of the proxies of `--service` (by service or proxy ID),
/// in the datacenters `--datacenter` lets through.
fn explanations<'t>(args: &Args, topo: &'t Topology) -> Vec<Explanation<'t>> {
    let mut found = Vec::new();
    for dc in topo.datacenters() {
        if !args.datacenter.includes(dc.name()) {
            continue;
        }
        for p in dc.proxies() {
            if p.service != args.service && p.id != args.service {
                continue;
            }
            for u in p.upstreams() {
                if u.destination_name() == args.upstream {
                    found.push(topo.explain(dc, p, u));
                }
            }
        }
    }
    found
}
