//! The `meshroute` command: Consul's mesh gateway decisions from config files, offline.
//!
//! Exit codes: 0 success, 1 problems found (or input rejected), 2 usage errors; `sni` adds
//! 3 (no server name) and 4 (more bytes needed).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
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
    /// Load and validate service definitions, config entries and agent configs.
    Check(check::Args),
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
    match cli.command {
        Command::Check(args) => check::run(&args),
        #[cfg(feature = "sniff")]
        Command::Sni(args) => sni::run(&args),
    }
}
