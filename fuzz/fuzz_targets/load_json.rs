#![no_main]
//! The whole load (read, normalize, decode, validate) of arbitrary json text: never panics.
use libfuzzer_sys::fuzz_target;
use meshroute::{Format, Loader};

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        let loaded = Loader::new().load_str(src, Format::Json, None);
        for d in &loaded.documents {
            let _ = d.to_json();
        }
        for d in &loaded.diagnostics {
            let _ = d.to_string();
        }
    }
});
