//! `meshroute checks`: every preflight check with its default severity and one line.

use std::process::ExitCode;

use meshroute::preflight::Check;
use serde::Serialize;

use crate::shared::{Cmd, FormatArg};

/// Arguments of `meshroute checks`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    format: FormatArg,
}

/// One check as `checks` lists it.
#[derive(Debug, Serialize)]
struct Entry {
    name: &'static str,
    severity: &'static str,
    summary: &'static str,
}

/// Exit 0.
pub(crate) fn run(args: &Args) -> ExitCode {
    let cmd = Cmd {
        name: "checks",
        json: args.format.is_json(),
    };
    let entries: Vec<Entry> = Check::ALL
        .iter()
        .map(|c| Entry {
            name: c.as_str(),
            severity: c.default_severity().as_str(),
            summary: c.summary(),
        })
        .collect();
    if !cmd.json {
        let width = entries.iter().map(|e| e.name.len()).max().unwrap_or(0);
        for e in &entries {
            println!("{:<width$}  {:<7}  {}", e.name, e.severity, e.summary);
        }
    }
    cmd.finish(0, Some(entries), Vec::new())
}
