//! The `meshroute` command: Consul's mesh gateway decisions from config files, offline.
//!
//! Exit codes (one table for every command, in the README): 0 answered and nothing is
//! wrong, 1 the inputs were read and the answer is that something is wrong, 2 usage or input
//! problems; `sni` and `route --client-hello` add 3 (no server name) and 4 (more bytes
//! needed). With `--format json` every outcome after the arguments are parsed is one JSON
//! document on stdout (docs/json.md).

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

mod check;
mod checks;
mod explain;
mod resolve;
mod route;
mod sarif;
mod shared;
mod show;
#[cfg(feature = "sniff")]
mod sni;
mod spill;

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
    /// List the preflight checks with their severity.
    Checks(checks::Args),
    /// Resolve every upstream: effective mode, deciding layer, SNI and next hop.
    Resolve(resolve::Args),
    /// Explain one upstream's resolution, layer by layer.
    Explain(explain::Args),
    /// What a mesh gateway does with an inbound SNI: forward, serve locally, or reject.
    Route(route::Args),
    /// Print the server name (SNI) of a captured TLS ClientHello.
    #[cfg(feature = "sniff")]
    Sni(sni::Args),
    /// Print every loaded document in Consul's API JSON form.
    Show(show::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of meshroute or of one of its commands.
    #[command(hide = true)]
    Man {
        /// The command (none: meshroute's own page).
        command: Option<String>,
    },
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
        Command::Checks(args) => checks::run(&args),
        Command::Resolve(args) => resolve::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Route(args) => route::run(&args),
        #[cfg(feature = "sniff")]
        Command::Sni(args) => sni::run(&args),
        Command::Show(args) => show::run(&args),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "meshroute", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Man { command } => man(command.as_deref()),
    }
}

/// Prints the man page of `command` (meshroute's own for `None`); exit 2 for an unknown one.
fn man(command: Option<&str>) -> ExitCode {
    let mut cmd = Cli::command();
    cmd.build();
    let page = if let Some(name) = command {
        let Some(sub) = cmd.find_subcommand(name) else {
            eprintln!("meshroute man: no command {name:?}");
            return ExitCode::from(2);
        };
        sub.clone().name(&*format!("meshroute-{name}").leak())
    } else {
        cmd
    };
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(page).render(&mut out) {
        eprintln!("meshroute man: {e}");
        return ExitCode::from(1);
    }
    let _ = std::io::Write::write_all(&mut std::io::stdout(), &out);
    ExitCode::SUCCESS
}
