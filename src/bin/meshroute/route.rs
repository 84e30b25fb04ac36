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
    sni: Option<String>,
    /// A captured TLS ClientHello (raw bytes; `-` reads standard input): its server name is
    /// read and routed.
    #[cfg(feature = "sniff")]
    #[arg(long, value_name = "FILE", conflicts_with = "sni")]
    client_hello: Option<PathBuf>,
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

/// Exit 0 when the gateway forwards or serves the name, 1 when it rejects it (or the
/// ClientHello), 4 when the ClientHello is incomplete.
pub(crate) fn run(args: &Args) -> ExitCode {
    if args.sni.is_none() && client_hello(args).is_none() {
        eprintln!("meshroute route: give the server name with --sni NAME or --client-hello FILE");
        return ExitCode::from(2);
    }
    let topo =
        match crate::resolve::load_topology("route", &args.paths, args.trust_domain.as_deref()) {
            Ok(t) => t,
            Err(code) => return code,
        };
    let d = match (&args.sni, client_hello(args)) {
        (Some(sni), _) => topo.route_sni(&args.datacenter, sni),
        (None, Some(path)) => match route_hello(&topo, &args.datacenter, path) {
            Ok(d) => d,
            Err(code) => return code,
        },
        (None, None) => return ExitCode::from(2),
    };
    if args.format == "json" {
        if let Err(code) = crate::resolve::print_json("route", &d) {
            return code;
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

#[cfg(feature = "sniff")]
fn client_hello(args: &Args) -> Option<&PathBuf> {
    args.client_hello.as_ref()
}

#[cfg(not(feature = "sniff"))]
fn client_hello(_: &Args) -> Option<&PathBuf> {
    None
}

#[cfg(feature = "sniff")]
fn route_hello<'t>(
    topo: &'t meshroute::Topology,
    datacenter: &str,
    path: &PathBuf,
) -> Result<meshroute::GatewayDecision<'t>, ExitCode> {
    use std::io::Read;

    use meshroute::route::HelloRoute;

    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    if let Err(e) = read {
        eprintln!("meshroute route: {}: {e}", path.display());
        return Err(ExitCode::from(2));
    }
    match topo.route_client_hello(datacenter, &bytes, &meshroute::sniff::Config::default()) {
        Ok(HelloRoute::Decided(d)) => Ok(d),
        Ok(HelloRoute::NeedMore(n)) => {
            eprintln!(
                "meshroute route: the ClientHello is incomplete: at least {n} more bytes are needed"
            );
            Err(ExitCode::from(4))
        }
        Ok(_) => Err(ExitCode::from(1)),
        Err(e) => {
            eprintln!("meshroute route: the ClientHello is rejected: {e}");
            Err(ExitCode::from(1))
        }
    }
}

#[cfg(not(feature = "sniff"))]
fn route_hello<'t>(
    _: &'t meshroute::Topology,
    _: &str,
    _: &PathBuf,
) -> Result<meshroute::GatewayDecision<'t>, ExitCode> {
    Err(ExitCode::from(2))
}
