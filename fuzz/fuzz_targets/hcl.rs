#![no_main]
use libfuzzer_sys::fuzz_target;
use meshroute::tree::{Limits, Value};

fuzz_target!(|data: &str| {
    // Any text: a tree or an error, never a panic; a tree always has a map at the top.
    if let Ok(node) = meshroute::hcl::parse(data, &Limits::default()) {
        assert!(matches!(node.value, Value::Map(_)));
        let _ = node.to_json();
    }
});
