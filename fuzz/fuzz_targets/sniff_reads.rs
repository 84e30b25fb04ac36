//! Arbitrary bytes arriving in arbitrary reads. Input layout: byte 0 = k (mod 16), the next k
//! bytes are read sizes (cycled; 0 means 1), the rest is the stream. At every read the answer
//! is "need more" or the final answer; `Partial(n)` never undercounts.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshroute::sniff::{Config, Status, parse};

fuzz_target!(|data: &[u8]| {
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let k = usize::from(k % 16).min(rest.len());
    let (sizes, stream) = rest.split_at(k);
    let config = Config::default().with_max_hello_len(64 * 1024);
    let last = parse(stream, &config);
    let mut have = 0;
    let mut i = 0;
    let mut promised = 0; // bytes that Partial said are needed at least
    while have < stream.len() {
        let step = sizes
            .get(i % sizes.len().max(1))
            .map_or(1, |&s| usize::from(s).max(1));
        i += 1;
        have = (have + step).min(stream.len());
        let now = parse(&stream[..have], &config);
        match now {
            Ok(Status::Partial(n)) => {
                assert!(n >= 1);
                promised = have + n;
            }
            _ => {
                assert_eq!(
                    now, last,
                    "decided at {have} but the whole stream says otherwise"
                );
                if matches!(now, Ok(Status::Complete(_))) {
                    assert!(
                        have >= promised,
                        "complete before the promised {promised} bytes"
                    );
                }
                break;
            }
        }
    }
});
