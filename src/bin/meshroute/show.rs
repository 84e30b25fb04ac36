//! `meshroute show`: every loaded document in Consul's API JSON form.

use std::process::ExitCode;

use meshroute::Problem;

use meshroute::text::Escaped;

use crate::check::DocumentsJson;
use crate::shared::{self, Cmd, FormatArg, Inputs};

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
    if !cmd.json {
        for d in &loaded.documents {
            let file = d.file.as_ref().map(|f| f.to_string_lossy());
            let file = Escaped(file.as_deref().unwrap_or("<input>"));
            println!("# {file}:{} ({})", d.pos().line, Escaped(d.kind()));
            shared::print_json(&d.content);
        }
    }
    let problems: Vec<Problem> = loaded.diagnostics.iter().map(Problem::from).collect();
    let code = u8::from(loaded.has_errors());
    cmd.finish(code, Some(DocumentsJson(&loaded.documents)), problems)
}
