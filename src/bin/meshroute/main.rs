//! The `meshroute` command: Consul's mesh gateway decisions from config files, offline.
//!
//! Exit codes: 0 success, 1 problems found (or input rejected), 2 usage errors; `sni` adds
//! 3 (no server name) and 4 (more bytes needed).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod explain;
mod resolve;
mod route;
mod shared;
#[cfg(feature = "sniff")]
mod sni;

/// Consul mesh gateway routing, answered offline from config files.
#[derive(Debug, Parser)]
#[command(name = "meshroute", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load and validate files, then run the preflight checks across datacenters.
    Check(check::Args),
    /// Resolve every upstream: effective mode, deciding layer, SNI and next hop.
    Resolve(resolve::Args),
    /// Explain one upstream's resolution, layer by layer.
    Explain(explain::Args),
    /// What a mesh gateway does with an inbound SNI: forward, serve locally, or reject.
    Route(route::Args),
    /// Print the server name (SNI) of a captured TLS ClientHello.
    #[cfg(feature = "sniff")]
    Sni(sni::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let outcome = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Resolve(args) => resolve::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Route(args) => route::run(&args),
        #[cfg(feature = "sniff")]
        Command::Sni(args) => sni::run(&args),
    };
    outcome.unwrap_or_else(|code| code)
}
