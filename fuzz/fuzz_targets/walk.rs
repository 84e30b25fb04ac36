#![no_main]
//! The directory walk over trees built from the input: directories, config files, links to
//! each other, to `.` and `..` (cycles), to nowhere, to `/dev/zero` and to themselves, FIFOs
//! and sockets named like config files. It must end (libFuzzer's timeout catches a walk that
//! loops or an open that blocks on a FIFO) and read each file once, by one path.
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/common/walk_tree.rs"]
mod walk_tree;

fuzz_target!(|data: &[u8]| {
    let root = std::env::temp_dir().join(format!("meshroute-walk-fuzz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    walk_tree::build(&root, data);
    let loaded = meshroute::Loader::new().load_paths(&[&root]);
    walk_tree::check(&loaded);
    let _ = std::fs::remove_dir_all(&root);
});
