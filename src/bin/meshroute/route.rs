//! `meshroute route`: what a mesh gateway does with an inbound SNI.

#[cfg(feature = "sniff")]
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[cfg(feature = "sniff")]
use meshroute::{GatewayDecision, Topology};

use crate::shared::{self, Cmd, Outcome, TextOrJson, TopologyArgs};

/// Arguments of `meshroute route`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The gateway's datacenter.
    #[arg(long)]
    datacenter: String,
    /// The inbound TLS server name.
    #[arg(long)]
    sni: Option<String>,
    /// A captured TLS ClientHello (raw bytes; `-` reads standard input): its server name is
    /// read and routed.
    #[cfg(feature = "sniff")]
    #[arg(long, value_name = "FILE", conflicts_with = "sni")]
    client_hello: Option<PathBuf>,
    #[command(flatten)]
    topology: TopologyArgs,
    #[command(flatten)]
    format: TextOrJson,
}

const ROUTE: Cmd = Cmd("route");

/// Where the server name to route comes from.
#[derive(Debug)]
enum ServerName<'a> {
    /// `--sni`.
    Given(&'a str),
    /// `--client-hello`.
    #[cfg(feature = "sniff")]
    Hello(&'a Path),
}

impl<'a> ServerName<'a> {
    fn of(args: &'a Args) -> Option<Self> {
        if let Some(sni) = &args.sni {
            return Some(Self::Given(sni));
        }
        #[cfg(feature = "sniff")]
        if let Some(path) = &args.client_hello {
            return Some(Self::Hello(path));
        }
        None
    }
}

/// Exit 0 when the gateway forwards or serves the name, 1 when it rejects it (or the
/// ClientHello), 4 when the ClientHello is incomplete.
pub(crate) fn run(args: &Args) -> Outcome {
    let Some(name) = ServerName::of(args) else {
        let message = "give the server name with --sni NAME or --client-hello FILE";
        return Err(ROUTE.fail(2, message));
    };
    let json = args.format.is_json();
    let topo = args.topology.load(ROUTE, json)?;
    let d = match name {
        ServerName::Given(sni) => topo.route_sni(&args.datacenter, sni),
        #[cfg(feature = "sniff")]
        ServerName::Hello(path) => route_hello(&topo, args, path, json)?,
    };
    if args.format.is_json() {
        shared::print_json(ROUTE, &d)?;
    } else {
        println!("{d}");
    }
    Ok(if d.action_str() == "reject" {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The decision for the server name of the ClientHello in `path` (`-`: standard input).
#[cfg(feature = "sniff")]
fn route_hello<'t>(
    topo: &'t Topology,
    args: &Args,
    path: &Path,
    json: bool,
) -> Result<GatewayDecision<'t>, ExitCode> {
    use meshroute::HelloRoute;

    let max = args.topology.max_input_size();
    let bytes = shared::read_bytes(ROUTE, path, max, json)?;
    let config = meshroute::sniff::Config::default();
    match topo.route_client_hello(&args.datacenter, &bytes, &config) {
        Ok(HelloRoute::Decided(d)) => Ok(d),
        Ok(HelloRoute::NeedMore(n)) => {
            let message =
                format!("the ClientHello is incomplete: at least {n} more bytes are needed");
            Err(ROUTE.fail(4, message))
        }
        Ok(_) => Err(ExitCode::from(1)),
        Err(e) => Err(ROUTE.fail(1, format!("the ClientHello is rejected: {e}"))),
    }
}
