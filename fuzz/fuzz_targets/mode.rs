#![no_main]
use libfuzzer_sys::fuzz_target;
use meshroute::MeshGatewayMode;

fuzz_target!(|data: &str| {
    if let Ok(mode) = data.parse::<MeshGatewayMode>() {
        assert_eq!(mode.as_str(), data);
    }
});
