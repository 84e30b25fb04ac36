//! Tells the test targets whether `fuzz/corpus` is here: a git checkout has it, the packaged
//! crate does not (cargo leaves out `fuzz/`, a package of its own), and the tests that replay
//! the corpus are then reported as ignored rather than passing on nothing.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(fuzz_corpus)");
    println!("cargo::rerun-if-changed=fuzz/corpus");
    if std::path::Path::new("fuzz/corpus").is_dir() {
        println!("cargo::rustc-cfg=fuzz_corpus");
    }
}
