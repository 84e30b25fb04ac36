//! `meshroute sni`: the server name of a captured TLS ClientHello.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use meshroute::Problem;
use meshroute::sniff::{self, ClientHello, Config, Policy, Status};
use meshroute::text::EscapedBytes;
use serde::Serialize;

use crate::shared::{self, Cmd, FormatArg, MaxInputSize};

/// Arguments of `meshroute sni`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    format: FormatArg,
    /// Name policy: `default` (RFC 6066), `strict` (every rule rejects) or `lenient` (report
    /// problems, reject only broken framing).
    #[arg(long, default_value = "default", value_parser = ["default", "strict", "lenient"])]
    policy: String,
    /// Largest ClientHello accepted, in bytes (at most 65536, the default).
    #[arg(long, default_value_t = 65536, value_parser = clap::value_parser!(u32).range(1..=65536))]
    max_hello_len: u32,
    /// The raw bytes a client sent (a captured ClientHello), or `-` for standard input.
    input: PathBuf,
    #[command(flatten)]
    max_input_size: MaxInputSize,
}

/// `sni`'s JSON result: how many bytes were read, how many more are needed (an incomplete
/// hello), and the hello (a complete one).
#[derive(Debug, Serialize)]
struct Report {
    bytes: usize,
    needed: Option<usize>,
    hello: Option<serde_json::Value>,
}

/// Exit 0 with the name, 1 when the input is rejected, 2 when it cannot be read, 3 when the
/// hello carries no server name, 4 when it is incomplete.
pub(crate) fn run(args: &Args) -> ExitCode {
    let cmd = Cmd {
        name: "sni",
        json: args.format.is_json(),
    };
    let data = match shared::read_bytes(&args.input, &args.max_input_size) {
        Ok(data) => data,
        Err(stop) => return cmd.stop(stop),
    };
    let mut report = Report {
        bytes: data.len(),
        needed: None,
        hello: None,
    };
    let (code, problem) = match sniff::parse(&data, &config(args)) {
        Ok(Status::Complete(h)) => {
            report.hello = Some(hello_json(&h));
            complete(&h, cmd.json)
        }
        Ok(Status::Partial(n)) => {
            report.needed = Some(n);
            let message = format!(
                "incomplete ClientHello: at least {n} more bytes needed (have {})",
                data.len()
            );
            (
                4,
                Some(shared::hello_error("incomplete-client-hello", message)),
            )
        }
        Err(e) => (1, Some(Problem::from(e))),
    };
    cmd.finish(code, Some(report), problem.into_iter().collect())
}

fn config(args: &Args) -> Config {
    let policy = match args.policy.as_str() {
        "strict" => Policy::STRICT,
        "lenient" => Policy::LENIENT,
        _ => Policy::DEFAULT,
    };
    Config::default()
        .with_max_hello_len(args.max_hello_len as usize)
        .with_policy(policy)
}

/// A whole hello: its name as sent on stdout (text); exit 3 without a name. A name too long
/// to lend (over 255 bytes, split across records) is a name all the same.
fn complete(h: &ClientHello<'_>, json: bool) -> (u8, Option<Problem>) {
    match h.server_name_vec() {
        Some(name) if !name.is_empty() => {
            if !json {
                // As sent, but never raw control bytes (the lenient policy lets them through).
                let _ = writeln!(std::io::stdout().lock(), "{}", EscapedBytes(&name));
            }
            (0, None)
        }
        _ => {
            let message = "the ClientHello carries no server name";
            (3, Some(shared::hello_error("no-server-name", message)))
        }
    }
}

fn hello_json(h: &ClientHello<'_>) -> serde_json::Value {
    serde_json::json!({
        "server_name": h.server_name_vec().map(|n| String::from_utf8_lossy(&n).into_owned()),
        "normalized": h.host_name().map(|n| n.as_str().to_ascii_lowercase()),
        "name_issue": h.name_issue().map(sniff::NameError::as_str),
        "alpn": h.alpn().map(|p| String::from_utf8_lossy(p.as_bytes()).into_owned()).collect::<Vec<_>>(),
        "ech": h.ech(),
        "versions": h.supported_versions().map(|v| format!("0x{v:04x}")).collect::<Vec<_>>(),
        "records": h.records(),
        "length": h.len(),
    })
}
