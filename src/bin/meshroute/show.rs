//! `meshroute show`: every loaded document in Consul's API JSON form.

use std::process::ExitCode;

use meshroute::Problem;

use crate::check::documents_json;
use crate::shared::{Cmd, FormatArg, Inputs};

/// Arguments of `meshroute show`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    format: FormatArg,
    #[command(flatten)]
    inputs: Inputs,
}

/// Exit 0 when every document loaded, 1 on load errors (the documents that loaded are
/// shown), 2 on input problems.
pub(crate) fn run(args: &Args) -> ExitCode {
    let cmd = Cmd {
        name: "show",
        json: args.format.is_json(),
    };
    let loaded = match args.inputs.load() {
        Ok(loaded) => loaded,
        Err(stop) => return cmd.stop(stop),
    };
    let documents = documents_json(&loaded);
    if !cmd.json {
        for d in &documents {
            let file = d["file"].as_str().unwrap_or("<input>");
            println!(
                "# {file}:{} ({})",
                d["line"],
                d["kind"].as_str().unwrap_or("")
            );
            println!("{:#}", d["value"]);
        }
    }
    let problems: Vec<Problem> = loaded.diagnostics.iter().map(Problem::from).collect();
    let code = u8::from(loaded.has_errors());
    cmd.finish(code, Some(documents), problems)
}
