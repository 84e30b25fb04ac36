#![no_main]
use libfuzzer_sys::fuzz_target;
use meshroute::tree::Limits;

fuzz_target!(|data: &str| {
    // Any text: a tree or an error, never a panic; a tree reads back the same as JSON.
    if let Ok(node) = meshroute::json::parse(data, &Limits::default()) {
        let json = node.to_json();
        let text = json.to_string();
        let again =
            meshroute::json::parse(&text, &Limits::default()).expect("our own output reads back");
        assert_eq!(again.to_json(), json);
    }
});
