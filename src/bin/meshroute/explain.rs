//! `meshroute explain`: the layer-by-layer account for one upstream.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `meshroute explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The downstream service (or the proxy's ID).
    #[arg(long)]
    service: String,
    /// The upstream's destination name.
    #[arg(long)]
    upstream: String,
    /// Only the proxies of this datacenter.
    #[arg(long)]
    datacenter: Option<String>,
    /// The trust domain for SNI names.
    #[arg(long)]
    trust_domain: Option<String>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// Files and directories.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let topo =
        match crate::resolve::load_topology("explain", &args.paths, args.trust_domain.as_deref()) {
            Ok(t) => t,
            Err(code) => return code,
        };
    if let Err(code) =
        crate::resolve::check_datacenter("explain", &topo, args.datacenter.as_deref())
    {
        return code;
    }
    let mut found = Vec::new();
    for dc in topo.datacenters() {
        if args.datacenter.as_deref().is_some_and(|d| d != dc.name()) {
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
    if found.is_empty() {
        eprintln!(
            "meshroute explain: no proxy of service {:?} has an upstream {:?}",
            args.service, args.upstream
        );
        return ExitCode::from(1);
    }
    if args.format == "json" {
        if let Err(code) = crate::resolve::print_json("explain", &found) {
            return code;
        }
    } else {
        for (i, e) in found.iter().enumerate() {
            if i > 0 {
                println!();
            }
            print!("{e}");
        }
    }
    if topo.trust_domain().is_none() {
        eprintln!("meshroute explain: {}", crate::resolve::NO_TRUST_DOMAIN);
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
