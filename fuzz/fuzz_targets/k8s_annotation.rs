#![no_main]
//! consul-k8s's upstreams annotation: any text, any cluster features; never a panic, one
//! result per comma-separated entry, each naming its own text at its offset, every error one
//! of consul-k8s's messages.
use libfuzzer_sys::fuzz_target;
use meshroute::load::kubernetes::annotation::{Options, parse};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut options = Options::new().with_enterprise(flags & 1 != 0, flags & 2 != 0);
    if flags & 4 != 0 {
        options = options.with_named_port("http", 8080).with_named_port("", 0);
    }
    let entries = parse(text, &options);
    assert_eq!(entries.len(), text.split(',').count());
    for e in entries {
        match e {
            Ok(u) => {
                assert_eq!(&text[u.offset..u.offset + u.raw.len()], u.raw);
                assert!(u.upstream.local_bind_port.is_some_and(|p| p > 0));
            }
            Err(e) => {
                assert_eq!(&text[e.offset..e.offset + e.raw.len()], e.raw);
                let msg = e.to_string();
                assert!(
                    [
                        "upstream structured incorrectly: ",
                        "invalid upstream ",
                        "unsupported upstream option "
                    ]
                    .iter()
                    .any(|p| msg.starts_with(p)),
                    "{msg}"
                );
            }
        }
    }
});
