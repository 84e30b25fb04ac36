//! `meshroute explain`: the layer-by-layer account for one upstream.

use meshroute::{Explanation, Topology};

use crate::shared::{self, Cmd, DatacenterArg, Outcome, TextOrJson, TopologyArgs};

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
    format: TextOrJson,
}

const EXPLAIN: Cmd = Cmd("explain");

/// Exit 0 when explained, 1 on load errors, an unknown datacenter, no such upstream or no
/// trust domain.
pub(crate) fn run(args: &Args) -> Outcome {
    let topo = args.topology.load(EXPLAIN, args.format.is_json())?;
    args.datacenter.check(EXPLAIN, &topo)?;
    let found = explanations(args, &topo);
    if found.is_empty() {
        let (service, upstream) = (&args.service, &args.upstream);
        let message = format!("no proxy of service {service:?} has an upstream {upstream:?}");
        return Err(EXPLAIN.fail(1, message));
    }
    if args.format.is_json() {
        shared::print_json(EXPLAIN, &found)?;
    } else {
        for (i, e) in found.iter().enumerate() {
            if i > 0 {
                println!();
            }
            print!("{e}");
        }
    }
    Ok(shared::trust_domain_exit(EXPLAIN, &topo))
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
            for u in &p.upstreams {
                if u.destination_name == args.upstream {
                    found.push(topo.explain(dc, p, u));
                }
            }
        }
    }
    found
}
