#![no_main]
//! The Kubernetes manifest reader: any text as the `spec` of one of consul-k8s's resources,
//! or as a workload's pod annotations, or as the body of a manifest that is not Consul's, in
//! a stream after optional Helm values (`tests/common/k8s_manifest.rs` builds it from the
//! input and states what loading it must give). Never a panic; a manifest that is not
//! Consul's is never an error (its text may still not be YAML); every problem past the
//! reader's names its document.
use libfuzzer_sys::fuzz_target;
use meshroute::{Format, Loader};

#[path = "../../tests/common/k8s_manifest.rs"]
mod k8s_manifest;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(body) = std::str::from_utf8(rest) else {
        return;
    };
    let (src, consul) = k8s_manifest::stream(sel, body);
    let loaded = Loader::new().load_str(&src, Format::Yaml, None);
    k8s_manifest::check(&src, sel, consul, &loaded);
});
