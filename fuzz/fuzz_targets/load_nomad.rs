#![no_main]
//! The whole load of arbitrary Nomad job text (HCL2 read, variables and interpolations
//! evaluated or reported, registrations validated): never panics, every diagnostic prints.
use libfuzzer_sys::fuzz_target;
use meshroute::{Format, Loader};

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        let loaded = Loader::new().load_str(src, Format::Hcl2, None);
        for d in &loaded.documents {
            let _ = d.to_json();
        }
        for d in &loaded.diagnostics {
            let _ = d.to_string();
        }
    }
});
