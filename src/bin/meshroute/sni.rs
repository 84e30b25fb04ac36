//! `meshroute sni`: the server name of a captured TLS ClientHello.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use meshroute::sniff::{self, ClientHello, Config, Policy, Status};
use meshroute::text::EscapedBytes;

use crate::shared::{self, Cmd, MaxInputSize, Outcome, TextOrJson};

/// Arguments of `meshroute sni`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    format: TextOrJson,
    /// Name policy: `default` (RFC 6066), `strict` (every rule rejects) or `lenient` (report
    /// problems, reject only broken framing).
    #[arg(long, default_value = "default", value_parser = ["default", "strict", "lenient"])]
    policy: String,
    /// Largest ClientHello accepted, in bytes (at most 65536).
    #[arg(long, default_value_t = 16384, value_parser = clap::value_parser!(u32).range(1..=65536))]
    max_hello_len: u32,
    /// The raw bytes a client sent (a captured ClientHello), or `-` for standard input.
    input: PathBuf,
    #[command(flatten)]
    max_input_size: MaxInputSize,
}

const SNI: Cmd = Cmd("sni");

/// Exit 0 with the name, 1 when the hello is rejected, 2 when the input cannot be read (or is
/// over `--max-input-size`), 3 when the hello carries no server name, 4 when it is
/// incomplete.
pub(crate) fn run(args: &Args) -> Outcome {
    let json = args.format.is_json();
    let data = shared::read_bytes(SNI, &args.input, &args.max_input_size, json)?;
    Ok(match sniff::parse(&data, &config(args)) {
        Ok(Status::Complete(h)) => complete(&h, json),
        Ok(Status::Partial(n)) => partial(n, data.len(), json),
        Err(e) => rejected(e, json),
    })
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

/// A whole hello: its name as sent (text) or its report (JSON); exit 3 without a name.
fn complete(h: &ClientHello<'_>, json: bool) -> ExitCode {
    if json {
        shared::print_json_line(&hello_json(h));
    }
    match h.server_name() {
        Some(name) if !name.is_empty() => {
            if !json {
                // As sent, but never raw control bytes (the lenient policy lets them through).
                let _ = writeln!(std::io::stdout().lock(), "{}", EscapedBytes(name));
            }
            ExitCode::SUCCESS
        }
        _ => SNI.fail(3, "the ClientHello carries no server name"),
    }
}

fn hello_json(h: &ClientHello<'_>) -> serde_json::Value {
    serde_json::json!({
        "server_name": h.server_name().map(|n| String::from_utf8_lossy(n).into_owned()),
        "normalized": h.host_name().map(|n| n.as_str().to_ascii_lowercase()),
        "name_issue": h.name_issue().map(sniff::NameError::as_str),
        "alpn": h.alpn().map(|p| String::from_utf8_lossy(p.as_bytes()).into_owned()).collect::<Vec<_>>(),
        "ech": h.ech(),
        "versions": h.supported_versions().map(|v| format!("0x{v:04x}")).collect::<Vec<_>>(),
        "records": h.records(),
        "length": h.len(),
    })
}

/// A valid prefix of a hello, `needed` more bytes at least: exit 4.
fn partial(needed: usize, have: usize, json: bool) -> ExitCode {
    if json {
        shared::print_json_line(&serde_json::json!({
            "error": "incomplete",
            "message": format!("incomplete ClientHello: at least {needed} more bytes needed"),
            "needed": needed,
            "have": have,
        }));
    }
    let message =
        format!("incomplete ClientHello: at least {needed} more bytes needed (have {have})");
    SNI.fail(4, message)
}

/// Not a hello, or one the policy rejects: exit 1.
fn rejected(e: sniff::Error, json: bool) -> ExitCode {
    if json {
        shared::print_json_line(&serde_json::json!({
            "error": "rejected",
            "kind": e.as_str(),
            "message": e.to_string(),
        }));
    }
    SNI.fail(1, format!("rejected: {e}"))
}
