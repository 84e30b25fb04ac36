//! `meshroute check`: load and validate.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `meshroute check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// Files and directories (searched recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let _ = (&args.format, &args.paths);
    eprintln!("meshroute check: not implemented yet");
    ExitCode::from(1)
}
