//! `meshroute route`: what a mesh gateway does with an inbound SNI.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `meshroute route`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The gateway's datacenter.
    #[arg(long)]
    datacenter: String,
    /// The inbound TLS server name.
    #[arg(long)]
    sni: String,
    /// The trust domain (else the TrustDomain of a saved /v1/connect/ca/roots response among
    /// the inputs).
    #[arg(long)]
    trust_domain: Option<String>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// Files and directories.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// Exit 0 when the gateway forwards or serves the name, 1 when it rejects it.
pub(crate) fn run(args: &Args) -> ExitCode {
    let topo =
        match crate::resolve::load_topology("route", &args.paths, args.trust_domain.as_deref()) {
            Ok(t) => t,
            Err(code) => return code,
        };
    let d = topo.route_sni(&args.datacenter, &args.sni);
    if args.format == "json" {
        match serde_json::to_string_pretty(&d) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("meshroute route: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        println!("{d}");
    }
    if d.action_str() == "reject" {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
