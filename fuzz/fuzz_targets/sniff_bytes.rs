//! Arbitrary bytes: the sniffer never panics, `Partial` always asks for at least one byte, a
//! complete hello lies within the input, a decision stays the same with more bytes, and the
//! same handshake bytes give the same answer in another framing (the one-record slice path and
//! the record-crossing path agree).
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshroute::sniff::{ClientHello, Config, Error, Policy, Status, parse};

type Answer = Result<
    Option<(
        Option<Vec<u8>>,
        Option<Vec<u8>>,
        Vec<Vec<u8>>,
        Vec<u16>,
        bool,
        usize,
    )>,
    Error,
>;

fn answer(r: Result<Status<ClientHello<'_>>, Error>) -> Answer {
    r.map(|s| {
        s.complete().map(|h| {
            (
                h.server_name().map(<[u8]>::to_vec),
                h.host_name().map(|n| n.as_bytes().to_vec()),
                h.alpn().map(|p| p.as_bytes().to_vec()).collect(),
                h.supported_versions().collect(),
                h.ech(),
                h.message_len(),
            )
        })
    })
}

/// The payload of a one-record input re-framed into records of `size` bytes.
fn reframe(data: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for part in data[5..].chunks(size) {
        out.extend_from_slice(&data[..3]);
        out.extend_from_slice(&u16::try_from(part.len()).unwrap().to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    // One handshake record holding the whole input: compare framings.
    if data.len() > 6 && data[0] == 22 && data[1] == 3 {
        let rlen = usize::from(u16::from_be_bytes([data[3], data[4]]));
        if rlen == data.len() - 5 && rlen <= 16384 {
            let config = Config::default().with_max_hello_len(64 * 1024);
            let whole = answer(parse(data, &config));
            for size in [1, 2, 7, usize::from(data[5]) + 1] {
                assert_eq!(
                    answer(parse(&reframe(data, size), &config)),
                    whole,
                    "{size}-byte records"
                );
            }
        }
    }
    let configs = [
        Config::default(),
        Config::default()
            .with_max_hello_len(64 * 1024)
            .with_policy(Policy::LENIENT),
        Config::default().with_policy(Policy::STRICT),
    ];
    for config in &configs {
        match parse(data, config) {
            Ok(Status::Complete(h)) => {
                assert!(h.len() <= data.len() && h.message_len() <= config.max_hello_len());
                let _ = (h.server_name(), h.host_name(), h.name_issue(), h.alpn_raw());
                assert!(h.alpn().all(|p| !p.as_bytes().is_empty()));
                let _ = h.supported_versions().count();
                if let Some(host) = h.host_name() {
                    assert!(host.as_str().len() <= 253 && !host.as_str().ends_with('.'));
                }
                // Bytes after the hello change nothing.
                let mut more = data.to_vec();
                more.push(0);
                assert_eq!(parse(&more, config), Ok(Status::Complete(h)));
            }
            Ok(Status::Partial(n)) => assert!(n >= 1),
            Err(e) => {
                let mut more = data.to_vec();
                more.extend_from_slice(&[0; 8]);
                assert_eq!(parse(&more, config).err(), Some(e));
            }
        }
    }
});
