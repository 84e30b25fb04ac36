//! The differential under fuzzing: on every input both the sniffer and rustls's server
//! `Acceptor` accept, the server name agrees (modulo rustls's lowercasing and trailing-dot
//! stripping) and so does the ALPN list. The one explained disagreement on accepted input
//! (tests/sniff/oracle.rs): rustls stops reading the server_name list at an unknown name
//! type and reports no name, where the sniffer skips the entry by its length.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshroute::sniff::{Config, NameError, Status, parse};

type Answer = (Option<String>, Vec<Vec<u8>>);

fn rustls_answer(data: &[u8]) -> Option<Answer> {
    let mut acceptor = rustls::server::Acceptor::default();
    let mut rest = data;
    while !rest.is_empty() {
        match acceptor.read_tls(&mut rest) {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        match acceptor.accept() {
            Ok(Some(a)) => {
                let ch = a.client_hello();
                let alpn = ch
                    .alpn()
                    .map(|i| i.map(<[u8]>::to_vec).collect())
                    .unwrap_or_default();
                return Some((ch.server_name().map(str::to_owned), alpn));
            }
            Ok(None) => {}
            Err(_) => return None,
        }
    }
    None
}

fuzz_target!(|data: &[u8]| {
    let config = Config::default().with_max_hello_len(64 * 1024);
    let Ok(Status::Complete(h)) = parse(data, &config) else {
        return;
    };
    let Some((name, alpn)) = rustls_answer(data) else {
        return;
    };
    let ours_alpn: Vec<Vec<u8>> = h.alpn().map(|p| p.as_bytes().to_vec()).collect();
    assert_eq!(ours_alpn, alpn, "ALPN lists differ");
    if h.name_issue() == Some(NameError::UnknownNameType) {
        return;
    }
    let ours = h.host_name().map(|n| n.as_str().to_ascii_lowercase());
    assert_eq!(ours, name, "server names differ");
});
