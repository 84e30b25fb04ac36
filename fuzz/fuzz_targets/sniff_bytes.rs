//! Arbitrary bytes: the sniffer never panics, `Partial` always asks for at least one byte, a
//! complete hello lies within the input, and a decision stays the same with more bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshroute::sniff::{Config, Policy, Status, parse};

fuzz_target!(|data: &[u8]| {
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
