//! `meshroute sni`: the server name of a captured TLS ClientHello.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use meshroute::sniff::{self, ClientHello, Config, Policy, Status};

/// Arguments of `meshroute sni`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// Name policy: `default` (RFC 6066), `strict` (every rule rejects) or `lenient` (report
    /// problems, reject only broken framing).
    #[arg(long, default_value = "default", value_parser = ["default", "strict", "lenient"])]
    policy: String,
    /// Largest ClientHello accepted, in bytes (at most 65536, the default).
    #[arg(long, default_value_t = 65536, value_parser = clap::value_parser!(u32).range(1..=65536))]
    max_hello_len: u32,
    /// The raw bytes a client sent (a captured ClientHello), or `-` for standard input.
    input: PathBuf,
}

fn read_input(path: &PathBuf) -> std::io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
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

fn emit_json(value: &serde_json::Value) {
    println!("{value}");
}

pub(crate) fn run(args: &Args) -> ExitCode {
    let data = match read_input(&args.input) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("meshroute sni: {}: {e}", args.input.display());
            return ExitCode::from(1);
        }
    };
    let policy = match args.policy.as_str() {
        "strict" => Policy::STRICT,
        "lenient" => Policy::LENIENT,
        _ => Policy::DEFAULT,
    };
    let config = Config::default()
        .with_max_hello_len(args.max_hello_len as usize)
        .with_policy(policy);
    let json = args.format == "json";
    match sniff::parse(&data, &config) {
        Ok(Status::Complete(h)) => {
            if json {
                emit_json(&hello_json(&h));
            }
            match h.server_name() {
                Some(name) if !name.is_empty() => {
                    if !json {
                        let mut out = std::io::stdout().lock();
                        let _ = out.write_all(name).and_then(|()| out.write_all(b"\n"));
                    }
                    ExitCode::SUCCESS
                }
                _ => {
                    eprintln!("meshroute sni: the ClientHello carries no server name");
                    ExitCode::from(3)
                }
            }
        }
        Ok(Status::Partial(n)) => {
            if json {
                emit_json(&serde_json::json!({
                    "error": "incomplete",
                    "message": format!("incomplete ClientHello: at least {n} more bytes needed"),
                    "needed": n,
                    "have": data.len(),
                }));
            }
            eprintln!(
                "meshroute sni: incomplete ClientHello: at least {n} more bytes needed (have {})",
                data.len()
            );
            ExitCode::from(4)
        }
        Err(e) => {
            if json {
                emit_json(&serde_json::json!({
                    "error": "rejected",
                    "kind": e.as_str(),
                    "message": e.to_string(),
                }));
            }
            eprintln!("meshroute sni: rejected: {e}");
            ExitCode::from(1)
        }
    }
}
