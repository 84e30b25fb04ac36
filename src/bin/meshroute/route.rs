//! `meshroute route`: what a mesh gateway does with an inbound SNI.

#[cfg(feature = "sniff")]
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use meshroute::{GatewayAction, GatewayDecision, Problem, RejectReason, Topology};

#[cfg(feature = "sniff")]
use crate::shared::MaxInputSize;
use crate::shared::{self, Cmd, FormatArg, Stop, TopologyArgs};

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
    format: FormatArg,
}

/// Where the server name to route comes from.
#[derive(Debug)]
enum ServerName<'a> {
    /// `--sni`.
    Given(&'a str),
    /// `--client-hello`.
    #[cfg(feature = "sniff")]
    Hello(&'a Path, &'a MaxInputSize),
}

impl<'a> ServerName<'a> {
    fn of(args: &'a Args) -> Option<Self> {
        if let Some(sni) = &args.sni {
            return Some(Self::Given(sni));
        }
        #[cfg(feature = "sniff")]
        if let Some(path) = &args.client_hello {
            return Some(Self::Hello(path, args.topology.max_input_size()));
        }
        None
    }
}

/// Exit 0 when the gateway forwards or serves the name, 1 when it rejects it (or the
/// ClientHello), 2 on input problems or an unknown datacenter, 3 when the ClientHello has
/// no server name, 4 when it is incomplete.
pub(crate) fn run(args: &Args) -> ExitCode {
    let cmd = Cmd {
        name: "route",
        json: args.format.is_json(),
    };
    let Some(name) = ServerName::of(args) else {
        let message = "give the server name with --sni NAME or --client-hello FILE";
        return cmd.stop(Stop::new(2, "usage", message));
    };
    let (topo, mut problems) = match args.topology.load() {
        Ok(loaded) => loaded,
        Err(stop) => return cmd.stop(stop),
    };
    let here = topo.datacenter_ignore_case(&args.datacenter);
    if let Err(stop) = shared::require_datacenter(&topo, here, &args.datacenter) {
        return cmd.stop(stop);
    }
    problems.extend(topo.warnings().iter().map(Problem::from));
    let d = match decide(&topo, &args.datacenter, &name) {
        Ok(d) => d,
        Err(mut stop) => {
            problems.append(&mut stop.problems);
            return cmd.finish(stop.code, None::<()>, problems);
        }
    };
    if !cmd.json {
        println!("{d}");
    }
    let code = match &d.action {
        GatewayAction::Reject(r) => {
            problems.push(Problem::from(r));
            if *r == RejectReason::NoServerName {
                3
            } else {
                1
            }
        }
        _ => 0,
    };
    cmd.finish(code, Some(&d), problems)
}

/// The gateway's decision for the name given (`Err` only for a ClientHello that cannot be
/// routed).
#[cfg_attr(not(feature = "sniff"), allow(clippy::unnecessary_wraps))]
fn decide<'t>(
    topo: &'t Topology,
    datacenter: &str,
    name: &ServerName<'_>,
) -> Result<GatewayDecision<'t>, Stop> {
    match name {
        ServerName::Given(sni) => Ok(topo.route_sni(datacenter, sni)),
        #[cfg(feature = "sniff")]
        ServerName::Hello(path, max) => route_hello(topo, datacenter, path, max),
    }
}

/// The decision for the server name of the ClientHello in `path` (`-`: standard input).
#[cfg(feature = "sniff")]
fn route_hello<'t>(
    topo: &'t Topology,
    datacenter: &str,
    path: &Path,
    max: &MaxInputSize,
) -> Result<GatewayDecision<'t>, Stop> {
    use meshroute::HelloRoute;

    let bytes = shared::read_bytes(path, max)?;
    match topo.route_client_hello(datacenter, &bytes, &meshroute::sniff::Config::default()) {
        Ok(HelloRoute::Decided(d)) => Ok(d),
        Ok(HelloRoute::NeedMore(n)) => {
            let message =
                format!("the ClientHello is incomplete: at least {n} more bytes are needed");
            Err(Stop {
                code: 4,
                problems: vec![shared::hello_error("incomplete-client-hello", message)],
            })
        }
        Ok(_) => Err(Stop::new(
            1,
            "client-hello",
            "the ClientHello cannot be routed",
        )),
        Err(e) => {
            let mut p = Problem::from(e);
            p.message = format!("the ClientHello is rejected: {e}");
            Err(Stop {
                code: 1,
                problems: vec![p],
            })
        }
    }
}
